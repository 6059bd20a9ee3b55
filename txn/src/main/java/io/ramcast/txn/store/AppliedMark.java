package io.ramcast.txn.store;

/**
 * Position of a replica in the delivery order: the final timestamp (value, group) and message id
 * of the last delivered transaction it applied. RamCast delivers in ascending (value, group, id)
 * order, so marks only grow.
 *
 * @param timestamp  final timestamp value.
 * @param group      group whose proposal gave the final timestamp.
 * @param messageId  the delivered message's id.
 */
public record AppliedMark(long timestamp, int group, long messageId) implements Comparable<AppliedMark>
{
    /** The mark of a store that never applied anything; before every real mark. */
    public static final AppliedMark NONE = new AppliedMark(Long.MIN_VALUE, Integer.MIN_VALUE, 0);

    @Override
    public int compareTo(final AppliedMark o)
    {
        int c = Long.compare(timestamp, o.timestamp);
        if (c == 0)
        {
            c = Integer.compare(group, o.group);
        }
        if (c == 0)
        {
            c = Long.compareUnsigned(messageId, o.messageId);
        }
        return c;
    }

    /**
     * @return {@code <timestamp>/<group>/<message id>}, the form of a replica's STATUS line and of
     *         {@code /status}, or {@code none} for {@link #NONE}.
     */
    public String compact()
    {
        return this.equals(NONE) ? "none" : timestamp + "/" + group + "/" + messageId;
    }

    /** @return {@code none}, or e.g. {@code (timestamp 17, group 1, message 100:42)}. */
    @Override
    public String toString()
    {
        return this.equals(NONE) ? "none" : "(timestamp " + timestamp + ", group " + group + ", message " +
            io.ramcast.multicast.MessageIds.toString(messageId) + ")";
    }
}
