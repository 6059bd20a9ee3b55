package io.ramcast.multicast.fabric;

import org.agrona.DirectBuffer;

/**
 * A handle to a region of a peer into which this process issues one-sided writes.
 *
 * <p>Threading: used only by the agent thread that owns the fabric. Writes never block.
 */
public interface RemoteRegion
{
    /** State of the path to the remote region. */
    enum Status
    {
        /** No connection yet; writes return {@link WriteResult#NOT_CONNECTED}. */
        CONNECTING,
        /** Writes are accepted and will land unless revoked. */
        READY,
        /** A write was rejected by the owner (revoked permission); later writes fail too. */
        FAILED,
        /** The peer is dead or its connection was lost; writes return {@link WriteResult#PEER_DOWN}. */
        PEER_DOWN
    }

    /**
     * @return process id of the region's owner.
     */
    int peerId();

    /**
     * @return region id at the owner.
     */
    int regionId();

    /**
     * @return current status of the handle.
     */
    Status status();

    /**
     * @return size of the remote region in bytes, or -1 while not yet connected.
     */
    int sizeBytes();

    /**
     * @return how many connections to the owner have completed their handshake so far: 0 before
     *         the first, then 1, and one more after each re-establishment (the owner restarted, or
     *         the connection was lost and made again). Writes issued on an earlier connection and
     *         not yet landed when it was lost never land. Lets a writer that keeps a stream of
     *         writes into the region (a mailbox ring) start it over on the new connection.
     */
    long connectionEpoch();

    /**
     * Issues a one-sided write of {@code length} bytes from {@code src} at {@code srcOffset} into the
     * remote region at {@code offset}. The bytes are copied before the method returns, so the caller
     * may reuse {@code src} at once. Visibility at the peer follows the issue order of this process's
     * writes to that peer (see {@link Fabric}).
     *
     * @param offset    byte offset in the remote region, a multiple of 8.
     * @param src       source bytes.
     * @param srcOffset offset in {@code src}.
     * @param length    number of bytes, a positive multiple of 8.
     * @return the outcome at issue time.
     * @throws IndexOutOfBoundsException if the write does not fit the remote region, or the offset or
     *                                   length is not a multiple of 8.
     */
    WriteResult write(int offset, DirectBuffer src, int srcOffset, int length);

    /**
     * Re-establishes a {@link Status#FAILED} handle after its owner granted the permission again,
     * the equivalent of reconnecting an RDMA queue pair after a remote access error. No-op otherwise.
     */
    void reset();
}
