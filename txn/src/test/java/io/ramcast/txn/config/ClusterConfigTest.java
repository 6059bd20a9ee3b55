package io.ramcast.txn.config;

import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.MulticastOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ClusterConfigTest
{
    /** The repository's config folder; tests run in the txn module's directory. */
    private static final Path REPO_CONFIG = Path.of("../config");
    private static final Path FIXTURES = Path.of("src/test/resources/config");

    private static final String MINIMAL = String.join("\n",
        "cluster: minimal",
        "fabric: local",
        "partitions:",
        "  - id: 0",
        "    replicas:",
        "      - { id: 0, host: 127.0.0.1, port: 7100 }",
        "clients: { firstId: 1, count: 1 }",
        "");

    @Test
    void shouldLoadTheDefaultLocalConfig() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.load(REPO_CONFIG.resolve("local.yaml"));

        assertThat(config.clusterName()).isEqualTo("local");
        assertThat(config.fabric()).isEqualTo(FabricKind.TCP);
        assertThat(config.durability()).isEqualTo(Durability.WAL);
        assertThat(config.syncIntervalMs()).isEqualTo(ClusterConfig.DEFAULT_SYNC_INTERVAL_MS);
        assertThat(config.dataRoot()).isEqualTo(Path.of("/tmp/ramcast-kv/local"));
        assertThat(config.partitionCount()).isEqualTo(3);
        for (int p = 0; p < 3; p++)
        {
            final List<ReplicaConfig> replicas = config.replicas(p);
            assertThat(replicas).extracting(ReplicaConfig::id).containsExactly(3 * p, 3 * p + 1, 3 * p + 2);
            for (final ReplicaConfig replica : replicas)
            {
                assertThat(replica.partition()).isEqualTo(p);
                assertThat(replica.host()).isEqualTo("127.0.0.1");
                assertThat(replica.port()).isEqualTo(7100 + replica.id());
                assertThat(replica.transferPort()).isEqualTo(7200 + replica.id());
                assertThat(replica.adminPort()).isEqualTo(7300 + replica.id());
                assertThat(replica.transferAddress().getPort()).isEqualTo(7200 + replica.id());
                assertThat(replica.dataDir()).isEqualTo(Path.of("/tmp/ramcast-kv/local/replica-" + replica.id()));
            }
        }
        assertThat(config.allReplicas()).extracting(ReplicaConfig::id).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(config.clientIds()).isEqualTo(new IdRange(100, 16));
        assertThat(config.partitioner()).isInstanceOf(HashPartitioner.class);
        assertThat(config.partitioner().partitionCount()).isEqualTo(3);
        assertThat(config.buffers()).isEqualTo(defaultBuffers());
        assertThat(config.limits()).isEqualTo(defaultLimits());
        assertThat(config.timeouts()).isEqualTo(defaultTimeouts());
    }

    @Test
    void shouldLoadTheTwoHostsConfig() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.load(REPO_CONFIG.resolve("two-hosts.yaml"));

        assertThat(config.partitionCount()).isEqualTo(2);
        assertThat(config.durability()).isEqualTo(Durability.FSYNC);
        assertThat(config.syncIntervalMs()).as("the default").isEqualTo(10);
        assertThat(config.partitioner()).isInstanceOf(RangePartitioner.class);
        assertThat(config.partitioner().partitionOf(bytes("lzzz"))).isEqualTo(0);
        assertThat(config.partitioner().partitionOf(bytes("m"))).isEqualTo(1);
        for (int p = 0; p < 2; p++)
        {
            assertThat(config.replicas(p)).hasSize(3)
                .extracting(ReplicaConfig::host).contains("10.0.0.1", "10.0.0.2");
        }
        assertThat(config.allReplicas()).extracting(ReplicaConfig::port).doesNotHaveDuplicates();
        assertThat(config.replicas(0).get(0).host()).isNotEqualTo(config.replicas(1).get(0).host());
    }

    @Test
    void shouldApplyDefaultsWhenOptionalSectionsAreAbsent() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.parse(MINIMAL, "minimal.yaml");

        assertThat(config.source()).isEqualTo("minimal.yaml");
        assertThat(config.fabric()).isEqualTo(FabricKind.LOCAL);
        assertThat(config.partitioner()).isInstanceOf(HashPartitioner.class);
        assertThat(config.durability()).isEqualTo(Durability.WAL);
        assertThat(config.dataRoot()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(config.replica(0).dataDir()).isEqualTo(Path.of("data", "replica-0").toAbsolutePath());
        assertThat(config.allReplicas()).allSatisfy(r ->
        {
            assertThat(r.transferPort()).isEqualTo(ReplicaConfig.NO_TRANSFER_PORT);
            assertThat(r.servesSnapshots()).isFalse();
        });
        assertThatThrownBy(() -> config.replica(0).transferAddress()).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("replica 0 has no transferPort");
        assertThat(config.buffers()).isEqualTo(defaultBuffers());
        assertThat(config.limits()).isEqualTo(defaultLimits());
        assertThat(config.timeouts()).isEqualTo(defaultTimeouts());
        assertThat(config.timeouts().requestTimeout()).hasMillis(5000);
    }

    @Test
    void shouldTakeOverridesOfOptionalValues() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.parse(MINIMAL + String.join("\n",
            "storage: { durability: none, dataRoot: /srv/kv }",
            "buffers: { ringSlots: 32, slotSizeBytes: 4096, streamRecords: 1024, retainedDeliveries: 512,",
            "           clientWindow: 8, mailboxBytes: 65536 }",
            "limits: { maxKeyBytes: 64, maxValueBytes: 1000, maxTransactionBytes: 2048, maxKeysPerTransaction: 16,",
            "          maxScanEntries: 10 }",
            "timeouts: { requestTimeoutMs: 900, connectTimeoutMs: 300, retryBackoffMinMs: 5, retryBackoffMaxMs: 900,",
            "            heartbeatIntervalMs: 10, failureTimeoutMs: 100, clientFailureTimeoutMs: 300 }",
            ""), "overrides.yaml");

        assertThat(config.durability()).isEqualTo(Durability.NONE);
        assertThat(config.replica(0).dataDir()).isEqualTo(Path.of("/srv/kv/replica-0"));
        assertThat(config.buffers()).isEqualTo(new Buffers(32, 4096, 1024, 512, 8, 65536));
        assertThat(config.limits()).isEqualTo(new Limits(64, 1000, 2048, 16, 10));
        assertThat(config.timeouts()).isEqualTo(new Timeouts(900, 300, 5, 900, 10, 100, 300));
    }

    private static final io.ramcast.multicast.fabric.FabricCredentials CREDENTIALS =
        io.ramcast.multicast.fabric.FabricCredentials.client("c", new byte[32], 1);

    @Test
    void shouldResolveTheSecretFilesAgainstTheConfigsDirectoryAndRefuseOneFileForBoth() throws ConfigException
    {
        final ClusterConfig defaults = ClusterConfig.parse(MINIMAL, "defaults.yaml");
        final Path here = Path.of("").toAbsolutePath();
        assertThat(defaults.secrets().replicaSecretFile()).isEqualTo(here.resolve("secrets/replica.key"));
        assertThat(defaults.secrets().clientSecretFile()).isEqualTo(here.resolve("secrets/client.key"));

        final ClusterConfig named = ClusterConfig.parse(MINIMAL +
            "security: { replicaSecretFile: /etc/kv/r.key, clientSecretFile: c.key }\n", "named.yaml");
        assertThat(named.secrets().replicaSecretFile()).isEqualTo(Path.of("/etc/kv/r.key"));
        assertThat(named.secrets().clientSecretFile()).isEqualTo(here.resolve("c.key"));

        assertThatThrownBy(() -> ClusterConfig.parse(MINIMAL +
            "security: { replicaSecretFile: k.key, clientSecretFile: k.key }\n", "same.yaml"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("security.clientSecretFile")
            .hasMessageContaining("must differ from security.replicaSecretFile");
        assertThatThrownBy(() -> ClusterConfig.parse(MINIMAL + "security: { replicaSecretFile: ' ' }\n", "blank.yaml"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("security.replicaSecretFile");
    }

    @Test
    void shouldGiveBothFabricsTheConfiguredReconnectionBackoff() throws ConfigException
    {
        final ClusterConfig tuned = ClusterConfig.parse(MINIMAL +
            "timeouts: { requestTimeoutMs: 900, retryBackoffMinMs: 5, retryBackoffMaxMs: 700 }\n", "backoff.yaml");

        assertThat(tuned.toTcpFabricOptions(CREDENTIALS).connectBackoffMinNs()).isEqualTo(5_000_000L);
        assertThat(tuned.toTcpFabricOptions(CREDENTIALS).connectBackoffMaxNs()).isEqualTo(700_000_000L);
        assertThat(tuned.toRdmaFabricOptions(CREDENTIALS).connectBackoffMinNs()).isEqualTo(5_000_000L);
        assertThat(tuned.toRdmaFabricOptions(CREDENTIALS).connectBackoffMaxNs()).isEqualTo(700_000_000L);

        final ClusterConfig defaults = ClusterConfig.parse(MINIMAL, "defaults.yaml");
        assertThat(defaults.toTcpFabricOptions(CREDENTIALS).connectBackoffMinNs())
            .isEqualTo(Timeouts.DEFAULT_RETRY_BACKOFF_MIN_MS * 1_000_000L);
        assertThat(defaults.toTcpFabricOptions(CREDENTIALS).connectBackoffMaxNs())
            .isEqualTo(Timeouts.DEFAULT_RETRY_BACKOFF_MAX_MS * 1_000_000L);
        assertThat(defaults.toRdmaFabricOptions(CREDENTIALS).connectBackoffMinNs())
            .isEqualTo(Timeouts.DEFAULT_RETRY_BACKOFF_MIN_MS * 1_000_000L);
    }

    @Test
    void shouldResolveRelativeDataPathsAgainstTheConfigFilesDirectory(@TempDir final Path dir)
        throws IOException, ConfigException
    {
        final Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, String.join("\n",
            "cluster: relative",
            "fabric: tcp",
            "storage: { dataRoot: state }",
            "partitions:",
            "  - id: 0",
            "    replicas:",
            "      - { id: 0, host: 127.0.0.1, port: 7100 }",
            "      - { id: 1, host: 127.0.0.1, port: 7101, dataDir: ../elsewhere/one }",
            "      - { id: 2, host: 127.0.0.1, port: 7102, dataDir: /abs/two }",
            "clients: { firstId: 3, count: 2 }",
            ""), StandardCharsets.UTF_8);

        final ClusterConfig config = ClusterConfig.load(file);

        assertThat(config.dataRoot()).isEqualTo(dir.resolve("state").toAbsolutePath().normalize());
        assertThat(config.replica(0).dataDir()).isEqualTo(dir.resolve("state/replica-0").toAbsolutePath().normalize());
        assertThat(config.replica(1).dataDir()).isEqualTo(dir.resolveSibling("elsewhere/one").toAbsolutePath().normalize());
        assertThat(config.replica(2).dataDir()).isEqualTo(Path.of("/abs/two"));
    }

    @Test
    void shouldOrderPartitionsByIdWhateverTheListingOrder() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.parse(String.join("\n",
            "cluster: shuffled",
            "fabric: tcp",
            "partitions:",
            "  - { id: 1, replicas: [ { id: 7, host: b, port: 1 } ] }",
            "  - { id: 0, replicas: [ { id: 9, host: a, port: 1 }, { id: 2, host: a, port: 2 }, { id: 4, host: a, port: 3 } ] }",
            "clients: { firstId: 10, count: 1 }",
            ""), "shuffled.yaml");

        assertThat(config.replicas(0)).extracting(ReplicaConfig::id).containsExactly(9, 2, 4);
        assertThat(config.replicas(1)).extracting(ReplicaConfig::id).containsExactly(7);
        assertThat(config.replica(7).partition()).isEqualTo(1);
        assertThat(config.toTopology().members(0)).containsExactly(9, 2, 4);
    }

    @Test
    void shouldBuildTheTopologyAndOptionsRamcastNeeds() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.load(REPO_CONFIG.resolve("local.yaml"));

        final GroupTopology topology = config.toTopology();
        assertThat(topology.groupCount()).isEqualTo(config.partitionCount());
        for (int p = 0; p < config.partitionCount(); p++)
        {
            assertThat(topology.members(p))
                .containsExactly(config.replicas(p).stream().mapToInt(ReplicaConfig::id).toArray());
        }
        assertThat(topology.clients()).containsExactly(config.clientIds().toArray());
        assertThat(topology.clients()).hasSize(16).startsWith(100).endsWith(115);

        final MulticastOptions options = config.toMulticastOptions();
        final Buffers buffers = config.buffers();
        assertThat(options.ringSlots()).isEqualTo(buffers.ringSlots());
        assertThat(options.slotSizeBytes()).isEqualTo(buffers.slotSizeBytes());
        assertThat(options.streamRecords()).isEqualTo(buffers.streamRecords());
        assertThat(options.retainedDeliveries()).isEqualTo(buffers.retainedDeliveries());
        assertThat(options.heartbeatIntervalMillis()).isEqualTo((int)config.timeouts().heartbeatIntervalMs());
        assertThat(options.failureTimeoutMillis()).isEqualTo((int)config.timeouts().failureTimeoutMs());
        assertThat(options.clientFailureTimeoutMillis()).isEqualTo((int)config.timeouts().clientFailureTimeoutMs());
        assertThat(options.clientWindow()).isEqualTo(buffers.clientWindow());
        assertThat(options.maxPayloadBytes(config.partitionCount()))
            .isGreaterThanOrEqualTo(config.limits().maxTransactionBytes());
    }

    @Test
    void shouldListTheListenAddressOfEveryReplica() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.load(REPO_CONFIG.resolve("two-hosts.yaml"));

        final Map<Integer, InetSocketAddress> addresses = config.listenAddresses();

        assertThat(addresses.keySet()).containsExactly(0, 1, 2, 3, 4, 5);
        for (final ReplicaConfig replica : config.allReplicas())
        {
            assertThat(addresses.get(replica.id()).getHostString()).isEqualTo(replica.host());
            assertThat(addresses.get(replica.id()).getPort()).isEqualTo(replica.port());
        }
    }

    @Test
    void shouldTellReplicaIdsFromClientIds() throws ConfigException
    {
        final ClusterConfig config = ClusterConfig.load(REPO_CONFIG.resolve("local.yaml"));

        assertThat(config.isReplicaId(8)).isTrue();
        assertThat(config.isReplicaId(9)).isFalse();
        assertThat(config.isClientId(100)).isTrue();
        assertThat(config.isClientId(115)).isTrue();
        assertThat(config.isClientId(116)).isFalse();
        assertThat(config.isClientId(8)).isFalse();
        assertThat(config.replica(4)).isEqualTo(
            new ReplicaConfig(4, 1, "127.0.0.1", 7104, Path.of("/tmp/ramcast-kv/local/replica-4"), 7204, 7304));
        assertThatThrownBy(() -> config.replica(100)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no replica with id 100 in cluster 'local'")
            .hasMessageContaining("100 is a client id");
        assertThatThrownBy(() -> config.replica(-1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("replica ids are [0, 1, 2, 3, 4, 5, 6, 7, 8]");
        assertThatThrownBy(() -> config.replicas(3)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no partition 3");
    }

    @Test
    void shouldAcceptASlotExactlyLargeEnoughForTheLargestTransaction() throws ConfigException
    {
        // Two partitions: 24 bytes of slot header, 16 per destination, 16 of trailer.
        final String twoPartitions = String.join("\n",
            "cluster: fit",
            "fabric: tcp",
            "partitions:",
            "  - { id: 0, replicas: [ { id: 0, host: a, port: 1 } ] }",
            "  - { id: 1, replicas: [ { id: 1, host: a, port: 2 } ] }",
            "clients: { firstId: 2, count: 1 }",
            "limits: { maxTransactionBytes: 7168 }",
            "");

        assertThat(ClusterConfig.parse(twoPartitions + "buffers: { slotSizeBytes: 7240 }\n", "fit.yaml")
            .toMulticastOptions().maxPayloadBytes(2)).isEqualTo(7168);
        assertThatThrownBy(() -> ClusterConfig.parse(twoPartitions + "buffers: { slotSizeBytes: 7232 }\n", "fit.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("fit.yaml: buffers.slotSizeBytes: 7232; a slot must hold limits.maxTransactionBytes (7168) plus " +
                "the multicast header for a transaction to all 2 partitions, but holds a payload of at most 7160 bytes; " +
                "use at least 7240");
    }

    @Test
    void shouldReportEveryProblemInSchemaOrder()
    {
        final String yaml = String.join("\n",
            "cluster: many",
            "fabric: udp",
            "partitions:",
            "  - id: 0",
            "    replicas:",
            "      - { id: 0, host: a, port: 0 }",
            "      - { id: 1, host: a, port: 2 }",
            "clients: { firstId: 1, count: 4 }",
            "timeouts: { connectTimeoutMs: -1 }",
            "");

        assertThatThrownBy(() -> ClusterConfig.parse(yaml, "many.yaml"))
            .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                "many.yaml: fabric: 'udp'; must be one of local, tcp, rdma",
                "many.yaml: partitions[0].replicas: 2 replicas; a partition needs an odd number (2f+1)",
                "many.yaml: partitions[0].replicas[0].port: 0; ports must be in [1, 65535]",
                "many.yaml: clients: ids 1..4; client ids must not overlap replica ids, but replica 1 " +
                    "(partitions[0].replicas[1].id) is in the range",
                "many.yaml: timeouts.connectTimeoutMs: -1; must be positive"))
            .hasMessageStartingWith("many.yaml: fabric: 'udp'; must be one of local, tcp, rdma\n");
    }

    @Test
    void shouldRefuseAnEmptyOrMissingFile(@TempDir final Path dir) throws IOException
    {
        final Path empty = Files.writeString(dir.resolve("empty.yaml"), "# nothing but a comment\n");

        assertThatThrownBy(() -> ClusterConfig.load(empty)).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith(empty + ": the file holds no settings");
        assertThatThrownBy(() -> ClusterConfig.load(dir.resolve("absent.yaml"))).isInstanceOf(ConfigException.class)
            .hasMessage(dir.resolve("absent.yaml") + ": no such file");
    }

    @Test
    void shouldNameTheLineOfASyntaxErrorInsideANestedSection()
    {
        final String yaml = MINIMAL.replace("      - { id: 0", "\t- { id: 0");

        assertThatThrownBy(() -> ClusterConfig.parse(yaml, "tab.yaml")).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("tab.yaml: line 6, column 1: YAML syntax error: ")
            .hasMessageContaining("Do not use \\t(TAB) for indentation");
    }

    @Test
    void shouldRefuseASecondYamlDocument()
    {
        assertThatThrownBy(() -> ClusterConfig.parse(MINIMAL + "---\ncluster: other\n", "two-docs.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("two-docs.yaml: line 9, column 1: a second YAML document; a config file holds exactly one");
    }

    @Test
    void shouldRefuseNumbersBeyondRangeAndFractions()
    {
        assertThatThrownBy(() -> ClusterConfig.parse(MINIMAL.replace("port: 7100", "port: 7100.5"), "f.yaml"))
            .hasMessage("f.yaml: partitions[0].replicas[0].port: 7100.5 (line 6, column 41); expected a whole number");
        assertThatThrownBy(() -> ClusterConfig.parse(MINIMAL.replace("port: 7100", "port: 99999999999999999999"), "f.yaml"))
            .hasMessage("f.yaml: partitions[0].replicas[0].port: 99999999999999999999 (line 6, column 41); " +
                "the number is out of range");
        assertThatThrownBy(() -> ClusterConfig.parse(MINIMAL + "limits: { maxKeyBytes: 4294967296 }\n", "f.yaml"))
            .hasMessage("f.yaml: limits.maxKeyBytes: 4294967296; must be at most 2147483647");
    }

    @Test
    void shouldAcceptHostNamesAndAddressesAndRefuseAHostThatIsNeither() throws ConfigException
    {
        for (final String host : List.of("node-1.example.com", "localhost", "10.0.0.5", "::1", "fe80::1", "2001:db8:0:0:0:0:2:1", "::ffff:10.0.0.5",
            "db7.", "kv_node_1"))
        {
            final ClusterConfig config = ClusterConfig.parse(MINIMAL.replace("host: 127.0.0.1", "host: '" + host + "'"),
                "f.yaml");
            assertThat(config.replica(0).host()).isEqualTo(host);
        }
        for (final String host : List.of("127.0.0.1:7100", "my host", "-node", "http://node1", "[::1]", "node1:7100", "::g",
            "1::2::3", ":1::", "1:2:3:4:5:6:7", "fe80::1%eth0"))
        {
            assertThatThrownBy(() -> ClusterConfig.parse(MINIMAL.replace("host: 127.0.0.1", "host: '" + host + "'"),
                "f.yaml"))
                .as(host)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("f.yaml: partitions[0].replicas[0].host: '" + host + "'")
                .hasMessageContaining("(no brackets, no zone), without a port (the port has its own field)");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void shouldRefuseABadFileNamingTheFileFieldValueAndRule(
        final String fileName, final String path, final String value, final String rule)
    {
        BadConfigFixtures.assertRefused(FIXTURES.resolve(fileName), path, value, rule);
    }

    @Test
    void shouldHaveATableRowForEveryBadFixture() throws IOException
    {
        BadConfigFixtures.assertEveryFixtureHasARow(FIXTURES, badFiles());
    }

    /** Fixture, field path (or line), offending value, rule. */
    static Stream<Arguments> badFiles()
    {
        return Stream.of(
            arguments("bad-unknown-field.yaml", "partitions[1].replicas[1].colour", "unknown field (line 13, column 47)",
                "the fields here are id, host, port, dataDir"),
            arguments("bad-unknown-buffers-field.yaml", "buffers.ringSlot", "unknown field (line 19, column 3)",
                "ringSlots, slotSizeBytes, streamRecords, retainedDeliveries, clientWindow, mailboxBytes"),
            arguments("bad-missing-cluster.yaml", "cluster", "missing", "every config names its cluster"),
            arguments("bad-empty-cluster-name.yaml", "cluster", "''", "the cluster name must not be empty"),
            arguments("bad-missing-fabric.yaml", "fabric", "missing", "must be one of local, tcp, rdma"),
            arguments("bad-missing-partitions.yaml", "partitions", "missing", "a cluster needs at least one partition"),
            arguments("bad-missing-port.yaml", "partitions[0].replicas[2].port", "missing", "a replica needs id, host and port"),
            arguments("bad-missing-host.yaml", "partitions[1].replicas[2].host", "missing", "a replica needs id, host and port"),
            arguments("bad-missing-replica-id.yaml", "partitions[0].replicas[1].id", "missing",
                "a replica needs id, host and port"),
            arguments("bad-missing-clients.yaml", "clients", "missing", "the clients section (firstId, count) is required"),
            arguments("bad-empty-host.yaml", "partitions[1].replicas[1].host", "''", "the host must not be empty"),
            arguments("bad-duplicate-replica-in-partition.yaml", "partitions[0].replicas[2].id", "1",
                "replica 1 appears twice in partition 0 (also partitions[0].replicas[1].id)"),
            arguments("bad-replica-in-two-partitions.yaml", "partitions[1].replicas[0].id", "3",
                "replica 3 is in partition 0 and partition 1"),
            arguments("bad-duplicate-partition-id.yaml", "partitions[1].id", "0", "duplicate partition id (also partitions[0])"),
            arguments("bad-partition-ids-not-dense.yaml", "partitions[1].id", "2",
                "partition ids must be dense 0..1 (2 partitions listed)"),
            arguments("bad-even-replicas.yaml", "partitions[1].replicas", "2 replicas",
                "a partition needs an odd number (2f+1)"),
            arguments("bad-no-replicas.yaml", "partitions[0].replicas", "0 replicas", "a partition needs an odd number (2f+1)"),
            arguments("bad-client-overlap.yaml", "clients", "ids 4..7",
                "client ids must not overlap replica ids, but replica 4 (partitions[1].replicas[1].id) is in the range"),
            arguments("bad-replica-id-range.yaml", "partitions[1].replicas[2].id", "70000", "process ids must be in [0, 65535]"),
            arguments("bad-client-id-range.yaml", "clients.count", "10",
                "client ids 65530..65539 go past the largest process id 65535"),
            arguments("bad-no-clients.yaml", "clients.count", "0", "a cluster needs between 1 and 65536 clients"),
            arguments("bad-duplicate-address.yaml", "partitions[1].replicas[0]", "'127.0.0.1:7100'",
                "address already used by partitions[0].replicas[0]"),
            arguments("bad-port-range.yaml", "partitions[1].replicas[0].port", "70000", "ports must be in [1, 65535]"),
            arguments("bad-transfer-port-range.yaml", "partitions[0].replicas[1].transferPort", "65536",
                "ports must be in [1, 65535]"),
            arguments("bad-transfer-port-clash.yaml", "partitions[1].replicas[1].transferPort", "'127.0.0.1:7103'",
                "address already used by partitions[1].replicas[0]; the transfer port needs a host:port of its own"),
            arguments("bad-admin-port-clash.yaml", "partitions[0].replicas[2].adminPort", "'127.0.0.1:7201'",
                "address already used by partitions[0].replicas[1].transferPort; the admin port needs a host:port of its own"),
            arguments("bad-port-zero.yaml", "partitions[0].replicas[0].port", "0", "ports must be in [1, 65535]"),
            arguments("bad-ring-slots.yaml", "buffers.ringSlots", "48", "must be a power of two in [2, 65536]"),
            arguments("bad-stream-records.yaml", "buffers.streamRecords", "1000", "must be a power of two in [16, 16777216]"),
            arguments("bad-slot-size-alignment.yaml", "buffers.slotSizeBytes", "8190", "must be a multiple of 8"),
            arguments("bad-mailbox-size.yaml", "buffers.mailboxBytes", "32768",
                "must be a power of two in [65536, 268435456]"),
            arguments("bad-client-window.yaml", "buffers.clientWindow", "0", "must be in [1, 65536]"),
            arguments("bad-slot-too-small.yaml", "buffers.slotSizeBytes", "4096",
                "a slot must hold limits.maxTransactionBytes (7168) plus the multicast header for a transaction to " +
                    "all 2 partitions, but holds a payload of at most 4024 bytes; use at least 7240"),
            arguments("bad-rings-too-large.yaml", "buffers",
                "clients.count 5000 x ringSlots 65536 x slotSizeBytes 8192 = 2684354560000 bytes",
                "the client rings of one replica must fit in 2147483647 bytes"),
            arguments("bad-value-above-transaction.yaml", "limits.maxValueBytes", "8000",
                "must not exceed limits.maxTransactionBytes (7168)"),
            arguments("bad-key-above-transaction.yaml", "limits.maxKeyBytes", "2048",
                "must not exceed limits.maxTransactionBytes (1024)"),
            arguments("bad-limit-not-positive.yaml", "limits.maxKeysPerTransaction", "0", "must be positive"),
            arguments("bad-scan-limit-negative.yaml", "limits.maxScanEntries", "-5", "must be positive"),
            arguments("bad-failure-timeout-below-heartbeats.yaml", "timeouts.failureTimeoutMs", "150",
                "must be at least twice timeouts.heartbeatIntervalMs (100)"),
            arguments("bad-client-failure-timeout-below-heartbeats.yaml", "timeouts.clientFailureTimeoutMs", "60",
                "must be at least twice timeouts.heartbeatIntervalMs (50)"),
            arguments("bad-heartbeat-interval.yaml", "timeouts.heartbeatIntervalMs", "20000", "must be in [1, 10000]"),
            arguments("bad-sync-interval.yaml", "storage.syncIntervalMs", "-1", "must be in [0, 3600000]"),
            arguments("bad-retained-deliveries.yaml", "buffers.retainedDeliveries", "8", "must be in [16, 16777216]"),
            arguments("bad-backoff-inverted.yaml", "timeouts.retryBackoffMinMs", "2000",
                "must not exceed timeouts.retryBackoffMaxMs (1000)"),
            arguments("bad-request-timeout-below-backoff.yaml", "timeouts.requestTimeoutMs", "500",
                "must be at least timeouts.retryBackoffMaxMs (1000)"),
            arguments("bad-timeout-not-positive.yaml", "timeouts.connectTimeoutMs", "0", "must be positive"),
            arguments("bad-split-keys-not-ascending.yaml", "partitioner.splitKeys[1]", "'f'",
                "split keys must be strictly ascending (as unsigned UTF-8 bytes), and it does not come after 'm'"),
            arguments("bad-split-keys-count.yaml", "partitioner.splitKeys", "2 keys",
                "range partitioning of 2 partitions needs exactly 1 split key"),
            arguments("bad-split-key-empty.yaml", "partitioner.splitKeys[0]", "''",
                "a split key must not be empty (partition 0 would hold no keys)"),
            arguments("bad-split-keys-for-hash.yaml", "partitioner.splitKeys", "1 key",
                "split keys are for type range; hash partitioning has none"),
            arguments("bad-partitioner-type.yaml", "partitioner.type", "'consistent'", "must be hash or range"),
            arguments("bad-fabric-unknown.yaml", "fabric", "'udp'", "must be one of local, tcp, rdma"),
            arguments("bad-durability.yaml", "storage.durability", "'sync'", "must be one of none, wal, fsync"),
            arguments("bad-syntax.yaml", "line 3, column 9", "YAML syntax error", "mapping values are not allowed here"),
            arguments("bad-wrong-type.yaml", "partitions[0].replicas[1].port", "'abc' (line 8, column 41)",
                "expected a whole number"),
            arguments("bad-duplicate-key.yaml", "partitions[1].replicas[1].port", "given twice (line 13, column 47)",
                "each field may appear once in a mapping"),
            arguments("bad-duplicate-data-dir.yaml", "partitions[0].replicas[1].dataDir", "'/tmp/ramcast-kv/shared'",
                "already the data directory of partitions[0].replicas[0] on host 127.0.0.1"));
    }

    private static Buffers defaultBuffers()
    {
        return new Buffers(64, 8192, 8192, 1024, 64, 1 << 20);
    }

    private static Limits defaultLimits()
    {
        return new Limits(1024, 4096, 7168, 256, 1000);
    }

    private static Timeouts defaultTimeouts()
    {
        return new Timeouts(5000, 5000, 10, 1000, 20, 500, 2000);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
