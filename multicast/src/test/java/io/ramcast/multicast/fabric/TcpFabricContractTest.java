package io.ramcast.multicast.fabric;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The fabric contract over the {@code tcp} fabric: real sockets on the loopback interface, one
 * {@link TcpFabric} per process, ports picked free per scenario. Writes are held by not driving the
 * owner's {@code doWork} (they wait in the socket).
 */
class TcpFabricContractTest extends FabricContractTest
{
    /** Fast reconnection so that scenarios with restarts stay short. */
    static final TcpFabricOptions OPTIONS = TcpFabricOptions.builder()
        .connectBackoffMinNs(TimeUnit.MILLISECONDS.toNanos(1))
        .connectBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(20))
        .build();

    private final Map<Integer, InetSocketAddress> addressById = new HashMap<>();

    @Override
    protected Fabric newEndpoint(final int processId, final int[] listeningIds)
    {
        final Map<Integer, InetSocketAddress> listenAddresses = new HashMap<>();
        for (final int id : listeningIds)
        {
            listenAddresses.put(id, addressById.computeIfAbsent(id, ignored -> freeLoopbackAddress()));
        }
        return new TcpFabric(processId, listenAddresses, options(processId, listenAddresses.containsKey(processId)));
    }

    /**
     * @param processId the endpoint's id.
     * @param server    whether it listens.
     * @return its options.
     */
    protected TcpFabricOptions options(final int processId, final boolean server)
    {
        return OPTIONS;
    }

    @Override
    protected boolean holdWrites(final Fabric writer, final Fabric owner)
    {
        pauseDoWork(owner.selfId());
        return true;
    }

    @Override
    protected void releaseWrites(final Fabric writer, final Fabric owner)
    {
        resumeDoWork(owner.selfId());
    }

    /**
     * @return a loopback address with a port that was free a moment ago.
     */
    static InetSocketAddress freeLoopbackAddress()
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket socket = new ServerSocket(0, 1, loopback))
        {
            return new InetSocketAddress(loopback, socket.getLocalPort());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no free port on " + loopback, ex);
        }
    }
}
