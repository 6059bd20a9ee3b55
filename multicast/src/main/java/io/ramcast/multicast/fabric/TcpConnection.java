package io.ramcast.multicast.fabric;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;

/**
 * One socket of the {@code tcp} fabric with its framing state: a connection to a peer being
 * established (outbound) or identified (inbound), then carrying frames in both directions.
 *
 * <p>Threading: agent thread only.
 */
final class TcpConnection
{
    /** The only TLS version the fabric speaks. */
    static final String TLS_PROTOCOL = "TLSv1.3";

    /** Lifecycle of a connection; transitions only through {@link #state(State)}. */
    enum State
    {
        /** Outbound TCP connect in progress; HELLO queued, nothing sent. */
        CONNECTING,
        /** Socket connected, HELLO sent or queued, waiting for the peer's HELLO. */
        HANDSHAKING,
        /** Both HELLOs exchanged: carries writes. */
        ACTIVE,
        /** Socket closed; the connection is dropped at the end of the duty cycle. */
        CLOSED
    }

    private final SocketChannel channel;
    private final boolean outbound;
    private final SocketAddress remoteAddress;
    private final TcpFrameAdapter adapter;
    private final TcpFramePublisher publisher;
    private final TcpTlsChannel tls;
    private final IntHashSet rejectedRegionIds = new IntHashSet();
    private final Int2ObjectHashMap<FabricRegion.WriterGate> writerGateByRegionId = new Int2ObjectHashMap<>();
    private SelectionKey selectionKey;
    private TcpPeer peer;
    private State state;
    private long establishDeadlineNs;
    /* authentication (FabricCredentials): this side's nonce, the peer's claimed id, incarnation and
       nonce from its AUTH, and whether its PROOF held */
    private byte[] localNonce;
    private int claimedPeerId = -1;
    private long peerIncarnation;
    private byte[] peerNonce;
    private boolean authenticated;
    /** When bytes last arrived on it (fabric clock, ns); 0 before any. */
    private long lastReadNs;
    private String refusal;

    /**
     * @param channel             the non-blocking socket.
     * @param outbound            whether this process opened it.
     * @param remoteAddress       the peer's address, for messages.
     * @param peer                the peer for an outbound connection, null for an inbound one.
     * @param state               CONNECTING or HANDSHAKING.
     * @param establishDeadlineNs when the peer's HELLO must have arrived, in clock nanoseconds.
     * @param options             the fabric options; with {@link TcpFabricOptions#tls()} the
     *                            connection is encrypted.
     * @throws IOException if TLS cannot start.
     */
    TcpConnection(
        final SocketChannel channel,
        final boolean outbound,
        final SocketAddress remoteAddress,
        final TcpPeer peer,
        final State state,
        final long establishDeadlineNs,
        final TcpFabricOptions options) throws IOException
    {
        this.channel = channel;
        this.outbound = outbound;
        this.remoteAddress = remoteAddress;
        this.peer = peer;
        this.state = state;
        this.establishDeadlineNs = establishDeadlineNs;
        this.adapter = new TcpFrameAdapter(options.maxFrameBytes());
        this.publisher = new TcpFramePublisher(options.sendBufferBytes());
        this.tls = null == options.tls() ? null : new TcpTlsChannel(channel, tlsEngine(options.tls(), outbound));
    }

    private static SSLEngine tlsEngine(final SSLContext context, final boolean outbound) throws IOException
    {
        final SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(outbound);
        engine.setNeedClientAuth(true);
        engine.setEnabledProtocols(new String[] {TLS_PROTOCOL});
        engine.beginHandshake();
        return engine;
    }

    SocketChannel channel()
    {
        return channel;
    }

    /** @return the channel plaintext frames are read from and written to: the TLS channel or the socket. */
    ByteChannel io()
    {
        return null == tls ? channel : tls;
    }

    /** @return the TLS channel, null for a plaintext connection. */
    TcpTlsChannel tls()
    {
        return tls;
    }

    boolean isOutbound()
    {
        return outbound;
    }

    TcpFrameAdapter adapter()
    {
        return adapter;
    }

    TcpFramePublisher publisher()
    {
        return publisher;
    }

    SelectionKey selectionKey()
    {
        return selectionKey;
    }

    void selectionKey(final SelectionKey selectionKey)
    {
        this.selectionKey = selectionKey;
    }

    /**
     * @return the peer, null while an inbound connection has not been identified by its HELLO.
     */
    TcpPeer peer()
    {
        return peer;
    }

    void peer(final TcpPeer peer)
    {
        this.peer = peer;
    }

    State state()
    {
        return state;
    }

    /**
     * The single transition point: CONNECTING → HANDSHAKING → ACTIVE, and any state → CLOSED.
     *
     * @param next the new state.
     * @throws IllegalStateException for any other transition.
     */
    void state(final State next)
    {
        final boolean allowed;
        switch (next)
        {
            case HANDSHAKING:
                allowed = State.CONNECTING == state;
                break;
            case ACTIVE:
                allowed = State.HANDSHAKING == state;
                break;
            case CLOSED:
                allowed = true;
                break;
            case CONNECTING:
            default:
                allowed = false;
                break;
        }
        if (!allowed)
        {
            throw new IllegalStateException(this + ": " + state + " -> " + next + " not allowed");
        }
        state = next;
    }

    long establishDeadlineNs()
    {
        return establishDeadlineNs;
    }

    void establishDeadlineNs(final long establishDeadlineNs)
    {
        this.establishDeadlineNs = establishDeadlineNs;
    }

    /**
     * @return owner side: regions whose writes from this connection are dropped until RESET.
     */
    IntHashSet rejectedRegionIds()
    {
        return rejectedRegionIds;
    }

    /**
     * Owner side: the connection's peer's gate of a region, cached so that applying a WRITE does not
     * look it up.
     *
     * @param region the region.
     * @return the gate of this connection's peer.
     */
    FabricRegion.WriterGate writerGate(final FabricRegion region)
    {
        FabricRegion.WriterGate gate = writerGateByRegionId.get(region.regionId());
        if (null == gate)
        {
            gate = region.gate(peer.peerId());
            writerGateByRegionId.put(region.regionId(), gate);
        }
        return gate;
    }

    byte[] localNonce()
    {
        return localNonce;
    }

    void localNonce(final byte[] localNonce)
    {
        this.localNonce = localNonce;
    }

    int claimedPeerId()
    {
        return claimedPeerId;
    }

    long peerIncarnation()
    {
        return peerIncarnation;
    }

    byte[] peerNonce()
    {
        return peerNonce;
    }

    /** Records the peer's AUTH. */
    void peerAuth(final int claimedPeerId, final long peerIncarnation, final byte[] peerNonce)
    {
        this.claimedPeerId = claimedPeerId;
        this.peerIncarnation = peerIncarnation;
        this.peerNonce = peerNonce;
    }

    boolean authenticated()
    {
        return authenticated;
    }

    void authenticated(final boolean authenticated)
    {
        this.authenticated = authenticated;
    }

    /** @return why this connection is refused once its REFUSE is flushed, or null if it is not. */
    String refusal()
    {
        return refusal;
    }

    /** @param reason the connection is refused: close it once its REFUSE frame is flushed. */
    void refusal(final String reason)
    {
        this.refusal = reason;
    }

    /** @return when bytes last arrived on this connection (fabric clock, ns); 0 before any. */
    long lastReadNs()
    {
        return lastReadNs;
    }

    /** @param nowNs bytes arrived now. */
    void readAt(final long nowNs)
    {
        lastReadNs = nowNs;
    }

    /** @return the peer's address, for messages. */
    SocketAddress remoteAddress()
    {
        return remoteAddress;
    }

    /** @return the peer's IP address, or null if the remote address is not an IP socket address. */
    java.net.InetAddress sourceAddress()
    {
        return remoteAddress instanceof java.net.InetSocketAddress inet ? inet.getAddress() : null;
    }

    @Override
    public String toString()
    {
        return "TcpConnection{" + (outbound ? "to " : "from ") + remoteAddress +
            ", peer=" + (null == peer ? "unidentified" : Integer.toString(peer.peerId())) + ", state=" + state + '}';
    }
}
