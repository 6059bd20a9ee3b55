package io.ramcast.multicast.fabric.rdma;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The few RDMA verbs and connection-manager calls the {@code rdma} fabric uses, behind an interface
 * so that the fabric's logic runs against an in-memory fake in tests and against DiSNI
 * ({@link DisniVerbs}) on RDMA hardware. Only {@link DisniVerbs} touches DiSNI classes, so loading
 * the fabric does not need the native {@code libdisni}.
 *
 * <p>Model: reliable-connected queue pairs set up by the RDMA connection manager. A connector calls
 * {@link #connect}, gets {@link CmEvent#ROUTE_RESOLVED}, creates its queue pair, posts its receive
 * and calls {@link Connection#connect()}; an acceptor gets {@link CmEvent#CONNECT_REQUEST} with a
 * new connection, creates its queue pair and calls {@link Connection#accept()}. Both then get
 * {@link CmEvent#ESTABLISHED}. Each connection has its own completion queue for its send and
 * receive work requests. Work-request ids are opaque to this layer ({@link WorkRequestIds}).
 *
 * <p>Threading: one thread (the fabric's agent) calls everything. No call blocks except
 * {@link Memory#deregister()} and {@link #register}, which are short kernel calls.
 */
interface Verbs extends AutoCloseable
{
    /** Access flag: the NIC may write the memory on behalf of local work requests (receives). */
    int ACCESS_LOCAL_WRITE = 1;
    /** Access flag: peers holding the rkey may RDMA WRITE the memory. */
    int ACCESS_REMOTE_WRITE = 2;
    /** Access flag: peers holding the rkey may RDMA READ the memory. */
    int ACCESS_REMOTE_READ = 4;

    /** Connection-manager events, in the order the fabric reacts to them. */
    enum CmEvent
    {
        /** Connector: address and route resolved; create the queue pair and connect. */
        ROUTE_RESOLVED,
        /** Acceptor: a peer asks to connect; the event carries the new connection. */
        CONNECT_REQUEST,
        /** The connection is usable on this side. */
        ESTABLISHED,
        /** The connection was closed, by either side; its queue pair flushes what is outstanding. */
        DISCONNECTED,
        /** Setting up the connection failed (address/route error, unreachable, rejected, device gone). */
        FAILED
    }

    /** Status of a work completion, the subset of {@code ibv_wc_status} the fabric tells apart. */
    enum CompletionStatus
    {
        /** IBV_WC_SUCCESS. */
        SUCCESS,
        /** IBV_WC_REM_ACCESS_ERR (10): the responder refused the rkey, address or access right. */
        REMOTE_ACCESS_ERROR,
        /** IBV_WC_WR_FLUSH_ERR (5): not executed because the queue pair was already in the error state. */
        FLUSHED,
        /** IBV_WC_RETRY_EXC_ERR (12) or IBV_WC_RNR_RETRY_EXC_ERR (13): the peer did not answer. */
        RETRY_EXCEEDED,
        /**
         * IBV_WC_LOC_LEN_ERR (1): on a receive, the peer sent a message larger than the posted
         * buffer (the peer's fault: another version, or a bad peer); on a send or write, a bug in
         * the caller.
         */
        LENGTH_ERROR,
        /** A local error (protection, queue-pair operation): a bug in the caller. */
        LOCAL_ERROR,
        /** Any other error status (fatal, remote operation, general...). */
        OTHER_ERROR;

        /**
         * @param raw an {@code ibv_wc_status} value.
         * @return its kind.
         */
        static CompletionStatus of(final int raw)
        {
            return switch (raw)
            {
                case 0 -> SUCCESS;
                case 5 -> FLUSHED;
                case 10 -> REMOTE_ACCESS_ERROR;
                case 12, 13 -> RETRY_EXCEEDED;
                case 1 -> LENGTH_ERROR;
                case 2, 3, 4, 8 -> LOCAL_ERROR;
                default -> OTHER_ERROR;
            };
        }
    }

    /** Receives connection-manager events from {@link #pollCmEvents}. */
    @FunctionalInterface
    interface CmEventHandler
    {
        /**
         * @param event      what happened.
         * @param connection the connection concerned (for CONNECT_REQUEST, the new one).
         * @param detail     human-readable detail for logs (the raw event name; DiSNI passes no event status).
         */
        void onCmEvent(CmEvent event, Connection connection, String detail);
    }

    /** Receives work completions from {@link Connection#pollCompletions}. */
    @FunctionalInterface
    interface CompletionHandler
    {
        /**
         * @param workRequestId the id given when posting.
         * @param status        the outcome.
         * @param rawStatus     the provider's numeric status, for logs.
         * @param vendorError   the provider's vendor error of a failed completion ({@code vendor_err}
         *                      of {@code ibv_wc}: the NIC's own reason, which its vendor documents),
         *                      0 for a successful one; for logs.
         * @param byteLength    bytes received, for receive completions.
         */
        void onCompletion(long workRequestId, CompletionStatus status, int rawStatus, int vendorError, int byteLength);
    }

    /** A registered memory region. */
    interface Memory
    {
        /** @return virtual address of the first byte, as peers use it in RDMA WRITEs. */
        long address();

        /** @return length in bytes. */
        int length();

        /** @return the key local work requests use. */
        int lkey();

        /** @return the key peers use; only meaningful with remote access. */
        int rkey();

        /**
         * Deregisters the region. When this returns the NIC accepts no more access with its keys:
         * an RDMA WRITE carrying the rkey fails with a remote access error at its writer.
         *
         * @throws IOException if the provider refuses.
         */
        void deregister() throws IOException;
    }

    /** A listening endpoint. */
    interface Listener
    {
        /** Stops listening. Idempotent. */
        void close();
    }

    /** One reliable connection and its queue pair. */
    interface Connection
    {
        /**
         * Creates the queue pair and its completion queue. Before {@link #connect()} or {@link #accept()}.
         *
         * @param sendQueueDepth       most outstanding send work requests.
         * @param receiveQueueDepth    most outstanding receives.
         * @param completionQueueDepth completion queue entries.
         * @param maxInlineBytes       largest inline payload.
         * @throws IOException if the provider refuses.
         */
        void createQueuePair(int sendQueueDepth, int receiveQueueDepth, int completionQueueDepth, int maxInlineBytes)
            throws IOException;

        /**
         * Connector: asks the acceptor to connect. ESTABLISHED or FAILED follows.
         *
         * @throws IOException if the request cannot be sent.
         */
        void connect() throws IOException;

        /**
         * Acceptor: accepts the CONNECT_REQUEST. ESTABLISHED follows.
         *
         * @throws IOException if the reply cannot be sent.
         */
        void accept() throws IOException;

        /**
         * Posts a one-sided RDMA WRITE.
         *
         * @param workRequestId id reported by the completion.
         * @param localAddress  source address inside registered memory.
         * @param length        bytes, 0 allowed (a zero-length write touches no remote memory).
         * @param lkey          key of the source memory.
         * @param remoteAddress target address at the peer.
         * @param rkey          the peer's key for the target memory.
         * @param signalled     whether a successful completion is reported (errors always are).
         * @param inline        whether the payload is copied into the work request (IBV_SEND_INLINE).
         * @throws IOException if the provider refuses the work request (send queue overflow).
         */
        void postWrite(
            long workRequestId,
            long localAddress,
            int length,
            int lkey,
            long remoteAddress,
            int rkey,
            boolean signalled,
            boolean inline) throws IOException;

        /**
         * Posts a signalled two-sided SEND (the handshake).
         *
         * @param workRequestId id reported by the completion.
         * @param localAddress  source address inside registered memory.
         * @param length        bytes.
         * @param lkey          key of the source memory.
         * @throws IOException if the provider refuses.
         */
        void postSend(long workRequestId, long localAddress, int length, int lkey) throws IOException;

        /**
         * Posts a receive buffer.
         *
         * @param workRequestId id reported by the completion.
         * @param localAddress  buffer address inside registered memory with local write access.
         * @param length        buffer length.
         * @param lkey          key of the buffer.
         * @throws IOException if the provider refuses.
         */
        void postReceive(long workRequestId, long localAddress, int length, int lkey) throws IOException;

        /**
         * Polls the completion queue without blocking.
         *
         * @param handler told of each completion.
         * @param limit   most completions to report.
         * @return completions reported.
         * @throws IOException if polling fails.
         */
        int pollCompletions(CompletionHandler handler, int limit) throws IOException;

        /** Starts an orderly disconnect; DISCONNECTED follows on both sides. Idempotent. */
        void disconnect();

        /** Destroys the queue pair, completion queue and connection id. Idempotent. */
        void close();
    }

    /**
     * Binds and listens.
     *
     * @param address the local address; on RDMA hardware an address of the RDMA interface.
     * @param backlog pending connection requests.
     * @return the listener.
     * @throws IOException if binding fails.
     */
    Listener listen(InetSocketAddress address, int backlog) throws IOException;

    /**
     * Starts connecting to a listener: resolves the address and route; ROUTE_RESOLVED or FAILED follows.
     *
     * @param remote    the peer's listen address.
     * @param timeoutMs resolution timeout.
     * @return the connection, not yet usable.
     * @throws IOException if resolution cannot start.
     */
    Connection connect(InetSocketAddress remote, int timeoutMs) throws IOException;

    /**
     * Reports pending connection-manager events without blocking.
     *
     * @param handler told of each event.
     * @param limit   most events to report.
     * @return events reported.
     * @throws IOException if the event channel fails.
     */
    int pollCmEvents(CmEventHandler handler, int limit) throws IOException;

    /**
     * Registers memory with the protection domain of the device the connections use. Valid once a
     * queue pair exists.
     *
     * @param buffer a direct buffer; the whole capacity is registered.
     * @param access {@code ACCESS_*} flags.
     * @return the registration.
     * @throws IOException if the provider refuses.
     */
    Memory register(ByteBuffer buffer, int access) throws IOException;

    /** Closes the event channel and protection domain. Idempotent. */
    @Override
    void close();
}
