package io.ramcast.bench;

import io.ramcast.bench.workload.ListAppendWorkload;
import io.ramcast.check.history.DependencyKind;
import io.ramcast.check.history.EventType;
import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryReader;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.check.history.ListAppendChecker;
import io.ramcast.check.history.MicroOp;
import io.ramcast.check.history.OpValue;
import io.ramcast.check.history.Operation;
import io.ramcast.client.KvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end in one JVM: nine real replicas (three partitions of three, RamCast over the local
 * fabric, real executors, real RocksDB) and the real client run the list-append workload; the
 * history must be strict serializable by {@link ListAppendChecker} (real-time edges included), with
 * many committed transactions spanning several partitions, and the replicas of each partition must
 * end identical, holding in each list exactly the appends that committed (plus possibly ones of
 * unknown outcome). The bank test already covers the same stack as OS processes over tcp; this one
 * stays in-JVM to keep the suite's time down. The data directory is kept when the test fails.
 *
 * <p>Seed: {@code -Dramcast.test.seed=<n>} repeats a run's random choices (not its interleaving).
 */
class ListAppendEndToEndTest
{
    private static final int KEYS = 8;
    private static final int MAX_MICRO_OPS = 4;
    private static final int MAX_LIST_LENGTH = 200;
    private static final int WORKERS = 6;
    private static final Duration RUN_FOR = Duration.ofSeconds(6);
    private static final long MAX_TRANSACTIONS = 20_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldBeStrictSerializableUnderMultiPartitionListAppends() throws Exception
    {
        final long seed = Long.getLong("ramcast.test.seed", System.nanoTime());
        System.out.println("ListAppendEndToEndTest seed=" + seed + " (rerun with -Dramcast.test.seed=" + seed +
            "), data in " + dir);
        final Path historyFile = dir.resolve("history.jsonl");
        final ListAppendWorkload.RunStats stats;
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        try
        {
            final KvClient client = cluster.client(InJvmKvCluster.FIRST_CLIENT_ID, Duration.ofSeconds(10));
            final ListAppendWorkload workload =
                new ListAppendWorkload(client, cluster.config().partitioner(), KEYS, MAX_MICRO_OPS, MAX_LIST_LENGTH);
            try (HistoryWriter history = HistoryWriter.open(historyFile))
            {
                stats = workload.run(WORKERS, RUN_FOR, MAX_TRANSACTIONS, seed, history);
            }
            cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
        }
        finally
        {
            cluster.close();
        }
        System.out.println("seed=" + seed + " " + stats);

        final long checkStartNs = System.nanoTime();
        final History history = HistoryReader.read(historyFile);
        final var result = new ListAppendChecker().check(history);
        System.out.println(result.summary() + "  checked in " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - checkStartNs) + " ms");

        cluster.assertHealthy();
        assertThat(result.isValid()).as("seed %d: %s", seed, result.summary()).isTrue();
        assertThat(result.stats().okCount()).as("ok transactions in the history").isEqualTo((int)stats.ok());
        assertThat(stats.failed()).as("seed %d: transactions that did not commit: %s", seed, stats.failures()).isZero();
        assertThat(stats.multiPartitionOk()).as("seed %d: committed multi-partition transactions", seed)
            .isGreaterThanOrEqualTo(100);
        assertThat(stats.appendsOk()).isGreaterThan(100);
        assertThat(stats.readsOk()).isGreaterThan(100);
        assertThat(result.stats().edgeCount(DependencyKind.WR)).as("write-read dependencies the checker saw").isGreaterThan(50);
        assertThat(result.stats().edgeCount(DependencyKind.RW)).as("read-write dependencies the checker saw").isGreaterThan(50);
        assertThat(result.stats().edgeCount(DependencyKind.REALTIME)).as("real-time edges the checker used").isGreaterThan(50);

        cluster.assertReplicasIdentical();
        assertFinalListsHoldExactlyTheCommittedAppends(history, cluster.entries(ListAppendWorkload.KEY_PREFIX), seed);
    }

    /**
     * Independent of what the reads saw: in the stores, every list holds each value once, every
     * append that committed, none that definitely failed, and nothing nobody appended.
     */
    private static void assertFinalListsHoldExactlyTheCommittedAppends(
        final History history, final Map<String, byte[]> stored, final long seed)
    {
        final Map<String, Set<Long>> committed = new HashMap<>();
        final Map<String, Set<Long>> attempted = new HashMap<>();
        for (final Operation op : history.operations())
        {
            for (final MicroOp micro : ((OpValue.Txn)op.value()).ops())
            {
                if (micro instanceof MicroOp.Append append)
                {
                    if (op.outcome() == EventType.OK)
                    {
                        committed.computeIfAbsent(append.key(), k -> new HashSet<>()).add(append.value());
                    }
                    if (op.outcome() != EventType.FAIL)
                    {
                        attempted.computeIfAbsent(append.key(), k -> new HashSet<>()).add(append.value());
                    }
                }
            }
        }
        assertThat(stored.keySet()).as("seed %d: keys in the stores", seed).containsAll(committed.keySet());
        for (final Map.Entry<String, byte[]> e : stored.entrySet())
        {
            final long[] list = new long[e.getValue().length / Long.BYTES];
            assertThat(e.getValue().length % Long.BYTES).as("%s holds whole longs", e.getKey()).isZero();
            ByteBuffer.wrap(e.getValue()).asLongBuffer().get(list);
            final Set<Long> values = new HashSet<>();
            for (final long v : list)
            {
                assertThat(values.add(v)).as("seed %d: %s holds %d once", seed, e.getKey(), v).isTrue();
            }
            assertThat(values).as("seed %d: %s holds every committed append", seed, e.getKey())
                .containsAll(committed.getOrDefault(e.getKey(), Set.of()));
            assertThat(attempted.getOrDefault(e.getKey(), Set.of()))
                .as("seed %d: %s holds only appends that were not refused", seed, e.getKey()).containsAll(values);
        }
    }
}
