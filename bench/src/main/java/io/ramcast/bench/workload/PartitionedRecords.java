package io.ramcast.bench.workload;

import io.ramcast.txn.Partitioner;

import java.util.Arrays;
import java.util.function.LongFunction;
import java.util.stream.IntStream;

/**
 * Which records live on which partition: for each partition, the ascending list of the indexes of
 * the records whose key it owns, so a workload can draw a record of a given partition in O(1)
 * ({@link #record(int, long)}) and load one partition's records together.
 *
 * <p>Built once per (partitioner, record count) by hashing every key: O(records) time, 4 bytes per
 * record kept (8 while building), hence the bound {@link #MAX_RECORDS}. Immutable after
 * construction, so thread-safe.
 */
final class PartitionedRecords
{
    /** Most records indexed (an index of about 200 MiB). */
    static final long MAX_RECORDS = 50_000_000L;

    private final Partitioner partitioner;
    private final long records;
    private final int[][] byPartition;
    private final int[] nonEmpty;

    private PartitionedRecords(final Partitioner partitioner, final long records, final int[][] byPartition)
    {
        this.partitioner = partitioner;
        this.records = records;
        this.byPartition = byPartition;
        this.nonEmpty = IntStream.range(0, byPartition.length).filter(p -> byPartition[p].length > 0)
            .toArray();
    }

    /**
     * @param partitioner the cluster's partitioner.
     * @param records     number of records, in [1, {@link #MAX_RECORDS}].
     * @param key         the key of record {@code i}.
     * @return the index.
     * @throws IllegalArgumentException if {@code records} is out of range.
     */
    static PartitionedRecords build(final Partitioner partitioner, final long records, final LongFunction<byte[]> key)
    {
        if (records < 1 || records > MAX_RECORDS)
        {
            throw new IllegalArgumentException("--records=" + records + " must be in [1, " + MAX_RECORDS + "]");
        }
        final int partitions = partitioner.partitionCount();
        final int[] counts = new int[partitions];
        final int[] owner = new int[(int)records];
        for (int i = 0; i < records; i++)
        {
            owner[i] = partitioner.partitionOf(key.apply(i));
            counts[owner[i]]++;
        }
        final int[][] byPartition = new int[partitions][];
        for (int p = 0; p < partitions; p++)
        {
            byPartition[p] = new int[counts[p]];
        }
        final int[] filled = new int[partitions];
        for (int i = 0; i < records; i++)
        {
            byPartition[owner[i]][filled[owner[i]]++] = i;
        }
        return new PartitionedRecords(partitioner, records, byPartition);
    }

    /**
     * @param otherPartitioner a partitioner.
     * @param otherRecords     a record count.
     * @return whether this index was built for them (the same partitioner instance).
     */
    boolean isFor(final Partitioner otherPartitioner, final long otherRecords)
    {
        return partitioner == otherPartitioner && records == otherRecords;
    }

    /** @return the number of partitions. */
    int partitionCount()
    {
        return byPartition.length;
    }

    /**
     * @param partition a partition.
     * @return how many records it owns.
     */
    int count(final int partition)
    {
        return byPartition[partition].length;
    }

    /**
     * @param partition a partition.
     * @param position  a position in {@code [0, count(partition))}.
     * @return the index of the record at that position of the partition's ascending list.
     */
    long record(final int partition, final long position)
    {
        return byPartition[partition][(int)position];
    }

    /** @return the partitions owning at least one record, ascending. */
    int[] nonEmptyPartitions()
    {
        return nonEmpty.clone();
    }

    /** @return how many partitions own at least one record. */
    int nonEmptyPartitionCount()
    {
        return nonEmpty.length;
    }

    /**
     * @param i an index in {@code [0, nonEmptyPartitionCount())}.
     * @return the i-th partition owning records.
     */
    int nonEmptyPartition(final int i)
    {
        return nonEmpty[i];
    }

    /**
     * Load chunks: each partition's ascending record list cut into runs of {@code batch} records,
     * partition 0's first. A chunk's records share one partition, so a load transaction over it
     * involves one partition.
     *
     * @param batch records per chunk, at least 1.
     * @return the number of chunks.
     */
    long chunkCount(final int batch)
    {
        long chunks = 0;
        for (final int[] records : byPartition)
        {
            chunks += (records.length + batch - 1) / batch;
        }
        return chunks;
    }

    /**
     * @param index a chunk index in {@code [0, chunkCount(batch))}.
     * @param batch records per chunk, at least 1.
     * @return the record indexes of that chunk, ascending.
     * @throws IllegalArgumentException if the index is out of range.
     */
    int[] chunk(final long index, final int batch)
    {
        if (index < 0)
        {
            throw new IllegalArgumentException("load transaction " + index + " is negative");
        }
        long remaining = index;
        for (final int[] records : byPartition)
        {
            final long chunks = (records.length + batch - 1) / batch;
            if (remaining < chunks)
            {
                final int from = (int)(remaining * batch);
                return Arrays.copyOfRange(records, from, Math.min(records.length, from + batch));
            }
            remaining -= chunks;
        }
        throw new IllegalArgumentException("load transaction " + index + " out of range [0, " + chunkCount(batch) + ")");
    }

    /**
     * A workload's index, built on first use and built again when settings with another partitioner
     * or record count arrive. Thread-safe: the loader's and the workers' threads share it; a build
     * runs under the cache's lock, a lookup of the current index does not lock.
     */
    static final class Cache
    {
        private final LongFunction<byte[]> key;
        private volatile PartitionedRecords current;

        /**
         * @param key the key of record {@code i}.
         */
        Cache(final LongFunction<byte[]> key)
        {
            this.key = key;
        }

        /**
         * @param partitioner the cluster's partitioner.
         * @param records     number of records, in [1, {@link #MAX_RECORDS}].
         * @return the index for them.
         * @throws IllegalArgumentException if {@code records} is out of range.
         */
        PartitionedRecords get(final Partitioner partitioner, final long records)
        {
            PartitionedRecords index = current;
            if (index == null || !index.isFor(partitioner, records))
            {
                synchronized (this)
                {
                    index = current;
                    if (index == null || !index.isFor(partitioner, records))
                    {
                        index = build(partitioner, records, key);
                        current = index;
                    }
                }
            }
            return index;
        }
    }

    @Override
    public String toString()
    {
        return "PartitionedRecords{records=" + records + ", perPartition=" +
            Arrays.toString(Arrays.stream(byPartition).mapToInt(a -> a.length).toArray()) + '}';
    }
}
