package io.ramcast.bench.process;

import io.ramcast.bench.cli.RamcastCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ramcast replica} with {@code fabric: rdma} on a host without DiSNI's native library and
 * without an RDMA device (this build machine): the replica process stops at start, says which is
 * missing and how to install it, exits with {@link RamcastCli#EXIT_RUN_FAILED}, and opens nothing.
 */
class RdmaReplicaEndToEndTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldStopAtStartNamingWhatIsMissingWhenRdmaIsUnavailable() throws IOException, InterruptedException
    {
        final Path dataRoot = dir.resolve("data");
        final Path config = Files.writeString(dir.resolve("rdma.yaml"), String.join("\n",
            "cluster: rdma-here",
            "fabric: rdma",
            "rdma: { device: rxe0 }",
            "storage: { dataRoot: " + dataRoot + " }",
            "partitions:",
            "  - id: 0",
            "    replicas:",
            "      - { id: 0, host: 127.0.0.1, port: 7100 }",
            "clients: { firstId: 100, count: 1 }",
            ""));
        final Path stderr = dir.resolve("stderr.txt");
        // started as ramcast cluster starts its replicas: the JVM exports what Agrona and DiSNI need
        final List<String> command = new java.util.ArrayList<>(ReplicaProcesses.javaCommand(List.of()));
        command.addAll(List.of("replica", "--config", config.toString(), "--id", "0"));
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(false)
            .redirectError(stderr.toFile())
            .redirectOutput(dir.resolve("stdout.txt").toFile())
            .directory(new File(System.getProperty("user.dir")))
            .start();
        assertThat(process.waitFor(50, TimeUnit.SECONDS)).as("the replica process stops by itself").isTrue();

        final String errors = Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit code; stderr:%n%s", errors).isEqualTo(RamcastCli.EXIT_RUN_FAILED);
        assertThat(errors)
            .contains("replica 0 cannot start: fabric rdma cannot start on this host:")
            .contains("- libdisni not found on java.library.path")
            .contains("git clone --branch v2.1 https://github.com/zrlio/disni.git")
            .contains("-Djava.library.path=")
            .contains("- no RDMA device in /sys/class/infiniband")
            .contains("modprobe rdma_rxe; rdma link add rxe0 type rxe netdev");
        assertThat(errors).as("the launch exports java.base/sun.nio.ch").doesNotContain("sun.nio.ch");
        final long locked = io.ramcast.multicast.fabric.rdma.RdmaEnvironment.processLockedMemoryLimit(); // the child inherits it
        if (locked < io.ramcast.multicast.fabric.rdma.RdmaEnvironment.MIN_LOCKED_MEMORY_BYTES)
        {
            assertThat(errors).contains("- the locked-memory limit (RLIMIT_MEMLOCK) of this process is " + locked +
                " bytes").contains("ulimit -l unlimited");
        }
        assertThat(dataRoot).as("no store was opened").doesNotExist();
    }
}
