package io.ramcast.bench.load;

import io.ramcast.bench.InJvmKvCluster;
import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.workload.YcsbWorkload;
import io.ramcast.client.KvClient;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ramcast load} against an in-JVM cluster (three partitions of three replicas, RocksDB):
 * loading twice leaves exactly the same data set, every record once with its version-0 value, at
 * every replica; load and bench transactions over the cluster's limits are usage errors.
 */
class LoadCommandTest
{
    private static final int RECORDS = 600;
    private static final int VALUE_SIZE = 50;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldLeaveTheSameDataSetWhenLoadingTwice() throws Exception
    {
        final Path config = WorkloadCommandSupport.writeConfig(dir);
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        final String[] args = {"--config", config.toString(), "--workload", "ycsb-a", "--records", "" + RECORDS,
            "--value-size", "" + VALUE_SIZE, "--batch", "20", "--clients", "2", "--window", "4"};
        final Map<String, String> afterFirst;
        final Map<String, String> afterSecond;
        try
        {
            final BenchTestSupport.Execution first =
                WorkloadCommandSupport.run(new LoadCommand(WorkloadCommandSupport.connector(cluster)), args);
            assertThat(first.exitCode()).as(first.transcript()).isZero();
            assertThat(first.out()).contains("loaded " + RECORDS + " records in ");
            final KvClient reader = cluster.client(InJvmKvCluster.FIRST_CLIENT_ID + 3, WorkloadCommandSupport.REQUEST_TIMEOUT);
            afterFirst = readAll(reader);

            final BenchTestSupport.Execution second =
                WorkloadCommandSupport.run(new LoadCommand(WorkloadCommandSupport.connector(cluster)), args);
            assertThat(second.exitCode()).as(second.transcript()).isZero();
            assertThat(second.out()).contains("loaded " + RECORDS + " records in ");
            afterSecond = readAll(reader);
            cluster.awaitReplicasCaughtUp(WorkloadCommandSupport.REQUEST_TIMEOUT);
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        assertThat(afterFirst).hasSize(RECORDS);
        assertThat(afterSecond).isEqualTo(afterFirst);
        final Map<String, byte[]> stored = cluster.entries(YcsbWorkload.KEY_PREFIX);
        assertThat(stored).as("records stored").hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++)
        {
            final String key = new String(YcsbWorkload.key(i), StandardCharsets.US_ASCII);
            assertThat(stored.get(key)).as("value of %s", key).isEqualTo(YcsbWorkload.value(i, 0, VALUE_SIZE));
        }
        cluster.assertReplicasIdentical();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldReportTransactionsOverTheClusterLimitsAsAUsageError() throws Exception
    {
        final Path config = WorkloadCommandSupport.writeConfig(dir);
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        try
        {
            final BenchTestSupport.Execution load =
                WorkloadCommandSupport.run(new LoadCommand(WorkloadCommandSupport.connector(cluster)),
                    "--config", config.toString(), "--workload", "ycsb-c", "--records", "300", "--value-size", "4000",
                    "--batch", "32");
            assertThat(load.exitCode()).as(load.transcript()).isEqualTo(RamcastCli.EXIT_USAGE);
            assertThat(load.err()).contains("--batch=32 x --value-size=4000 is too large for the cluster",
                "limits.maxTransactionBytes=7168");

            final BenchTestSupport.Execution bench =
                WorkloadCommandSupport.run(new BenchCommand(WorkloadCommandSupport.connector(cluster)),
                    "--config", config.toString(), "--workload", "ycsb-a", "--records", "300", "--value-size", "4000",
                    "--multi-partition", "1", "--duration", "2s", "--warmup", "0");
            assertThat(bench.exitCode()).as(bench.transcript()).isEqualTo(RamcastCli.EXIT_USAGE);
            assertThat(bench.err()).contains("lower --value-size or --max-partitions", "limits.maxTransactionBytes=7168");
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
    }

    /** Reads every record through the client, 30 keys per transaction. */
    private static Map<String, String> readAll(final KvClient client)
    {
        final Map<String, String> values = new TreeMap<>();
        for (int from = 0; from < RECORDS; from += 30)
        {
            final Transaction.Builder t = Transaction.builder();
            for (int i = from; i < Math.min(RECORDS, from + 30); i++)
            {
                t.get(YcsbWorkload.key(i));
            }
            final List<Result> results = client.execute(t.build()).resultsOrThrow();
            for (int i = 0; i < results.size(); i++)
            {
                final byte[] value = ((Result.Value)results.get(i)).value();
                assertThat(value).as("record %d", from + i).isNotNull();
                values.put(new String(YcsbWorkload.key(from + i), StandardCharsets.US_ASCII),
                    new String(value, StandardCharsets.US_ASCII));
            }
        }
        return values;
    }
}
