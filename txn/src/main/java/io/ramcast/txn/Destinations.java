package io.ramcast.txn;

import java.util.BitSet;
import java.util.stream.IntStream;

/**
 * The partitions a transaction involves: the owners of every key in its read and write sets and
 * of every scan's range. Computed identically by clients (where to multicast) and replicas (to
 * check what they delivered). Stateless.
 */
public final class Destinations
{
    private Destinations()
    {
    }

    /**
     * @param transaction the transaction.
     * @param partitioner the cluster's partitioner.
     * @return the involved partitions, ascending, at least one; every partition for an
     *         administrative transaction.
     * @throws IllegalArgumentException if a scan's range spans several partitions.
     */
    public static int[] of(final Transaction transaction, final Partitioner partitioner)
    {
        if (transaction.isAdministrative())
        {
            return IntStream.range(0, partitioner.partitionCount()).toArray();
        }
        final BitSet partitions = new BitSet(partitioner.partitionCount());
        for (final byte[] k : transaction.readKeys())
        {
            partitions.set(partitioner.partitionOf(k));
        }
        for (final byte[] k : transaction.writeKeys())
        {
            partitions.set(partitioner.partitionOf(k));
        }
        for (final Op.Scan s : transaction.scans())
        {
            partitions.set(scanPartition(s, partitioner));
        }
        return partitions.stream().toArray();
    }

    /**
     * Where each operation's result comes from when the involved partitions answer with their own
     * results ({@code PartitionExecutor}, "Which partitions send their reads"): the partition owning
     * the operation's key, or the scan's partition for a scan.
     *
     * @param transaction an operation-list transaction.
     * @param partitioner the cluster's partitioner.
     * @return one partition per operation, in operation order.
     * @throws IllegalArgumentException if a scan's range spans several partitions.
     */
    public static int[] resultPartitions(final Transaction transaction, final Partitioner partitioner)
    {
        final int[] owners = new int[transaction.ops().size()];
        for (int i = 0; i < owners.length; i++)
        {
            final Op op = transaction.ops().get(i);
            owners[i] = op instanceof Op.Scan scan ? scanPartition(scan, partitioner) : partitioner.partitionOf(op.key());
        }
        return owners;
    }

    /**
     * @param scan        a scan.
     * @param partitioner the cluster's partitioner.
     * @return the one partition holding the scan's whole range.
     * @throws IllegalArgumentException if the range spans several partitions.
     */
    public static int scanPartition(final Op.Scan scan, final Partitioner partitioner)
    {
        final int p = partitioner.partitionOfRange(scan.key(), scan.endExclusive());
        if (p == Partitioner.NO_SINGLE_PARTITION)
        {
            throw new IllegalArgumentException("scan range spans several partitions; a scan must stay within one " +
                "partition (use the range partitioner and a range inside one split)");
        }
        return p;
    }
}
