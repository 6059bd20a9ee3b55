package io.ramcast.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.bench.InJvmKvCluster;
import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.workload.KvWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kv workloads through the real client, against an in-JVM cluster (three partitions of three
 * replicas, RocksDB): kv-cas counts every transaction as not committed (condition failed) before
 * its data set is loaded and commits every one after {@code --load}, leaving each record at its
 * loaded value; kv-write3 and kv-read commit everything. One-second runs of one client with two
 * workers.
 */
class KvWorkloadsCommandTest
{
    private static final int RECORDS = 50;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunTheKvWorkloadsAndCountFailedComparisonsApart() throws Exception
    {
        final Path config = WorkloadCommandSupport.writeConfig(dir);
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        final JsonNode unloadedCas;
        final JsonNode cas;
        final JsonNode write3;
        final JsonNode read;
        try
        {
            unloadedCas = bench(cluster, config, "kv-cas", false, 0).path("types").path("cas");
            cas = bench(cluster, config, "kv-cas", true, 1).path("types").path("cas");
            write3 = bench(cluster, config, "kv-write3", true, 2).path("types").path("write3");
            read = bench(cluster, config, "kv-read", true, 3).path("types").path("read");
            cluster.awaitReplicasCaughtUp(WorkloadCommandSupport.REQUEST_TIMEOUT);
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        cluster.assertReplicasIdentical();

        assertThat(unloadedCas.path("operations").asLong()).isPositive();
        assertThat(unloadedCas.path("notCommittedByReason").path("CONDITION_FAILED").asLong())
            .isEqualTo(unloadedCas.path("operations").asLong());
        for (final JsonNode committedEverything : new JsonNode[] {cas, write3, read})
        {
            assertThat(committedEverything.path("operations").asLong()).isPositive();
            assertThat(committedEverything.path("committed").asLong())
                .isEqualTo(committedEverything.path("operations").asLong());
        }
        final Map<String, byte[]> casRecords = cluster.entries(KvWorkload.Kind.CAS.keyPrefix());
        assertThat(casRecords).hasSize(RECORDS);
        for (int r = 0; r < RECORDS; r++)
        {
            assertThat(casRecords.get(new String(KvWorkload.key(KvWorkload.Kind.CAS, r), StandardCharsets.UTF_8)))
                .as("kv-cas record %d", r).isEqualTo(KvWorkload.loadedValue(r, 100));
        }
        assertThat(cluster.entries(KvWorkload.Kind.WRITE3.keyPrefix())).hasSize(RECORDS);
    }

    /** Runs one bench command on a client id of its own (each run connects its clients anew). */
    private JsonNode bench(final InJvmKvCluster cluster, final Path config, final String workload, final boolean load,
        final int index) throws IOException
    {
        final Path json = dir.resolve(workload + (load ? "-loaded" : "") + ".json");
        final List<String> args = new ArrayList<>(List.of("--config", config.toString(), "--workload", workload,
            "--records", Integer.toString(RECORDS),
            "--first-client-id", Integer.toString(InJvmKvCluster.FIRST_CLIENT_ID + index),
            "--clients", "1", "--threads-per-client", "2", "--duration", "1s", "--warmup", "0",
            "--json", json.toString()));
        if (load)
        {
            args.add("--load");
        }
        final BenchTestSupport.Execution run = WorkloadCommandSupport.run(
            new BenchCommand(WorkloadCommandSupport.connector(cluster)), args.toArray(new String[0]));
        assertThat(run.exitCode()).as(run.transcript()).isZero();
        return new ObjectMapper().readTree(json.toFile()).path("result");
    }
}
