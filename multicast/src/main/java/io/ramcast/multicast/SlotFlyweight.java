package io.ramcast.multicast;

import java.util.zip.CRC32C;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Typed view of one message slot record (Task 1, Relay) in a buffer: the fields of the "Message
 * slot" diagram in {@link Layout}, at its {@code SLOT_*} constants. The record's length follows from
 * its header ({@link Layout#slotRecordBytes}); the checksum and seal words sit at its end, so their
 * accessors take that length ({@code recordBytes}) from the caller, which has read and bounded the
 * header once.
 *
 * <p>Writing: header, destinations and payload, then {@link #checksum(int, int)} over them
 * ({@link #computeChecksum}), then the ring sequence words ({@link #ringSeq(long)} and
 * {@link #seal(int, long)}) last; {@code Outbox.write} stores the last word (the seal) after the
 * rest. Reading: the head ring sequence with acquire semantics, the header once, bounds, then
 * {@link #sealVolatile(int)}, and only then the body and checksum.
 *
 * <p>Not thread-safe: one instance per protocol object, re-wrapped per record (no allocation).
 */
final class SlotFlyweight
{
    /** Top bits of a SKIP record's seal ({@link #skipSealOf}). */
    private static final long SKIP_SEAL_TAG = 0xC5C1_0000_0000_0000L;
    /** Offset of the ring sequence within a destination entry. */
    private static final int DESTINATION_RING_SEQ_OFFSET = 8;
    /** Offset of the word that holds 0 after the group id within a destination entry. */
    private static final int DESTINATION_PAD_OFFSET = 4;

    private AtomicBuffer buffer;
    private int offset;

    /** Points this view at the record starting at byte {@code offset} of {@code buffer}; returns this. */
    SlotFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** @return the ring sequence in the record's head word, read with acquire semantics. */
    long ringSeqVolatile()
    {
        return buffer.getLongVolatile(offset + Layout.SLOT_RING_SEQ_OFFSET);
    }

    /** Writes the ring sequence of this ring into the head word; the seal repeats it. */
    SlotFlyweight ringSeq(final long ringSeq)
    {
        buffer.putLong(offset + Layout.SLOT_RING_SEQ_OFFSET, ringSeq);
        return this;
    }

    long messageId()
    {
        return buffer.getLong(offset + Layout.SLOT_MESSAGE_ID_OFFSET);
    }

    SlotFlyweight messageId(final long messageId)
    {
        buffer.putLong(offset + Layout.SLOT_MESSAGE_ID_OFFSET, messageId);
        return this;
    }

    /** @return the payload length in bytes as written; unchecked. */
    int payloadLength()
    {
        return buffer.getInt(offset + Layout.SLOT_PAYLOAD_LENGTH_OFFSET);
    }

    SlotFlyweight payloadLength(final int payloadLengthBytes)
    {
        buffer.putInt(offset + Layout.SLOT_PAYLOAD_LENGTH_OFFSET, payloadLengthBytes);
        return this;
    }

    /** @return the destination count k as written; unchecked (0 in a SKIP record). */
    int destinationCount()
    {
        return buffer.getInt(offset + Layout.SLOT_DESTINATION_COUNT_OFFSET);
    }

    SlotFlyweight destinationCount(final int destinationCount)
    {
        buffer.putInt(offset + Layout.SLOT_DESTINATION_COUNT_OFFSET, destinationCount);
        return this;
    }

    /** @return the group id of destination entry {@code d}. */
    int destinationGroup(final int d)
    {
        return buffer.getInt(destinationOffset(d));
    }

    /** @return the ring sequence of the message in the group of destination entry {@code d}. */
    long destinationRingSeq(final int d)
    {
        return buffer.getLong(destinationOffset(d) + DESTINATION_RING_SEQ_OFFSET);
    }

    /** Writes destination entry {@code d}: the group id, its zero pad and the ring sequence there. */
    SlotFlyweight destination(final int d, final int group, final long ringSeq)
    {
        final int at = destinationOffset(d);
        buffer.putInt(at, group);
        buffer.putInt(at + DESTINATION_PAD_OFFSET, 0);
        buffer.putLong(at + DESTINATION_RING_SEQ_OFFSET, ringSeq);
        return this;
    }

    /**
     * Writes {@code payload} after the {@code destinationCount} entries and zeroes its padding up to
     * the trailer of a record of {@code recordBytes}.
     */
    SlotFlyweight payload(final int destinationCount, final byte[] payload, final int recordBytes)
    {
        final int payloadOffset = Layout.payloadOffset(destinationCount);
        buffer.putBytes(offset + payloadOffset, payload);
        buffer.setMemory(offset + payloadOffset + payload.length,
            recordBytes - Layout.SLOT_TRAILER_BYTES - payloadOffset - payload.length, (byte)0);
        return this;
    }

    /**
     * @return the number of bytes the checksum covers, [message id, payload end), for a record with
     *         these header values; the payload is the last {@code payloadLength} of them.
     */
    static int checksummedBytes(final int payloadLength, final int destinationCount)
    {
        return Layout.payloadOffset(destinationCount) + payloadLength - Layout.SLOT_MESSAGE_ID_OFFSET;
    }

    /**
     * Computes the CRC32C of the record's first {@code checksummedBytes} bytes from the message id
     * on ({@link #checksummedBytes}), copying them into {@code scratch} (which must hold them) on the
     * way: a reader takes the payload from there, out of the ring.
     */
    int computeChecksum(final CRC32C crc, final byte[] scratch, final int checksummedBytes)
    {
        buffer.getBytes(offset + Layout.SLOT_MESSAGE_ID_OFFSET, scratch, 0, checksummedBytes);
        crc.reset();
        crc.update(scratch, 0, checksummedBytes);
        return (int)crc.getValue();
    }

    /** @return the checksum word of a record of {@code recordBytes}. */
    int checksum(final int recordBytes)
    {
        return buffer.getInt(offset + recordBytes - Layout.SLOT_TRAILER_BYTES);
    }

    /** Writes the checksum word of a record of {@code recordBytes} and the zero word beside it. */
    SlotFlyweight checksum(final int recordBytes, final int checksum)
    {
        buffer.putInt(offset + recordBytes - Layout.SLOT_TRAILER_BYTES, checksum);
        buffer.putInt(offset + recordBytes - Layout.SLOT_TRAILER_BYTES + 4, 0);
        return this;
    }

    /** @return the seal (the ring sequence again) of a record of {@code recordBytes}, with acquire semantics. */
    long sealVolatile(final int recordBytes)
    {
        return buffer.getLongVolatile(offset + recordBytes - Layout.WORD_BYTES);
    }

    /** Writes the seal of a record of {@code recordBytes}: the ring sequence of this ring; last. */
    void seal(final int recordBytes, final long ringSeq)
    {
        buffer.putLong(offset + recordBytes - Layout.WORD_BYTES, ringSeq);
    }

    /**
     * The seal of a SKIP record at ring position {@code ringSeq}: the position with a tag in its top
     * bits, a value no ring sequence (below 2^62) and so no destination entry can hold. A SKIP record
     * is short, so its seal sits where a message record keeps a destination entry, whose ring
     * sequence is the position itself: sealed with the bare position, a message record whose header
     * was not yet placed (a NIC may place a write's bytes in any order) read as a SKIP, and its
     * position was skipped for good (issue 16, item 5).
     *
     * @param ringSeq the ring position.
     * @return its SKIP seal.
     */
    static long skipSealOf(final long ringSeq)
    {
        return ringSeq ^ SKIP_SEAL_TAG;
    }

    private int destinationOffset(final int d)
    {
        return offset + Layout.SLOT_DESTINATIONS_OFFSET + d * Layout.SLOT_DESTINATION_ENTRY_BYTES;
    }
}
