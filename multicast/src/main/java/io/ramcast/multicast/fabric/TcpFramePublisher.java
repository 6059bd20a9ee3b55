package io.ramcast.multicast.fabric;

import static io.ramcast.multicast.fabric.TcpFrameDescriptor.BYTE_ORDER;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.CONTROL_FRAME_LENGTH;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.CONTROL_REGION_ID_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.CONTROL_RESERVED_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.HEADER_RESERVED_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.HELLO_ENTRY_LENGTH;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.HELLO_ENTRY_REGION_ID_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.HELLO_ENTRY_SIZE_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.HELLO_PROCESS_ID_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.HELLO_REGION_COUNT_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.HELLO_TABLE_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.LENGTH_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.TYPE_HELLO;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.TYPE_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.TYPE_REJECT;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.TYPE_RESET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.TYPE_WRITE;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.VERSION;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.VERSION_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.WRITE_PAYLOAD_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.WRITE_REGION_ID_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.WRITE_REGION_OFFSET_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Collection;

import io.ramcast.multicast.fabric.spi.RegionBounds;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes the frames of one connection (layout in {@link TcpFrameDescriptor}) into its bounded
 * outgoing queue and flushes the queue to the socket; the only place outbound bytes are written.
 *
 * <p>Bounds: the queue holds at most {@code sendBufferBytes}. WRITE frames may fill it only up to
 * {@code sendBufferBytes - CONTROL_RESERVE_BYTES}, leaving room for control frames (REJECT, RESET),
 * so that a queue full of writes never blocks the permission protocol. A frame that does not fit
 * is refused whole ({@code try*} returns false); nothing is ever partially queued. The buffer starts
 * small and grows on demand up to the bound.
 *
 * <p>Threading: agent thread only.
 */
final class TcpFramePublisher
{
    /** Initial outgoing queue capacity. */
    static final int INITIAL_CAPACITY_BYTES = 64 * 1024;

    private final int sendBufferBytes;
    private final int writeLimitBytes;
    private ByteBuffer sendBuffer;
    private final UnsafeBuffer sendView = new UnsafeBuffer(0, 0);
    private int sentPosition;
    private int queuedPosition;

    /**
     * @param sendBufferBytes bound of the queue, at least {@code CONTROL_RESERVE_BYTES} more than the
     *                        largest frame.
     */
    TcpFramePublisher(final int sendBufferBytes)
    {
        this.sendBufferBytes = sendBufferBytes;
        this.writeLimitBytes = sendBufferBytes - TcpFabricOptions.CONTROL_RESERVE_BYTES;
        allocate(Math.min(INITIAL_CAPACITY_BYTES, sendBufferBytes));
    }

    /**
     * Queues HELLO.
     *
     * @param processId this process's id.
     * @param regions   this process's regions.
     * @return whether the frame was queued.
     */
    boolean tryHello(final int processId, final Collection<FabricRegion> regions)
    {
        final int frameLength = (int)TcpFrameDescriptor.helloLength(regions.size());
        if (!reserve(frameLength, sendBufferBytes))
        {
            return false;
        }
        final int frameOffset = queuedPosition;
        putHeader(frameOffset, frameLength, TYPE_HELLO);
        sendView.putInt(frameOffset + HELLO_PROCESS_ID_OFFSET, processId, BYTE_ORDER);
        sendView.putInt(frameOffset + HELLO_REGION_COUNT_OFFSET, regions.size(), BYTE_ORDER);
        int entryOffset = frameOffset + HELLO_TABLE_OFFSET;
        for (final FabricRegion region : regions)
        {
            sendView.putInt(entryOffset + HELLO_ENTRY_REGION_ID_OFFSET, region.regionId(), BYTE_ORDER);
            sendView.putInt(entryOffset + HELLO_ENTRY_SIZE_OFFSET, region.sizeBytes(), BYTE_ORDER);
            entryOffset += HELLO_ENTRY_LENGTH;
        }
        queuedPosition += frameLength;
        return true;
    }

    /**
     * Queues AUTH.
     *
     * @param processId   the sender's process id.
     * @param incarnation the sender's incarnation.
     * @param nonce       the sender's nonce for this connection.
     * @return whether the frame was queued (false: no room).
     */
    boolean tryAuth(final int processId, final long incarnation, final byte[] nonce)
    {
        final int frameLength = TcpFrameDescriptor.AUTH_FRAME_LENGTH;
        if (!reserve(frameLength, sendBufferBytes))
        {
            return false;
        }
        final int frameOffset = queuedPosition;
        putHeader(frameOffset, frameLength, TcpFrameDescriptor.TYPE_AUTH);
        sendView.putInt(frameOffset + TcpFrameDescriptor.AUTH_PROCESS_ID_OFFSET, processId, BYTE_ORDER);
        sendView.putInt(frameOffset + TcpFrameDescriptor.AUTH_PROCESS_ID_OFFSET + 4, 0, BYTE_ORDER);
        sendView.putLong(frameOffset + TcpFrameDescriptor.AUTH_INCARNATION_OFFSET, incarnation, BYTE_ORDER);
        sendView.putBytes(frameOffset + TcpFrameDescriptor.AUTH_NONCE_OFFSET, nonce);
        queuedPosition += frameLength;
        return true;
    }

    /**
     * Queues PROOF.
     *
     * @param proof the proof, {@link FabricCredentials#PROOF_BYTES} long.
     * @return whether the frame was queued (false: no room).
     */
    boolean tryProof(final byte[] proof)
    {
        final int frameLength = TcpFrameDescriptor.PROOF_FRAME_LENGTH;
        if (!reserve(frameLength, sendBufferBytes))
        {
            return false;
        }
        final int frameOffset = queuedPosition;
        putHeader(frameOffset, frameLength, TcpFrameDescriptor.TYPE_PROOF);
        sendView.putBytes(frameOffset + TcpFrameDescriptor.PROOF_OFFSET, proof);
        queuedPosition += frameLength;
        return true;
    }

    /**
     * Queues REFUSE.
     *
     * @param code    why ({@code TcpFrameDescriptor.REFUSE_*}).
     * @param message for the refused process's log; cut to {@link TcpFrameDescriptor#MAX_REFUSE_MESSAGE_BYTES}.
     * @return whether the frame was queued.
     */
    boolean tryRefuse(final int code, final String message)
    {
        byte[] text = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (text.length > TcpFrameDescriptor.MAX_REFUSE_MESSAGE_BYTES)
        {
            text = java.util.Arrays.copyOf(text, TcpFrameDescriptor.MAX_REFUSE_MESSAGE_BYTES);
        }
        final int frameLength = (TcpFrameDescriptor.REFUSE_MESSAGE_OFFSET + text.length + 7) & ~7;
        if (!reserve(frameLength, sendBufferBytes))
        {
            return false;
        }
        final int frameOffset = queuedPosition;
        putHeader(frameOffset, frameLength, TcpFrameDescriptor.TYPE_REFUSE);
        sendView.putInt(frameOffset + TcpFrameDescriptor.REFUSE_CODE_OFFSET, code, BYTE_ORDER);
        sendView.putInt(frameOffset + TcpFrameDescriptor.REFUSE_MESSAGE_LENGTH_OFFSET, text.length, BYTE_ORDER);
        sendView.putBytes(frameOffset + TcpFrameDescriptor.REFUSE_MESSAGE_OFFSET, text);
        sendView.setMemory(frameOffset + TcpFrameDescriptor.REFUSE_MESSAGE_OFFSET + text.length,
            frameLength - TcpFrameDescriptor.REFUSE_MESSAGE_OFFSET - text.length, (byte)0);
        queuedPosition += frameLength;
        return true;
    }

    /**
     * Queues WRITE, copying the payload.
     *
     * @param regionId  target region at the receiver.
     * @param offset    byte offset in the region.
     * @param src       payload source.
     * @param srcOffset offset in {@code src}.
     * @param length    payload length, a positive multiple of 8 within the frame limit.
     * @return whether the frame was queued (false: back-pressure).
     */
    boolean tryWrite(final int regionId, final int offset, final DirectBuffer src, final int srcOffset, final int length)
    {
        final int frameLength = WRITE_PAYLOAD_OFFSET + length;
        if (!reserve(frameLength, writeLimitBytes))
        {
            return false;
        }
        final int frameOffset = queuedPosition;
        putHeader(frameOffset, frameLength, TYPE_WRITE);
        sendView.putInt(frameOffset + WRITE_REGION_ID_OFFSET, regionId, BYTE_ORDER);
        sendView.putInt(frameOffset + WRITE_REGION_OFFSET_OFFSET, offset, BYTE_ORDER);
        sendView.putBytes(frameOffset + WRITE_PAYLOAD_OFFSET, src, srcOffset, length);
        queuedPosition += frameLength;
        return true;
    }

    /**
     * Queues REJECT.
     *
     * @param regionId the refused region.
     * @return whether the frame was queued.
     */
    boolean tryReject(final int regionId)
    {
        return tryControl(TYPE_REJECT, regionId);
    }

    /**
     * Queues RESET.
     *
     * @param regionId the region to accept writes into again.
     * @return whether the frame was queued.
     */
    boolean tryReset(final int regionId)
    {
        return tryControl(TYPE_RESET, regionId);
    }

    /**
     * @return whether a control frame would be queued now.
     */
    boolean hasControlSpace()
    {
        return queuedBytes() + CONTROL_FRAME_LENGTH <= sendBufferBytes;
    }

    /**
     * @return bytes queued and not yet handed to the socket.
     */
    int queuedBytes()
    {
        return queuedPosition - sentPosition;
    }

    /**
     * Hands queued bytes to the channel with one write call. Non-blocking if the channel is.
     *
     * @param channel the connection's channel.
     * @return bytes written.
     * @throws IOException if the write fails.
     */
    int flush(final WritableByteChannel channel) throws IOException
    {
        if (queuedPosition == sentPosition)
        {
            return 0;
        }
        sendBuffer.limit(queuedPosition).position(sentPosition);
        final int written = channel.write(sendBuffer);
        sentPosition += written;
        if (sentPosition == queuedPosition)
        {
            sentPosition = 0;
            queuedPosition = 0;
        }
        return written;
    }

    private boolean tryControl(final byte type, final int regionId)
    {
        if (!reserve(CONTROL_FRAME_LENGTH, sendBufferBytes))
        {
            return false;
        }
        final int frameOffset = queuedPosition;
        putHeader(frameOffset, CONTROL_FRAME_LENGTH, type);
        sendView.putInt(frameOffset + CONTROL_REGION_ID_OFFSET, regionId, BYTE_ORDER);
        sendView.putInt(frameOffset + CONTROL_RESERVED_OFFSET, 0, BYTE_ORDER);
        queuedPosition += CONTROL_FRAME_LENGTH;
        return true;
    }

    private void putHeader(final int frameOffset, final int frameLength, final byte type)
    {
        sendView.putInt(frameOffset + LENGTH_OFFSET, frameLength, BYTE_ORDER);
        sendView.putByte(frameOffset + VERSION_OFFSET, VERSION);
        sendView.putByte(frameOffset + TYPE_OFFSET, type);
        sendView.putShort(frameOffset + HEADER_RESERVED_OFFSET, (short)0, BYTE_ORDER);
    }

    /**
     * Makes room for a frame at {@link #queuedPosition} if the queue would stay within the limit,
     * compacting or growing the buffer as needed.
     */
    private boolean reserve(final int frameLength, final int limitBytes)
    {
        final int queuedBytes = queuedBytes();
        if ((long)queuedBytes + frameLength > limitBytes)
        {
            return false;
        }
        if ((long)queuedPosition + frameLength <= sendBuffer.capacity())
        {
            return true;
        }
        final int requiredBytes = queuedBytes + frameLength;
        if (requiredBytes <= sendBuffer.capacity())
        {
            sendBuffer.limit(queuedPosition).position(sentPosition);
            sendBuffer.compact();
        }
        else
        {
            final int newCapacity = (int)Math.min(sendBufferBytes, Math.max(requiredBytes, 2L * sendBuffer.capacity()));
            final ByteBuffer old = sendBuffer;
            old.limit(queuedPosition).position(sentPosition);
            allocate(newCapacity);
            sendBuffer.put(old);
        }
        sentPosition = 0;
        queuedPosition = queuedBytes;
        return true;
    }

    private void allocate(final int capacityBytes)
    {
        sendBuffer = BufferUtil.allocateDirectAligned(capacityBytes, RegionBounds.WORD_BYTES);
        sendView.wrap(sendBuffer);
    }
}
