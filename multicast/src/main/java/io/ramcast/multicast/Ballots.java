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
 * vote. Ballot 0 is "none". Stateless and thread-safe.
 *
 * <p>Public for tools outside the protocol that show or compare the ballot a server reports
 * ({@link RamcastServer#ballot()}): {@link #round}, {@link #leader}, {@link #format} and
 * {@link #parse}. Creating ballots stays with the protocol.
 */
public final class Ballots
{
    /** Bits below the round that hold the leader id. */
    private static final int LEADER_BITS = 16;
    /** Largest leader id a ballot can hold. */
    private static final long MAX_LEADER = (1L << LEADER_BITS) - 1;
    /** Largest round a ballot can hold. */
    private static final long MAX_ROUND = (1L << (Long.SIZE - LEADER_BITS)) - 1;

    /** The ballot of a process that has seen none. */
    public static final long NONE = 0;

    private Ballots()
    {
    }

    static long of(final long round, final int leaderId)
    {
        return (round << LEADER_BITS) | leaderId;
    }

    /**
     * @param ballot a packed ballot.
     * @return its round, the high 48 bits.
     */
    public static long round(final long ballot)
    {
        return ballot >>> LEADER_BITS;
    }

    /**
     * @param ballot a packed ballot.
     * @return the id of its leader, the low 16 bits.
     */
    public static int leader(final long ballot)
    {
        return (int)(ballot & MAX_LEADER);
    }

    /**
     * Renders a ballot as {@code <round>.<leader>}, the form {@link #parse} reads back and that
     * orders like the ballots themselves when parsed.
     *
     * @param ballot a packed ballot.
     * @return for example {@code 3.7} for round 3 led by process 7.
     */
    public static String format(final long ballot)
    {
        return round(ballot) + "." + leader(ballot);
    }

    /**
     * Reads a ballot rendered by {@link #format}.
     *
     * @param text {@code <round>.<leader>}, decimal, no sign, no spaces.
     * @return the packed ballot.
     * @throws IllegalArgumentException naming the text if it is not of that form or a part is out
     *                                  of range (round above 2^48 - 1, leader above 65535).
     */
    public static long parse(final String text)
    {
        final int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1 || !digitsOnly(text, 0, dot) || !digitsOnly(text, dot + 1, text.length()))
        {
            throw new IllegalArgumentException("ballot '" + text + "' is not of the form <round>.<leader>");
        }
        final long round;
        final long leader;
        try
        {
            round = Long.parseLong(text, 0, dot, 10);
            leader = Long.parseLong(text, dot + 1, text.length(), 10);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("ballot '" + text + "' is out of range", ex);
        }
        if (round > MAX_ROUND || leader > MAX_LEADER)
        {
            throw new IllegalArgumentException("ballot '" + text + "' is out of range: round <= " + MAX_ROUND +
                ", leader <= " + MAX_LEADER);
        }
        return of(round, (int)leader);
    }

    private static boolean digitsOnly(final String text, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    static String toString(final long ballot)
    {
        return "(" + round(ballot) + "," + leader(ballot) + ")";
    }
}
