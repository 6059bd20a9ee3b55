package io.ramcast.multicast.fabric;

import java.net.InetSocketAddress;

import io.ramcast.multicast.fabric.spi.ReconnectBackoff;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * What a {@code tcp} fabric process knows of one peer process: whether it connects out to it, its
 * current connection, the region table from its last HELLO and the handles to its regions.
 *
 * <p>Threading: agent thread only, but for the DNS lookup {@link #resolveAddress()} starts.
 */
final class TcpPeer
{
    /** Reachability of the peer as the writer's handles see it. */
    enum State
    {
        /** Never connected yet: handles are CONNECTING. */
        CONNECTING,
        /** A connection has completed its handshake: handles are READY (or FAILED). */
        ACTIVE,
        /** The last connection was lost: handles are PEER_DOWN until a new one completes. */
        DOWN
    }

    private final int peerId;
    private InetSocketAddress address;
    /** Set by a lookup thread when an unresolved host resolved; taken by the agent. */
    private volatile InetSocketAddress lookedUp;
    private volatile boolean lookingUp;
    /** Whether the last resolution of {@link #address} failed and was reported. */
    private boolean unresolvedReported;
    private final boolean connectsOut;
    private final Int2ObjectHashMap<TcpRemoteRegion> handleByRegionId = new Int2ObjectHashMap<>();
    private State state = State.CONNECTING;
    private TcpConnection connection;
    private final ReconnectBackoff reconnectBackoff;
    private Int2IntHashMap regionSizeById;

    /**
     * @param peerId           process id.
     * @param address          listen address, null for a process that does not listen.
     * @param connectsOut      whether this process opens the connection (else it waits for the peer).
     * @param reconnectBackoff when to attempt the connection again, used if {@code connectsOut}.
     */
    TcpPeer(
        final int peerId, final InetSocketAddress address, final boolean connectsOut,
        final ReconnectBackoff reconnectBackoff)
    {
        this.peerId = peerId;
        this.address = address;
        this.connectsOut = connectsOut;
        this.reconnectBackoff = reconnectBackoff;
    }

    int peerId()
    {
        return peerId;
    }

    InetSocketAddress address()
    {
        return address;
    }

    /**
     * The listen address. A host name that did not resolve (e.g. while DNS was down) is looked up
     * again on a short-lived daemon thread, one lookup at a time, so the agent never blocks on DNS;
     * the attempt that finds the address unresolved starts the lookup and fails, a later attempt
     * uses what it found.
     *
     * @return the address; unresolved while no lookup has succeeded.
     */
    InetSocketAddress resolveAddress()
    {
        final InetSocketAddress found = lookedUp;
        if (null != found)
        {
            address = found;
            lookedUp = null;
        }
        if (null != address && address.isUnresolved() && !lookingUp)
        {
            lookingUp = true;
            final String host = address.getHostString();
            final int port = address.getPort();
            final Thread lookup = new Thread(() ->
            {
                final InetSocketAddress again = new InetSocketAddress(host, port);
                if (!again.isUnresolved())
                {
                    lookedUp = again;
                }
                lookingUp = false;
            }, "ramcast-resolve-" + host);
            lookup.setDaemon(true);
            lookup.start();
        }
        return address;
    }

    /**
     * Records whether the address resolved at the latest attempt.
     *
     * @param resolved whether it did.
     * @return whether that changed since the last report (so it is logged once per change).
     */
    boolean reportResolution(final boolean resolved)
    {
        final boolean changed = unresolvedReported == resolved;
        unresolvedReported = !resolved;
        return changed;
    }

    boolean connectsOut()
    {
        return connectsOut;
    }

    State state()
    {
        return state;
    }

    void state(final State state)
    {
        this.state = state;
    }

    /**
     * @return the connection being established or established, null if none.
     */
    TcpConnection connection()
    {
        return connection;
    }

    void connection(final TcpConnection connection)
    {
        this.connection = connection;
    }

    /**
     * @return region sizes from the peer's last HELLO, null before the first.
     */
    Int2IntHashMap regionSizeById()
    {
        return regionSizeById;
    }

    void regionSizeById(final Int2IntHashMap regionSizeById)
    {
        this.regionSizeById = regionSizeById;
    }

    Int2ObjectHashMap<TcpRemoteRegion> handleByRegionId()
    {
        return handleByRegionId;
    }

    /**
     * @return when this process attempts its connection to the peer again.
     */
    ReconnectBackoff reconnectBackoff()
    {
        return reconnectBackoff;
    }

    @Override
    public String toString()
    {
        return "TcpPeer{peerId=" + peerId + ", address=" + address + ", connectsOut=" + connectsOut +
            ", state=" + state + '}';
    }
}
