package io.ramcast.multicast;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Typed view of one stored-up-to cell (H1) in a buffer: the fields of the "Stored-up-to cell"
 * diagram in {@link Layout}, at its {@code STORED_*_OFFSET} constants.
 *
 * <p>Writing: set both fields, then {@link #seal()} last, which also zeroes the reserved word;
 * {@code Outbox.write} stores the last word (the seal) after the rest. Reading: read
 * {@link #sealVolatile()} first (acquire), then the fields once into locals, and accept the cell
 * only if the seal equals {@link #sealOf} of those locals.
 *
 * <p>Not thread-safe: one instance per protocol object, re-wrapped per cell (no allocation).
 */
final class StoredCellFlyweight
{
    /** Offset of the reserved word, always 0. */
    private static final int RESERVED_OFFSET = Layout.STORED_SEQ_OFFSET + Layout.WORD_BYTES;

    private AtomicBuffer buffer;
    private int offset;

    /** Points this view at the cell starting at byte {@code offset} of {@code buffer}; returns this. */
    StoredCellFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** @return the ballot of the leader stream the member holds. */
    long ballot()
    {
        return buffer.getLong(offset + Layout.STORED_BALLOT_OFFSET);
    }

    StoredCellFlyweight ballot(final long ballot)
    {
        buffer.putLong(offset + Layout.STORED_BALLOT_OFFSET, ballot);
        return this;
    }

    /** @return the stream sequence the member holds the stream up to, inclusive. */
    long storedSeq()
    {
        return buffer.getLong(offset + Layout.STORED_SEQ_OFFSET);
    }

    StoredCellFlyweight storedSeq(final long storedSeq)
    {
        buffer.putLong(offset + Layout.STORED_SEQ_OFFSET, storedSeq);
        return this;
    }

    /** @return the seal word, read with acquire semantics (read it before the other fields). */
    long sealVolatile()
    {
        return buffer.getLongVolatile(offset + Layout.STORED_SEAL_OFFSET);
    }

    /** Zeroes the reserved word and writes the seal over the fields now in the cell; call it last. */
    void seal()
    {
        buffer.putLong(offset + RESERVED_OFFSET, 0);
        buffer.putLong(offset + Layout.STORED_SEAL_OFFSET, sealOf(ballot(), storedSeq()));
    }

    /** @return the seal of a cell with these fields; never 0. */
    static long sealOf(final long ballot, final long storedSeq)
    {
        return Layout.seal(ballot, storedSeq, 0, Layout.STORED_CELL_BYTES);
    }
}
