package io.ramcast.multicast;

/**
 * The leader's copy of its stream (H2, ramcast-protocol.md §B.4.3) in the current ballot: records
 * from {@link #base()} to {@link #next()}{@code - 1}, kept until every follower it still serves
 * has stored them, so that each follower can be written at its own pace and a follower whose write
 * permission was restored (after it promised the ballot late) can be written again from where it
 * stands.
 *
 * <p>A growable ring of parallel arrays. Threading: the leader's agent thread only.
 */
final class StreamLog
{
    private long base = 1;
    private long next = 1;
    private int mask;
    private int[] kind;
    private int[] group;
    private long[] messageId;
    private long[] proposalBallot;
    private long[] value;
    private long[] ringSeq;

    StreamLog(final int initialCapacity)
    {
        allocate(Integer.highestOneBit(Math.max(16, initialCapacity - 1) << 1));
    }

    private void allocate(final int capacity)
    {
        mask = capacity - 1;
        kind = new int[capacity];
        group = new int[capacity];
        messageId = new long[capacity];
        proposalBallot = new long[capacity];
        value = new long[capacity];
        ringSeq = new long[capacity];
    }

    /** Forgets every record; the next one appended gets sequence 1 (a new ballot's stream). */
    void reset()
    {
        base = 1;
        next = 1;
    }

    /**
     * Appends a record.
     *
     * @param ownRingSeq ring sequence of the message in the leader's group, 0 if unknown.
     * @return its stream sequence.
     */
    long append(
        final int recordKind, final int proposingGroup, final long id, final long ballot, final long v,
        final long ownRingSeq)
    {
        if (next - base > mask)
        {
            grow();
        }
        final int i = (int)(next & mask);
        kind[i] = recordKind;
        group[i] = proposingGroup;
        messageId[i] = id;
        proposalBallot[i] = ballot;
        value[i] = v;
        ringSeq[i] = ownRingSeq;
        return next++;
    }

    private void grow()
    {
        final int[] k = kind;
        final int[] g = group;
        final long[] id = messageId;
        final long[] b = proposalBallot;
        final long[] v = value;
        final long[] r = ringSeq;
        final int oldMask = mask;
        allocate((mask + 1) * 2);
        for (long s = base; s < next; s++)
        {
            final int from = (int)(s & oldMask);
            final int to = (int)(s & mask);
            kind[to] = k[from];
            group[to] = g[from];
            messageId[to] = id[from];
            proposalBallot[to] = b[from];
            value[to] = v[from];
            ringSeq[to] = r[from];
        }
    }

    /** Forgets the records below {@code seq}. */
    void truncateBelow(final long seq)
    {
        if (seq > base)
        {
            base = Math.min(seq, next);
        }
    }

    long base()
    {
        return base;
    }

    long next()
    {
        return next;
    }

    private int index(final long seq)
    {
        if (seq < base || seq >= next)
        {
            throw new IndexOutOfBoundsException("stream sequence " + seq + " outside [" + base + ", " + next + ")");
        }
        return (int)(seq & mask);
    }

    int kind(final long seq)
    {
        return kind[index(seq)];
    }

    int group(final long seq)
    {
        return group[index(seq)];
    }

    long messageId(final long seq)
    {
        return messageId[index(seq)];
    }

    long proposalBallot(final long seq)
    {
        return proposalBallot[index(seq)];
    }

    long value(final long seq)
    {
        return value[index(seq)];
    }

    long ringSeq(final long seq)
    {
        return ringSeq[index(seq)];
    }
}
