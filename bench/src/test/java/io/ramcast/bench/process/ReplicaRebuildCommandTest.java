package io.ramcast.bench.process;

import io.ramcast.bench.InJvmKvCluster;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica whose disk was lost, as an operator brings it back: {@code ramcast replica --rebuild}
 * on its wiped data directory while its partition goes on without it. It fetches a snapshot from
 * a peer, says so ({@code REBUILT}), catches up until its STATUS says {@code up}, and then counts
 * toward its partition's majority again: with another replica of the partition killed, the
 * partition still commits. At the end its store is identical to its surviving peer's.
 */
class ReplicaRebuildCommandTest
{
    private static final List<String> JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldRebuildAWipedReplicaThatThenCarriesItsPartition() throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final int victim = config.replicas(0).get(1).id();
        final int other = config.replicas(0).get(2).id();
        final Path logs = Path.of("target", "replica-rebuild-" + System.currentTimeMillis());
        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, logs, JVM))
        {
            try (KvClient client = KvClient.connect(config, config.clientIds().firstId()))
            {
                putAll(client, config, "before-", 300);
                cluster.kill(victim);
                assertThat(cluster.wipe(victim)).as("bytes of the lost disk").isPositive();
                assertThat(Files.list(config.replica(victim).dataDir()).count()).isZero();
                putAll(client, config, "while-down-", 300);

                cluster.rebuildAndAwaitReady(victim);
                final ServerProcess rebuilt = cluster.currentProcess(victim);
                assertThat(rebuilt.rebuiltLine()).as("the replica says where its snapshot came from")
                    .startsWith("REBUILT " + victim + " from replica ").contains("applied mark");
                putAll(client, config, "after-", 300);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (rebuilt.upNs() == 0 && System.nanoTime() < deadline)
                {
                    putAll(client, config, "catch-up-" + System.nanoTime() + "-", 5);
                }
                assertThat(rebuilt.upNs()).as("its STATUS says up (caught up); see %s", rebuilt.stderrFile()).isNotZero();

                cluster.kill(other); // partition 0 now commits only if the rebuilt replica counts again
                putAll(client, config, "without-" + other + "-", 100);
            }
            assertThat(cluster.firstDead()).as("no replica stopped by an error").isNull();
        }
        final Map<Integer, List<String>> hashes = LocalDeployment.replicaHashes(config, Set.of(other));
        assertThat(hashes.get(0)).as("partition 0: the rebuilt replica and its surviving peer").hasSize(2);
        assertThat(hashes.get(0).get(0)).as(LocalDeployment.hashSummary(hashes)).isEqualTo(hashes.get(0).get(1));
    }

    /** Writes {@code count} keys of partition 0, each until it commits (a retry of an unknown outcome keeps its id). */
    private static void putAll(final KvClient client, final ClusterConfig config, final String prefix, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final Transaction t = Transaction.builder().put(InJvmKvCluster.keyOn(config, prefix + i + "-", 0),
                ("v" + i).getBytes(StandardCharsets.UTF_8)).build();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            TxnOutcome outcome = client.execute(t);
            while (outcome instanceof TxnOutcome.Unknown unknown && System.nanoTime() < deadline)
            {
                outcome = client.execute(unknown.requestId(), t);
            }
            assertThat(outcome).as("put %s%d", prefix, i).isInstanceOf(TxnOutcome.Committed.class);
        }
    }
}
