package io.ramcast.bench.multicast;

import io.ramcast.multicast.GroupTopology;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;

/**
 * Listen addresses of the servers of a tcp benchmark: server {@code id} listens on
 * {@code 127.0.0.1:(basePort + id)}; clients do not listen. Benchmarks keep their traffic on the
 * loopback interface. Stateless.
 */
final class LoopbackAddresses
{
    /** Highest TCP port. */
    static final int MAX_PORT = 65535;

    private LoopbackAddresses()
    {
    }

    /**
     * @param topology the deployment.
     * @param basePort port of server 0.
     * @return listen address by server id.
     */
    static Map<Integer, InetSocketAddress> of(final GroupTopology topology, final int basePort)
    {
        final Map<Integer, InetSocketAddress> addresses = new TreeMap<>();
        for (final int id : topology.servers())
        {
            addresses.put(id, new InetSocketAddress(InetAddress.getLoopbackAddress(), basePort + id));
        }
        return addresses;
    }

    /**
     * @param topology the deployment.
     * @param basePort the port of server 0.
     * @throws IllegalArgumentException naming {@code --base-port} if a server's port is outside
     *                                  [1, 65535].
     */
    static void validate(final GroupTopology topology, final int basePort)
    {
        int maxId = 0;
        for (final int id : topology.servers())
        {
            maxId = Math.max(maxId, id);
        }
        if (basePort < 1 || (long)basePort + maxId > MAX_PORT)
        {
            throw new IllegalArgumentException("--base-port=" + basePort + " must be in [1, " + (MAX_PORT - maxId) +
                "] so that every server's port (base + id, ids 0.." + maxId + ") is a valid port");
        }
    }
}
