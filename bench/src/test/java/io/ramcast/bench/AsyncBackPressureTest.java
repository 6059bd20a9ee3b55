package io.ramcast.bench;

import io.ramcast.client.ClientBusyException;
import io.ramcast.client.KvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Async calls never block their caller: with every replica's links held (nothing is delivered,
 * so the client's window of transactions in flight fills and stays full), a window's worth of
 * async puts goes out, {@link KvClient#DEFERRED_PER_WINDOW_SLOT} windows' worth more queue, all
 * returning at once, and the next one is refused with {@link ClientBusyException}; once the
 * links are released every queued put commits.
 */
class AsyncBackPressureTest
{
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldQueueThenRefuseAsyncCallsWithoutEverBlockingTheCaller() throws Exception
    {
        final Map<Integer, Set<Integer>> heldPeersById = new ConcurrentHashMap<>();
        try (InJvmKvCluster cluster = InJvmKvCluster.startHolding(dir.resolve("data"), heldPeersById))
        {
            final KvClient kv = cluster.client(InJvmKvCluster.FIRST_CLIENT_ID, REQUEST_TIMEOUT);
            kv.put(utf8("warm"), utf8("up"));
            // the warm-up's window slot is freed when its multicast completes, a moment after its reply
            InJvmKvCluster.await("the warm-up left the window", Duration.ofSeconds(10), () -> 0 == kv.windowInUse(),
                () -> kv.windowInUse() + " slots in use");
            heldPeersById.values().forEach(held -> held.addAll(cluster.processIds()));

            final int window = cluster.config().toMulticastOptions().clientWindow();
            final int accepted = window * (1 + KvClient.DEFERRED_PER_WINDOW_SLOT);
            final List<CompletableFuture<Void>> puts = new ArrayList<>();
            final long startNs = System.nanoTime();
            ClientBusyException refused = null;
            for (int i = 0; i <= accepted + 1 && null == refused; i++)
            {
                try
                {
                    puts.add(kv.putAsync(utf8("k" + i), utf8("v" + i)));
                }
                catch (final ClientBusyException ex)
                {
                    refused = ex;
                }
            }
            final Duration issuing = Duration.ofNanos(System.nanoTime() - startNs);
            assertThat(refused).as("refused once the queue is full").isNotNull();
            assertThat(refused.getMessage()).contains("nothing sent");
            assertThat(puts.size()).as("a window in flight, the queue, and the one the sender thread holds")
                .isBetween(accepted, accepted + 1);
            assertThat(issuing).as("%d async calls with a full window never waited for room (a wait lasts up to " +
                "the request timeout)", accepted + 1).isLessThan(REQUEST_TIMEOUT.dividedBy(3));
            assertThat(puts).as("nothing can be delivered while every link is held").noneMatch(CompletableFuture::isDone);

            heldPeersById.values().forEach(Set::clear);
            CompletableFuture.allOf(puts.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            assertThat(kv.getString("k" + (puts.size() - 1))).isEqualTo("v" + (puts.size() - 1));
            System.out.println(puts.size() + " async puts issued in " + issuing.toMillis() + " ms with a window of " +
                window + "; all committed after the release");
        }
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
