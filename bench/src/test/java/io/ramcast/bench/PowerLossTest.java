package io.ramcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.process.ReplicaProcesses;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A power loss under {@code durability: fsync}, where a replica answers a transaction once its
 * group is written to the store, before the store's sync (the acceptor journal, forced before a
 * replica sends anything, keeps every delivery the store has not synced). Two partitions of three
 * replica processes; every transaction increments a counter in each partition and writes a probe
 * key in each. With {@code storage.syncIntervalMs} at an hour no replica syncs its store during
 * the run, so everything it wrote since it started is in the unsynced tail of its RocksDB
 * write-ahead log. Once every transaction is answered, every replica is killed (SIGKILL) and its
 * store loses what a power loss may take from an unsynced tail: at the first replica of each
 * partition the whole tail (the log truncated to nothing), at the second its second half
 * overwritten with zeros (unsynced blocks that read back empty), at the third nothing. The journal
 * files are left as they are (forced, so a power loss keeps them).
 *
 * <p>After the restart every replica must hold every answered transaction exactly once: both
 * counters equal the count of committed transactions, every probe is there, and the stores that
 * lost their tail did lose transactions before the restart (or the test would prove nothing).
 */
class PowerLossTest
{
    private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final int TRANSACTIONS = 300;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldLoseNoAnsweredTransactionWhenStoresLoseTheirUnsyncedTail() throws Exception
    {
        final ClusterConfig config = ClusterConfig.load(writeConfig());
        final byte[][] counters = {InJvmKvCluster.keyOn(config, "count-", 0), InJvmKvCluster.keyOn(config, "count-", 1)};
        final Path logs = Path.of("target", "power-loss-" + System.currentTimeMillis());
        final Map<Integer, Long> countBeforeRestart = new TreeMap<>();
        try (ReplicaProcesses cluster = ReplicaProcesses.start(dir.resolve("power.yaml"), config, logs, JVM))
        {
            final Map<Integer, Boolean> committed = new ConcurrentHashMap<>();
            try (KvClient client = KvClient.connect(config, config.clientIds().firstId()))
            {
                final Semaphore window = new Semaphore(16);
                for (int i = 0; i < TRANSACTIONS; i++)
                {
                    window.acquire();
                    final int n = i;
                    client.executeAsync(Transaction.builder()
                            .increment(counters[0], 1).increment(counters[1], 1)
                            .put(probe(config, n, 0), utf8("v" + n)).put(probe(config, n, 1), utf8("v" + n)).build())
                        .whenComplete((outcome, ex) ->
                        {
                            committed.put(n, outcome instanceof TxnOutcome.Committed);
                            window.release();
                        });
                }
                window.acquire(16);
            }
            assertThat(committed).hasSize(TRANSACTIONS).doesNotContainValue(false);
            assertThat(cluster.awaitConverged(Duration.ofSeconds(60), Duration.ofMillis(300)))
                .as("every replica wrote every transaction before the power loss").isTrue();

            cluster.killAndRestartAll(() -> loseUnsyncedTails(config, counters, countBeforeRestart));

            try (KvClient after = KvClient.connect(config, config.clientIds().firstId() + 1))
            {
                // retried with the same request id while the groups elect their leaders
                final TxnOutcome outcome = after.run(Transaction.builder().increment(counters[0], 1)
                    .increment(counters[1], 1).build());
                assertThat(outcome).as("a transaction after the restart").isInstanceOf(TxnOutcome.Committed.class);
            }
            assertThat(cluster.firstDead()).as("no replica stopped (fail-stop)").isNull();
            assertThat(cluster.awaitConverged(Duration.ofSeconds(90), Duration.ofMillis(500))).isTrue();
        }

        assertThat(countBeforeRestart.get(config.replicas(0).get(0).id())).as("the whole tail lost").isZero();
        assertThat(countBeforeRestart.get(config.replicas(1).get(1).id())).as("half the tail lost")
            .isLessThan(TRANSACTIONS);
        assertThat(countBeforeRestart.get(config.replicas(1).get(2).id())).as("nothing lost")
            .isEqualTo(TRANSACTIONS);
        for (final int p : new int[] {0, 1})
        {
            for (final ReplicaConfig r : config.replicas(p))
            {
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    assertThat(counter(store.get(counters[p])))
                        .as("counter of partition %d on replica %d: every answered transaction once", p, r.id())
                        .isEqualTo(TRANSACTIONS + 1);
                    for (int n = 0; n < TRANSACTIONS; n++)
                    {
                        assertThat(store.get(probe(config, n, p))).as("probe %d on replica %d", n, r.id())
                            .isEqualTo(utf8("v" + n));
                    }
                }
            }
        }
    }

    /**
     * With every replica dead: takes from each store's write-ahead log what a power loss may take
     * (see the class comment) and notes the counter each store then holds.
     */
    private static void loseUnsyncedTails(final ClusterConfig config, final byte[][] counters,
        final Map<Integer, Long> countAfterLoss)
    {
        try
        {
            for (final int p : new int[] {0, 1})
            {
                final List<ReplicaConfig> replicas = config.replicas(p);
                for (int i = 0; i < replicas.size(); i++)
                {
                    final Path store = replicas.get(i).dataDir();
                    final Path wal = liveWriteAheadLog(store);
                    try (RandomAccessFile file = new RandomAccessFile(wal.toFile(), "rw"))
                    {
                        final long size = file.length();
                        if (i == 0)
                        {
                            file.setLength(0);
                        }
                        else if (i == 1)
                        {
                            file.seek(size / 2);
                            file.write(new byte[(int)(size - size / 2)]);
                        }
                    }
                    try (RocksPartitionStore readOnly = RocksPartitionStore.openReadOnly(store))
                    {
                        countAfterLoss.put(replicas.get(i).id(), counter(readOnly.get(counters[p])));
                    }
                }
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /** The one non-empty write-ahead log of a store: what its process wrote since it opened it. */
    private static Path liveWriteAheadLog(final Path store) throws IOException
    {
        final List<Path> logs = new ArrayList<>();
        try (Stream<Path> files = Files.list(store))
        {
            for (final Path f : (Iterable<Path>)files::iterator)
            {
                if (f.getFileName().toString().endsWith(".log") && Files.size(f) > 0)
                {
                    logs.add(f);
                }
            }
        }
        assertThat(logs).as("non-empty write-ahead logs in %s", store).hasSize(1);
        return logs.get(0);
    }

    private Path writeConfig() throws IOException
    {
        final int base = BenchTestSupport.freeBasePort(6);
        final StringBuilder yaml = new StringBuilder(String.join("\n",
            "cluster: power-loss",
            "fabric: tcp",
            "storage:",
            "  durability: fsync",
            "  syncIntervalMs: 3600000",
            "  dataRoot: " + dir.resolve("data").toAbsolutePath(),
            "partitions:",
            ""));
        for (int p = 0; p < 2; p++)
        {
            yaml.append("  - id: ").append(p).append("\n    replicas:\n");
            for (int r = 0; r < 3; r++)
            {
                final int id = p * 3 + r;
                yaml.append("      - { id: ").append(id).append(", host: 127.0.0.1, port: ").append(base + id)
                    .append(" }\n");
            }
        }
        yaml.append("clients:\n  firstId: 100\n  count: 2\n");
        final Path file = dir.resolve("power.yaml");
        Files.writeString(file, yaml.toString(), StandardCharsets.UTF_8);
        return file;
    }

    private static byte[] probe(final ClusterConfig config, final int n, final int partition)
    {
        return InJvmKvCluster.keyOn(config, "probe-" + n + "-" + partition + "-", partition);
    }

    private static long counter(final byte[] value)
    {
        return value == null ? 0 : ByteBuffer.wrap(value).getLong();
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
