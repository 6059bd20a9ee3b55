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
        assertThat(report.missing()).containsExactly(RdmaEnvironment.Missing.LIBDISNI, RdmaEnvironment.Missing.RDMA_DEVICE);
        assertThat(report.describe())
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
