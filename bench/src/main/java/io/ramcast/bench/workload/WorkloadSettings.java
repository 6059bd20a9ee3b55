package io.ramcast.bench.workload;

import io.ramcast.txn.Partitioner;

import java.util.Map;

/**
 * The knobs every workload reads (those it does not use it ignores).
 *
 * @param partitioner            the cluster's partitioner (to place keys on chosen partitions).
 * @param records                number of records (keys, accounts, customers) in the data set.
 * @param valueSizeBytes         size of generated values.
 * @param keyDistribution        "zipfian" or "uniform".
 * @param multiPartitionFraction share of operations turned into transactions over 2..maxPartitions
 *                               partitions, in [0, 1].
 * @param maxPartitions          most partitions one multi-partition transaction involves (>= 2).
 * @param batchSize              records per load transaction.
 * @param extra                  workload-specific options ({@code --param key=value}).
 */
public record WorkloadSettings(
    Partitioner partitioner,
    long records,
    int valueSizeBytes,
    String keyDistribution,
    double multiPartitionFraction,
    int maxPartitions,
    int batchSize,
    Map<String, String> extra)
{
    public WorkloadSettings
    {
        extra = Map.copyOf(extra);
    }

    /**
     * The checks of workloads that generate values over a key distribution and load in batches.
     *
     * @throws IllegalArgumentException naming the option: a value size or batch below 1, an unknown
     *                                  distribution.
     */
    void checkValuesBatchAndDistribution()
    {
        if (valueSizeBytes < 1)
        {
            throw new IllegalArgumentException("--value-size=" + valueSizeBytes + " must be at least 1");
        }
        if (batchSize < 1)
        {
            throw new IllegalArgumentException("--batch=" + batchSize + " must be at least 1");
        }
        KeyDistribution.of(keyDistribution);
    }

    /**
     * @param workload the workload's name, for the message.
     * @throws IllegalArgumentException naming the first {@code --param} if there is any.
     */
    void checkNoParams(final String workload)
    {
        if (!extra.isEmpty())
        {
            throw new IllegalArgumentException("--param " + extra.keySet().iterator().next() + ": " + workload +
                " takes no --param");
        }
    }
}
