package io.ramcast.multicast.fabric.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RdmaEnvironmentTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReportBothMissingOnThisMachine()
    {
        // This build machine has neither libdisni nor an RDMA device (see LIBRARIES.md, TESTING.md).
        final RdmaEnvironment.Report report = RdmaEnvironment.probe(null);

        assertThat(report.isUsable()).isFalse();
        assertThat(report.missing()).startsWith(RdmaEnvironment.Missing.LIBDISNI, RdmaEnvironment.Missing.RDMA_DEVICE);
        // the test JVM runs without the sun.nio.ch export, as an application that did not add it
        assertThat(report.missing()).contains(RdmaEnvironment.Missing.JVM_EXPORT);
        assertThat(report.describe())
            .contains("start it with --add-exports java.base/sun.nio.ch=ALL-UNNAMED")
            .contains("libdisni not found on java.library.path")
            .contains("no RDMA device in /sys/class/infiniband")
            .contains("libibverbs-dev librdmacm-dev rdma-core ibverbs-utils")
            .contains("rdma link add rxe0 type rxe netdev")
            .contains("-Djava.library.path=");
    }

    @Test
    void shouldRefuseToOpenTheFabricNamingWhatIsMissing()
    {
        assertThatThrownBy(() -> RdmaFabric.open(0, Map.of(), RdmaFabricOptions.defaults()))
            .isInstanceOf(RdmaUnavailableException.class)
            .hasMessageStartingWith("fabric rdma cannot start on this host:\n- libdisni not found")
            .hasMessageContaining("\n- no RDMA device");
    }

    @Test
    void shouldRefuseALockedMemoryLimitBelowTheFloorAndAMissingExport()
    {
        final RdmaEnvironment.Report host = new RdmaEnvironment.Report(java.util.List.of(), java.util.List.of());

        assertThat(RdmaEnvironment.withProcessChecks(host, true, Long.MAX_VALUE).isUsable()).as("unlimited").isTrue();
        assertThat(RdmaEnvironment.withProcessChecks(host, true, 1L << 30).isUsable()).as("1 GiB").isTrue();
        assertThat(RdmaEnvironment.withProcessChecks(host, true, -1).isUsable()).as("not known: not refused").isTrue();
        final RdmaEnvironment.Report low = RdmaEnvironment.withProcessChecks(host, false, 8L << 20);
        assertThat(low.missing()).containsExactly(RdmaEnvironment.Missing.JVM_EXPORT,
            RdmaEnvironment.Missing.LOCKED_MEMORY);
        assertThat(low.problems().get(1)).startsWith("the locked-memory limit (RLIMIT_MEMLOCK) of this process is " +
            "8388608 bytes, below the 16777216").contains("ulimit -l unlimited", "LimitMEMLOCK=infinity");
    }

    @Test
    void shouldReadTheLockedMemoryLimitOfAProcess() throws IOException
    {
        final String header = "Limit                     Soft Limit           Hard Limit           Units     \n" +
            "Max open files            1048576              1048576              files     \n";
        final Path numbers = Files.writeString(dir.resolve("limits-8m"),
            header + "Max locked memory         8388608              16777216             bytes     \n");
        final Path unlimited = Files.writeString(dir.resolve("limits-unlimited"),
            header + "Max locked memory         unlimited            unlimited            bytes     \n");
        final Path none = Files.writeString(dir.resolve("limits-none"), header);

        assertThat(RdmaEnvironment.lockedMemoryLimit(numbers)).as("the soft limit").isEqualTo(8L << 20);
        assertThat(RdmaEnvironment.lockedMemoryLimit(unlimited)).isEqualTo(Long.MAX_VALUE);
        assertThat(RdmaEnvironment.lockedMemoryLimit(none)).isEqualTo(-1);
        assertThat(RdmaEnvironment.lockedMemoryLimit(dir.resolve("missing"))).isEqualTo(-1);
        assertThat(RdmaEnvironment.lockedMemoryLimit(RdmaEnvironment.PROC_SELF_LIMITS)).as("this process's")
            .isNotEqualTo(-1);
    }

    @Test
    void shouldFindADeviceAndTheLibraryWhenPresent() throws IOException
    {
        final Path devices = Files.createDirectories(dir.resolve("infiniband"));
        Files.createDirectory(devices.resolve("rxe0"));
        final Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve(System.mapLibraryName("disni")), "not really a library");

        final RdmaEnvironment.Report report = RdmaEnvironment.probe("rxe0", "/nonexistent:" + lib, devices, false);

        assertThat(report.isUsable()).isTrue();
        assertThat(report.describe()).isEmpty();
    }

    @Test
    void shouldNameAMissingConfiguredDeviceAndListThePresentOnes() throws IOException
    {
        final Path devices = Files.createDirectories(dir.resolve("infiniband"));
        Files.createDirectory(devices.resolve("rxe0"));
        Files.createDirectory(devices.resolve("mlx5_1"));

        final RdmaEnvironment.Report report = RdmaEnvironment.probe("mlx5_0", "", devices, false);

        assertThat(report.missing()).containsExactly(RdmaEnvironment.Missing.LIBDISNI, RdmaEnvironment.Missing.RDMA_DEVICE);
        assertThat(report.problems().get(1)).startsWith("RDMA device 'mlx5_0' (rdma.device) not found in " + devices +
            "; present: mlx5_1, rxe0");
    }

    @Test
    void shouldReportALibraryThatDoesNotLoad() throws IOException
    {
        final Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve(System.mapLibraryName("disni")), "not an ELF file");

        final RdmaEnvironment.Report report = RdmaEnvironment.probe(null, lib.toString(), dir.resolve("none"), true);

        assertThat(report.problems().get(0)).startsWith("libdisni found at " + lib.resolve(System.mapLibraryName("disni")) +
            " but it does not load");
    }

    @Test
    void shouldValidateOptionsNamingTheField()
    {
        assertThatThrownBy(() -> RdmaFabricOptions.builder().sendQueueDepth(1).build())
            .hasMessage("sendQueueDepth=1 must be in [2, 16384]");
        assertThatThrownBy(() -> RdmaFabricOptions.builder().sendQueueDepth(64).completionQueueDepth(64).build())
            .hasMessage("completionQueueDepth=64 must be in [66, 65536]");
        assertThatThrownBy(() -> RdmaFabricOptions.builder().signalInterval(300).build())
            .hasMessage("signalInterval=300 must be in [1, 256]");
        assertThatThrownBy(() -> RdmaFabricOptions.builder().isolatedRegionIds(3, 3).build())
            .hasMessage("isolatedRegionIds[1]=3 is repeated");
        final RdmaFabricOptions options = RdmaFabricOptions.builder().isolatedRegionIds(3, 5).build();
        assertThat(options.laneOf(5)).isEqualTo(2);
        assertThat(options.laneOf(1)).isZero();
        assertThat(options.laneCount()).isEqualTo(3);
        assertThat(RdmaFabricOptions.defaults().stagedWriteLimit()).isEqualTo(1024);
    }
}
