package io.ramcast.multicast;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.TcpFabric;
import io.ramcast.multicast.fabric.TcpFabricOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/** The cluster scenarios over the {@code tcp} fabric: real sockets on loopback, one fabric per process. */
class TcpClusterTest extends AbstractClusterTest
{
    private Map<Integer, InetSocketAddress> addresses;

    @Override
    Fabric fabric(final GroupTopology topology, final int processId)
    {
        if (addresses == null)
        {
            addresses = new HashMap<>();
            for (final int s : topology.servers())
            {
                addresses.put(s, freeLoopbackAddress());
            }
        }
        return new TcpFabric(processId, addresses, TcpFabricOptions.defaults());
    }

    private static InetSocketAddress freeLoopbackAddress()
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
