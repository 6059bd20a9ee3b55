package io.ramcast.multicast;

/**
 * What a server must not forget across a restart about the messages it took part in ordering: the
 * bodies it holds, every proposal it learned (and so may have acknowledged or stored, §C.3, H1),
 * its stream position, the proposals a RECOVERED marker dropped, what it delivered and where each
 * client's ring stands. With its {@link VoteStore} (ballots, clock) this is the acceptor state of
 * ramcast-protocol.md §C.7.2: a restarted server that reports it in a promise is, for every
 * quorum it takes part in, the same acceptor it was before the crash, so a leader change after a
 * crash of every member recovers every decided message (uniform agreement, Prop. 3) and keeps its
 * timestamp (prefix and acyclic order, Props. 4–5).
 *
 * <p>The server writes a record <em>before</em> anything it sends can depend on it: a body and its
 * proposal before the acknowledgement, a stream record before the stored-up-to word that covers
 * it, a proposal as leader before the stream write, a delivery before the handler sees it and
 * before the freed-up-to word that tells the client. {@link #sync} makes what was written survive a
 * power loss; what {@link #write written} survives a crash of the process as soon as the call
 * returns (a file journal's records are then in the page cache: copied into a mapping of the file,
 * or, when it syncs, written with {@code write(2)}).
 *
 * <p>The journal grows until {@link #wantsCheckpoint()}; the server then writes its whole current
 * state through {@link #checkpoint}, after which everything older is dropped.
 *
 * <p>Threading: the server's agent thread only. Errors: an I/O failure throws
 * {@link java.io.UncheckedIOException} and the server stops (fail-stop): it can no longer
 * acknowledge anything safely.
 */
public interface AcceptorJournal extends AutoCloseable
{
    /** The records, written and replayed in this order. */
    interface Records
    {
        /**
         * A message's body and where it sits, or (payload {@code null}) only its destinations.
         *
         * @param ringSeqs the message's ring position in each destination group, parallel to destinations.
         */
        void body(long messageId, int clientOrdinal, int[] destinations, long[] ringSeqs, byte[] payload);

        /** A proposal of {@code group} learned or made, from the stream record at (streamBallot, streamSeq). */
        void proposal(long messageId, int group, long proposalBallot, long value, long streamBallot, long streamSeq);

        /**
         * The last stream record applied (as follower) or appended (as leader), and how far the
         * re-issues of that ballot's recovery have been read: the highest value of a record of the
         * ballot, or {@link Long#MAX_VALUE} once its RECOVERED marker was read or written.
         */
        void streamPosition(long ballot, long seq, long reissuedUpTo);

        /** A RECOVERED marker of {@code ballot}: own proposals of earlier ballots not re-issued are dropped. */
        void forget(long ballot);

        /** The message was delivered with final timestamp (finalValue, finalGroup). */
        void delivered(long messageId, long finalValue, int finalGroup);

        /**
         * The last delivery the process no longer retains (written in checkpoints, before the
         * retained deliveries): a restarted process refuses candidates behind it and knows its
         * history of deliveries does not reach back before it.
         */
        void forgotten(long messageId, long finalValue, int finalGroup);

        /** One change to a client's ring bookkeeping ({@link ClientRings} operations, see {@link ClientRings.Op}). */
        void ringOp(int op, int clientOrdinal, long argument);

        /** A client's whole ring row (checkpoints only). */
        void ringRow(int clientOrdinal, ClientRings.RowState row);
    }

    /** @return the sink the server writes records to. */
    Records write();

    /**
     * Replays every record kept, oldest first: the last complete checkpoint, then what followed.
     *
     * @param into receives the records.
     * @return the number of records replayed (0 for a server that never wrote any).
     */
    long replay(Records into);

    /** @return whether the journal has grown enough that the server should write a checkpoint. */
    boolean wantsCheckpoint();

    /**
     * Starts a fresh journal holding only what {@code writer} writes (the server's whole state) and,
     * once that is complete, drops everything older. A crash in the middle leaves the old journal
     * in force.
     *
     * @param writer writes the state through the records it is given.
     */
    void checkpoint(java.util.function.Consumer<Records> writer);

    /** @return whether {@link #sync()} must run before anything that depends on new records is sent. */
    boolean syncsBeforeSending();

    /** Makes every record written so far survive a power loss (no-op unless {@link #syncsBeforeSending()}). */
    void sync();

    /** @return bytes written since the last checkpoint, for diagnostics. */
    long sizeBytes();

    @Override
    void close();

    /** @return a journal that keeps nothing: a restarted server starts with an empty memory. */
    static AcceptorJournal none()
    {
        return NoJournal.INSTANCE;
    }

    /**
     * @param checkpointBytes size past which {@link #wantsCheckpoint()} answers true.
     * @return a journal kept in this object only (tests: a simulated restart hands the same object
     *         to the new server), encoded exactly as a file journal.
     */
    static AcceptorJournal inMemory(final int checkpointBytes)
    {
        return new MemoryAcceptorJournal(checkpointBytes);
    }
}
