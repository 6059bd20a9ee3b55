package io.ramcast.txn.config;

import io.ramcast.txn.Partitioner;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Range partitioning: {@code n} split keys cut the key space into {@code n + 1} partitions, and
 * partition {@code i} holds the keys {@code k} with {@code split[i-1] <= k < split[i]} (partition 0
 * from the empty key, the last partition to the end of the key space). A key equal to a split key
 * belongs to the upper partition. Keys compare as unsigned bytes, lexicographically.
 *
 * <p>A range of keys that does not cross a split key lies in one partition, so range scans work
 * within a partition.
 *
 * <p>Immutable and thread-safe; {@link #partitionOf(byte[])} does not allocate.
 */
public final class RangePartitioner implements Partitioner
{
    private final byte[][] splitKeys;

    /**
     * @param splitKeys the split keys, non-empty arrays in strictly ascending unsigned order; the
     *                  list may be empty (one partition). Copied.
     * @throws IllegalArgumentException if a split key is empty or the keys are not strictly ascending.
     */
    public RangePartitioner(final List<byte[]> splitKeys)
    {
        this.splitKeys = new byte[splitKeys.size()][];
        for (int i = 0; i < this.splitKeys.length; i++)
        {
            final byte[] key = splitKeys.get(i).clone();
            if (key.length == 0)
            {
                throw new IllegalArgumentException("split key " + i + " is empty; partition " + i + " would hold no keys");
            }
            if (i > 0 && Arrays.compareUnsigned(this.splitKeys[i - 1], key) >= 0)
            {
                throw new IllegalArgumentException("split key " + i + " is not above split key " + (i - 1) +
                    "; split keys must be strictly ascending");
            }
            this.splitKeys[i] = key;
        }
    }

    /**
     * @param splitKeys split keys as text, each encoded as UTF-8; same rules as {@link #RangePartitioner(List)}.
     * @return the partitioner.
     * @throws IllegalArgumentException if the encoded keys break a rule.
     */
    public static RangePartitioner ofUtf8(final List<String> splitKeys)
    {
        final List<byte[]> keys = new ArrayList<>(splitKeys.size());
        for (final String key : splitKeys)
        {
            keys.add(key.getBytes(StandardCharsets.UTF_8));
        }
        return new RangePartitioner(keys);
    }

    /** @return the split keys (copies), ascending. */
    public List<byte[]> splitKeys()
    {
        final List<byte[]> keys = new ArrayList<>(splitKeys.length);
        for (final byte[] key : splitKeys)
        {
            keys.add(key.clone());
        }
        return keys;
    }

    @Override
    public int partitionCount()
    {
        return splitKeys.length + 1;
    }

    /**
     * @param partition a partition.
     * @return the first key above it (its upper split key, a copy), or null for the last partition.
     * @throws IndexOutOfBoundsException if there is no such partition.
     */
    public byte[] upperBound(final int partition)
    {
        if (partition < 0 || partition > splitKeys.length)
        {
            throw new IndexOutOfBoundsException("partition " + partition + " of " + partitionCount());
        }
        return partition == splitKeys.length ? null : splitKeys[partition].clone();
    }

    @Override
    public int partitionOf(final byte[] key)
    {
        // The number of split keys <= key: the first split key above the key bounds its partition.
        int low = 0;
        int high = splitKeys.length;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (Arrays.compareUnsigned(splitKeys[mid], key) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    @Override
    public int partitionOfRange(final byte[] startInclusive, final byte[] endExclusive)
    {
        checkRange(startInclusive, endExclusive);
        final int partition = partitionOf(startInclusive);
        if (partition == splitKeys.length)
        {
            return partition;
        }
        // Partition p ends before split[p]: the range fits when its exclusive end is at most that.
        return endExclusive != null && Arrays.compareUnsigned(endExclusive, splitKeys[partition]) <= 0 ?
            partition : NO_SINGLE_PARTITION;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("RangePartitioner{splitKeys=[");
        for (int i = 0; i < splitKeys.length; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(new String(splitKeys[i], StandardCharsets.UTF_8));
        }
        return sb.append("]}").toString();
    }

    static void checkRange(final byte[] startInclusive, final byte[] endExclusive)
    {
        if (startInclusive == null)
        {
            throw new NullPointerException("startInclusive");
        }
        if (endExclusive != null && Arrays.compareUnsigned(startInclusive, endExclusive) >= 0)
        {
            throw new IllegalArgumentException("empty range: endExclusive is not above startInclusive");
        }
    }
}
