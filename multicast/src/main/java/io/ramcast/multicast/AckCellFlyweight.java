package io.ramcast.multicast;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Typed view of one ack cell (Task 3) in a buffer: the fields of the "Ack cell" diagram in
 * {@link Layout}, at its {@code ACK_*_OFFSET} constants.
 *
 * <p>Writing: set every field, then {@link #seal()} last; {@code Outbox.write} stores the last word
 * (the seal) after the rest. Reading: read {@link #sealVolatile()} first (acquire), then the fields
 * once into locals, and count the ack only if the seal equals {@link #sealOf} of those locals.
 *
 * <p>Not thread-safe: one instance per protocol object, re-wrapped per cell (no allocation).
 */
final class AckCellFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** Points this view at the cell starting at byte {@code offset} of {@code buffer}; returns this. */
    AckCellFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** @return the ballot of the acked proposal. */
    long ballot()
    {
        return buffer.getLong(offset + Layout.ACK_BALLOT_OFFSET);
    }

    AckCellFlyweight ballot(final long ballot)
    {
        buffer.putLong(offset + Layout.ACK_BALLOT_OFFSET, ballot);
        return this;
    }

    /** @return the value of the acked proposal. */
    long value()
    {
        return buffer.getLong(offset + Layout.ACK_VALUE_OFFSET);
    }

    AckCellFlyweight value(final long value)
    {
        buffer.putLong(offset + Layout.ACK_VALUE_OFFSET, value);
        return this;
    }

    /** @return the id of the message acked, which validates the slot occupant. */
    long messageId()
    {
        return buffer.getLong(offset + Layout.ACK_MESSAGE_ID_OFFSET);
    }

    AckCellFlyweight messageId(final long messageId)
    {
        buffer.putLong(offset + Layout.ACK_MESSAGE_ID_OFFSET, messageId);
        return this;
    }

    /** @return the seal word, read with acquire semantics (read it before the other fields). */
    long sealVolatile()
    {
        return buffer.getLongVolatile(offset + Layout.ACK_SEAL_OFFSET);
    }

    /** Writes the seal over the fields now in the cell; call it last. */
    void seal()
    {
        buffer.putLong(offset + Layout.ACK_SEAL_OFFSET, sealOf(ballot(), value(), messageId()));
    }

    /** @return the seal of a cell with these fields; never 0. */
    static long sealOf(final long ballot, final long value, final long messageId)
    {
        return Layout.seal(ballot, value, messageId, Layout.ACK_CELL_BYTES);
    }
}
