package io.ramcast.txn.config;

import io.ramcast.multicast.fabric.rdma.RdmaFabricOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The {@code rdma} section of the cluster config, and the example configs in {@code config/}. */
class RdmaSettingsTest
{
    private static final io.ramcast.multicast.fabric.FabricCredentials CREDENTIALS =
        io.ramcast.multicast.fabric.FabricCredentials.client("c", new byte[32], 1);

    private static final Path REPO_CONFIG = Path.of("../config");
    private static final Path FIXTURES = Path.of("src/test/resources/config/rdma");

    private static final String RDMA_CLUSTER = String.join("\n",
        "cluster: r",
        "fabric: rdma",
        "partitions:",
        "  - id: 0",
        "    replicas:",
        "      - { id: 0, host: 10.1.0.1, port: 7100 }",
        "clients: { firstId: 1, count: 1 }",
        "");

    @Test
    void shouldAcceptFabricRdmaWithDefaultSettings() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.parse(RDMA_CLUSTER, "r.yaml");

        assertThat(config.fabric()).isEqualTo(FabricKind.RDMA);
        assertThat(config.rdma()).isEqualTo(RdmaSettings.DEFAULTS);
        final RdmaFabricOptions options = config.toRdmaFabricOptions(CREDENTIALS);
        assertThat(options.deviceName()).isNull();
        assertThat(options.sendQueueDepth()).isEqualTo(RdmaFabricOptions.DEFAULT_SEND_QUEUE_DEPTH);
        assertThat(options.isolatedRegionIds()).containsExactly(RdmaFabricOptions.LEADER_STREAM_REGION_ID);
    }

    @Test
    void shouldTakeEveryRdmaSetting() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.parse(RDMA_CLUSTER + String.join("\n",
            "rdma: { device: mlx5_0, sendQueueDepth: 64, completionQueueDepth: 130, maxInlineBytes: 128,",
            "        signalInterval: 8, stagingBytes: 1048576, connectTimeoutMs: 700, resolveTimeoutMs: 300 }",
            ""), "r.yaml");

        assertThat(config.rdma()).isEqualTo(new RdmaSettings("mlx5_0", 64, 130, 128, 8, 1 << 20, 700, 300));
        final RdmaFabricOptions options = config.toRdmaFabricOptions(CREDENTIALS);
        assertThat(options.deviceName()).isEqualTo("mlx5_0");
        assertThat(options.completionQueueDepth()).isEqualTo(130);
        assertThat(options.maxInlineBytes()).isEqualTo(128);
        assertThat(options.signalInterval()).isEqualTo(8);
        assertThat(options.stagingBytes()).isEqualTo(1 << 20);
        assertThat(options.connectTimeoutNs()).isEqualTo(700_000_000L);
        assertThat(options.resolveTimeoutMs()).isEqualTo(300);
    }

    @Test
    void shouldLoadEveryExampleConfig() throws IOException, ConfigException
    {
        try (Stream<Path> files = Files.list(REPO_CONFIG))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList())
            {
                assertThat(ClusterConfig.load(file).clusterName()).as("%s", file).isNotBlank();
            }
        }
        final ClusterConfig rdma = ClusterConfig.load(REPO_CONFIG.resolve("rdma.yaml"));
        assertThat(rdma.fabric()).isEqualTo(FabricKind.RDMA);
        assertThat(rdma.rdma().device()).isEqualTo("rxe0");
        assertThat(rdma.toRdmaFabricOptions(CREDENTIALS)).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void shouldRefuseABadRdmaSectionNamingTheFileFieldValueAndRule(
        final String fileName, final String path, final String value, final String rule)
    {
        BadConfigFixtures.assertRefused(FIXTURES.resolve(fileName), path, value, rule);
    }

    @Test
    void shouldHaveATableRowForEveryBadFixture() throws IOException
    {
        BadConfigFixtures.assertEveryFixtureHasARow(FIXTURES, badFiles());
    }

    /** Fixture, field path, offending value, rule. */
    static Stream<Arguments> badFiles()
    {
        return Stream.of(
            arguments("bad-rdma-send-queue-depth.yaml", "rdma.sendQueueDepth", "1", "must be in [2, 16384]"),
            arguments("bad-rdma-completion-queue-too-small.yaml", "rdma.completionQueueDepth", "100",
                "must be at least rdma.sendQueueDepth + 2 (130)"),
            arguments("bad-rdma-signal-interval.yaml", "rdma.signalInterval", "100",
                "must not exceed rdma.sendQueueDepth (64)"),
            arguments("bad-rdma-inline.yaml", "rdma.maxInlineBytes", "4096", "must be in [0, 1024]"),
            arguments("bad-rdma-staging-too-small.yaml", "rdma.stagingBytes", "8192",
                "must hold the largest single write, 262144 bytes"),
            arguments("bad-rdma-staging-alignment.yaml", "rdma.stagingBytes", "1000004", "must be a multiple of 8"),
            arguments("bad-rdma-device.yaml", "rdma.device", "'mlx5 0'", "a device name as listed by ibv_devices"),
            arguments("bad-rdma-ipv6-host.yaml", "partitions[0].replicas[1].host", "'fd00::2'",
                "the rdma fabric (DiSNI 2.1) reaches IPv4 addresses only"),
            arguments("bad-rdma-connect-timeout.yaml", "rdma.connectTimeoutMs", "0", "must be in [1, 600000]"),
            arguments("bad-rdma-section-without-rdma-fabric.yaml", "rdma", "a mapping",
                "the rdma section is for fabric rdma, but fabric is tcp"),
            arguments("bad-rdma-unknown-field.yaml", "rdma.queueDepth", "unknown field",
                "the fields here are device, sendQueueDepth, completionQueueDepth"));
    }
}
