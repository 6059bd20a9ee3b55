package io.ramcast.client;

import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.fabric.LocalFabricHub;
import io.ramcast.multicast.fabric.TcpFabric;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.HashPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Starting a client: from a cluster config over tcp, refusing bad settings, and an unreachable cluster. */
class KvClientConnectTest
{
    private static String config(final String fabric, final int[] ports, final String extra)
    {
        final StringBuilder yaml = new StringBuilder()
            .append("cluster: test\n")
            .append("fabric: ").append(fabric).append('\n')
            .append("partitions:\n")
            .append("  - id: 0\n")
            .append("    replicas:\n");
        for (int i = 0; i < ports.length; i++)
        {
            yaml.append("      - {id: ").append(i).append(", host: 127.0.0.1, port: ").append(ports[i]).append("}\n");
        }
        return yaml.append("clients: {firstId: ").append(ports.length).append(", count: 2}\n").append(extra).toString();
    }

    /** A config of three replicas of one partition over tcp on free ports, with client ids 3 and 4. */
    private static ClusterConfig tcpConfig() throws Exception
    {
        return ClusterConfig.parse(config("tcp", freePorts(3), ""), "tcp.yaml");
    }

    /** Three replicas of one partition over tcp with the config's secrets, for clients of two ids. */
    private static FakeCluster tcpCluster(final ClusterConfig config)
    {
        return new FakeCluster(List.of(), 3, 2, config.toMulticastOptions(),
            id -> new TcpFabric(id, config.listenAddresses(), config.toTcpFabricOptions(config.replicaCredentials(1))));
    }

    /** Ports that were free a moment ago and where nothing listens now. */
    static int[] freePorts(final int n) throws IOException
    {
        final int[] ports = new int[n];
        final ServerSocket[] sockets = new ServerSocket[n];
        for (int i = 0; i < n; i++)
        {
            sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            ports[i] = sockets[i].getLocalPort();
        }
        for (final ServerSocket s : sockets)
        {
            s.close();
        }
        return ports;
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReportUnreachableReplicasWithTheirAddressesWithinTheConnectTimeout() throws Exception
    {
        final int[] ports = freePorts(3);
        final ClusterConfig config = ClusterConfig.parse(config("tcp", ports, "timeouts: {connectTimeoutMs: 300}\n"),
            "unreachable.yaml");
        final long startNs = System.nanoTime();
        final Throwable thrown = catchThrowable(() -> KvClient.connect(config, 3));
        final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        assertThat(thrown).isInstanceOf(ClusterUnreachableException.class)
            .hasMessageContaining("client 3 could not reach 3 replicas within the connect timeout of 300 ms")
            .hasMessageContaining("replica 0 at 127.0.0.1:" + ports[0])
            .hasMessageContaining("replica 1 at 127.0.0.1:" + ports[1])
            .hasMessageContaining("replica 2 at 127.0.0.1:" + ports[2]);
        assertThat(((ClusterUnreachableException)thrown).unreachableIds()).containsExactly(0, 1, 2);
        assertThat(elapsedMs).as("gives up after about the connect timeout").isBetween(250L, 5_000L);
        Await.until(() -> Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().startsWith("ramcast-kv-client-3-")), Duration.ofSeconds(10),
            "the failed client's threads ended");
    }

    /** A client whose client secret is not the cluster's never gets in, and is told why it may be. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepOutAClientWithAnotherClientSecret(@TempDir final Path dir) throws Exception
    {
        final int[] ports = freePorts(3);
        final ClusterConfig cluster = ClusterConfig.parse(config("tcp", ports, "security: {replicaSecretFile: " +
            dir.resolve("replica.key") + ", clientSecretFile: " + dir.resolve("client.key") + "}\n"), "cluster.yaml");
        final ClusterConfig stranger = ClusterConfig.parse(config("tcp", ports, "timeouts: {connectTimeoutMs: 1000}\n" +
            "security: {replicaSecretFile: " + dir.resolve("other-replica.key") + ", clientSecretFile: " +
            dir.resolve("other-client.key") + "}\n"), "stranger.yaml");
        try (FakeCluster fake = new FakeCluster(List.of(), 3, 2, cluster.toMulticastOptions(),
            id -> new TcpFabric(id, cluster.listenAddresses(), cluster.toTcpFabricOptions(cluster.replicaCredentials(1)))))
        {
            assertThat(fake.topology().toString()).isEqualTo(cluster.toTopology().toString());
            assertThatThrownBy(() -> KvClient.connect(stranger, 3)).isInstanceOf(ClusterUnreachableException.class)
                .hasMessageContaining("could not reach 3 replicas").hasMessageContaining("client secret");
            try (KvClient member = KvClient.connect(cluster, 4))
            {
                assertThat(member.increment("n".getBytes(StandardCharsets.UTF_8), 1)).isEqualTo(1);
            }
        }
    }

    /**
     * With {@code security.tls} replicas and clients speak TLS 1.3 with the stores
     * {@code TlsSettings.createMissing} made; a client whose config lacks the section (plaintext) or
     * names another cluster's stores never gets in.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldCommitOverTlsAndKeepOutClientsWithoutTheClustersCertificate(@TempDir final Path dir) throws Exception
    {
        final int[] ports = freePorts(3);
        final String secrets = "security:\n  replicaSecretFile: " + dir.resolve("replica.key") + "\n  clientSecretFile: " +
            dir.resolve("client.key") + "\n";
        final ClusterConfig cluster = ClusterConfig.parse(config("tcp", ports, secrets + "  tls: {keyStore: " +
            dir.resolve("key.p12") + ", trustStore: " + dir.resolve("trust.p12") + ", passwordFile: " +
            dir.resolve("tls.password") + "}\n"), "tls.yaml");
        cluster.tls().createMissing(cluster.clusterName());
        final ClusterConfig plaintext = ClusterConfig.parse(config("tcp", ports,
            "timeouts: {connectTimeoutMs: 1000}\n" + secrets), "plain.yaml");
        final ClusterConfig otherStores = ClusterConfig.parse(config("tcp", ports, "timeouts: {connectTimeoutMs: 1000}\n" +
            secrets + "  tls: {keyStore: " + dir.resolve("other-key.p12") + ", trustStore: " +
            dir.resolve("other-trust.p12") + ", passwordFile: " + dir.resolve("other.password") + "}\n"), "other.yaml");
        otherStores.tls().createMissing("another");
        try (FakeCluster fake = new FakeCluster(List.of(), 3, 2, cluster.toMulticastOptions(),
            id -> new TcpFabric(id, cluster.listenAddresses(), cluster.toTcpFabricOptions(cluster.replicaCredentials(1)))))
        {
            try (KvClient member = KvClient.connect(cluster, 4))
            {
                assertThat(member.increment("n".getBytes(StandardCharsets.UTF_8), 2)).isEqualTo(2);
            }
            assertThatThrownBy(() -> KvClient.connect(plaintext, 3)).isInstanceOf(ClusterUnreachableException.class);
            assertThatThrownBy(() -> KvClient.connect(otherStores, 3)).isInstanceOf(ClusterUnreachableException.class);
            assertThat(fake.failures()).isEmpty();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldConnectOverTcpFromTheConfigAndCommit() throws Exception
    {
        final ClusterConfig config = tcpConfig();
        try (FakeCluster cluster = tcpCluster(config))
        {
            assertThat(cluster.topology().toString()).isEqualTo(config.toTopology().toString());
            try (KvClient kv = KvClient.connect(config, 4))
            {
                assertThat(kv.clientId()).isEqualTo(4);
                kv.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
                assertThat(kv.get("k".getBytes(StandardCharsets.UTF_8))).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
                assertThat(kv.increment("n".getBytes(StandardCharsets.UTF_8), 3)).isEqualTo(3);
            }
            assertThat(cluster.failures()).isEmpty();
        }
    }

    /**
     * Clients that connect without an id lease one from the config's range (3 and 4 here): two get
     * both ids; a third is told that every id is held; an explicit id a live client holds is refused
     * with the replicas' reason; and an id is leased again once its holder closed.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldLeaseAFreeClientIdAndSayWhenNoneIsLeft() throws Exception
    {
        final ClusterConfig config = tcpConfig();
        try (FakeCluster cluster = tcpCluster(config))
        {
            final KvClient first = KvClient.connect(config);
            final int firstId = first.clientId();
            try (KvClient second = KvClient.connect(config))
            {
                assertThat(List.of(firstId, second.clientId())).containsExactlyInAnyOrder(3, 4);
                first.put("a".getBytes(StandardCharsets.UTF_8), "1".getBytes(StandardCharsets.UTF_8));
                second.put("b".getBytes(StandardCharsets.UTF_8), "2".getBytes(StandardCharsets.UTF_8));

                assertThatThrownBy(() -> KvClient.connect(config)).isInstanceOf(ClientIdInUseException.class)
                    .hasMessageContaining("every client id of the range").hasMessageContaining("is held by a live process");
                assertThatThrownBy(() -> KvClient.builder().config(config).clientId(firstId)
                    .connectTimeout(Duration.ofSeconds(1)).build())
                    .isInstanceOf(ClientIdInUseException.class)
                    .hasMessageContaining("client id " + firstId + " is in use by a live process");

                first.close();
                try (KvClient third = KvClient.connect(config))
                {
                    assertThat(third.clientId()).as("the closed client's id is free again").isEqualTo(firstId);
                    assertThat(third.get("b".getBytes(StandardCharsets.UTF_8))).isEqualTo("2".getBytes(StandardCharsets.UTF_8));
                }
            }
            finally
            {
                first.close();
            }
            assertThat(cluster.failures()).isEmpty();
        }
    }

    /**
     * A range of two ids serves any number of clients over time: five in sequence, then six threads
     * started together that each hold an id for 300 ms and wait for a free one ({@link ClientIdInUseException} until one is), commit and
     * close. No id is ever held by two live clients, and every increment counts once.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldServeMoreClientsThanTheRangeHoldsInSequenceAndConcurrently() throws Exception
    {
        final ClusterConfig config = tcpConfig();
        final byte[] key = "served".getBytes(StandardCharsets.UTF_8);
        try (FakeCluster cluster = tcpCluster(config))
        {
            for (int i = 1; i <= 5; i++)
            {
                try (KvClient kv = KvClient.connect(config))
                {
                    assertThat(kv.clientId()).isIn(3, 4);
                    assertThat(kv.increment(key, 1)).isEqualTo(i);
                }
            }

            final java.util.Set<Integer> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
            final AtomicInteger refusals = new AtomicInteger();
            final java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(6);
            final List<java.util.concurrent.Callable<Integer>> clients = new java.util.ArrayList<>();
            for (int t = 0; t < 6; t++)
            {
                clients.add(() ->
                {
                    start.countDown();
                    start.await();
                    while (true)
                    {
                        final KvClient kv;
                        try
                        {
                            kv = KvClient.connect(config);
                        }
                        catch (final ClientIdInUseException busy)
                        {
                            refusals.incrementAndGet();
                            Thread.sleep(20 + java.util.concurrent.ThreadLocalRandom.current().nextInt(60));
                            continue;
                        }
                        try (kv)
                        {
                            assertThat(held.add(kv.clientId())).as("id " + kv.clientId() + " held twice").isTrue();
                            kv.increment(key, 1);
                            Thread.sleep(300); // holds the id while the others try
                            held.remove(kv.clientId());
                            return kv.clientId();
                        }
                    }
                });
            }
            final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
            try
            {
                for (final java.util.concurrent.Future<Integer> served : pool.invokeAll(clients))
                {
                    assertThat(served.get()).isIn(3, 4);
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            assertThat(refusals.get()).as("six clients on two ids waited for one").isPositive();
            try (KvClient kv = KvClient.connect(config))
            {
                assertThat(kv.counter(key)).as("5 in sequence + 6 at once, each once").isEqualTo(11);
            }
            assertThat(cluster.failures()).isEmpty();
        }
    }

    /**
     * Two processes that lease at the same moment on a range of two ids both get one, round after
     * round: when both take the same id, each replica lets in whichever reached it first, and the
     * other is told (a REFUSE, also for the older of the two incarnations) and takes the other id,
     * instead of being dropped until its connect timeout or leaving an id both gave up.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldLeaseBothIdsToTwoClientsThatConnectAtOnce() throws Exception
    {
        final ClusterConfig config = tcpConfig();
        final byte[] key = "leased".getBytes(StandardCharsets.UTF_8);
        final int rounds = 12;
        try (FakeCluster cluster = tcpCluster(config))
        {
            final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try
            {
                for (int round = 0; round < rounds; round++)
                {
                    final java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                    final java.util.concurrent.Callable<KvClient> lease = () ->
                    {
                        together.await();
                        return KvClient.connect(config);
                    };
                    final List<java.util.concurrent.Future<KvClient>> leases = pool.invokeAll(List.of(lease, lease));
                    try (KvClient a = leases.get(0).get(); KvClient b = leases.get(1).get())
                    {
                        assertThat(List.of(a.clientId(), b.clientId())).as("round " + round)
                            .containsExactlyInAnyOrder(3, 4);
                        a.increment(key, 1);
                        b.increment(key, 1);
                    }
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            try (KvClient kv = KvClient.connect(config))
            {
                assertThat(kv.counter(key)).isEqualTo(2L * rounds);
            }
            assertThat(cluster.failures()).isEmpty();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseAClientIdOutsideTheConfigsClientRange() throws Exception
    {
        final ClusterConfig config = ClusterConfig.parse(config("tcp", new int[] {7001}, ""), "range.yaml");
        assertThatThrownBy(() -> KvClient.connect(config, 0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("client id 0 is not in the client range 1..2")
            .hasMessageContaining("clients.firstId and clients.count in range.yaml");
        assertThatThrownBy(() -> KvClient.connect(config, 3))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client id 3");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseTheLocalFabricWhenConnectingFromAConfig() throws Exception
    {
        final ClusterConfig config = ClusterConfig.parse(config("local", new int[] {7001}, ""), "local.yaml");
        assertThatThrownBy(() -> KvClient.connect(config, 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("fabric 'local' in local.yaml")
            .hasMessageContaining("fabric(hub.endpoint(clientId))");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldNameTheMissingOrInconsistentSettingBeforeStartingAnything()
    {
        final GroupTopology topology = GroupTopology.uniform(2, 1, 1);
        final LocalFabricHub hub = new LocalFabricHub();
        assertThatThrownBy(() -> KvClient.builder().build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing topology");
        assertThatThrownBy(() -> KvClient.builder().topology(topology).clientId(2).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing partitioner");
        assertThatThrownBy(() -> KvClient.builder().topology(topology).partitioner(new HashPartitioner(2)).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing clientId");
        assertThatThrownBy(() -> KvClient.builder().topology(topology).partitioner(new HashPartitioner(3)).clientId(2)
                .fabric(hub.endpoint(2)).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitioner has 3 partitions");
        assertThatThrownBy(() -> KvClient.builder().topology(topology).partitioner(new HashPartitioner(2)).clientId(1)
                .fabric(hub.endpoint(1)).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client id 1 is not a client");
        assertThatThrownBy(() -> KvClient.builder().topology(topology).partitioner(new HashPartitioner(2)).clientId(2)
                .build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing fabric");
        assertThatThrownBy(() -> KvClient.builder().topology(topology).partitioner(new HashPartitioner(2)).clientId(2)
                .fabric(hub.endpoint(0)).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fabric endpoint is process 0");
        assertThatThrownBy(() -> KvClient.builder().topology(topology).partitioner(new HashPartitioner(2))
                .requestTimeout(Duration.ZERO).fabric(hub.endpoint(3)).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestTimeout=PT0S must be positive");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldSpaceConnectionAttemptsByTheConfiguredBackoff() throws Exception
    {
        final AtomicInteger attempts = new AtomicInteger();
        final Thread acceptor;
        try (ServerSocket replica = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            // a "replica" that hangs up on every connection, so the client keeps re-connecting
            acceptor = new Thread(() ->
            {
                while (!replica.isClosed())
                {
                    try
                    {
                        replica.accept().close();
                        attempts.incrementAndGet();
                    }
                    catch (final IOException ex)
                    {
                        return; // closed
                    }
                }
            }, "hang-up-replica");
            acceptor.start();
            final ClusterConfig config = ClusterConfig.parse(config("tcp", new int[] {replica.getLocalPort()},
                "timeouts: {connectTimeoutMs: 1500, retryBackoffMinMs: 1000, retryBackoffMaxMs: 1000}\n"), "backoff.yaml");

            assertThatThrownBy(() -> KvClient.connect(config, 1)).isInstanceOf(ClusterUnreachableException.class);

            // 1 s between attempts: at t=0 and t=1 s within the 1.5 s connect timeout (the fabric's
            // default, 10 ms doubling, would have made 8 by then)
            assertThat(attempts.get()).isBetween(1, 3);
        }
        acceptor.join(TimeUnit.SECONDS.toMillis(10));
    }

    @Test
    void shouldKeepRocksDbOffTheClientsClassPath()
    {
        assertThatThrownBy(() -> Class.forName("org.rocksdb.RocksDB")).isInstanceOf(ClassNotFoundException.class);
    }

    private static Throwable catchThrowable(final ThrowingRunnable r)
    {
        try
        {
            r.run();
        }
        catch (final Throwable t)
        {
            return t;
        }
        throw new AssertionError("expected an exception");
    }

    @FunctionalInterface
    private interface ThrowingRunnable
    {
        void run() throws Exception;
    }
}
