package io.ramcast.multicast.fabric.rdma;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.FabricContractTest;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The fabric contract over the {@code rdma} fabric's real logic (connections, handshake, per-peer
 * registrations, staging, selective signalling, lanes, completion handling) on the in-memory
 * {@link FakeRdmaNetwork} instead of a NIC. Writes are held by the fake network between a writer
 * and an owner, like writes in flight on the wire.
 */
class FakeVerbsRdmaFabricContractTest extends FabricContractTest
{
    /** Small queues and staging so that back-pressure, fences and recycling happen in the scenarios. */
    static final RdmaFabricOptions OPTIONS = RdmaFabricOptions.builder()
        .sendQueueDepth(32)
        .completionQueueDepth(64)
        .signalInterval(8)
        .maxInlineBytes(32)
        .stagingBytes(64 * 1024)
        .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
        .connectBackoffMinNs(TimeUnit.MILLISECONDS.toNanos(1))
        .connectBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(20))
        .build();

    private final FakeRdmaNetwork network = newNetwork();
    private final Map<Fabric, FakeVerbs> verbsByFabric = new IdentityHashMap<>();

    @Override
    protected Fabric newEndpoint(final int processId, final int[] listeningIds)
    {
        final Map<Integer, InetSocketAddress> addresses = new HashMap<>();
        for (final int id : listeningIds)
        {
            addresses.put(id, address(id));
        }
        final FakeVerbs verbs = network.device("process-" + processId);
        final RdmaFabric fabric = new RdmaFabric(processId, addresses, options(processId, addresses.containsKey(processId)),
            verbs, SystemNanoClock.INSTANCE);
        verbsByFabric.put(fabric, verbs);
        return fabric;
    }

    /**
     * Called once per scenario, from a field initializer: must not read the subclass's fields.
     *
     * @return the network the scenario's endpoints share.
     */
    protected FakeRdmaNetwork newNetwork()
    {
        return new FakeRdmaNetwork();
    }

    /** @return the network of the running scenario. */
    protected final FakeRdmaNetwork network()
    {
        return network;
    }

    /**
     * @param processId the endpoint's id.
     * @param server    whether it listens.
     * @return its options.
     */
    protected RdmaFabricOptions options(final int processId, final boolean server)
    {
        return OPTIONS;
    }

    @Override
    protected boolean holdWrites(final Fabric writer, final Fabric owner)
    {
        network.hold(verbsByFabric.get(writer), verbsByFabric.get(owner));
        return true;
    }

    @Override
    protected void releaseWrites(final Fabric writer, final Fabric owner)
    {
        network.release(verbsByFabric.get(writer), verbsByFabric.get(owner));
    }

    static InetSocketAddress address(final int processId)
    {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 20_000 + processId);
    }
}
