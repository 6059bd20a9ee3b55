package io.ramcast.bench.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.client.ClientIdInUseException;
import io.ramcast.client.ClientIdNotServedException;
import io.ramcast.client.KvClient;
import io.ramcast.storage.ReplicaServer;
import io.ramcast.txn.config.ClusterConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Raising the client bound without stopping the cluster: three replicas (one partition, real
 * RocksDB stores, tcp on loopback, admin ports) of a config with two client ids are restarted one at
 * a time with a config of four while a client commits increments; each new replica lays out four
 * but serves two (a client with a new id is refused as not served, a leasing one skips it); then
 * {@code bin/ramcast clients --serve} makes the cluster serve four, and four clients lease an id
 * each at once. Every increment counts once; a replica started again with the old config is
 * refused, naming the count the cluster serves.
 */
class ClientBoundRaiseTest
{
    @TempDir
    Path dir;

    private final List<ReplicaServer> replicas = new ArrayList<>(List.of());

    @AfterEach
    void stop()
    {
        replicas.forEach(r ->
        {
            if (r != null)
            {
                r.close();
            }
        });
    }

    private String yaml(final int basePort, final int clients)
    {
        final StringBuilder sb = new StringBuilder("cluster: raise\nfabric: tcp\nstorage:\n  durability: wal\n" +
            "  dataRoot: " + dir.resolve("data").toAbsolutePath() + "\npartitions:\n  - id: 0\n    replicas:\n");
        for (int id = 0; id < 3; id++)
        {
            sb.append("      - {id: ").append(id).append(", host: 127.0.0.1, port: ").append(basePort + id)
                .append(", adminPort: ").append(basePort + 3 + id).append("}\n");
        }
        return sb.append("clients: {firstId: 3, count: ").append(clients).append("}\n").append("security:\n").append(
            "  replicaSecretFile: ").append(dir.resolve("replica.key")).append("\n  clientSecretFile: ")
            .append(dir.resolve("client.key")).append('\n').toString();
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldServeMoreClientIdsAfterARollingRestartAndTheServeCommand() throws Exception
    {
        final int base = BenchTestSupport.freeBasePort(6);
        final Path twoFile = Files.writeString(dir.resolve("two.yaml"), yaml(base, 2));
        final Path fourFile = Files.writeString(dir.resolve("four.yaml"), yaml(base, 4));
        final ClusterConfig two = ClusterConfig.load(twoFile);
        final ClusterConfig four = ClusterConfig.load(fourFile);
        for (int id = 0; id < 3; id++)
        {
            replicas.add(ReplicaServer.builder().config(two).replicaId(id).build().start());
        }
        final byte[] counter = "raise/counter".getBytes(StandardCharsets.UTF_8);

        final AtomicLong committed = new AtomicLong();
        final AtomicBoolean stopLoad = new AtomicBoolean();
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try (KvClient loader = KvClient.builder().config(two).requestTimeout(Duration.ofSeconds(5)).build())
        {
            final Future<?> load = pool.submit(() ->
            {
                while (!stopLoad.get())
                {
                    final io.ramcast.client.TxnOutcome outcome =
                        loader.run(io.ramcast.txn.Transaction.builder().increment(counter, 1).build());
                    assertThat(outcome).isInstanceOf(io.ramcast.client.TxnOutcome.Committed.class);
                    committed.incrementAndGet();
                }
                return null;
            });
            try (KvClient other = KvClient.connect(two))
            {
                assertThatThrownBy(() -> KvClient.connect(two)).as("two ids, both held")
                    .isInstanceOf(ClientIdInUseException.class);
                assertThat(other.increment(counter, 1)).isPositive();
                committed.incrementAndGet();
            }

            // the rolling restart: one replica at a time, the others serving meanwhile
            for (int id = 0; id < 3; id++)
            {
                replicas.get(id).close();
                replicas.set(id, null);
                final long before = committed.get();
                final ReplicaServer restarted = ReplicaServer.builder().config(four).replicaId(id).build().start();
                replicas.set(id, restarted);
                awaitUntil(() -> 0 == restarted.catchUpBehind() && committed.get() > before + 5 && !load.isDone(),
                    "replica " + id + " caught up and increments go on");
                assertThat(restarted.laidOutClients()).isEqualTo(4);
                assertThat(restarted.servedClients()).as("lays out four, serves what the store says").isEqualTo(2);
            }
            assertThatThrownBy(() -> KvClient.builder().config(four).clientId(5).connectTimeout(Duration.ofSeconds(2))
                .build()).isInstanceOf(ClientIdNotServedException.class)
                .hasMessageContaining("client id 5 is laid out here but not served yet");

            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final CommandLine cli = RamcastCli.commandLine();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            final int exit = cli.execute("clients", "--config", fourFile.toString(), "--serve");
            assertThat(exit).as(out + "\n" + err).isZero();
            assertThat(out.toString()).contains("the cluster serves 4 client ids (committed at every partition)");
            for (final ReplicaServer r : replicas)
            {
                assertThat(r.servedClients()).isEqualTo(4);
            }

            // four clients at once on a range that held two: the loader (id 3 or 4) and three more
            final CountDownLatch connected = new CountDownLatch(3);
            final CountDownLatch release = new CountDownLatch(1);
            final List<Future<Integer>> newcomers = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                newcomers.add(pool.submit(() ->
                {
                    try (KvClient kv = KvClient.connect(four))
                    {
                        kv.increment(counter, 1);
                        committed.incrementAndGet();
                        connected.countDown();
                        release.await(60, TimeUnit.SECONDS);
                        return kv.clientId();
                    }
                }));
            }
            assertThat(connected.await(60, TimeUnit.SECONDS)).as(() -> "three more clients connected; " +
                newcomerFailures(newcomers)).isTrue();
            release.countDown();
            final Set<Integer> ids = new HashSet<>(Set.of(loader.clientId()));
            for (final Future<Integer> f : newcomers)
            {
                ids.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(ids).as("four live clients, four ids").containsExactlyInAnyOrder(3, 4, 5, 6);
            stopLoad.set(true);
            load.get(120, TimeUnit.SECONDS);
            assertThat(loader.counter(counter)).as("every committed increment counted once")
                .isEqualTo(committed.get());
        }
        finally
        {
            stopLoad.set(true);
            pool.shutdownNow();
        }

        replicas.get(2).close();
        replicas.set(2, null);
        assertThatThrownBy(() -> ReplicaServer.builder().config(two).replicaId(2).build())
            .hasMessageContaining("the cluster serves 4 client ids")
            .hasMessageContaining("lays out 2 (clients.count)");
    }

    /** What the newcomers that gave up threw, for a failed assertion's message. */
    private static String newcomerFailures(final List<Future<Integer>> newcomers)
    {
        final StringWriter failures = new StringWriter();
        for (final Future<Integer> f : newcomers)
        {
            if (f.isDone())
            {
                try
                {
                    f.get();
                }
                catch (final java.util.concurrent.ExecutionException | InterruptedException ex)
                {
                    ex.printStackTrace(new PrintWriter(failures, true));
                }
            }
        }
        return failures.toString();
    }

    private static void awaitUntil(final java.util.function.BooleanSupplier condition, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }
}
