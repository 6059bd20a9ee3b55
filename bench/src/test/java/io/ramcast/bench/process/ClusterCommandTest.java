package io.ramcast.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.ramcast.bench.InJvmKvCluster;
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
 * committing on its majority), and stop them all when it is itself stopped.
 */
class ClusterCommandTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldReportADeadReplicaAndKeepTheOthersServing() throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final RunningCommand command = RunningCommand.start(configFile, dir.resolve("logs"));
        final StringWriter err = command.err;
        try
        {
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

    /** {@code ramcast cluster} running on a thread of its own, as from a terminal, its output captured. */
    private static final class RunningCommand
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final Thread thread;

        private RunningCommand(final Path configFile, final Path logDir, final String... options)
        {
            final List<String> args = new java.util.ArrayList<>(List.of("cluster", "--config", configFile.toString(),
                "--log-dir", logDir.toString(), "--replica-jvm-options", "-Xmx192m -XX:+UseSerialGC"));
            args.addAll(List.of(options));
            thread = new Thread(() ->
            {
                final CommandLine cli = new CommandLine(new RamcastCli());
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
