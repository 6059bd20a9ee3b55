package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.check.multicast.MulticastChecker;
import io.ramcast.check.multicast.MulticastHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code multicast-bench} end to end, as {@code bin/ramcast} runs it: a bounded closed-loop run of
 * 3 groups × 3 replicas and 4 clients multicasting to random sets of 1..3 groups, whose delivery
 * logs must pass the atomic multicast checker. Logs are kept (the temporary directory is not
 * deleted) when a test fails; its path and the seed are in the failure message.
 */
class MulticastBenchCommandTest
{
    private static final long SEED = 20_261_124L;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryMulticastInACheckedOrderOverTheLocalFabric() throws Exception
    {
        final Path logs = dir.resolve("logs");
        final Path json = dir.resolve("report.json");

        final BenchTestSupport.Execution run = BenchTestSupport.execute("multicast-bench",
            "--fabric", "local", "--groups", "3", "--replicas", "3", "--clients", "4",
            "--random-destinations", "--destinations", "3", "--window", "8",
            "--messages", "2000", "--warmup", "0s", "--seed", Long.toString(SEED),
            "--delivery-log", logs.toString(), "--json", json.toString());

        assertThat(run.exitCode()).as("seed %d, logs in %s\n%s", SEED, logs, run.transcript()).isZero();
        assertThat(run.out()).contains("throughput", "latency (us)", "atomic multicast check: VALID");
        assertValidCompleteHistory(logs, 2000);
        assertThat(Files.readString(json, StandardCharsets.UTF_8))
            .contains("\"fabric\":\"local\"", "\"measuredMessages\":2000", "\"valid\":true", "\"passed\":true");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryMulticastInACheckedOrderOverTcpServerProcesses() throws Exception
    {
        final Path logs = dir.resolve("logs");
        final int basePort = BenchTestSupport.freeBasePort(9);

        final BenchTestSupport.Execution run = BenchTestSupport.execute("multicast-bench",
            "--fabric", "tcp", "--base-port", Integer.toString(basePort),
            "--groups", "3", "--replicas", "3", "--clients", "4",
            "--random-destinations", "--destinations", "3", "--window", "4",
            "--messages", "400", "--warmup", "0s", "--seed", Long.toString(SEED),
            "--idle", "sleep", "--server-jvm-options", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
            "--delivery-log", logs.toString());

        assertThat(run.exitCode()).as("seed %d, logs in %s\n%s", SEED, logs, run.transcript()).isZero();
        assertValidCompleteHistory(logs, 400);
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
            .as("server processes left running").isEmpty();
    }

    /** A benchmark server authenticates with its run's secrets: started without them it does not run. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldNotStartAServerWithoutItsRunsSecrets()
    {
        final BenchTestSupport.Execution run = BenchTestSupport.execute("multicast-server", "--id", "0",
            "--groups", "1", "--replicas", "3", "--base-port", Integer.toString(BenchTestSupport.freeBasePort(3)));

        assertThat(run.exitCode()).as(run.transcript()).isEqualTo(RamcastCli.EXIT_RUN_FAILED);
        assertThat(run.err()).contains(io.ramcast.txn.config.Secrets.REPLICA_SECRET_ENV + " is not set");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseMoreDestinationsThanGroups()
    {
        final BenchTestSupport.Execution run = BenchTestSupport.execute("multicast-bench",
            "--groups", "3", "--destinations", "5", "--messages", "10");

        assertThat(run.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(run.err()).contains("--destinations=5 must be in [1, 3]");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseAPayloadThatDoesNotFitASlot()
    {
        final BenchTestSupport.Execution run = BenchTestSupport.execute("multicast-bench",
            "--payload-bytes", "5000", "--messages", "10");

        assertThat(run.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(run.err()).contains("--payload-bytes=5000 must be in [0, ", "--slot-bytes=1280");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseBothDurationAndMessageCount()
    {
        final BenchTestSupport.Execution run = BenchTestSupport.execute("multicast-bench",
            "--duration", "1s", "--messages", "10");

        assertThat(run.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(run.err()).contains("give --duration or --messages, not both");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseUnknownFabricAndMalformedDuration()
    {
        final BenchTestSupport.Execution fabric = BenchTestSupport.execute("multicast-bench", "--fabric", "rdma");
        assertThat(fabric.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(fabric.err()).contains("'rdma' is not one of [local, tcp]");

        final BenchTestSupport.Execution duration = BenchTestSupport.execute("multicast-bench", "--duration", "ten");
        assertThat(duration.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(duration.err()).contains("'ten' is not a duration");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseADeliveryLogDirectoryHoldingEarlierLogs() throws Exception
    {
        Files.writeString(dir.resolve("0.log"), "9:1 0\n", StandardCharsets.US_ASCII);

        final BenchTestSupport.Execution run = BenchTestSupport.execute("multicast-bench",
            "--messages", "10", "--delivery-log", dir.toString());

        assertThat(run.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(run.err()).contains("already holds logs (0.log)");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldTreatAMissingSubcommandAsAUsageError()
    {
        assertThat(BenchTestSupport.execute().exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(BenchTestSupport.execute("no-such-command").exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
    }

    private static void assertValidCompleteHistory(final Path logs, final long multicasts) throws Exception
    {
        final MulticastHistory history = MulticastHistory.load(logs);
        final var result = new MulticastChecker().check(history, true);
        assertThat(result.isValid()).as("seed %d, logs in %s\n%s", SEED, logs, result.summary()).isTrue();
        assertThat(history.multicastCount()).as("multicasts logged by the clients").isEqualTo(multicasts);
        assertThat(history.clientIds()).hasSize(4);
        assertThat(history.serverIds()).hasSize(9);
    }
}
