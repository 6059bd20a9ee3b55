package io.ramcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
import org.junit.jupiter.api.Tag;
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
    private static final int PROBES = 20_000;

    @TempDir
    Path dir;

    /**
     * With durability wal: the journal, copied into a mapping, is in the page cache and survives the
     * kill. Every process test on a default (wal) cluster restarts replicas on that path, so this one
     * is tagged {@code campaign} (run by hand) to keep the build within its time.
     */
    @Test
    @Tag("campaign")
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldKeepMultiPartitionTransactionsAtomicAcrossAKillOfEveryReplica() throws Exception
    {
        killEveryReplicaUnderLoad("wal");
    }

    /**
     * With durability fsync: the journal writes each record with write(2) (in the page cache once
     * written, so a kill -9 loses none of it), every write to a peer waits until the journal is
     * forced, once per duty cycle, and each restarted replica cuts its last segment at its last whole
     * frame and appends to a new one. The only process test that restarts replicas on that path,
     * so it runs in every build.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldKeepMultiPartitionTransactionsAtomicAcrossAKillOfEveryReplicaWithFsync() throws Exception
    {
        killEveryReplicaUnderLoad("fsync");
    }

    private void killEveryReplicaUnderLoad(final String durability) throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final String yaml = Files.readString(configFile);
        assertThat(yaml).contains("durability: wal");
        Files.writeString(configFile, yaml.replace("durability: wal", "durability: " + durability));
        final ClusterConfig config = ClusterConfig.load(configFile);
        final byte[][] a = new byte[PROBES][];
        final byte[][] b = new byte[PROBES][];
        for (int i = 0; i < PROBES; i++)
        {
            a[i] = InJvmKvCluster.keyOn(config, "a" + i + "-", 0);
            b[i] = InJvmKvCluster.keyOn(config, "b" + i + "-", 1);
        }
        // the replicas' logs stay under target/ for a failed run
        final Path logs = Path.of("target", "whole-cluster-kill-" + durability + "-" + System.currentTimeMillis());
        final Set<Integer> committed = new ConcurrentSkipListSet<>();
        final int[] issuedCount = {0};
        final int issued;

        final Set<Integer> seenCommitted;
        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, logs, JVM))
        {
            final KvClient client = KvClient.connect(config, config.clientIds().firstId());
            final Semaphore window = new Semaphore(16);
            final java.util.concurrent.atomic.AtomicInteger issuedAtKill = new java.util.concurrent.atomic.AtomicInteger();
            final java.util.concurrent.atomic.AtomicInteger committedAtKill = new java.util.concurrent.atomic.AtomicInteger();
            // SIGKILL to all nine at once after 2 s, while this thread keeps issuing: transactions
            // in flight at partitions 0 and 1
            final java.util.concurrent.CompletableFuture<Void> killed = java.util.concurrent.CompletableFuture.runAsync(() ->
            {
                try
                {
                    Thread.sleep(2_000);
                    cluster.killAndRestartAll(() ->
                    {
                        issuedAtKill.set(issuedCount[0]);
                        committedAtKill.set(committed.size());
                    });
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
            });
            while (!killed.isDone() && issuedCount[0] < PROBES)
            {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS))
                {
                    continue;
                }
                final int i = issuedCount[0]++;
                client.executeAsync(Transaction.builder().put(a[i], utf8("p" + i)).put(b[i], utf8("p" + i)).build())
                    .whenComplete((outcome, ex) ->
                    {
                        if (outcome instanceof TxnOutcome.Committed)
                        {
                            committed.add(i);
                        }
                        window.release();
                    });
            }
            killed.join();
            client.close();
            issued = issuedCount[0];
            assertThat(committedAtKill.get()).as("commits before the kill").isPositive();
            assertThat(issuedAtKill.get() - committedAtKill.get()).as("transactions in flight at the kill").isPositive();
            seenCommitted = new TreeSet<>(committed);

            try (KvClient after = KvClient.connect(config, config.clientIds().firstId() + 1))
            {
                for (int i = 0; i < 5; i++)
                {
                    // while the groups elect their leaders a request may time out as unknown: run
                    // retries it with the same request id until the cluster serves again
                    final Transaction t = Transaction.builder()
                        .put(utf8("after-" + i), utf8("x")).put(a[0], utf8("after")).put(b[0], utf8("after")).build();
                    final TxnOutcome outcome = after.run(t);
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
