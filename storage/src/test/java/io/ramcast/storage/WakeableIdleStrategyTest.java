package io.ramcast.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.ramcast.multicast.FabricIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WakeableIdleStrategyTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldEndAParkWhenWoken() throws Exception
    {
        final long longParkNs = TimeUnit.SECONDS.toNanos(40); // a missed wake fails the 10 s bound below
        final WakeableIdleStrategy strategy = new WakeableIdleStrategy(longParkNs, longParkNs);
        final CountDownLatch returned = new CountDownLatch(1);
        final Thread agent = new Thread(() ->
        {
            for (int i = 0; i <= FabricIdleStrategy.MAX_SPINS + FabricIdleStrategy.MAX_YIELDS; i++)
            {
                strategy.idle(0); // spins, yields, then the long park
            }
            returned.countDown();
        }, "idle-agent");
        agent.setDaemon(true);
        agent.start();

        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!strategy.isParked() && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(1_000_000);
        }
        assertThat(strategy.isParked()).as("the agent parked").isTrue();
        final long wokenNs = System.nanoTime();
        strategy.wake();
        assertThat(returned.await(10, TimeUnit.SECONDS)).as("the park ended on the wake").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - wokenNs)).isLessThan(Duration.ofSeconds(10));
        assertThat(strategy.isParked()).isFalse();
    }

    @Test
    void shouldNotParkWhileWorkKeepsComing()
    {
        final WakeableIdleStrategy strategy = new WakeableIdleStrategy(TimeUnit.SECONDS.toNanos(40),
            TimeUnit.SECONDS.toNanos(40));
        final long startNs = System.nanoTime();
        for (int i = 0; i < 1_000; i++)
        {
            for (int j = 0; j < FabricIdleStrategy.MAX_SPINS + FabricIdleStrategy.MAX_YIELDS; j++)
            {
                strategy.idle(0);
            }
            strategy.idle(1); // work resets the back-off before it reaches the park
        }
        assertThat(Duration.ofNanos(System.nanoTime() - startNs)).isLessThan(Duration.ofSeconds(30));
    }
}
