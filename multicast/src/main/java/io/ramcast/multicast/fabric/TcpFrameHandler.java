package io.ramcast.multicast.fabric;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;

/**
 * Typed receiver of the frames {@link TcpFrameAdapter} decodes. Header fields and every field that
 * can be checked without the fabric's state have been validated already; the handler checks the
 * rest (region existence, bounds, protocol state) and throws {@link TcpFrameException} to close
 * the connection.
 *
 * <p>Threading: agent thread. Returning {@code false} means "cannot take this frame now" (the
 * reply it needs does not fit the outgoing queue): the adapter stops and offers the same frame
 * again on the next poll.
 */
interface TcpFrameHandler
{
    /**
     * @param connection  the connection the frame arrived on.
     * @param processId   the sender's process id, non-negative.
     * @param incarnation the sender's incarnation.
     * @param nonce       the sender's nonce, {@link FabricCredentials#NONCE_BYTES} long.
     * @return whether the frame was consumed.
     * @throws TcpFrameException if the AUTH is not acceptable.
     */
    boolean onAuth(TcpConnection connection, int processId, long incarnation, byte[] nonce) throws TcpFrameException;

    /**
     * @param connection the connection the frame arrived on.
     * @param proof      the sender's proof, {@link FabricCredentials#PROOF_BYTES} long.
     * @return whether the frame was consumed.
     * @throws TcpFrameException if the proof does not hold (the connection is closed).
     */
    boolean onProof(TcpConnection connection, byte[] proof) throws TcpFrameException;

    /**
     * @param connection the connection the frame arrived on.
     * @param code       why the peer refused it.
     * @param message    the peer's explanation.
     * @return whether the frame was consumed.
     * @throws TcpFrameException if a REFUSE is not expected here.
     */
    boolean onRefuse(TcpConnection connection, int code, String message) throws TcpFrameException;

    /**
     * @param connection      the connection the frame arrived on.
     * @param processId       the sender's process id, non-negative.
     * @param regionSizeById  the sender's regions, sizes positive multiples of 8.
     * @return whether the frame was consumed.
     * @throws TcpFrameException if the HELLO is not acceptable.
     */
    boolean onHello(TcpConnection connection, int processId, Int2IntHashMap regionSizeById) throws TcpFrameException;

    /**
     * @param connection    the connection the frame arrived on.
     * @param regionId      target region id, non-negative.
     * @param offset        offset in the region, a non-negative multiple of 8.
     * @param buffer        buffer holding the payload, valid only during the call.
     * @param payloadOffset offset of the payload in {@code buffer}.
     * @param length        payload length, a positive multiple of 8.
     * @return whether the frame was consumed.
     * @throws TcpFrameException if the write is not acceptable.
     */
    boolean onWrite(TcpConnection connection, int regionId, int offset, DirectBuffer buffer, int payloadOffset, int length)
        throws TcpFrameException;

    /**
     * @param connection the connection the frame arrived on.
     * @param regionId   region id at the sender, non-negative.
     * @return whether the frame was consumed.
     * @throws TcpFrameException if the REJECT is not acceptable.
     */
    boolean onReject(TcpConnection connection, int regionId) throws TcpFrameException;

    /**
     * @param connection the connection the frame arrived on.
     * @param regionId   region id at the receiver, non-negative.
     * @return whether the frame was consumed.
     * @throws TcpFrameException if the RESET is not acceptable.
     */
    boolean onReset(TcpConnection connection, int regionId) throws TcpFrameException;
}
