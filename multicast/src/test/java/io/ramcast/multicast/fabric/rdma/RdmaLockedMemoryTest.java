package io.ramcast.multicast.fabric.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.ramcast.multicast.Await;
import io.ramcast.multicast.fabric.RemoteRegion;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The locked memory a process of the rdma fabric pins: {@link RdmaFabric#lockedMemoryNeed()} bounds
 * what the fake NIC saw registered at once with every peer of a server connected both ways and a
 * permission changed, and {@code start} refuses a locked-memory limit below it, with the fix.
 */
class RdmaLockedMemoryTest
{
    private static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(10);
    private static final int[] REGION_SIZES = {256 * 1024, 64 * 1024, 4096, 8};

    private final FakeRdmaNetwork network = new FakeRdmaNetwork();
    private final Map<Integer, InetSocketAddress> addresses = new HashMap<>();
    private final List<RdmaFabric> fabrics = new ArrayList<>();
    private final Map<Integer, io.ramcast.multicast.fabric.LocalRegion> largestById = new HashMap<>();

    @AfterEach
    void close()
    {
        fabrics.forEach(RdmaFabric::close);
    }

    private RdmaFabric fabric(final int id, final FakeVerbs verbs, final int clientPeers)
    {
        final RdmaFabricOptions options = RdmaFabricOptions.builder()
            .sendQueueDepth(FakeVerbsRdmaFabricContractTest.OPTIONS.sendQueueDepth())
            .completionQueueDepth(FakeVerbsRdmaFabricContractTest.OPTIONS.completionQueueDepth())
            .signalInterval(FakeVerbsRdmaFabricContractTest.OPTIONS.signalInterval())
            .stagingBytes(FakeVerbsRdmaFabricContractTest.OPTIONS.stagingBytes())
            .connectTimeoutNs(FakeVerbsRdmaFabricContractTest.OPTIONS.connectTimeoutNs())
            .connectBackoffMinNs(FakeVerbsRdmaFabricContractTest.OPTIONS.connectBackoffMinNs())
            .connectBackoffMaxNs(FakeVerbsRdmaFabricContractTest.OPTIONS.connectBackoffMaxNs())
            .clientPeers(clientPeers).build();
        final RdmaFabric fabric = new RdmaFabric(id, addresses, options, verbs, SystemNanoClock.INSTANCE);
        for (int r = 0; r < REGION_SIZES.length; r++)
        {
            final io.ramcast.multicast.fabric.LocalRegion region = fabric.register(r + 1, REGION_SIZES[r], true);
            if (0 == r)
            {
                largestById.put(id, region);
            }
        }
        fabrics.add(fabric);
        return fabric;
    }

    /**
     * Server 0 of three, with two clients: each of the four peers writes every region of server 0
     * and server 0 writes each of them; then server 0 revokes and grants one peer's right to its
     * largest region (a second registration of it while the first is replaced).
     */
    @Test
    void shouldPinNoMoreThanTheNeedItComputesWithEveryPeerConnected()
    {
        for (int id = 0; id < 3; id++)
        {
            addresses.put(id, FakeVerbsRdmaFabricContractTest.address(id));
        }
        final FakeVerbs serverVerbs = network.device("server-0");
        final RdmaFabric server = fabric(0, serverVerbs, 2);
        final List<RdmaFabric> peers = List.of(fabric(1, network.device("server-1"), 2),
            fabric(2, network.device("server-2"), 2), fabric(100, network.device("client-100"), 2),
            fabric(101, network.device("client-101"), 2));
        fabrics.forEach(RdmaFabric::start);

        final List<RemoteRegion> handles = new ArrayList<>();
        for (final RdmaFabric peer : peers)
        {
            for (int r = 0; r < REGION_SIZES.length; r++)
            {
                handles.add(peer.remote(0, r + 1));
                handles.add(server.remote(peer.selfId(), r + 1));
            }
        }
        final Runnable step = () -> fabrics.forEach(RdmaFabric::doWork);
        Await.until(() -> handles.stream().allMatch(h -> RemoteRegion.Status.READY == h.status()), AWAIT_TIMEOUT,
            "every peer connected both ways", step);
        final UnsafeBuffer word = new UnsafeBuffer(new byte[8]);
        for (final RemoteRegion handle : handles)
        {
            word.putLong(0, 7);
            handle.write(0, word, 0, 8);
        }
        for (int i = 0; i < 50; i++)
        {
            step.run();
        }
        final io.ramcast.multicast.fabric.LocalRegion largest = largestById.get(0);
        largest.revoke(100);
        largest.grant(100);
        for (int i = 0; i < 50; i++)
        {
            step.run();
        }

        final long need = server.lockedMemoryNeed();
        final long regionBytes = java.util.Arrays.stream(REGION_SIZES).asLongStream().sum();
        assertThat(serverVerbs.peakRegisteredBytes()).as("registered at once, at most the computed need")
            .isGreaterThanOrEqualTo(4 * regionBytes).isLessThanOrEqualTo(need);
        assertThat(need).as("a bound, not a guess: every region once per peer, and buffers")
            .isLessThan(6 * regionBytes + 4L * 2 * FakeVerbsRdmaFabricContractTest.OPTIONS.stagingBytes() + (4L << 20));
        assertThat(peers.get(2).lockedMemoryNeed()).as("a client is written by the three servers only")
            .isLessThan(need);
    }

    @Test
    void shouldRefuseToStartBelowTheNeedNamingBothAndTheFix()
    {
        addresses.put(0, FakeVerbsRdmaFabricContractTest.address(0));
        final RdmaFabric server = fabric(0, network.device("server-0"), 16);
        server.lockedMemoryLimit(8L << 20);
        assertThat(server.lockedMemoryNeed()).isGreaterThan(8L << 20);
        assertThatThrownBy(server::start).isInstanceOf(RdmaUnavailableException.class)
            .hasMessageContaining("process 0 pins up to")
            .hasMessageContaining("for each of up to 16 peers")
            .hasMessageContaining("its locked-memory limit (RLIMIT_MEMLOCK) is 8.0 MiB")
            .hasMessageContaining("ulimit -l unlimited");
        final RdmaFabric roomy = fabric(1, network.device("server-1"), 16);
        roomy.lockedMemoryLimit(roomy.lockedMemoryNeed());
        roomy.start();
    }

    /**
     * What a replica and a client of a cluster shaped like {@code config/rdma.yaml} pin (one
     * partition of three replicas, sixteen client ids, the configuration's default buffers: 64 ring
     * slots of 8 KiB, 8,192 stream records, 1 MiB mailboxes, 512 KiB staging): the real protocol's
     * regions, registered on the fake device; logged for the README's numbers.
     */
    @Test
    void shouldComputeTheNeedOfAReplicaAndAClientFromTheirRegions()
    {
        final io.ramcast.multicast.GroupTopology topology = io.ramcast.multicast.GroupTopology.uniform(1, 3, 16);
        for (int id = 0; id < 3; id++)
        {
            addresses.put(id, FakeVerbsRdmaFabricContractTest.address(id));
        }
        final io.ramcast.multicast.MulticastOptions options = io.ramcast.multicast.MulticastOptions.builder()
            .ringSlots(64).slotSizeBytes(8192).streamRecords(8192).mailboxBytes(1 << 20).build();
        final RdmaFabricOptions rdma = RdmaFabricOptions.builder().stagingBytes(512 * 1024).clientPeers(16).build();
        final RdmaFabric replicaFabric = new RdmaFabric(0, addresses, rdma, network.device("replica"),
            SystemNanoClock.INSTANCE);
        final RdmaFabric clientFabric = new RdmaFabric(topology.clients()[0], addresses, rdma, network.device("client"),
            SystemNanoClock.INSTANCE);
        fabrics.add(replicaFabric);
        fabrics.add(clientFabric);
        final io.ramcast.multicast.RamcastServer replica = io.ramcast.multicast.RamcastServer.builder()
            .topology(topology).options(options).fabric(replicaFabric).deliveryHandler(d -> { }).build();
        final io.ramcast.multicast.RamcastClient client = io.ramcast.multicast.RamcastClient.builder()
            .topology(topology).options(options).fabric(clientFabric).build();
        try
        {
            final long replicaNeed = replicaFabric.lockedMemoryNeed();
            final long clientNeed = clientFabric.lockedMemoryNeed();
            org.slf4j.LoggerFactory.getLogger(RdmaLockedMemoryTest.class).info(
                "config/rdma.yaml shape: a replica pins up to {} MiB, a client up to {} MiB", replicaNeed >> 20,
                clientNeed >> 20);
            assertThat(replicaNeed).as("18 peers, each with a registration of the client rings (16 x 64 x 8 KiB)")
                .isGreaterThan(18L * 16 * 64 * 8192);
            assertThat(clientNeed).isLessThan(replicaNeed);
        }
        finally
        {
            client.close();
            replica.close();
        }
    }
}
