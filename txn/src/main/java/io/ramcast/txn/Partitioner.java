package io.ramcast.txn;

/**
 * Maps keys to the partitions (replica groups) that own them. The destination groups of a
 * transaction are the owners of all keys in its read and write sets.
 *
 * <p>Every process of a deployment must map every key to the same partition, today and after an
 * upgrade: implementations are pure functions of the key bytes and their own configuration, and
 * never change their mapping between versions. Keys compare as unsigned bytes, lexicographically,
 * as in {@code PartitionStore}.
 *
 * <p>Implementations are immutable and thread-safe, and do not allocate on
 * {@link #partitionOf(byte[])}.
 */
public interface Partitioner
{
    /** Returned by {@link #partitionOfRange(byte[], byte[])} when no single partition holds a range. */
    int NO_SINGLE_PARTITION = -1;

    /** @return the number of partitions, at least 1; partitions are numbered {@code 0..partitionCount()-1}. */
    int partitionCount();

    /**
     * @param key a key, possibly empty (the empty key is a valid key).
     * @return the partition that owns the key, in {@code [0, partitionCount())}.
     * @throws NullPointerException if key is null.
     */
    int partitionOf(byte[] key);

    /**
     * The partition that holds every key {@code k} with {@code startInclusive <= k < endExclusive},
     * if one partition holds them all. A range scan is executed by one partition, so a scan is
     * only accepted over such a range.
     *
     * <p>Hash partitioning scatters neighbouring keys, so it confines a range only when there is
     * one partition or when the range holds a single key ({@code endExclusive} is
     * {@code startInclusive} followed by one zero byte). Range partitioning confines every range
     * that does not cross a split key.
     *
     * @param startInclusive first key of the range; an empty array means the beginning of the key space.
     * @param endExclusive   bound of the range (exclusive); null means the end of the key space.
     * @return the partition holding the whole range, or {@link #NO_SINGLE_PARTITION}.
     * @throws NullPointerException     if startInclusive is null.
     * @throws IllegalArgumentException if the range is empty ({@code endExclusive <= startInclusive}).
     */
    int partitionOfRange(byte[] startInclusive, byte[] endExclusive);

    /**
     * @param startInclusive first key of the range; an empty array means the beginning of the key space.
     * @param endExclusive   bound of the range (exclusive); null means the end of the key space.
     * @return whether one partition holds the whole range (see {@link #partitionOfRange(byte[], byte[])}).
     * @throws IllegalArgumentException if the range is empty.
     */
    default boolean isSinglePartitionRange(final byte[] startInclusive, final byte[] endExclusive)
    {
        return partitionOfRange(startInclusive, endExclusive) != NO_SINGLE_PARTITION;
    }
}
