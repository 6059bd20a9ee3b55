package io.ramcast.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.bench.InJvmKvCluster;
import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.check.history.EventType;
import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryReader;
import io.ramcast.check.history.OpFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ramcast bench} against an in-JVM cluster (three partitions of three replicas, RocksDB):
 * a short YCSB A run with multi-partition transactions writes parseable JSON, CSV and PNG reports
 * with statistics for every operation type; a bank run fails its check before the accounts are
 * loaded (exit 1), and after loading records a history whose check passes, as does the bank's.
 */
class BenchCommandTest
{
    private static final byte[] PNG_SIGNATURE = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldMeasureYcsbAWithMultiPartitionTransactionsAndWriteEveryReport() throws Exception
    {
        final Path config = WorkloadCommandSupport.writeConfig(dir);
        final Path json = dir.resolve("reports/run.json");
        final Path csv = dir.resolve("reports/run.csv");
        final Path chart = dir.resolve("reports/run.png");
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        final BenchTestSupport.Execution run;
        try
        {
            run = WorkloadCommandSupport.run(new BenchCommand(WorkloadCommandSupport.connector(cluster)),
                "--config", config.toString(), "--workload", "ycsb-a", "--records", "300", "--value-size", "64",
                "--multi-partition", "0.3", "--clients", "2", "--threads-per-client", "2", "--duration", "3s",
                "--warmup", "1s", "--seed", "7", "--load", "--json", json.toString(), "--csv", csv.toString(),
                "--chart", chart.toString());
            cluster.awaitReplicasCaughtUp(WorkloadCommandSupport.REQUEST_TIMEOUT);
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        cluster.assertReplicasIdentical();
        assertThat(run.exitCode()).as(run.transcript()).isZero();
        assertThat(run.out()).contains("== bench setup ==", "== bench result ==", "multi-update", "seed            7");

        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("setup").path("workload").asText()).isEqualTo("ycsb-a");
        assertThat(report.path("setup").path("multiPartitionFraction").asDouble()).isEqualTo(0.3);
        assertThat(report.path("setup").path("workers").asInt()).isEqualTo(4);
        assertThat(report.path("setup").path("cluster").path("partitions").asInt()).isEqualTo(3);
        final JsonNode result = report.path("result");
        final List<String> types = new ArrayList<>();
        result.path("types").fieldNames().forEachRemaining(types::add);
        assertThat(types).containsExactlyInAnyOrder("read", "update", "multi-read", "multi-update");
        long operations = 0;
        for (final String type : types)
        {
            final JsonNode t = result.path("types").path(type);
            assertThat(t.path("operations").asLong()).as("operations of %s", type).isPositive();
            assertThat(t.path("committed").asLong()).as("committed %s", type).isEqualTo(t.path("operations").asLong());
            final JsonNode latency = t.path("latencyMicros");
            assertThat(latency.path("p50").asDouble()).as("p50 of %s", type).isPositive()
                .isLessThanOrEqualTo(latency.path("p99").asDouble());
            assertThat(latency.path("p99").asDouble()).isLessThanOrEqualTo(latency.path("max").asDouble());
            operations += t.path("operations").asLong();
        }
        assertThat(result.path("operations").asLong()).isEqualTo(operations);
        assertThat(result.path("throughputPerSecond").asDouble()).isPositive();
        assertThat(result.path("timeSeries").size()).as("points of the time series").isBetween(3, 5);
        assertThat(report.path("check").isNull()).isTrue();
        assertThat(report.path("passed").asBoolean()).isTrue();

        final List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo(BenchReport.CSV_HEADER);
        assertThat(lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)[0]))
            .containsExactly("multi-read", "multi-update", "read", "update", "all");
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] fields = line.split(",", -1);
            assertThat(fields).hasSize(BenchReport.CSV_HEADER.split(",").length);
            for (int i = 1; i < fields.length - 1; i++)
            {
                Double.parseDouble(fields[i]);
            }
        }
        assertThat(lines.get(lines.size() - 1).split(",")[1]).isEqualTo(Long.toString(operations));

        final byte[] png = Files.readAllBytes(chart);
        assertThat(Arrays.copyOf(png, PNG_SIGNATURE.length)).as("PNG signature").isEqualTo(PNG_SIGNATURE);
        final BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(BenchChart.WIDTH);
        assertThat(image.getHeight()).isEqualTo(2 * BenchChart.PANEL_HEIGHT);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepTheBankTotalAndRecordACheckedHistory() throws Exception
    {
        final Path config = WorkloadCommandSupport.writeConfig(dir);
        final Path json = dir.resolve("bank.json");
        final Path historyFile = dir.resolve("bank-history.jsonl");
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        final BenchTestSupport.Execution unloaded;
        final BenchTestSupport.Execution run;
        try
        {
            // Before the accounts exist, transfers abort and the check must fail.
            unloaded = WorkloadCommandSupport.run(new BenchCommand(WorkloadCommandSupport.connector(cluster)),
                "--config", config.toString(), "--workload", "bank", "--duration", "1s", "--warmup", "0");
            run = WorkloadCommandSupport.run(new BenchCommand(WorkloadCommandSupport.connector(cluster)),
                "--config", config.toString(), "--workload", "bank", "--load", "--clients", "2",
                "--threads-per-client", "2", "--duration", "3s", "--warmup", "1s", "--param", "readFraction=0.2",
                "--history", historyFile.toString(), "--json", json.toString());
            cluster.awaitReplicasCaughtUp(WorkloadCommandSupport.REQUEST_TIMEOUT);
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        cluster.assertReplicasIdentical();
        assertThat(unloaded.exitCode()).as(unloaded.transcript()).isEqualTo(RamcastCli.EXIT_CHECK_FAILED);
        assertThat(unloaded.out()).contains("check           FAILED bank: accounts [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] " +
            "hold no balance");
        assertThat(run.exitCode()).as(run.transcript()).isZero();
        assertThat(run.out()).contains("loaded 12 records", "check           PASSED bank: a read of all 12 accounts " +
            "sees total 12000 (expected 12000)", "history check   PASSED");

        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("check").path("passed").asBoolean()).isTrue();
        assertThat(report.path("historyCheck").path("passed").asBoolean()).isTrue();
        assertThat(report.path("result").path("types").path("transfer").path("operations").asLong()).isPositive();
        assertThat(report.path("result").path("types").path("read-all").path("committed").asLong()).isPositive();

        final History history = HistoryReader.read(historyFile);
        assertThat(history.count(OpFunction.TRANSFER, EventType.OK)).isPositive();
        assertThat(history.count(OpFunction.READ, EventType.OK)).isPositive();
        assertThat(report.path("result").path("historyEvents").asLong()).isEqualTo(history.events().size());
    }
}
