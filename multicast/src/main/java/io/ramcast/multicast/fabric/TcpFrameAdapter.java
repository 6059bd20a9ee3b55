package io.ramcast.multicast.fabric;

import static io.ramcast.multicast.fabric.TcpFrameDescriptor.BYTE_ORDER;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.CONTROL_FRAME_LENGTH;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.CONTROL_REGION_ID_OFFSET;
import static io.ramcast.multicast.fabric.TcpFrameDescriptor.HEADER_LENGTH;
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
import java.nio.channels.ReadableByteChannel;

import io.ramcast.multicast.fabric.spi.RegionBounds;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes the frames of one connection (layout in {@link TcpFrameDescriptor}) from its receive
 * buffer into typed {@link TcpFrameHandler} calls; the only place inbound bytes are interpreted.
 *
 * <p>Every header is validated before anything is allocated or read beyond it: the frame length
 * must be a multiple of 8 in {@code [8, maxFrameBytes]}, the version must be
 * {@link TcpFrameDescriptor#VERSION}, the type known and the body consistent with the length.
 *
 * <p>The receive buffer starts at {@link #INITIAL_CAPACITY_BYTES} and grows on demand to hold one
 * whole frame, never beyond {@code maxFrameBytes} (rounded up to a power of two).
 *
 * <p>Threading: agent thread only.
 */
final class TcpFrameAdapter
{
    /** Initial receive buffer capacity. */
    static final int INITIAL_CAPACITY_BYTES = 64 * 1024;

    private static final int NO_REGION_SIZE = -1;

    /**
     * Largest first frame: until a HELLO was handed over, only a HELLO of at most this length
     * (131,070 regions) is accepted, so a connection that has not identified itself never makes the
     * receive buffer grow beyond it.
     */
    static final int MAX_FIRST_FRAME_BYTES = 1024 * 1024;

    private final int maxFrameBytes;
    private boolean helloSeen;
    private ByteBuffer receiveBuffer;
    private final UnsafeBuffer receiveView = new UnsafeBuffer(0, 0);
    private int consumedPosition;

    /**
     * @param maxFrameBytes largest frame accepted, a multiple of 8.
     */
    TcpFrameAdapter(final int maxFrameBytes)
    {
        this.maxFrameBytes = maxFrameBytes;
        allocate(Math.min(INITIAL_CAPACITY_BYTES, BitUtil.findNextPositivePowerOfTwo(maxFrameBytes)));
    }

    /**
     * Reads once from the channel into free space of the receive buffer. Non-blocking if the channel is.
     *
     * @param channel the connection's channel.
     * @return bytes read, 0 if the buffer is full or no data was ready, -1 at end of stream.
     * @throws IOException if the read fails.
     */
    int read(final ReadableByteChannel channel) throws IOException
    {
        if (!receiveBuffer.hasRemaining())
        {
            return 0;
        }
        return channel.read(receiveBuffer);
    }

    /**
     * Decodes complete frames in arrival order and hands them to the handler, stopping at an
     * incomplete frame, after {@code frameLimit} frames, or when the handler declines a frame.
     *
     * @param connection the connection, passed through to the handler.
     * @param handler    receives the frames.
     * @param frameLimit most frames to decode in this call.
     * @return the number of frames consumed.
     * @throws TcpFrameException for a malformed frame (the connection must be closed).
     */
    int poll(final TcpConnection connection, final TcpFrameHandler handler, final int frameLimit)
        throws TcpFrameException
    {
        int frameCount = 0;
        final int limit = receiveBuffer.position();
        while (frameCount < frameLimit)
        {
            final int available = limit - consumedPosition;
            if (available < HEADER_LENGTH)
            {
                break;
            }
            final int frameLength = validateHeader(consumedPosition);
            if (available < frameLength)
            {
                ensureCapacity(frameLength);
                break;
            }
            if (!dispatch(connection, handler, consumedPosition, frameLength))
            {
                break;
            }
            consumedPosition += frameLength;
            frameCount++;
        }
        compact();
        return frameCount;
    }

    private int validateHeader(final int frameOffset) throws TcpFrameException
    {
        final int frameLength = receiveView.getInt(frameOffset + LENGTH_OFFSET, BYTE_ORDER);
        if (frameLength < HEADER_LENGTH || frameLength > maxFrameBytes || (frameLength & 7) != 0)
        {
            throw new TcpFrameException("frame length " + frameLength + " must be a multiple of 8 in [" +
                HEADER_LENGTH + ", maxFrameBytes=" + maxFrameBytes + "]");
        }
        final byte version = receiveView.getByte(frameOffset + VERSION_OFFSET);
        if (VERSION != version)
        {
            throw new TcpFrameException("frame version " + version + " is not the supported version " + VERSION);
        }
        if (!helloSeen)
        {
            final byte type = receiveView.getByte(frameOffset + TYPE_OFFSET);
            if (TYPE_HELLO != type && TcpFrameDescriptor.TYPE_AUTH != type && TcpFrameDescriptor.TYPE_PROOF != type &&
                TcpFrameDescriptor.TYPE_REFUSE != type)
            {
                throw new TcpFrameException("frame type " + type + " before HELLO");
            }
            if (frameLength > MAX_FIRST_FRAME_BYTES)
            {
                throw new TcpFrameException("HELLO length " + frameLength + " exceeds " + MAX_FIRST_FRAME_BYTES);
            }
        }
        return frameLength;
    }

    private boolean dispatch(
        final TcpConnection connection, final TcpFrameHandler handler, final int frameOffset, final int frameLength)
        throws TcpFrameException
    {
        final byte type = receiveView.getByte(frameOffset + TYPE_OFFSET);
        switch (type)
        {
            case TYPE_HELLO:
                return onHello(connection, handler, frameOffset, frameLength);
            case TYPE_WRITE:
                return onWrite(connection, handler, frameOffset, frameLength);
            case TYPE_REJECT:
                return handler.onReject(connection, controlRegionId(frameOffset, frameLength, "REJECT"));
            case TYPE_RESET:
                return handler.onReset(connection, controlRegionId(frameOffset, frameLength, "RESET"));
            case TcpFrameDescriptor.TYPE_AUTH:
                return onAuth(connection, handler, frameOffset, frameLength);
            case TcpFrameDescriptor.TYPE_PROOF:
                if (TcpFrameDescriptor.PROOF_FRAME_LENGTH != frameLength)
                {
                    throw new TcpFrameException("PROOF length " + frameLength + " is not " +
                        TcpFrameDescriptor.PROOF_FRAME_LENGTH);
                }
                final byte[] proof = new byte[FabricCredentials.PROOF_BYTES];
                receiveView.getBytes(frameOffset + TcpFrameDescriptor.PROOF_OFFSET, proof);
                return handler.onProof(connection, proof);
            case TcpFrameDescriptor.TYPE_REFUSE:
                return onRefuse(connection, handler, frameOffset, frameLength);
            default:
                throw new TcpFrameException("unknown frame type " + type + " (length " + frameLength + ")");
        }
    }

    private boolean onRefuse(
        final TcpConnection connection, final TcpFrameHandler handler, final int frameOffset, final int frameLength)
        throws TcpFrameException
    {
        final int code = receiveView.getInt(frameOffset + TcpFrameDescriptor.REFUSE_CODE_OFFSET, BYTE_ORDER);
        final int length = frameLength < TcpFrameDescriptor.REFUSE_MESSAGE_OFFSET ? -1 :
            receiveView.getInt(frameOffset + TcpFrameDescriptor.REFUSE_MESSAGE_LENGTH_OFFSET, BYTE_ORDER);
        if (length < 0 || length > TcpFrameDescriptor.MAX_REFUSE_MESSAGE_BYTES ||
            ((TcpFrameDescriptor.REFUSE_MESSAGE_OFFSET + length + 7) & ~7) != frameLength)
        {
            throw new TcpFrameException("REFUSE length " + frameLength + " does not hold a message of " + length + " bytes");
        }
        final byte[] text = new byte[length];
        receiveView.getBytes(frameOffset + TcpFrameDescriptor.REFUSE_MESSAGE_OFFSET, text);
        return handler.onRefuse(connection, code, new String(text, java.nio.charset.StandardCharsets.UTF_8));
    }

    private boolean onAuth(
        final TcpConnection connection, final TcpFrameHandler handler, final int frameOffset, final int frameLength)
        throws TcpFrameException
    {
        if (TcpFrameDescriptor.AUTH_FRAME_LENGTH != frameLength)
        {
            throw new TcpFrameException("AUTH length " + frameLength + " is not " + TcpFrameDescriptor.AUTH_FRAME_LENGTH);
        }
        final int processId = receiveView.getInt(frameOffset + TcpFrameDescriptor.AUTH_PROCESS_ID_OFFSET, BYTE_ORDER);
        if (processId < 0)
        {
            throw new TcpFrameException("AUTH process id " + processId + " must be >= 0");
        }
        final long incarnation = receiveView.getLong(frameOffset + TcpFrameDescriptor.AUTH_INCARNATION_OFFSET, BYTE_ORDER);
        final byte[] nonce = new byte[FabricCredentials.NONCE_BYTES];
        receiveView.getBytes(frameOffset + TcpFrameDescriptor.AUTH_NONCE_OFFSET, nonce);
        return handler.onAuth(connection, processId, incarnation, nonce);
    }

    private boolean onHello(
        final TcpConnection connection, final TcpFrameHandler handler, final int frameOffset, final int frameLength)
        throws TcpFrameException
    {
        if (frameLength < HELLO_TABLE_OFFSET)
        {
            throw new TcpFrameException("HELLO length " + frameLength + " is shorter than " + HELLO_TABLE_OFFSET);
        }
        final int processId = receiveView.getInt(frameOffset + HELLO_PROCESS_ID_OFFSET, BYTE_ORDER);
        final int regionCount = receiveView.getInt(frameOffset + HELLO_REGION_COUNT_OFFSET, BYTE_ORDER);
        if (processId < 0)
        {
            throw new TcpFrameException("HELLO process id " + processId + " must be >= 0");
        }
        if (regionCount < 0 || TcpFrameDescriptor.helloLength(regionCount) != frameLength)
        {
            throw new TcpFrameException("HELLO region count " + regionCount + " does not match length " + frameLength);
        }

        final Int2IntHashMap regionSizeById = new Int2IntHashMap(NO_REGION_SIZE);
        for (int i = 0; i < regionCount; i++)
        {
            final int entryOffset = frameOffset + HELLO_TABLE_OFFSET + i * HELLO_ENTRY_LENGTH;
            final int regionId = receiveView.getInt(entryOffset + HELLO_ENTRY_REGION_ID_OFFSET, BYTE_ORDER);
            final int sizeBytes = receiveView.getInt(entryOffset + HELLO_ENTRY_SIZE_OFFSET, BYTE_ORDER);
            if (regionId < 0 || sizeBytes <= 0 || (sizeBytes & 7) != 0)
            {
                throw new TcpFrameException("HELLO entry " + i + ": regionId=" + regionId + " sizeBytes=" + sizeBytes +
                    " (id must be >= 0, size a positive multiple of 8)");
            }
            if (NO_REGION_SIZE != regionSizeById.put(regionId, sizeBytes))
            {
                throw new TcpFrameException("HELLO lists region " + regionId + " twice");
            }
        }
        final boolean accepted = handler.onHello(connection, processId, regionSizeById);
        helloSeen |= accepted;
        return accepted;
    }

    private boolean onWrite(
        final TcpConnection connection, final TcpFrameHandler handler, final int frameOffset, final int frameLength)
        throws TcpFrameException
    {
        if (frameLength <= WRITE_PAYLOAD_OFFSET)
        {
            throw new TcpFrameException("WRITE length " + frameLength + " carries no payload");
        }
        final int regionId = receiveView.getInt(frameOffset + WRITE_REGION_ID_OFFSET, BYTE_ORDER);
        final int offset = receiveView.getInt(frameOffset + WRITE_REGION_OFFSET_OFFSET, BYTE_ORDER);
        if (regionId < 0 || offset < 0 || (offset & 7) != 0)
        {
            throw new TcpFrameException("WRITE regionId=" + regionId + " offset=" + offset +
                " (id must be >= 0, offset a non-negative multiple of 8)");
        }
        return handler.onWrite(
            connection, regionId, offset, receiveView, frameOffset + WRITE_PAYLOAD_OFFSET, frameLength - WRITE_PAYLOAD_OFFSET);
    }

    private int controlRegionId(final int frameOffset, final int frameLength, final String typeName)
        throws TcpFrameException
    {
        if (CONTROL_FRAME_LENGTH != frameLength)
        {
            throw new TcpFrameException(typeName + " length " + frameLength + " must be " + CONTROL_FRAME_LENGTH);
        }
        final int regionId = receiveView.getInt(frameOffset + CONTROL_REGION_ID_OFFSET, BYTE_ORDER);
        if (regionId < 0)
        {
            throw new TcpFrameException(typeName + " regionId=" + regionId + " must be >= 0");
        }
        return regionId;
    }

    private void ensureCapacity(final int frameLength)
    {
        if (frameLength > receiveBuffer.capacity())
        {
            final int newCapacity = Math.max(frameLength, BitUtil.findNextPositivePowerOfTwo(frameLength));
            final ByteBuffer old = receiveBuffer;
            final int unconsumedStart = consumedPosition;
            final int unconsumedEnd = old.position();
            allocate(newCapacity);
            old.limit(unconsumedEnd).position(unconsumedStart);
            receiveBuffer.put(old);
            consumedPosition = 0;
        }
    }

    private void compact()
    {
        if (0 == consumedPosition)
        {
            return;
        }
        receiveBuffer.limit(receiveBuffer.position()).position(consumedPosition);
        receiveBuffer.compact();
        consumedPosition = 0;
    }

    private void allocate(final int capacityBytes)
    {
        receiveBuffer = BufferUtil.allocateDirectAligned(capacityBytes, RegionBounds.WORD_BYTES);
        receiveView.wrap(receiveBuffer);
    }
}
