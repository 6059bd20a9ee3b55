package io.ramcast.bench.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.multicast.JvmSupport;
import io.ramcast.multicast.fabric.rdma.RdmaEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ramcast rdma-check} on a host without DiSNI's native library and without an RDMA device
 * (this build machine): it stops after the probe, naming each problem and its fix, exits with
 * {@link RamcastCli#EXIT_RUN_FAILED} and runs no step; its help lists the steps.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RdmaCheckCommandTest
{
    @Test
    void shouldStopAfterTheProbeNamingEachProblemAndItsFix() throws IOException
    {
        assumeThat(rdmaDevices()).as("a host without RDMA devices").isZero();

        final BenchTestSupport.Execution run = BenchTestSupport.execute("rdma-check", "--address", "127.0.0.1",
            "--port", "19870", "--device", "mlx5_0");

        assertThat(run.exitCode()).as(run.transcript()).isEqualTo(RamcastCli.EXIT_RUN_FAILED);
        assertThat(run.err())
            .contains("rdma-check FAILED: this host or JVM cannot run the rdma fabric; nothing was opened")
            .contains("- libdisni not found on java.library.path")
            .contains("git clone --branch v2.1 https://github.com/zrlio/disni.git")
            .contains("- no RDMA device in /sys/class/infiniband")
            .contains("modprobe rdma_rxe; rdma link add rxe0 type rxe netdev");
        if (!JvmSupport.nioInternalsExported())
        {
            assertThat(run.err()).contains("- the JVM does not export java.base/sun.nio.ch")
                .contains(JvmSupport.RDMA_OPTION);
        }
        final long locked = io.ramcast.multicast.fabric.rdma.RdmaEnvironment.processLockedMemoryLimit(); // the child inherits it
        if (locked < RdmaEnvironment.MIN_LOCKED_MEMORY_BYTES)
        {
            assertThat(run.err()).contains("- the locked-memory limit (RLIMIT_MEMLOCK) of this process is " + locked +
                " bytes").contains("ulimit -l unlimited").contains("LimitMEMLOCK=infinity");
        }
        assertThat(run.out()).as("no step ran").doesNotContain("PASS").doesNotContain("handshake stress");
    }

    @Test
    void shouldListTheStepsAndOptionsInItsHelp()
    {
        final BenchTestSupport.Execution help = BenchTestSupport.execute("rdma-check", "--help");

        assertThat(help.exitCode()).as(help.transcript()).isEqualTo(RamcastCli.EXIT_OK);
        assertThat(help.out())
            .contains("1. handshake stress")
            .contains("2. whole-write torture")
            .contains("3. revocation timing")
            .contains("4. failure detection")
            .contains("--address=IP").contains("--port=P").contains("--device=NAME").contains("--cycles=N")
            .contains("--max-write-bytes=N").contains("--timeout=TIME")
            .contains("the host cannot run the rdma fabric");
    }

    @Test
    void shouldRefuseBadArgumentsNamingTheOption()
    {
        final BenchTestSupport.Execution odd = BenchTestSupport.execute("rdma-check", "--address", "127.0.0.1",
            "--max-write-bytes", "1001");
        assertThat(odd.exitCode()).as(odd.transcript()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(odd.err()).contains("--max-write-bytes=1001 must be a multiple of 8");

        final BenchTestSupport.Execution wildcard = BenchTestSupport.execute("rdma-check", "--address", "0.0.0.0");
        assertThat(wildcard.exitCode()).as(wildcard.transcript()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(wildcard.err()).contains("--address=0.0.0.0").contains("not the wildcard");

        final BenchTestSupport.Execution missing = BenchTestSupport.execute("rdma-check");
        assertThat(missing.exitCode()).as(missing.transcript()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(missing.err()).contains("--address");
    }

    private static long rdmaDevices() throws IOException
    {
        if (!Files.isDirectory(RdmaEnvironment.SYS_CLASS_INFINIBAND))
        {
            return 0;
        }
        try (Stream<Path> devices = Files.list(RdmaEnvironment.SYS_CLASS_INFINIBAND))
        {
            return devices.count();
        }
    }
}
