package io.ramcast.multicast;

/**
 * What a server must never forget across a restart about the ballots it took part in and the
 * timestamps it may have handed out (ramcast-protocol.md §B.2, §C.7.2): an acceptor that forgets a
 * promise can accept a deposed leader's proposals again, and a group whose clock starts again from
 * zero proposes timestamps below those it delivered before.
 *
 * <p>Contract: {@link #save} returns only once the votes are durable (a crash of the process or
 * of the host after it returns cannot lose them); {@link #load} returns the last votes saved, or
 * {@link Votes#NONE} for a server that never saved any. Both block on I/O; a server calls them
 * rarely (when its ballot changes and once per {@link #CLOCK_LEASE} timestamps), on its agent
 * thread. Errors: an I/O failure throws {@link java.io.UncheckedIOException}; the server must then
 * stop (fail-stop), since it can no longer promise anything safely.
 */
public interface VoteStore
{
    /**
     * Timestamps a server may propose past the ceiling it saved last before it saves a higher one:
     * a restarted server starts its clock at the saved ceiling, above everything it proposed.
     */
    long CLOCK_LEASE = 1L << 20;

    /**
     * @param ballot       the highest ballot of its group the server promised, led or followed.
     * @param maxRound     the highest round it saw in its group (its next candidacy goes above).
     * @param clockCeiling no timestamp it proposed or forwarded is above this value.
     */
    record Votes(long ballot, long maxRound, long clockCeiling)
    {
        /** The votes of a server that never saved any. */
        public static final Votes NONE = new Votes(0, 0, 0);
    }

    /** @return the last votes saved, or {@link Votes#NONE}. */
    Votes load();

    /**
     * Saves {@code votes} durably, replacing the previous ones.
     *
     * @param votes the votes; each field at least the saved one.
     */
    void save(Votes votes);

    /** @return a store that keeps votes in memory only: for tests and for servers without a disk. */
    static VoteStore inMemory()
    {
        return new VoteStore()
        {
            private Votes votes = Votes.NONE;

            @Override
            public Votes load()
            {
                return votes;
            }

            @Override
            public void save(final Votes v)
            {
                votes = v;
            }
        };
    }
}
