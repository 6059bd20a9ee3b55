package io.ramcast.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.ramcast.bench.InJvmKvCluster;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.client.KvClient;
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
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final AtomicInteger exitCode = new AtomicInteger(Integer.MIN_VALUE);
        final Thread command = new Thread(() ->
        {
            final CommandLine cli = new CommandLine(new RamcastCli());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            exitCode.set(cli.execute("cluster", "--config", configFile.toString(), "--log-dir",
                dir.resolve("logs").toString(), "--replica-jvm-options", "-Xmx192m -XX:+UseSerialGC"));
        }, "cluster-command");
        command.start();
        try
        {
            InJvmKvCluster.await("the cluster to start", Duration.ofSeconds(120),
                () -> out.toString().contains("Ctrl-C stops every replica"), () -> out + "\n" + err);
            final ProcessHandle replica1 = replicaProcess(configFile, 1).orElseThrow();
            replica1.destroyForcibly();

            InJvmKvCluster.await("the report of the dead replica", Duration.ofSeconds(30),
                () -> err.toString().contains("replica 1 (partition 0) exited with 137; partition 0 runs on 2 of 3"),
                err::toString);
            assertThat(command.isAlive()).as("the command keeps running").isTrue();
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
            command.interrupt();
            command.join(60_000);
        }
        assertThat(command.isAlive()).isFalse();
        for (int id = 0; id < 9; id++)
        {
            final int replica = id;
            InJvmKvCluster.await("replica " + replica + " to stop with the command", Duration.ofSeconds(30),
                () -> replicaProcess(configFile, replica).isEmpty(), () -> "");
        }
    }

    /** The OS process of one replica, found as an operator would: by its command line. */
    private static Optional<ProcessHandle> replicaProcess(final Path configFile, final int id)
    {
        final List<String> expected = List.of("--config", configFile.toAbsolutePath().toString(), "--id",
            Integer.toString(id));
        return ProcessHandle.allProcesses()
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().arguments().map(a -> containsInOrder(List.of(a), expected)).orElse(false))
            .findFirst();
    }

    private static boolean containsInOrder(final List<String> args, final List<String> expected)
    {
        return java.util.Collections.indexOfSubList(args, expected) >= 0;
    }

}
