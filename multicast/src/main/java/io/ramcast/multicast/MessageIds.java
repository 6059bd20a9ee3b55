package io.ramcast.multicast;

/**
 * Message identifiers: the pair (sender process id, sender sequence) packed into one long.
 *
 * <pre>
 *   63            48 47                                              0
 *  +----------------+-------------------------------------------------+
 *  |   sender id    |              sender sequence (48 bits)          |
 *  +----------------+-------------------------------------------------+
 * </pre>
 *
 * Sequences start at 1, so no valid id is 0. Stateless and thread-safe.
 */
public final class MessageIds
{
    /** Largest sender sequence that fits. */
    public static final long MAX_SEQUENCE = (1L << 48) - 1;

    private MessageIds()
    {
    }

    /**
     * @param senderId process id of the sender, below {@link GroupTopology#MAX_PROCESS_ID}.
     * @param sequence the sender's sequence number, 1..{@link #MAX_SEQUENCE}.
     * @return the packed id.
     */
    public static long of(final int senderId, final long sequence)
    {
        return ((long)senderId << 48) | (sequence & MAX_SEQUENCE);
    }

    /**
     * @param messageId a packed id.
     * @return the sender's process id.
     */
    public static int sender(final long messageId)
    {
        return (int)(messageId >>> 48);
    }

    /**
     * @param messageId a packed id.
     * @return the sender's sequence number.
     */
    public static long sequence(final long messageId)
    {
        return messageId & MAX_SEQUENCE;
    }

    /**
     * @param messageId a packed id.
     * @return {@code sender:sequence}, the form used in delivery logs.
     */
    public static String toString(final long messageId)
    {
        return sender(messageId) + ":" + sequence(messageId);
    }
}
