package io.ramcast.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.etcd.EtcdClient;
import io.ramcast.bench.etcd.EtcdMember;
import io.ramcast.bench.workload.KvWorkload;
import io.ramcast.bench.workload.OperationGenerator;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.bench.workload.Workloads;
import io.ramcast.txn.Op;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ramcast bench --target etcd} against a real one-member etcd cluster (the {@code etcd}
 * binary on the PATH; skipped without it, which CI installs): kv-write3 commits and every key ends
 * with the value the run wrote last (the generator replayed, read back through the gateway);
 * kv-cas reports every transaction as not committed before its data set exists and commits every
 * one after {@code --load}. Runs of one or two seconds over 20 records.
 */
class EtcdTargetTest
{
    private static final int RECORDS = 20;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private EtcdMember etcd;

    @BeforeEach
    void startEtcd() throws Exception
    {
        final Optional<Path> binary = EtcdMember.binary();
        assumeTrue(binary.isPresent(), "no etcd binary on the PATH (apt-get install etcd-server)");
        etcd = EtcdMember.start(binary.get(), dir);
    }

    @AfterEach
    void stopEtcd()
    {
        if (etcd != null)
        {
            etcd.close();
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldCommitThreeKeyWritesThatReallyLandInEtcd() throws Exception
    {
        final Path json = dir.resolve("write3.json");
        final long seed = 11;
        final BenchTestSupport.Execution run = BenchTestSupport.execute("bench", "--target", "etcd", "--endpoints",
            etcd.endpoint().toString(), "--workload", "kv-write3", "--records", Integer.toString(RECORDS),
            "--duration", "2s", "--warmup", "500ms", "--seed", Long.toString(seed), "--json", json.toString());

        assertThat(run.exitCode()).as(run.transcript()).isZero();
        assertThat(run.out()).contains("target          etcd", "version 3.", "client i pinned to endpoint i mod 1");
        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("setup").path("target").asText()).isEqualTo("etcd");
        assertThat(report.path("setup").path("etcd").path("endpoints").get(0).asText())
            .isEqualTo(etcd.endpoint().toString());
        final JsonNode all = report.path("result").path("all");
        assertThat(all.path("committed").asLong()).as(run.transcript()).isPositive();
        assertThat(all.path("notCommitted").asLong()).isZero();
        assertThat(all.path("unknown").asLong()).isZero();

        // One worker ran its generator's first (warm-up + measured) operations, one at a time, all
        // committed: replaying them gives the value each key must hold now.
        final long operations = report.path("result").path("warmupOperations").asLong() + all.path("operations").asLong();
        final WorkloadSettings settings = new WorkloadSettings(EtcdTarget.LIMITS.partitioner(), RECORDS, 100, "uniform",
            0, 2, 32, Map.of());
        final OperationGenerator generator = Workloads.create("kv-write3").newGenerator(settings, 0,
            BenchRun.workerSeed(seed, 0));
        final Map<Long, byte[]> expected = new HashMap<>();
        for (long i = 0; i < operations; i++)
        {
            for (final Op op : generator.next().transaction().ops())
            {
                expected.put(recordOf(op.key()), ((Op.Put)op).value());
            }
        }
        assertThat(expected).as("a run of %d operations touches every one of %d records", operations, RECORDS)
            .hasSize(RECORDS);
        final EtcdClient reader = EtcdClient.create(etcd.endpoint(), Duration.ofSeconds(5));
        for (long r = 0; r < RECORDS; r++)
        {
            assertThat(reader.get(KvWorkload.key(KvWorkload.Kind.WRITE3, r))).as("record %d", r)
                .isEqualTo(expected.get(r));
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldCountFailedComparisonsAsNotCommittedUntilTheDataSetIsLoaded() throws Exception
    {
        final Path before = dir.resolve("cas-unloaded.json");
        final Path after = dir.resolve("cas-loaded.json");
        final BenchTestSupport.Execution unloaded = BenchTestSupport.execute("bench", "--target", "etcd", "--endpoints",
            etcd.endpoint().toString(), "--workload", "kv-cas", "--records", Integer.toString(RECORDS), "--clients", "2",
            "--duration", "1s", "--warmup", "0", "--json", before.toString());
        final BenchTestSupport.Execution loaded = BenchTestSupport.execute("bench", "--target", "etcd", "--endpoints",
            etcd.endpoint().toString(), "--workload", "kv-cas", "--records", Integer.toString(RECORDS), "--clients", "2",
            "--duration", "1s", "--warmup", "0", "--load", "--json", after.toString());

        assertThat(unloaded.exitCode()).as(unloaded.transcript()).isZero();
        assertThat(loaded.exitCode()).as(loaded.transcript()).isZero();
        assertThat(loaded.out()).contains("loaded 20 records in 1 transactions");
        final JsonNode failing = new ObjectMapper().readTree(before.toFile()).path("result").path("types").path("cas");
        assertThat(failing.path("operations").asLong()).isPositive();
        assertThat(failing.path("committed").asLong()).isZero();
        assertThat(failing.path("notCommittedByReason").path("CONDITION_FAILED").asLong())
            .isEqualTo(failing.path("operations").asLong());
        final JsonNode passing = new ObjectMapper().readTree(after.toFile()).path("result").path("types").path("cas");
        assertThat(passing.path("operations").asLong()).isPositive();
        assertThat(passing.path("committed").asLong()).isEqualTo(passing.path("operations").asLong());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldFailTheRunNamingAnEndpointThatDoesNotAnswer()
    {
        final String silent = "http://127.0.0.1:" + BenchTestSupport.freeBasePort(1);
        final BenchTestSupport.Execution run = BenchTestSupport.execute("bench", "--target", "etcd", "--endpoints",
            etcd.endpoint() + "," + silent, "--workload", "kv-read", "--duration", "1s");

        assertThat(run.exitCode()).as(run.transcript()).isEqualTo(RamcastCli.EXIT_RUN_FAILED);
        assertThat(run.err()).contains("etcd at " + silent + " cannot be reached");
    }

    private static long recordOf(final byte[] key)
    {
        return Long.parseLong(new String(key, StandardCharsets.US_ASCII)
            .substring(KvWorkload.Kind.WRITE3.keyPrefix().length()));
    }
}
