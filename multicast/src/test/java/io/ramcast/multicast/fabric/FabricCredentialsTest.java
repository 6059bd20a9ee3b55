package io.ramcast.multicast.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;

import org.junit.jupiter.api.Test;

/**
 * Incarnations of one JVM: two clients created at the same moment must not share one (a server
 * would take the second's connection for a reconnection of the first), and a later one is larger.
 */
class FabricCredentialsTest
{
    @Test
    void shouldHandOutDistinctIncarnationsToThreadsThatAskAtOnce() throws Exception
    {
        final int threads = 8;
        final int each = 2_000;
        final CyclicBarrier together = new CyclicBarrier(threads);
        final ConcurrentLinkedQueue<Long> taken = new ConcurrentLinkedQueue<>();
        final List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final Thread thread = new Thread(() ->
            {
                try
                {
                    together.await();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
                long last = 0;
                for (int i = 0; i < each; i++)
                {
                    final long incarnation = FabricCredentials.newIncarnation();
                    assertThat(incarnation).isGreaterThan(last);
                    last = incarnation;
                    taken.add(incarnation);
                }
            });
            thread.start();
            started.add(thread);
        }
        for (final Thread thread : started)
        {
            thread.join();
        }
        assertThat(taken).hasSize(threads * each).doesNotHaveDuplicates();
        final long micros = System.currentTimeMillis() * 1_000L;
        assertThat(FabricCredentials.newIncarnation()).as("still the wall clock in microseconds, give or take")
            .isBetween(micros - 5_000_000L, micros + 5_000_000L);
    }
}
