package io.ramcast.multicast;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Typed view of one leader-stream record (H2) in a buffer: the fields of the "Leader-stream record"
 * diagram in {@link Layout}, at its {@code STREAM_*_OFFSET} constants.
 *
 * <p>Writing: set every field, then {@link #seal()} last; the record reaches a follower through
 * {@code Outbox.write}, which stores the last word (the seal) after the rest. Reading: read
 * {@link #sealVolatile()} first (acquire), then the fields once into locals, and accept the record
 * only if the seal equals {@link #sealOf} of those locals; a torn or stale record does not.
 *
 * <p>Not thread-safe: one instance per protocol object, re-wrapped per record (no allocation).
 */
final class StreamRecordFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** Points this view at the record starting at byte {@code offset} of {@code buffer}; returns this. */
    StreamRecordFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    long seq()
    {
        return buffer.getLong(offset + Layout.STREAM_SEQ_OFFSET);
    }

    StreamRecordFlyweight seq(final long seq)
    {
        buffer.putLong(offset + Layout.STREAM_SEQ_OFFSET, seq);
        return this;
    }

    /** @return the ballot of the leader that wrote the record. */
    long ballot()
    {
        return buffer.getLong(offset + Layout.STREAM_BALLOT_OFFSET);
    }

    StreamRecordFlyweight ballot(final long ballot)
    {
        buffer.putLong(offset + Layout.STREAM_BALLOT_OFFSET, ballot);
        return this;
    }

    /** @return {@link Layout#KIND_OWN}, {@link Layout#KIND_FWD} or {@link Layout#KIND_RECOVERED}. */
    int kind()
    {
        return buffer.getInt(offset + Layout.STREAM_KIND_OFFSET);
    }

    StreamRecordFlyweight kind(final int kind)
    {
        buffer.putInt(offset + Layout.STREAM_KIND_OFFSET, kind);
        return this;
    }

    /** @return the group whose proposal the record carries. */
    int group()
    {
        return buffer.getInt(offset + Layout.STREAM_GROUP_OFFSET);
    }

    StreamRecordFlyweight group(final int group)
    {
        buffer.putInt(offset + Layout.STREAM_GROUP_OFFSET, group);
        return this;
    }

    long messageId()
    {
        return buffer.getLong(offset + Layout.STREAM_MESSAGE_ID_OFFSET);
    }

    StreamRecordFlyweight messageId(final long messageId)
    {
        buffer.putLong(offset + Layout.STREAM_MESSAGE_ID_OFFSET, messageId);
        return this;
    }

    long proposalBallot()
    {
        return buffer.getLong(offset + Layout.STREAM_PROPOSAL_BALLOT_OFFSET);
    }

    StreamRecordFlyweight proposalBallot(final long proposalBallot)
    {
        buffer.putLong(offset + Layout.STREAM_PROPOSAL_BALLOT_OFFSET, proposalBallot);
        return this;
    }

    long value()
    {
        return buffer.getLong(offset + Layout.STREAM_VALUE_OFFSET);
    }

    StreamRecordFlyweight value(final long value)
    {
        buffer.putLong(offset + Layout.STREAM_VALUE_OFFSET, value);
        return this;
    }

    /** @return the ring sequence of the message in the follower's group, 0 if unknown. */
    long ringSeq()
    {
        return buffer.getLong(offset + Layout.STREAM_RING_SEQ_OFFSET);
    }

    StreamRecordFlyweight ringSeq(final long ringSeq)
    {
        buffer.putLong(offset + Layout.STREAM_RING_SEQ_OFFSET, ringSeq);
        return this;
    }

    /** @return the seal word, read with acquire semantics (read it before the other fields). */
    long sealVolatile()
    {
        return buffer.getLongVolatile(offset + Layout.STREAM_SEAL_OFFSET);
    }

    /** Writes the seal over the fields now in the record; call it last. */
    void seal()
    {
        buffer.putLong(offset + Layout.STREAM_SEAL_OFFSET,
            sealOf(seq(), ballot(), kind(), group(), messageId(), proposalBallot(), value(), ringSeq()));
    }

    /** @return the seal of a record with these fields; never 0. */
    static long sealOf(
        final long seq, final long ballot, final int kind, final int group, final long messageId,
        final long proposalBallot, final long value, final long ringSeq)
    {
        return Layout.seal(seq ^ (ballot * 31), ((long)kind << 32) | group, messageId ^ (proposalBallot * 17),
            value ^ (ringSeq * 0x9E3779B97F4A7C15L));
    }
}
