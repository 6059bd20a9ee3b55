package io.ramcast.multicast;

/**
 * Ballots (round, leader id) packed into a long, ordered by round then leader id (§B.2, §F.8).
 *
 * <pre>
 *   63                                           16 15             0
 *  +-----------------------------------------------+----------------+
 *  |                   round (48 bits)             |  leader id     |
 *  +-----------------------------------------------+----------------+
 * </pre>
 *
 * The leader id inside the ballot tells every reader whose proposal counts as the leader's own
 * vote. Ballot 0 is "none". Stateless.
 */
final class Ballots
{
    static final long NONE = 0;

    private Ballots()
    {
    }

    static long of(final long round, final int leaderId)
    {
        return (round << 16) | leaderId;
    }

    static long round(final long ballot)
    {
        return ballot >>> 16;
    }

    static int leader(final long ballot)
    {
        return (int)(ballot & 0xFFFF);
    }

    static String toString(final long ballot)
    {
        return "(" + round(ballot) + "," + leader(ballot) + ")";
    }
}
