package io.ramcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.ramcast.bench.process.LocalConfigFixture;
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
 * kill -9 of every replica of {@code config/local.yaml} in the middle of a load of two-partition
 * transactions, then a restart on the same data (the acceptor journal's reason to exist). Probe
 * transaction i writes key a_i on partition 0 and key b_i on partition 1. Afterwards the cluster
 * must serve again, and on every replica: a_i is there exactly when b_i is (atomicity across the
 * crash of everything), the replicas of each partition hold the same probes, and every probe whose
 * commit the client saw before the kill is there.
 */
class WholeClusterKillTest
{
    private static final List<String> JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final int PROBES = 400;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldKeepMultiPartitionTransactionsAtomicAcrossAKillOfEveryReplica() throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final byte[][] a = new byte[PROBES][];
        final byte[][] b = new byte[PROBES][];
        for (int i = 0; i < PROBES; i++)
        {
            a[i] = InJvmKvCluster.keyOn(config, "a" + i + "-", 0);
            b[i] = InJvmKvCluster.keyOn(config, "b" + i + "-", 1);
        }
        final Set<Integer> committed = new ConcurrentSkipListSet<>();
        int issued = 0;

        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, dir.resolve("logs-1"), JVM))
        {
            final KvClient client = KvClient.connect(config, config.clientIds().firstId());
            final Semaphore window = new Semaphore(16);
            final long killAtNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            final List<CompletableFuture<TxnOutcome>> inflight = new ArrayList<>();
            while (issued < PROBES && System.nanoTime() < killAtNs)
            {
                window.acquire();
                final int i = issued++;
                final CompletableFuture<TxnOutcome> f = client.executeAsync(Transaction.builder()
                    .put(a[i], utf8("p" + i)).put(b[i], utf8("p" + i)).build());
                f.whenComplete((outcome, ex) ->
                {
                    if (outcome instanceof TxnOutcome.Committed)
                    {
                        committed.add(i);
                    }
                    window.release();
                });
                inflight.add(f);
            }
            assertThat(committed).as("commits before the kill").isNotEmpty();
            for (final ReplicaConfig r : config.allReplicas())
            {
                cluster.kill(r.id()); // SIGKILL, mid-load: transactions in flight at every partition
            }
            client.close();
        }
        final Set<Integer> seenCommitted = new TreeSet<>(committed);

        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, dir.resolve("logs-2"), JVM))
        {
            try (KvClient client = KvClient.connect(config, config.clientIds().firstId() + 1))
            {
                for (int i = 0; i < 5; i++)
                {
                    final TxnOutcome outcome = client.execute(Transaction.builder()
                        .put(utf8("after-" + i), utf8("x")).put(a[0], utf8("after")).put(b[0], utf8("after")).build());
                    assertThat(outcome).as("a transaction after the restart").isInstanceOf(TxnOutcome.Committed.class);
                }
            }
            assertThat(cluster.firstDead()).as("no replica stopped (fail-stop)").isNull();
            assertThat(cluster.awaitConverged(Duration.ofSeconds(90), Duration.ofMillis(500))).isTrue();
        }

        Set<Integer> reference = null;
        for (final int p : new int[] {0, 1})
        {
            for (final ReplicaConfig r : config.replicas(p))
            {
                final Set<Integer> present = new TreeSet<>();
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    for (int i = 1; i < issued; i++) // probe 0 was overwritten after the restart
                    {
                        if (store.get(p == 0 ? a[i] : b[i]) != null)
                        {
                            present.add(i);
                        }
                    }
                }
                if (reference == null)
                {
                    reference = present;
                }
                assertThat(present).as("probes on replica %d of partition %d (atomic and identical everywhere)", r.id(), p)
                    .isEqualTo(reference);
            }
        }
        final Set<Integer> mustBeThere = new TreeSet<>(seenCommitted);
        mustBeThere.remove(0);
        assertThat(reference).as("every commit the client saw before the kill").containsAll(mustBeThere);
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
