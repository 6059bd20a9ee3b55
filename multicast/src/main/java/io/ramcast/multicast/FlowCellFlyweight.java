package io.ramcast.multicast;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Typed view of one FLOW cell in a buffer: the fields of the "FLOW cell" diagram in {@link Layout},
 * at its {@code FLOW_*_OFFSET} constants.
 *
 * <p>Writing: set every field, then {@link #seal()} last; {@code Outbox.write} stores the last word
 * (the seal) after the rest. Reading: read {@link #sealVolatile()} first (acquire), then the fields
 * once into locals, and accept the cell only if the seal equals {@link #sealOf} of those locals.
 *
 * <p>Not thread-safe: one instance per protocol object, re-wrapped per cell (no allocation).
 */
final class FlowCellFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** Points this view at the cell starting at byte {@code offset} of {@code buffer}; returns this. */
    FlowCellFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** @return the ring sequence below which every message is delivered and its slot free. */
    long freedUpTo()
    {
        return buffer.getLong(offset + Layout.FLOW_FREED_OFFSET);
    }

    FlowCellFlyweight freedUpTo(final long freedUpTo)
    {
        buffer.putLong(offset + Layout.FLOW_FREED_OFFSET, freedUpTo);
        return this;
    }

    /** @return the next ring sequence the server expects from this client. */
    long nextRingSeq()
    {
        return buffer.getLong(offset + Layout.FLOW_NEXT_RING_SEQ_OFFSET);
    }

    FlowCellFlyweight nextRingSeq(final long nextRingSeq)
    {
        buffer.putLong(offset + Layout.FLOW_NEXT_RING_SEQ_OFFSET, nextRingSeq);
        return this;
    }

    /** @return the highest message sequence the server took from this client. */
    long lastSequence()
    {
        return buffer.getLong(offset + Layout.FLOW_LAST_SEQUENCE_OFFSET);
    }

    FlowCellFlyweight lastSequence(final long lastSequence)
    {
        buffer.putLong(offset + Layout.FLOW_LAST_SEQUENCE_OFFSET, lastSequence);
        return this;
    }

    /** @return the incarnation of the client this cell answers, 0 if none yet. */
    long incarnation()
    {
        return buffer.getLong(offset + Layout.FLOW_INCARNATION_OFFSET);
    }

    FlowCellFlyweight incarnation(final long incarnation)
    {
        buffer.putLong(offset + Layout.FLOW_INCARNATION_OFFSET, incarnation);
        return this;
    }

    /** @return the seal word, read with acquire semantics (read it before the other fields). */
    long sealVolatile()
    {
        return buffer.getLongVolatile(offset + Layout.FLOW_SEAL_OFFSET);
    }

    /** Writes the seal over the fields now in the cell; call it last. */
    void seal()
    {
        buffer.putLong(offset + Layout.FLOW_SEAL_OFFSET, sealOf(freedUpTo(), nextRingSeq(), lastSequence(), incarnation()));
    }

    /** @return the seal of a cell with these fields; never 0. */
    static long sealOf(final long freedUpTo, final long nextRingSeq, final long lastSequence, final long incarnation)
    {
        return Layout.seal(freedUpTo, nextRingSeq, lastSequence, incarnation ^ 0x666C6F77L);
    }
}
