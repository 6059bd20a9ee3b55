package io.ramcast.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import io.ramcast.multicast.fabric.Fabric;
import org.junit.jupiter.api.Test;

class FabricIdleStrategyTest
{
    private final List<Long> waits = new ArrayList<>();
    private final Fabric fabric = (Fabric)Proxy.newProxyInstance(Fabric.class.getClassLoader(), new Class<?>[] {Fabric.class},
        (proxy, method, args) ->
        {
            if (method.getName().equals("awaitActivity"))
            {
                waits.add((Long)args[0]);
                return null;
            }
            throw new UnsupportedOperationException(method.getName());
        });

    @Test
    void shouldSpinAndYieldBeforeWaitingInTheFabricWithADoublingCappedPeriod()
    {
        final FabricIdleStrategy strategy = new FabricIdleStrategy(fabric);
        for (int i = 0; i < FabricIdleStrategy.MAX_SPINS + FabricIdleStrategy.MAX_YIELDS; i++)
        {
            strategy.idle(0);
        }
        assertThat(waits).as("no wait while spinning and yielding").isEmpty();

        for (int i = 0; i < 14; i++)
        {
            strategy.idle(0);
        }
        assertThat(waits).containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 64_000L, 128_000L, 256_000L,
            512_000L, 1_000_000L, 1_000_000L, 1_000_000L, 1_000_000L);
    }

    @Test
    void shouldStartOverAfterWork()
    {
        final FabricIdleStrategy strategy = new FabricIdleStrategy(fabric);
        for (int i = 0; i < FabricIdleStrategy.MAX_SPINS + FabricIdleStrategy.MAX_YIELDS + 3; i++)
        {
            strategy.idle(0);
        }
        assertThat(waits).containsExactly(1_000L, 2_000L, 4_000L);

        strategy.idle(1);
        for (int i = 0; i < FabricIdleStrategy.MAX_SPINS + FabricIdleStrategy.MAX_YIELDS + 1; i++)
        {
            strategy.idle(0);
        }
        assertThat(waits).containsExactly(1_000L, 2_000L, 4_000L, 1_000L);
    }
}
