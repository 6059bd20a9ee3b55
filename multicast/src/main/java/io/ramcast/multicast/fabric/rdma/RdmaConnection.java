package io.ramcast.multicast.fabric.rdma;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One reliable connection (one queue pair) of the {@code rdma} fabric and its handshake state.
 * A connection carries one lane in one direction: the {@link Role#WRITER} end posts RDMA WRITEs
 * into the {@link Role#OWNER} end's regions; the only traffic the other way is the owner's
 * handshake SEND. So a remote access error on a writer's queue pair never touches the owner's own
 * writes, which go over another connection.
 *
 * <p>Threading: the fabric's agent thread only.
 */
final class RdmaConnection
{
    /** This process's part on the connection. */
    enum Role
    {
        /** Not known yet: an accepted connection before the peer's hello. */
        UNKNOWN,
        /** This process writes the peer's regions over it. */
        WRITER,
        /** The peer writes this process's regions over it. */
        OWNER
    }

    /** Lifecycle; transitions only through {@link #state(State)}. */
    enum State
    {
        /** Connector: resolving the address and route. */
        RESOLVING,
        /** Queue pair created; connect or accept sent. */
        CONNECTING,
        /** Connection established; hellos being exchanged. */
        HANDSHAKING,
        /** Both hellos exchanged: usable. */
        UP,
        /** Closed; its resources are released. */
        CLOSED
    }

    /** Receive and send buffer size: the largest handshake. */
    static final int HANDSHAKE_BUFFER_BYTES = HandshakeCodec.MAX_MESSAGE_BYTES;

    private final Verbs.Connection cm;
    private final boolean outbound;
    private final long deadlineNs;
    private Role role;
    private int lane;
    private RdmaPeer peer;
    private State state;
    private boolean helloSent;
    private boolean helloReceived;
    private boolean disconnectRequested;
    private ByteBuffer receiveMemory;
    private ByteBuffer sendMemory;
    private UnsafeBuffer receiveBuffer;
    private UnsafeBuffer sendBuffer;
    private Verbs.Memory receiveRegistration;
    private Verbs.Memory sendRegistration;
    private Verbs.CompletionHandler completionHandler;
    private String lostReason;
    private long flushedCount;
    /* authentication (RdmaFabricOptions.credentials): this side's nonce; accepting side: the AUTH
       received, until the connector's hello proves it; connecting side: whether the acceptor's
       CHALLENGE proved it, and the acceptor's nonce its own hello proves over */
    private byte[] localNonce;
    private Handshake pendingAuth;
    private String refusing;
    private boolean peerProven;
    private byte[] peerNonce;

    /**
     * @param cm         the connection-manager connection.
     * @param outbound   whether this process connected out.
     * @param role       the role, UNKNOWN for accepted connections.
     * @param lane       the lane, -1 if unknown.
     * @param peer       the peer, null if unknown.
     * @param state      initial state.
     * @param deadlineNs when it must be UP.
     */
    RdmaConnection(
        final Verbs.Connection cm,
        final boolean outbound,
        final Role role,
        final int lane,
        final RdmaPeer peer,
        final State state,
        final long deadlineNs)
    {
        this.cm = cm;
        this.outbound = outbound;
        this.role = role;
        this.lane = lane;
        this.peer = peer;
        this.state = state;
        this.deadlineNs = deadlineNs;
    }

    /**
     * Creates the queue pair and posts the handshake receive.
     *
     * @param verbs   the verbs (for registration).
     * @param options sizes.
     * @param handler this connection's completion handler.
     * @throws IOException if the provider refuses.
     */
    void setUp(final Verbs verbs, final RdmaFabricOptions options, final Verbs.CompletionHandler handler)
        throws IOException
    {
        completionHandler = handler;
        cm.createQueuePair(options.sendQueueDepth() + 1, 1, options.completionQueueDepth(), options.maxInlineBytes());
        receiveMemory = BufferUtil.allocateDirectAligned(HANDSHAKE_BUFFER_BYTES, 64);
        sendMemory = BufferUtil.allocateDirectAligned(HANDSHAKE_BUFFER_BYTES, 64);
        receiveBuffer = new UnsafeBuffer(receiveMemory);
        sendBuffer = new UnsafeBuffer(sendMemory);
        receiveRegistration = verbs.register(receiveMemory, Verbs.ACCESS_LOCAL_WRITE);
        sendRegistration = verbs.register(sendMemory, Verbs.ACCESS_LOCAL_WRITE);
        postHandshakeReceive();
    }

    /**
     * Posts the handshake receive again, for the next handshake message of an authenticated
     * exchange; called before this side sends what the peer answers.
     *
     * @throws IOException if the provider refuses.
     */
    void postHandshakeReceive() throws IOException
    {
        cm.postReceive(WorkRequestIds.encode(WorkRequestIds.KIND_HANDSHAKE_RECEIVE, 0),
            receiveRegistration.address(), HANDSHAKE_BUFFER_BYTES, receiveRegistration.lkey());
    }

    byte[] localNonce()
    {
        return localNonce;
    }

    void localNonce(final byte[] localNonce)
    {
        this.localNonce = localNonce;
    }

    /** @return accepting side: the AUTH received, until the connector's hello proved it; else null. */
    Handshake pendingAuth()
    {
        return pendingAuth;
    }

    void pendingAuth(final Handshake auth)
    {
        this.pendingAuth = auth;
    }

    /** @return connecting side: whether the acceptor's challenge proved it holds the secret. */
    boolean peerProven()
    {
        return peerProven;
    }

    /** @return connecting side: the acceptor's nonce from its challenge, null before. */
    byte[] peerNonce()
    {
        return peerNonce;
    }

    /** Connecting side: the acceptor proved itself with this nonce. */
    void peerProven(final byte[] peerNonce)
    {
        this.peerProven = true;
        this.peerNonce = peerNonce;
    }

    /**
     * Encodes and sends this side's hello.
     *
     * @param hello the message.
     * @throws IOException if the provider refuses.
     */
    void sendHello(final Handshake hello) throws IOException
    {
        final int length = HandshakeCodec.encode(hello, sendBuffer, 0);
        cm.postSend(WorkRequestIds.encode(WorkRequestIds.KIND_HANDSHAKE_SEND, 0), sendRegistration.address(), length,
            sendRegistration.lkey());
        helloSent = true;
    }

    /**
     * Accepting side: sends a REFUSE instead of this side's hello; the connection is closed once it
     * was sent ({@link #refusing()}).
     *
     * @param refusal the refusal.
     * @throws IOException if the provider refuses.
     */
    void sendRefusal(final HandshakeCodec.Refusal refusal) throws IOException
    {
        final int length = HandshakeCodec.encodeRefusal(refusal, sendBuffer, 0);
        cm.postSend(WorkRequestIds.encode(WorkRequestIds.KIND_HANDSHAKE_SEND, 0), sendRegistration.address(), length,
            sendRegistration.lkey());
        refusing = refusal.message();
    }

    /** @return the reason this side refused the connection (close it once the REFUSE is sent), or null. */
    String refusing()
    {
        return refusing;
    }

    /**
     * @param byteLength bytes received.
     * @return whether the peer refused the connection ({@link #decodeRefusal}).
     */
    boolean receivedRefusal(final int byteLength)
    {
        return HandshakeCodec.isRefusal(receiveBuffer, 0, byteLength);
    }

    /**
     * @param byteLength bytes received.
     * @return the peer's refusal.
     * @throws HandshakeException if it is malformed.
     */
    HandshakeCodec.Refusal decodeRefusal(final int byteLength) throws HandshakeException
    {
        return HandshakeCodec.decodeRefusal(receiveBuffer, 0, byteLength);
    }

    /**
     * @param byteLength bytes received.
     * @return the peer's hello.
     * @throws HandshakeException if it is malformed.
     */
    Handshake decodeHello(final int byteLength) throws HandshakeException
    {
        helloReceived = true;
        return HandshakeCodec.decode(receiveBuffer, 0, byteLength);
    }

    /**
     * @param limit most completions.
     * @return completions handled.
     * @throws IOException if polling fails.
     */
    int poll(final int limit) throws IOException
    {
        return null == completionHandler ? 0 : cm.pollCompletions(completionHandler, limit);
    }

    /**
     * Marks the connection as ending: its later completions are only counted.
     *
     * @param reason why, for the log.
     */
    void markLost(final String reason)
    {
        if (null == lostReason)
        {
            lostReason = reason;
        }
    }

    /** @return whether the connection is ending. */
    boolean isLost()
    {
        return null != lostReason;
    }

    /** @return why it is ending, null if it is not. */
    String lostReason()
    {
        return lostReason;
    }

    /** Counts a flushed work request (IBV_WC_WR_FLUSH_ERR). */
    void countFlushed()
    {
        flushedCount++;
    }

    /** @return flushed work requests counted. */
    long flushedCount()
    {
        return flushedCount;
    }

    /** Starts a disconnect this side asked for. */
    void disconnect()
    {
        disconnectRequested = true;
        cm.disconnect();
    }

    /**
     * Releases the queue pair and buffers. Idempotent.
     *
     * @return a problem deregistering, or null.
     */
    IOException close()
    {
        if (State.CLOSED == state)
        {
            return null;
        }
        state(State.CLOSED);
        cm.close();
        IOException problem = null;
        for (final Verbs.Memory registration : new Verbs.Memory[]{receiveRegistration, sendRegistration})
        {
            if (null != registration)
            {
                try
                {
                    registration.deregister();
                }
                catch (final IOException ex)
                {
                    problem = ex;
                }
            }
        }
        receiveRegistration = null;
        sendRegistration = null;
        return problem;
    }

    Verbs.Connection cm()
    {
        return cm;
    }

    boolean isOutbound()
    {
        return outbound;
    }

    long deadlineNs()
    {
        return deadlineNs;
    }

    Role role()
    {
        return role;
    }

    void role(final Role role)
    {
        this.role = role;
    }

    int lane()
    {
        return lane;
    }

    void lane(final int lane)
    {
        this.lane = lane;
    }

    RdmaPeer peer()
    {
        return peer;
    }

    void peer(final RdmaPeer peer)
    {
        this.peer = peer;
    }

    State state()
    {
        return state;
    }

    boolean helloSent()
    {
        return helloSent;
    }

    boolean helloReceived()
    {
        return helloReceived;
    }

    boolean disconnectRequested()
    {
        return disconnectRequested;
    }

    /**
     * The single transition point.
     *
     * @param next the new state; CLOSED is allowed from any state, others only forwards.
     */
    void state(final State next)
    {
        if (State.CLOSED != next && next.ordinal() < state.ordinal())
        {
            throw new IllegalStateException(this + ": " + state + " -> " + next + " not allowed");
        }
        state = next;
    }

    @Override
    public String toString()
    {
        return "RdmaConnection{peer=" + (null == peer ? "?" : Integer.toString(peer.peerId())) + ", role=" + role +
            ", lane=" + lane + ", outbound=" + outbound + ", state=" + state + '}';
    }
}
