package io.ramcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * The atomicity probe of a whole-cluster restart, as an operator meets it: nine replica processes
 * of {@code config/local.yaml}; one transaction writes a key of partition 0 and a key of partition
 * 1, then many single-key writes move partition 0 ahead; every replica is stopped with SIGTERM and
 * started again on the same data. Transactions over both partitions must then commit, and every
 * replica of both partitions must hold the last value of both keys — never one key written and the
 * other not (the failure this guards against: each group's clock starting again from zero, and a
 * partition silently skipping deliveries at or below its stored position).
 *
 * <p>Tagged {@code campaign} (run by hand) to keep the build within its time: the restart-all step
 * of {@code FaultsCommandTest} covers a whole-cluster SIGTERM restart in every build, with its own
 * two-partition atomicity probe and every checker.
 */
@Tag("campaign")
class WholeClusterRestartTest
{
    private static final List<String> JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldCommitMultiPartitionTransactionsEverywhereAfterAWholeClusterSigtermRestart() throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final byte[] k0 = InJvmKvCluster.keyOn(config, "probe-a-", 0);
        final byte[] k1 = InJvmKvCluster.keyOn(config, "probe-b-", 1);

        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, dir.resolve("logs-1"), JVM))
        {
            try (KvClient client = KvClient.connect(config, config.clientIds().firstId()))
            {
                assertCommitted(client.execute(bothKeys(k0, k1, "init")));
                for (int i = 0; i < 100; i++)
                {
                    client.put(InJvmKvCluster.keyOn(config, "filler-" + i + "-", 0), utf8("x" + i));
                }
            }
            assertThat(cluster.awaitConverged(Duration.ofSeconds(60), Duration.ofMillis(500))).isTrue();
        } // SIGTERM to every replica: each closes its store cleanly

        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, dir.resolve("logs-2"), JVM))
        {
            try (KvClient client = KvClient.connect(config, config.clientIds().firstId() + 1))
            {
                for (int i = 1; i <= 6; i++)
                {
                    assertCommitted(client.execute(bothKeys(k0, k1, "v" + i)));
                }
                assertThat(client.get(k0)).isEqualTo(utf8("v6"));
                assertThat(client.get(k1)).isEqualTo(utf8("v6"));
            }
            assertThat(cluster.firstDead()).as("no replica stopped (fail-stop)").isNull();
            assertThat(cluster.awaitConverged(Duration.ofSeconds(60), Duration.ofMillis(500))).isTrue();
        }

        for (final int p : new int[] {0, 1})
        {
            final byte[] key = p == 0 ? k0 : k1;
            for (final ReplicaConfig r : config.replicas(p))
            {
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    assertThat(store.get(key)).as("replica %d of partition %d", r.id(), p).isEqualTo(utf8("v6"));
                }
            }
        }
    }

    private static Transaction bothKeys(final byte[] k0, final byte[] k1, final String value)
    {
        return Transaction.builder().put(k0, utf8(value)).put(k1, utf8(value)).build();
    }

    private static void assertCommitted(final TxnOutcome outcome)
    {
        assertThat(outcome).as("outcome").isInstanceOf(TxnOutcome.Committed.class);
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
