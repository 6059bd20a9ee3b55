package io.ramcast.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.LocalConfigFixture;
import io.ramcast.bench.process.ReplicaProcesses;
import io.ramcast.txn.config.ClusterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Smoke test of {@code ramcast load} and {@code ramcast bench} as a user runs them: the nine
 * replicas of {@code config/local.yaml} as OS processes over tcp (ports and data root moved), the
 * commands through {@link RamcastCli} with clients connecting over tcp.
 */
class WorkloadCommandsEndToEndTest
{
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldLoadAndBenchYcsbBOverTcp() throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final Path json = dir.resolve("ycsb-b.json");
        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, dir.resolve("logs"),
            List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")))
        {
            final BenchTestSupport.Execution load = BenchTestSupport.execute("load", "--config", configFile.toString(),
                "--workload", "ycsb-b", "--records", "2000", "--clients", "2");
            assertThat(load.exitCode()).as(load.transcript()).isZero();
            assertThat(load.out()).contains("loaded 2,000 records");

            final BenchTestSupport.Execution bench = BenchTestSupport.execute("bench", "--config", configFile.toString(),
                "--workload", "ycsb-b", "--records", "2000", "--multi-partition", "0.2", "--clients", "2",
                "--threads-per-client", "2", "--duration", "2s", "--warmup", "1s", "--json", json.toString());
            assertThat(bench.exitCode()).as(bench.transcript()).isZero();
            assertThat(cluster.firstDead()).isNull();
            assertThat(cluster.awaitConverged(Duration.ofSeconds(60), Duration.ofMillis(500)))
                .as("replicas of each partition reach the same applied position").isTrue();
        }
        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("result").path("types").path("read").path("committed").asLong()).isPositive();
        assertThat(report.path("result").path("types").path("multi-read").path("committed").asLong()).isPositive();
        assertThat(report.path("result").path("all").path("unknown").asLong()).isZero();
    }
}
