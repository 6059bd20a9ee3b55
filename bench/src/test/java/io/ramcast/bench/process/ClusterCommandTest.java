package io.ramcast.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import io.ramcast.client.TxnOutcome;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.txn.Transaction;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.bench.InJvmKvCluster;
import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.txn.config.ReplicaConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.client.KvClient;
import io.ramcast.storage.StoreIdentity;
import io.ramcast.txn.config.ClusterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ramcast cluster} as an operator runs it: nine replica processes of {@code config/local.yaml};
 * one of them is killed with SIGKILL from outside. The command must say which replica died, how
 * and what its partition still runs on, keep the other eight running (the partition keeps
 * committing on its majority), and stop them all when it is itself stopped. On the same cluster,
 * the operator's tools: {@code ramcast status} (all up; one replica down with its partition still
 * healthy; a partition without a majority, exit 1), the shell's commands and exit codes, a
 * replica's metrics, health and readiness pages, a backup of every partition under load restored
 * into a second cluster; with {@code --restart}, a replica's log file kept across its restart.
 */
class ClusterCommandTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldReportADeadReplicaAndKeepTheOthersServing() throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final RunningCommand command = RunningCommand.start(configFile, dir.resolve("logs"));
        final StringWriter err = command.err;
        try
        {
            final BenchTestSupport.Execution allUp = awaitStatus(configFile, 0, "every replica up",
                e -> e.out().contains("partition 0: 3 of 3 up (majority)") &&
                    e.out().contains("partition 1: 3 of 3 up (majority)") &&
                    e.out().contains("partition 2: 3 of 3 up (majority)"));
            assertThat(allUp.out()).containsPattern("(?m)^REPLICA +PARTITION +STATE +LEADER +BALLOT +EXECUTED +APPLIED")
                .containsPattern("(?m)^4 +1 +up ").doesNotContain("UNHEALTHY");
            shellRoundTrips(configFile, config);

            final ProcessHandle replica1 = replicaProcess(configFile, 1).orElseThrow();
            replica1.destroyForcibly();

            InJvmKvCluster.await("the report of the dead replica", Duration.ofSeconds(30),
                () -> err.toString().contains("replica 1 (partition 0) exited with 137; partition 0 runs on 2 of 3"),
                err::toString);
            assertThat(command.thread.isAlive()).as("the command keeps running").isTrue();
            for (int id = 0; id < 9; id++)
            {
                if (id != 1)
                {
                    assertThat(replicaProcess(configFile, id)).as("replica " + id + " still runs").isPresent();
                }
            }

            try (KvClient client = KvClient.connect(config, config.clientIds().firstId()))
            {
                final byte[] key = InJvmKvCluster.keyOn(config, "cluster-test-", 0);
                client.put(key, "after".getBytes(StandardCharsets.UTF_8)); // throws unless committed
                assertThat(client.get(key)).isEqualTo("after".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(err.toString()).as("reported once").containsOnlyOnce("replica 1 (partition 0) exited");

            // the dead replica shows down; its partition still has a majority and a leader: exit 0
            final BenchTestSupport.Execution oneDown = awaitStatus(configFile, 0, "replica 1 down, partition 0 healthy",
                e -> e.out().contains("partition 0: 2 of 3 up (majority)"));
            assertThat(oneDown.out()).containsPattern("(?m)^1 +0 +down .*connection refused");
            scrapeMetrics(config);
            backupUnderLoadAndRestore(configFile, config);

            // a second replica of partition 0 gone: no majority, exit 1
            replicaProcess(configFile, 2).orElseThrow().destroyForcibly();
            final BenchTestSupport.Execution noMajority = awaitStatus(configFile, 1, "partition 0 without a majority",
                e -> e.out().contains("partition 0: 1 of 3 up (NO MAJORITY: it cannot commit)"));
            assertThat(noMajority.out()).contains("UNHEALTHY").contains("partition 1: 3 of 3 up (majority)");
            final BenchTestSupport.Execution json = BenchTestSupport.execute("status", "--config", configFile.toString(),
                "--json");
            assertThat(json.exitCode()).isEqualTo(1);
            final JsonNode doc = new ObjectMapper().readTree(json.out());
            assertThat(doc.get("healthy").asBoolean()).isFalse();
            assertThat(doc.get("partitions").get(0).get("majority").asBoolean()).isFalse();
            assertThat(doc.get("partitions").get(1).get("healthy").asBoolean()).isTrue();
            assertThat(doc.get("replicas").get(3).get("status").get("state").asText()).isEqualTo("up");
            assertThat(doc.get("replicas").get(1).get("reachable").asBoolean()).isFalse();
        }
        finally
        {
            command.stop();
        }
        command.assertEveryReplicaStopped(configFile);
    }

    /**
     * {@code ramcast cluster --restart} as a process monitor: replica 1 killed with SIGKILL is
     * started again on its data (the restart is announced with the exit status and the attempt,
     * then READY); then its data directory is made replica 2's (the store identity file copied
     * over) and it is killed again: every start now fails, and after three failures in a row the
     * command gives up on it with the replica's own reason, while the other eight keep running.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldRestartAKilledReplicaAndGiveUpOnOneThatKeepsFailingAtStart() throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final RunningCommand command = RunningCommand.start(configFile, dir.resolve("logs"),
            "--restart", "--restart-delay", "500ms", "--restart-give-up-after", "3");
        final StringWriter err = command.err;
        try
        {
            final ProcessHandle first = replicaProcess(configFile, 1).orElseThrow();
            first.destroyForcibly();

            InJvmKvCluster.await("replica 1 to be started again and READY", Duration.ofSeconds(90),
                () -> err.toString().contains("replica 1 (partition 0) READY again (attempt 1); partition 0 runs on 3 of 3"),
                err::toString);
            assertThat(err.toString()).contains("replica 1 (partition 0) exited with 137; partition 0 runs on 2 of 3",
                "restarting replica 1 (partition 0) in 500 ms (exit 137, attempt 1)");
            final ProcessHandle second = replicaProcess(configFile, 1).orElseThrow();
            assertThat(second.pid()).as("a new process").isNotEqualTo(first.pid());
            // one log file across the restart: the killed run's lines are kept, the new run's follow
            final String log = Files.readString(dir.resolve("logs").resolve("replica-1.log"), StandardCharsets.UTF_8);
            assertThat(log).contains("replica 1 starting (pid " + first.pid() + ")",
                "replica 1 starting (pid " + second.pid() + ")");
            assertThat(log.indexOf("(pid " + first.pid() + ")")).isLessThan(log.indexOf("(pid " + second.pid() + ")"));

            // replica 1's data directory now says it is replica 2's: every start of replica 1 is refused
            final Path identity1 = dataDir(config, 1).resolve(StoreIdentity.FILE_NAME);
            Files.copy(dataDir(config, 2).resolve(StoreIdentity.FILE_NAME), identity1,
                StandardCopyOption.REPLACE_EXISTING);
            second.destroyForcibly();

            InJvmKvCluster.await("the command to give up on replica 1", Duration.ofSeconds(90),
                () -> err.toString().contains("giving up on replica 1"), err::toString);
            assertThat(err.toString())
                .contains("restarting replica 1 (partition 0) in 1 s (exit 137, attempt 2)")
                .containsPattern("giving up on replica 1 \\(partition 0\\): it exited 3 times in a row, each within " +
                    "1 min of starting \\(last exit 3\\): replica 1 cannot start: data directory \\S+ belongs to .*" +
                    "; partition 0 runs on 2 of 3; fix the cause")
                .doesNotContain("attempt 3");
            Thread.sleep(2_000);
            assertThat(err.toString()).as("given up: no more restarts").doesNotContain("attempt 3");
            assertThat(command.thread.isAlive()).as("the command keeps running").isTrue();
            for (int id = 0; id < 9; id++)
            {
                assertThat(replicaProcess(configFile, id).isPresent()).as("replica " + id + " runs").isEqualTo(id != 1);
            }
        }
        finally
        {
            command.stop();
        }
        command.assertEveryReplicaStopped(configFile);
    }

    /**
     * {@code ramcast backup --all} while a client moves units between accounts on the three
     * partitions (each transfer a two-partition transaction), then {@code ramcast restore} into a
     * second cluster of the same layout (its stores equal the backup's partitions digest for digest)
     * and into a cluster of one partition (keys moved by its partitioner), which is started. The
     * backup is one cut of the order: its balances sum to zero (a copy of each partition taken at its
     * own moment would catch transfers half), with some transfers in it. The restored cluster serves
     * those balances and commits.
     */
    private void backupUnderLoadAndRestore(final Path configFile, final ClusterConfig config) throws Exception
    {
        final byte[][] accounts = new byte[3][];
        for (int p = 0; p < 3; p++)
        {
            accounts[p] = InJvmKvCluster.keyOn(config, "account-", p);
        }
        final byte[] count = InJvmKvCluster.keyOn(config, "transfers-", 0);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong transfers = new AtomicLong();
        final Thread load = new Thread(() ->
        {
            try (KvClient client = KvClient.connect(config, config.clientIds().firstId() + 1))
            {
                for (int i = 0; !stop.get(); i++)
                {
                    // amounts that grow: copies of partitions taken after different transfers would not sum to zero
                    if (client.run(Transaction.builder().increment(accounts[i % 3], -(i + 1))
                        .increment(accounts[(i + 1) % 3], i + 1).increment(count, 1).build()) instanceof TxnOutcome.Committed)
                    {
                        transfers.incrementAndGet();
                    }
                }
            }
        }, "transfers");
        load.start();
        final BenchTestSupport.Execution backup;
        final long afterBackup;
        try
        {
            InJvmKvCluster.await("transfers before the backup", Duration.ofSeconds(30), () -> transfers.get() >= 20,
                () -> "");
            backup = BenchTestSupport.execute("backup", "--config", configFile.toString(), "--all", "--to",
                dir.resolve("backup").toString());
            afterBackup = transfers.get();
            InJvmKvCluster.await("transfers after the backup", Duration.ofSeconds(30),
                () -> transfers.get() >= afterBackup + 20, () -> "");
        }
        finally
        {
            stop.set(true);
            load.join(30_000);
        }
        assertThat(backup.exitCode()).as(backup.transcript()).isZero();
        assertThat(backup.out()).startsWith("backup complete: " + dir.resolve("backup"));
        assertThat(backup.err()).containsPattern("checkpoint [0-9a-f]{16} committed at every partition");
        final BenchTestSupport.Execution verify = BenchTestSupport.execute("backup", "--verify",
            dir.resolve("backup").toString());
        assertThat(verify.exitCode()).as(verify.transcript()).isZero();
        assertThat(verify.out().split("  ok\n", -1)).as(verify.out()).hasSize(4);

        Files.createDirectories(dir.resolve("restored"));
        final Path restoredFile = LocalConfigFixture.write(dir.resolve("restored"));
        final ClusterConfig restoredConfig = ClusterConfig.load(restoredFile);
        final BenchTestSupport.Execution restore = BenchTestSupport.execute("restore", "--config",
            restoredFile.toString(), "--from", dir.resolve("backup").toString());
        assertThat(restore.exitCode()).as(restore.transcript()).isZero();
        assertThat(restore.out().split("identical to the backup's partition", -1)).as(restore.out()).hasSize(10);
        assertThat(BenchTestSupport.execute("restore", "--config", restoredFile.toString(), "--from",
            dir.resolve("backup").toString(), "--replica", "4").exitCode()).as("never over a store").isEqualTo(2);

        final long[] restored = new long[3];
        long sum = 0;
        for (int p = 0; p < 3; p++)
        {
            try (RocksPartitionStore store = RocksPartitionStore.openReadOnly(dataDir(restoredConfig, 3 * p)))
            {
                final byte[] v = store.get(accounts[p]);
                restored[p] = v == null ? 0 : ByteBuffer.wrap(v).getLong();
                sum += restored[p];
            }
        }
        assertThat(sum).as("balances " + Arrays.toString(restored) + ": every transfer whole in the backup").isZero();
        try (RocksPartitionStore store = RocksPartitionStore.openReadOnly(dataDir(restoredConfig, 0)))
        {
            assertThat(ByteBuffer.wrap(store.get(count)).getLong()).as("transfers before the checkpoint are in it")
                .isPositive();
        }

        // into one partition of three replicas: every key where the new partitioner puts it, and that cluster serves them
        final Path one = Files.createDirectories(dir.resolve("one"));
        final Path oneFile = LocalConfigFixture.writeOnePartition(one, "one", BenchTestSupport.freeBasePort(3));
        final ClusterConfig oneConfig = ClusterConfig.load(oneFile);
        final BenchTestSupport.Execution repartitioned = BenchTestSupport.execute("restore", "--config",
            oneFile.toString(), "--from", dir.resolve("backup").toString());
        assertThat(repartitioned.exitCode()).as(repartitioned.transcript()).isZero();
        assertThat(repartitioned.out()).containsPattern("keys: (\\d+) restored over 1 partitions, \\1 in the backup");
        final RunningCommand command = RunningCommand.start(oneFile, one.resolve("logs"));
        try (KvClient client = KvClient.connect(oneConfig))
        {
            for (int p = 0; p < 3; p++)
            {
                assertThat(client.counter(accounts[p])).as("account of partition " + p).isEqualTo(restored[p]);
            }
            client.increment(accounts[0], 1); // throws unless committed: the restored cluster orders afresh
        }
        finally
        {
            command.stop();
        }
        command.assertEveryReplicaStopped(oneFile);
    }

    /** Runs {@code ramcast status} until its output satisfies {@code until}, then checks its exit code. */
    private static BenchTestSupport.Execution awaitStatus(final Path configFile, final int exitCode, final String what,
        final Predicate<BenchTestSupport.Execution> until) throws InterruptedException
    {
        final BenchTestSupport.Execution[] last = new BenchTestSupport.Execution[1];
        InJvmKvCluster.await("ramcast status to show " + what, Duration.ofSeconds(30), () ->
        {
            last[0] = BenchTestSupport.execute("status", "--config", configFile.toString());
            return until.test(last[0]);
        }, () -> last[0] == null ? "" : last[0].out() + last[0].err());
        assertThat(last[0].exitCode()).as(last[0].out()).isEqualTo(exitCode);
        return last[0];
    }

    /**
     * The shell, as a user runs it: put, get, cas (held and not), incr, delete, a transaction from
     * stdin, JSON output; exit codes 0 committed and 1 not committed.
     */
    private static void shellRoundTrips(final Path configFile, final ClusterConfig config) throws Exception
    {
        final String cfg = configFile.toString();
        assertThat(BenchTestSupport.execute("put", "--config", cfg, "shell-key", "first"))
            .isEqualTo(new BenchTestSupport.Execution(0, "OK\n", ""));
        assertThat(BenchTestSupport.execute("get", "--config", cfg, "shell-key").out()).isEqualTo("first\n");
        assertThat(BenchTestSupport.execute("cas", "--config", cfg, "shell-key", "second", "--expect", "first").exitCode())
            .isZero();
        final BenchTestSupport.Execution lost = BenchTestSupport.execute("cas", "--config", cfg, "shell-key", "third",
            "--expect", "first");
        assertThat(lost.exitCode()).isEqualTo(1);
        assertThat(lost.err()).contains("not committed: condition_failed");
        assertThat(BenchTestSupport.execute("incr", "--config", cfg, "shell-counter", "5").out()).isEqualTo("5\n");
        assertThat(BenchTestSupport.execute("get", "--config", cfg, "7368656c6c2d6b6579", "--encoding", "hex").out())
            .as("key and value in hex").isEqualTo("7365636f6e64\n"); // "shell-key" holds "second"
        final BenchTestSupport.Execution notHex = BenchTestSupport.execute("get", "--config", cfg, "shell-key",
            "--encoding", "hex");
        assertThat(notHex.exitCode()).isEqualTo(2);
        assertThat(notHex.err()).contains("'shell-key' is not hex");
        final InputStream stdin = System.in;
        final BenchTestSupport.Execution txn;
        try
        {
            System.setIn(new ByteArrayInputStream(("# move it\nget shell-key\nput \"shell two\" \"a b\"\n" +
                "incr shell-counter -2\ndelete shell-key\n").getBytes(StandardCharsets.UTF_8)));
            txn = BenchTestSupport.execute("txn", "--config", cfg, "--json");
        }
        finally
        {
            System.setIn(stdin);
        }
        assertThat(txn.exitCode()).as(txn.err()).isZero();
        final JsonNode doc = new ObjectMapper().readTree(txn.out());
        assertThat(doc.get("outcome").asText()).isEqualTo("committed");
        assertThat(doc.get("results").get(0).get("value").asText()).isEqualTo("second");
        assertThat(doc.get("results").get(2).get("value").asLong()).isEqualTo(3);
        final BenchTestSupport.Execution gone = BenchTestSupport.execute("get", "--config", cfg, "shell-key", "--json");
        assertThat(new ObjectMapper().readTree(gone.out()).get("results").get(0).get("value").isNull()).isTrue();
        try (KvClient client = KvClient.connect(config, config.clientIds().firstId()))
        {
            assertThat(client.getString("shell two")).isEqualTo("a b");
        }
    }

    /**
     * A replica's admin port: Prometheus text with the transaction counters moved by the shell's
     * transactions, the latency histograms, JVM meters; /health and /ready answer 200.
     */
    private static void scrapeMetrics(final ClusterConfig config) throws Exception
    {
        final HttpClient http = HttpClient.newHttpClient();
        final ReplicaConfig replica = config.replica(0);
        final String base = "http://127.0.0.1:" + replica.adminPort();
        final HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : metrics.body().split("\n"))
        {
            if (!line.startsWith("#") && !line.isBlank())
            {
                final int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        final String tags = "{cluster=\"local\",partition=\"0\",replica=\"0\"}";
        assertThat(samples.get("ramcast_transactions_executed_total" + tags)).as(metrics.body()).isPositive();
        assertThat(samples.get("ramcast_deliveries_total" + tags)).isPositive();
        assertThat(samples.get("ramcast_execution_seconds_count" + tags)).isPositive();
        assertThat(samples.get("ramcast_ordering_seconds_count" + tags)).isPositive();
        assertThat(samples.get("ramcast_store_write_seconds_count" + tags)).isPositive();
        assertThat(samples.get("ramcast_connected_replicas" + tags)).as("replica 1 is down").isEqualTo(7.0);
        assertThat(samples.get("ramcast_clients_served" + tags)).as("config/local.yaml's 16 client ids").isEqualTo(16.0);
        assertThat(samples.get("ramcast_clients_laid_out" + tags)).isEqualTo(16.0);
        assertThat(samples.get("ramcast_store_syncs_total" + tags)).as("durability wal: no syncs apart from the writes")
            .isZero();
        final HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
            HttpResponse.BodyHandlers.ofString());
        final com.fasterxml.jackson.databind.JsonNode json = new ObjectMapper().readTree(status.body());
        assertThat(json.get("durableMark").asText()).as(status.body()).matches("-?\\d+/\\d+/\\d+");
        assertThat(json.get("appliedMark").asText()).matches("-?\\d+/\\d+/\\d+");
        assertThat(samples.get("ramcast_catch_up_window_deliveries" + tags)).as("what it could catch a peer up with")
            .isPositive();
        assertThat(samples.get("ramcast_snapshot_sent_bytes_total" + tags)).as("no rebuild, no backup").isZero();
        assertThat(samples.keySet()).anyMatch(k -> k.startsWith("ramcast_transactions_not_committed_total{") &&
            k.contains("reason=\"condition_failed\""));
        assertThat(samples.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"));
        assertThat(samples.keySet()).anyMatch(k -> k.startsWith("ramcast_execution_seconds_bucket{"));
        // every metric the repository's Grafana dashboard plots is one a replica serves
        final String dashboard = Files.readString(Path.of("..", "config", "grafana", "ramcast-dashboard.json"),
            StandardCharsets.UTF_8);
        final java.util.regex.Matcher names = java.util.regex.Pattern.compile("\\b((?:ramcast|jvm)_[a-z_]+)\\{")
            .matcher(dashboard);
        int plotted = 0;
        while (names.find())
        {
            final String name = names.group(1);
            if (name.startsWith("jvm_gc_pause_"))
            {
                continue; // Micrometer registers the GC pause timer at the first collection, which may not have come
            }
            assertThat(samples.keySet()).as("the dashboard plots " + name).anyMatch(k -> k.startsWith(name + "{"));
            plotted++;
        }
        assertThat(plotted).isGreaterThan(10);
        for (final String page : new String[] {"/health", "/ready"})
        {
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + page)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as(page).isEqualTo(200);
        }
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/nothing")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    /** {@code ramcast cluster} running on a thread of its own, as from a terminal, its output captured. */
    private static final class RunningCommand
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final Thread thread;

        private RunningCommand(final Path configFile, final Path logDir, final String... options)
        {
            final List<String> args = new java.util.ArrayList<>(List.of("cluster", "--config", configFile.toString(),
                "--log-dir", logDir.toString(), "--replica-jvm-options", "-Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"));
            args.addAll(List.of(options));
            thread = new Thread(() ->
            {
                final CommandLine cli = RamcastCli.commandLine();
                cli.setOut(new PrintWriter(out, true));
                cli.setErr(new PrintWriter(err, true));
                cli.execute(args.toArray(String[]::new));
            }, "cluster-command");
        }

        /** Starts the command and waits until it says every replica runs. */
        static RunningCommand start(final Path configFile, final Path logDir, final String... options)
            throws InterruptedException
        {
            final RunningCommand command = new RunningCommand(configFile, logDir, options);
            command.thread.start();
            try
            {
                InJvmKvCluster.await("the cluster to start", Duration.ofSeconds(120),
                    () -> command.out.toString().contains("Ctrl-C stops every replica"),
                    () -> command.out + "\n" + command.err);
            }
            catch (final AssertionError | InterruptedException ex)
            {
                command.stop(); // it stops whatever it started
                throw ex;
            }
            return command;
        }

        /** Stops the command as Ctrl-C does and waits for it. */
        void stop() throws InterruptedException
        {
            thread.interrupt();
            thread.join(60_000);
        }

        /** The command has ended and took every replica process with it. */
        void assertEveryReplicaStopped(final Path configFile) throws InterruptedException
        {
            assertThat(thread.isAlive()).isFalse();
            for (int id = 0; id < 9; id++)
            {
                final int replica = id;
                InJvmKvCluster.await("replica " + replica + " to stop with the command", Duration.ofSeconds(30),
                    () -> replicaProcess(configFile, replica).isEmpty(), () -> "");
            }
        }
    }

    private static Path dataDir(final ClusterConfig config, final int id)
    {
        return config.allReplicas().stream().filter(r -> r.id() == id).findFirst().orElseThrow().dataDir();
    }

    /**
     * The OS process of one replica, found as an operator would: by its command line, read from
     * {@code /proc/<pid>/cmdline} ({@link ProcessHandle.Info#arguments()} is empty here for command
     * lines of a few kilobytes, such as a replica's class path).
     */
    private static Optional<ProcessHandle> replicaProcess(final Path configFile, final int id)
    {
        final List<String> expected = List.of("--config", configFile.toAbsolutePath().toString(), "--id",
            Integer.toString(id));
        return ProcessHandle.allProcesses()
            .filter(ProcessHandle::isAlive)
            .filter(p -> java.util.Collections.indexOfSubList(arguments(p), expected) >= 0)
            .findFirst();
    }

    private static List<String> arguments(final ProcessHandle p)
    {
        try
        {
            final byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            return List.of(new String(cmdline, StandardCharsets.UTF_8).split("\0"));
        }
        catch (final java.io.IOException ex)
        {
            return List.of(); // gone, or not readable
        }
    }

}
