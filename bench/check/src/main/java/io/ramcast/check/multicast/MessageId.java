package io.ramcast.check.multicast;

/**
 * Identity of one multicast message in a history: the sender's id and the sender's sequence
 * number, printed {@code <senderId>:<seq>} as in the delivery logs.
 *
 * <p>Immutable and thread-safe. Ordered by sender, then sequence.
 *
 * @param senderId the sender's id, non-negative; by convention the process id of the client.
 * @param seq      the sender's sequence number, non-negative.
 */
public record MessageId(int senderId, long seq) implements Comparable<MessageId>
{
    /**
     * @throws IllegalArgumentException if either component is negative.
     */
    public MessageId
    {
        if (senderId < 0)
        {
            throw new IllegalArgumentException("senderId=" + senderId + " must be >= 0");
        }
        if (seq < 0)
        {
            throw new IllegalArgumentException("seq=" + seq + " must be >= 0");
        }
    }

    /**
     * @param senderId the sender's id, non-negative.
     * @param seq      the sender's sequence number, non-negative.
     * @return the id.
     * @throws IllegalArgumentException if either component is negative.
     */
    public static MessageId of(final int senderId, final long seq)
    {
        return new MessageId(senderId, seq);
    }

    /**
     * @param text {@code <senderId>:<seq>}, decimal, no sign, no spaces.
     * @return the id.
     * @throws IllegalArgumentException naming the text if it is not of that form.
     */
    public static MessageId parse(final CharSequence text)
    {
        final String s = text.toString();
        final int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1 || !digitsOnly(s, 0, colon) || !digitsOnly(s, colon + 1, s.length()))
        {
            throw new IllegalArgumentException("message id '" + s + "' is not of the form <senderId>:<seq>");
        }
        try
        {
            return new MessageId(Integer.parseInt(s, 0, colon, 10), Long.parseLong(s, colon + 1, s.length(), 10));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("message id '" + s + "' is out of range", ex);
        }
    }

    private static boolean digitsOnly(final String s, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final char c = s.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    /** {@inheritDoc} */
    @Override
    public int compareTo(final MessageId other)
    {
        final int c = Integer.compare(senderId, other.senderId);
        return c != 0 ? c : Long.compare(seq, other.seq);
    }

    /** @return {@code <senderId>:<seq>}. */
    @Override
    public String toString()
    {
        return senderId + ":" + seq;
    }
}
