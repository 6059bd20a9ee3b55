package io.ramcast.txn.config;

import io.ramcast.txn.Partitioner;

import java.util.Arrays;

/**
 * Hash partitioning, the default: a key belongs to partition
 * {@code murmur3_32(key, seed 0) mod partitionCount}, the 32-bit hash taken as unsigned.
 *
 * <p>The hash is MurmurHash3 x86_32 (Austin Appleby, public domain) over the key bytes with seed 0,
 * written out here so that the mapping depends on nothing outside this file; it equals Guava's
 * {@code Hashing.murmur3_32_fixed(0)}. The mapping is part of the on-disk format of a deployment
 * (a replica holds the keys that hash to it), so it must never change: {@code PartitionerTest}
 * pins known values.
 *
 * <p>Neighbouring keys land on unrelated partitions, so a range of keys is confined to one
 * partition only in the cases {@link #partitionOfRange(byte[], byte[])} lists.
 *
 * <p>Immutable and thread-safe; {@link #partitionOf(byte[])} does not allocate.
 */
public final class HashPartitioner implements Partitioner
{
    private static final int SEED = 0;
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private final int partitionCount;

    /**
     * @param partitionCount number of partitions, at least 1.
     * @throws IllegalArgumentException if partitionCount is below 1.
     */
    public HashPartitioner(final int partitionCount)
    {
        if (partitionCount < 1)
        {
            throw new IllegalArgumentException("partitionCount=" + partitionCount + " must be at least 1");
        }
        this.partitionCount = partitionCount;
    }

    @Override
    public int partitionCount()
    {
        return partitionCount;
    }

    @Override
    public int partitionOf(final byte[] key)
    {
        return (int)(Integer.toUnsignedLong(murmur3x86x32(key, SEED)) % partitionCount);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: partition 0 if there is only one partition; the owner of {@code startInclusive} if
     * the range holds that key alone ({@code endExclusive} is {@code startInclusive} followed by one
     * zero byte); otherwise {@link #NO_SINGLE_PARTITION}.
     */
    @Override
    public int partitionOfRange(final byte[] startInclusive, final byte[] endExclusive)
    {
        RangePartitioner.checkRange(startInclusive, endExclusive);
        if (partitionCount == 1)
        {
            return 0;
        }
        if (endExclusive != null && isSuccessor(startInclusive, endExclusive))
        {
            return partitionOf(startInclusive);
        }
        return NO_SINGLE_PARTITION;
    }

    @Override
    public String toString()
    {
        return "HashPartitioner{partitionCount=" + partitionCount + '}';
    }

    /** Whether {@code end} is {@code start} followed by one zero byte: [start, end) holds start alone. */
    private static boolean isSuccessor(final byte[] start, final byte[] end)
    {
        return end.length == start.length + 1 && end[start.length] == 0 &&
            Arrays.equals(start, 0, start.length, end, 0, start.length);
    }

    /**
     * MurmurHash3 x86_32.
     *
     * @param data bytes to hash.
     * @param seed the seed.
     * @return the 32-bit hash.
     */
    static int murmur3x86x32(final byte[] data, final int seed)
    {
        final int length = data.length;
        final int blockEnd = length & ~3;
        int h = seed;
        for (int i = 0; i < blockEnd; i += 4)
        {
            final int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | data[i + 3] << 24;
            h ^= mixK(k);
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        final int tail = length & 3;
        if (tail > 0)
        {
            int k = 0;
            if (tail == 3)
            {
                k ^= (data[blockEnd + 2] & 0xff) << 16;
            }
            if (tail >= 2)
            {
                k ^= (data[blockEnd + 1] & 0xff) << 8;
            }
            k ^= data[blockEnd] & 0xff;
            h ^= mixK(k);
        }
        h ^= length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int mixK(final int k)
    {
        return Integer.rotateLeft(k * C1, 15) * C2;
    }
}
