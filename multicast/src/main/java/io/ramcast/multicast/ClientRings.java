package io.ramcast.multicast;

import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.AtomicBuffer;

/**
 * What one server knows of every client's ring (Task 1 arrival, §C.2; relay, §C.8 and §F.4; flow
 * control, §F.16): one row per client ordinal, holding where the ring is read, which positions were
 * taken ahead of it from relays or skipped by it, which positions are freed, the client's
 * incarnation and whether it is suspected.
 *
 * <p>The invariant this table keeps: <b>each (client, ring position) is taken exactly once, from the
 * ring or from a relay, whichever comes first</b>. A position below the ring read position
 * ({@link #nextRingSeq(int)}) is taken unless the ring skipped it (a SKIP record, §C.8: a new
 * incarnation started further on), and a skipped position is taken by the first relay of it; a
 * position at or above the read position is taken when a relay took it ahead of the ring, and the
 * ring then steps over it without reading it. So a copy is dropped against a live entry and against
 * one delivered and forgotten long ago alike.
 *
 * <p>Positions are ring sequences: 1, 2, 3, ... per client and group, never reused (the slot index
 * wraps, the sequence does not). Positions are freed once delivered, dropped or skipped; the
 * freed-up-to word ({@link #freedUpTo(int)}) only grows, and every position below it is free. The
 * ring holds {@code ringSlots} slots, so the ring read stops {@code ringSlots} positions past the
 * freed-up-to word ({@link #ringFull(int)}).
 *
 * <p>A new incarnation of a client ({@link #onHello(int, long)}) changes only the incarnation and
 * asks for the FLOW cell to be published again: the new process continues the same rings after the
 * furthest position any member reports, and what the earlier incarnation left behind still arrives,
 * from the ring or by relay, and must still be taken once.
 *
 * <p>A plain object: no clock, thread or I/O. Threading: the server's agent thread only, not
 * thread-safe. Errors: a call that would break the invariant (reading the ring out of order, a
 * position that is not positive) throws {@link IllegalStateException} or
 * {@link IllegalArgumentException}; the caller treats that as fail-stop.
 */
final class ClientRings
{
    /** The operations a journal records ({@link AcceptorJournal.Records#ringOp}) and {@link #replay} applies. */
    static final class Op
    {
        static final int TAKE_RING = 1;
        static final int SKIP = 2;
        static final int TAKE_RELAY = 3;
        static final int PASS_AHEAD = 4;
        static final int FREE = 5;
        static final int TOOK_SEQUENCE = 6;

        private Op()
        {
        }
    }

    /**
     * A client's row as a journal checkpoint keeps it (incarnation and suspicion are not kept: a
     * restarted server learns them again from the HELLO word and the failure detector).
     */
    record RowState(
        long nextRingSeq, long freedUpTo, long takenUpTo, long lastSequence, long[] freedAhead, long[] takenAhead,
        long[] skippedBelow)
    {
    }

    /** What {@link #takeFromRelay(int, long)} did with a relayed copy. */
    enum RelayTake
    {
        /** The position was not taken yet and is now: the caller takes the relayed message. */
        TAKEN,
        /** The position was taken already, from the ring or an earlier relay: drop the copy. */
        DUPLICATE,
        /** The position is ahead of the ring and the table of positions taken ahead is full: drop the copy. */
        AHEAD_FULL
    }

    /** One client's row. */
    private static final class Row
    {
        /** Next position to read from the client's ring. */
        long nextRingSeq = 1;
        /** Every position below is free: delivered, dropped or skipped (the freed-up-to word). */
        long freedUpTo = 1;
        /** Free positions at or above {@link #freedUpTo}. */
        final LongHashSet freedAhead = new LongHashSet();
        /** Positions at or above {@link #nextRingSeq} taken from a relay. */
        final LongHashSet takenAhead = new LongHashSet();
        /** Positions below {@link #nextRingSeq} the ring skipped and no relay has taken yet. */
        final LongHashSet skippedBelow = new LongHashSet();
        /** One past the highest position taken. */
        long takenUpTo = 1;
        /** Highest message sequence taken from this client (of any incarnation). */
        long lastSequence;
        /** The client's incarnation as last seen in its HELLO word; 0 before any. */
        long incarnation;
        /** The FLOW cell changed since it was last published. */
        boolean flowDue;
        /** The failure detector suspects the client. */
        boolean suspected;
    }

    private final Row[] rows;
    /** View of the cell {@link #pollFlowCell} writes; re-wrapped per call. */
    private final FlowCellFlyweight flowCell = new FlowCellFlyweight();
    private final int ringSlots;
    private final int maxTakenAhead;
    /** Receives every change (the server's acceptor journal); none while a journal is replayed. */
    private AcceptorJournal.Records journal = AcceptorJournal.none().write();

    /**
     * @param clientCount   number of client ordinals (rows).
     * @param ringSlots     slots in each client's ring at this server.
     * @param maxTakenAhead most positions per client that relays may take ahead of the ring; a
     *                      relayed copy beyond is dropped ({@link RelayTake#AHEAD_FULL}).
     */
    ClientRings(final int clientCount, final int ringSlots, final int maxTakenAhead)
    {
        if (clientCount < 0 || ringSlots < 1 || maxTakenAhead < 0)
        {
            throw new IllegalArgumentException("clientCount=" + clientCount + " ringSlots=" + ringSlots +
                " maxTakenAhead=" + maxTakenAhead + ": counts must not be negative and a ring has a slot");
        }
        rows = new Row[clientCount];
        for (int ci = 0; ci < clientCount; ci++)
        {
            rows[ci] = new Row();
        }
        this.ringSlots = ringSlots;
        this.maxTakenAhead = maxTakenAhead;
    }

    /** @param records receives every later change of a row, as an {@link Op}. */
    void journal(final AcceptorJournal.Records records)
    {
        journal = records;
    }

    /**
     * Applies a journaled operation again (a restarted server replaying its journal; the journal
     * sink should be {@link AcceptorJournal#none()} meanwhile).
     */
    void replay(final int op, final int ci, final long argument)
    {
        switch (op)
        {
            case Op.TAKE_RING -> takeFromRing(ci, argument);
            case Op.SKIP -> skip(ci, argument);
            case Op.TAKE_RELAY -> takeFromRelay(ci, argument);
            case Op.PASS_AHEAD -> passTakenAhead(ci);
            case Op.FREE -> free(ci, argument);
            case Op.TOOK_SEQUENCE -> tookMessage(ci, argument);
            default -> throw new IllegalStateException("journaled ring operation of unknown kind " + op);
        }
    }

    /** @return client {@code ci}'s row as a checkpoint keeps it. */
    RowState rowState(final int ci)
    {
        final Row row = rows[ci];
        return new RowState(row.nextRingSeq, row.freedUpTo, row.takenUpTo, row.lastSequence, toArray(row.freedAhead),
            toArray(row.takenAhead), toArray(row.skippedBelow));
    }

    /** Replaces client {@code ci}'s row with a checkpoint's; its FLOW cell is due (a restarted server answers again). */
    void restoreRow(final int ci, final RowState state)
    {
        final Row row = rows[ci];
        row.nextRingSeq = state.nextRingSeq();
        row.freedUpTo = state.freedUpTo();
        row.takenUpTo = state.takenUpTo();
        row.lastSequence = state.lastSequence();
        fill(row.freedAhead, state.freedAhead());
        fill(row.takenAhead, state.takenAhead());
        fill(row.skippedBelow, state.skippedBelow());
        row.flowDue = true;
    }

    /** Makes every FLOW cell due: a restarted server publishes where each ring stands. */
    void flowDueForAll()
    {
        for (final Row row : rows)
        {
            row.flowDue = true;
        }
    }

    private static long[] toArray(final LongHashSet set)
    {
        final long[] values = new long[set.size()];
        int i = 0;
        for (final LongHashSet.LongIterator it = set.iterator(); it.hasNext(); )
        {
            values[i++] = it.nextValue();
        }
        java.util.Arrays.sort(values);
        return values;
    }

    private static void fill(final LongHashSet set, final long[] values)
    {
        set.clear();
        for (final long v : values)
        {
            set.add(v);
        }
    }

    /** @return the number of client ordinals. */
    int clientCount()
    {
        return rows.length;
    }

    /* ---------------------------------------------------------------- taking */

    /** @return the next position to read from client {@code ci}'s ring. */
    long nextRingSeq(final int ci)
    {
        return rows[ci].nextRingSeq;
    }

    /**
     * Steps the ring read over its next position if a relay took that position already: the ring's
     * copy of it is never read (taken exactly once).
     *
     * @return whether the read position moved.
     */
    boolean passTakenAhead(final int ci)
    {
        final Row row = rows[ci];
        if (!row.takenAhead.isEmpty() && row.takenAhead.remove(row.nextRingSeq))
        {
            row.nextRingSeq++;
            journal.ringOp(Op.PASS_AHEAD, ci, 0);
            return true;
        }
        return false;
    }

    /**
     * @return whether every slot of client {@code ci}'s ring holds a message not freed yet, so the
     *         client cannot have written the next position and the ring read stops.
     */
    boolean ringFull(final int ci)
    {
        final Row row = rows[ci];
        return row.nextRingSeq - row.freedUpTo >= ringSlots;
    }

    /**
     * Takes position {@code ringSeq}, read from client {@code ci}'s ring, which must be the read
     * position: the read moves on by one. The caller takes the message found there, or drops it
     * (and then {@link #free frees} the position).
     *
     * @throws IllegalStateException if {@code ringSeq} is not the read position.
     */
    void takeFromRing(final int ci, final long ringSeq)
    {
        final Row row = readAt(ci, ringSeq);
        row.nextRingSeq = ringSeq + 1;
        row.takenUpTo = Math.max(row.takenUpTo, ringSeq + 1);
        journal.ringOp(Op.TAKE_RING, ci, ringSeq);
    }

    /**
     * The ring holds a SKIP record at the read position {@code ringSeq}: the read moves on, the
     * position is freed, and it stays open to the first relay of whatever an earlier incarnation of
     * the client sent there.
     *
     * @throws IllegalStateException if {@code ringSeq} is not the read position.
     */
    void skip(final int ci, final long ringSeq)
    {
        final Row row = readAt(ci, ringSeq);
        journal.ringOp(Op.SKIP, ci, ringSeq); // replaying it frees the position too
        row.nextRingSeq = ringSeq + 1;
        row.skippedBelow.add(ringSeq);
        markFree(row, ringSeq);
    }

    private Row readAt(final int ci, final long ringSeq)
    {
        final Row row = rows[ci];
        if (ringSeq != row.nextRingSeq)
        {
            throw new IllegalStateException("ring of client ordinal " + ci + " read at position " + ringSeq +
                " but the read position is " + row.nextRingSeq);
        }
        return row;
    }

    /**
     * Takes position {@code ringSeq} of client {@code ci} for a relayed copy unless it is taken
     * already: a position the ring skipped is taken now, a position ahead of the ring is recorded so
     * that the ring read steps over it ({@link #passTakenAhead(int)}).
     *
     * @param ringSeq the relayed message's position in this server's group, positive.
     * @return {@link RelayTake#TAKEN} if the caller must take the message (or drop it and
     *         {@link #free} the position), otherwise why the copy is dropped.
     * @throws IllegalArgumentException if {@code ringSeq} is not positive.
     */
    RelayTake takeFromRelay(final int ci, final long ringSeq)
    {
        checkPosition(ringSeq);
        final Row row = rows[ci];
        if (taken(ci, ringSeq))
        {
            return RelayTake.DUPLICATE;
        }
        if (ringSeq >= row.nextRingSeq)
        {
            if (row.takenAhead.size() >= maxTakenAhead)
            {
                return RelayTake.AHEAD_FULL;
            }
            row.takenAhead.add(ringSeq);
        }
        else
        {
            row.skippedBelow.remove(ringSeq);
        }
        row.takenUpTo = Math.max(row.takenUpTo, ringSeq + 1);
        journal.ringOp(Op.TAKE_RELAY, ci, ringSeq);
        return RelayTake.TAKEN;
    }

    /**
     * @return whether position {@code ringSeq} of client {@code ci} was taken, from the ring or from
     *         a relay (a delivered and forgotten message's position included).
     */
    boolean taken(final int ci, final long ringSeq)
    {
        final Row row = rows[ci];
        return ringSeq < row.nextRingSeq ? !row.skippedBelow.contains(ringSeq) : row.takenAhead.contains(ringSeq);
    }

    /** @return how many positions of client {@code ci} relays took ahead of the ring read. */
    int takenAheadCount(final int ci)
    {
        return rows[ci].takenAhead.size();
    }

    /**
     * Records that a message of sequence {@code messageSequence} (the sequence part of its message
     * id) was taken from client {@code ci}; the highest is reported in the FLOW cell so that a new
     * incarnation continues above it. Monotonic: a lower sequence changes nothing.
     */
    void tookMessage(final int ci, final long messageSequence)
    {
        final Row row = rows[ci];
        if (messageSequence > row.lastSequence)
        {
            row.lastSequence = messageSequence;
            journal.ringOp(Op.TOOK_SEQUENCE, ci, messageSequence);
        }
    }

    /* ---------------------------------------------------------------- freeing and the FLOW cell */

    /**
     * Frees position {@code ringSeq} of client {@code ci} (delivered, dropped or skipped). The
     * freed-up-to word advances over every free position in a row and the FLOW cell is then due;
     * freeing a position already free changes nothing.
     */
    void free(final int ci, final long ringSeq)
    {
        if (markFree(rows[ci], ringSeq))
        {
            journal.ringOp(Op.FREE, ci, ringSeq);
        }
    }

    /** @return whether the position was not free yet (it is now, and the freed-up-to word moved over it if it could). */
    private static boolean markFree(final Row row, final long ringSeq)
    {
        if (ringSeq < row.freedUpTo || !row.freedAhead.add(ringSeq))
        {
            return false;
        }
        while (row.freedAhead.remove(row.freedUpTo))
        {
            row.freedUpTo++;
            row.flowDue = true;
        }
        return true;
    }

    /** @return client {@code ci}'s freed-up-to word: every position below is free. Never decreases. */
    long freedUpTo(final int ci)
    {
        return rows[ci].freedUpTo;
    }

    /** @return every client's freed-up-to word, by client ordinal, in a new array (a promise reports it). */
    long[] freedUpToAll()
    {
        final long[] heads = new long[rows.length];
        for (int ci = 0; ci < rows.length; ci++)
        {
            heads[ci] = rows[ci].freedUpTo;
        }
        return heads;
    }

    /**
     * @return the positions of client {@code ci} below its freed-up-to word that the ring skipped
     *         and no relay has taken yet (open: a message there may still arrive and be delivered),
     *         ascending; every other position below the word was taken and freed.
     */
    long[] openBelowFreed(final int ci)
    {
        final Row row = rows[ci];
        return row.skippedBelow.stream().mapToLong(Long::longValue).filter(p -> p < row.freedUpTo).sorted().toArray();
    }

    /**
     * Takes over what a member of the group that answered a catch-up with nothing left out knows of
     * client {@code ci}'s positions: every position below {@code head} except those in
     * {@code openBelow} was taken there and freed (delivered, or dropped as invalid), so it is
     * taken and freed here too; the positions in {@code openBelow} stay open to relays. Used by a
     * server whose store was rebuilt from a snapshot, which never took the positions of what the
     * snapshot holds. The caller has dropped every message it held below {@code head} outside
     * {@code openBelow}. Journaled as the row.
     *
     * @return whether anything changed.
     */
    boolean settle(final int ci, final long head, final long[] openBelow)
    {
        final Row row = rows[ci];
        if (head <= row.freedUpTo)
        {
            return false;
        }
        final LongHashSet open = new LongHashSet();
        for (final long p : openBelow)
        {
            if (p < head)
            {
                open.add(p);
            }
        }
        for (long p = row.nextRingSeq; p < head; p++)
        {
            if (open.contains(p) && !row.takenAhead.contains(p))
            {
                row.skippedBelow.add(p); // below the read position now, and still open
            }
        }
        row.takenAhead.removeIf(p -> p < head);
        row.skippedBelow.removeIf(p -> p < head && !open.contains(p));
        row.freedAhead.removeIf(p -> p < head);
        row.nextRingSeq = Math.max(row.nextRingSeq, head);
        row.takenUpTo = Math.max(row.takenUpTo, head);
        row.freedUpTo = head;
        while (row.freedAhead.remove(row.freedUpTo))
        {
            row.freedUpTo++;
        }
        row.flowDue = true;
        journal.ringRow(ci, rowState(ci));
        return true;
    }

    /**
     * Writes client {@code ci}'s FLOW cell ({@link Layout#FLOW_CELL_BYTES} bytes, layout at
     * {@link Layout#FLOW_FREED_OFFSET}) into {@code cell} at offset 0 if it changed since last
     * written: freed up to, next ring position to read (a new incarnation writes SKIP records from
     * there up to where it starts), highest message sequence taken, incarnation and seal. Freed-up-to and next position
     * never decrease from one cell to the next.
     *
     * @return whether the cell was written (and must be published); it is not due again until the
     *         freed-up-to word advances or a new incarnation appears.
     */
    boolean pollFlowCell(final int ci, final AtomicBuffer cell)
    {
        final Row row = rows[ci];
        if (!row.flowDue)
        {
            return false;
        }
        row.flowDue = false;
        // the read position, not the furthest position taken: a new incarnation writes SKIP records
        // from here, so a hole below a position a relay took ahead is filled too
        final long next = row.nextRingSeq;
        flowCell.wrap(cell, 0).freedUpTo(row.freedUpTo).nextRingSeq(next).lastSequence(row.lastSequence)
            .incarnation(row.incarnation).seal();
        return true;
    }

    /* ---------------------------------------------------------------- incarnations and suspicion (Task 10) */

    /**
     * Client {@code ci}'s HELLO word reads {@code helloIncarnation}. If that differs from the
     * incarnation known, a new incarnation started: it is recorded and the FLOW cell, which answers
     * its handshake, is due. Nothing else is reset — ring positions, positions taken or skipped,
     * freed positions and the highest message sequence carry over, since the new process continues
     * the same rings and what the earlier one sent may still arrive.
     *
     * @return whether a new incarnation started (the caller relays everything of the client it holds).
     */
    boolean onHello(final int ci, final long helloIncarnation)
    {
        final Row row = rows[ci];
        if (helloIncarnation == row.incarnation)
        {
            return false;
        }
        row.incarnation = helloIncarnation;
        row.flowDue = true;
        return true;
    }

    /** @return client {@code ci}'s incarnation as last seen in its HELLO word; 0 before any. */
    long incarnation(final int ci)
    {
        return rows[ci].incarnation;
    }

    /**
     * Records what the failure detector says of client {@code ci} now.
     *
     * @return whether the client just became suspected (the caller relays everything of it it holds).
     */
    boolean suspect(final int ci, final boolean suspectedNow)
    {
        final Row row = rows[ci];
        final boolean newly = suspectedNow && !row.suspected;
        row.suspected = suspectedNow;
        return newly;
    }

    /** @return whether client {@code ci} is suspected: whatever is taken from it is relayed at once. */
    boolean suspected(final int ci)
    {
        return rows[ci].suspected;
    }

    private static void checkPosition(final long ringSeq)
    {
        if (ringSeq <= 0)
        {
            throw new IllegalArgumentException("ring position " + ringSeq + " is not positive");
        }
    }
}
