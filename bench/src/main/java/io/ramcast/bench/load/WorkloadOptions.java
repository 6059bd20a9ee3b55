package io.ramcast.bench.load;

import io.ramcast.bench.workload.BenchWorkload;
import io.ramcast.bench.workload.KeyDistribution;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.bench.workload.Workloads;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.config.ClusterConfig;
import picocli.CommandLine.Option;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options that choose and size a workload's data set, shared by {@code load} and
 * {@code bench} (a picocli mixin), and their translation, with the {@link Shape} options of
 * {@code bench}, into {@link WorkloadSettings}. Validation is complete before anything connects:
 * every rule failure is an {@link IllegalArgumentException} naming the option, its value and the
 * rule, which the commands turn into exit code 2.
 */
final class WorkloadOptions
{
    /** Default {@code --value-size}. */
    static final int DEFAULT_VALUE_SIZE_BYTES = 100;
    /** Default {@code --batch}. */
    static final int DEFAULT_BATCH = 32;

    @Option(names = "--workload", required = true, paramLabel = "NAME", completionCandidates = Names.class,
        description = "The workload: ${COMPLETION-CANDIDATES}.")
    private String workload;

    @Option(names = "--records", paramLabel = "N",
        description = "Records (keys, accounts) of the data set (default: the workload's; ycsb 10000, bank 12, smallbank 10000, list-append 8 key slots, kv-* 1000).")
    private Long records;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "" + DEFAULT_VALUE_SIZE_BYTES,
        description = "Size of generated values, at most the config's limits.maxValueBytes (default: ${DEFAULT-VALUE}).")
    private int valueSizeBytes;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "" + DEFAULT_BATCH,
        description = "Records per load transaction, at most the config's limits.maxKeysPerTransaction " +
            "(default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(names = "--param", paramLabel = "KEY=VALUE",
        description = "A workload-specific setting; repeatable (bank: initialBalance=N, readFraction=F; list-append: maxMicroOps=N, maxListLength=N, run=NAME).")
    private Map<String, String> params = new LinkedHashMap<>();

    /** @return the workload name as given. */
    String workloadName()
    {
        return workload;
    }

    /**
     * @return a new instance of the chosen workload.
     * @throws IllegalArgumentException naming the known workloads.
     */
    BenchWorkload workload()
    {
        return Workloads.create(workload);
    }

    /**
     * Checks the generic rules against the cluster's config and builds the settings. The workload's
     * own rules are checked by the caller ({@link BenchWorkload#loadTransactionCount} and
     * {@link BenchWorkload#newGenerator} refuse what it cannot run).
     *
     * @param config the cluster config (partitions, limits).
     * @param shape  how operations choose keys and partitions, or null for the defaults (loading).
     * @return the settings.
     * @throws IllegalArgumentException naming the option, the value and the rule.
     */
    WorkloadSettings settings(final ClusterConfig config, final Shape shape)
    {
        return settings(new Limits(config.partitioner(), config.limits().maxValueBytes(),
            "limits.maxValueBytes of " + config.source(), config.limits().maxKeysPerTransaction(),
            "limits.maxKeysPerTransaction of " + config.source(), config.source()), shape);
    }

    /**
     * As {@link #settings(ClusterConfig, Shape)}, for a target described by its limits alone.
     *
     * @param limits the target's partitioner and limits.
     * @param shape  how operations choose keys and partitions, or null for the defaults (loading).
     * @return the settings.
     * @throws IllegalArgumentException naming the option, the value and the rule.
     */
    WorkloadSettings settings(final Limits limits, final Shape shape)
    {
        final String distribution = shape != null && shape.distribution != null ? shape.distribution :
            Workloads.defaultDistribution(workload);
        final double multiPartitionFraction = shape != null ? shape.multiPartitionFraction : 0;
        final Integer maxPartitions = shape != null ? shape.maxPartitions : null;
        final long recordCount = records != null ? records : Workloads.defaultRecords(workload);
        if (recordCount < 1)
        {
            throw new IllegalArgumentException("--records=" + recordCount + " must be at least 1");
        }
        if (valueSizeBytes < 1 || valueSizeBytes > limits.maxValueBytes())
        {
            throw new IllegalArgumentException("--value-size=" + valueSizeBytes + " must be in [1, " +
                limits.maxValueBytes() + "] (" + limits.valueRule() + ")");
        }
        if (batch < 1 || batch > limits.maxKeysPerTransaction())
        {
            throw new IllegalArgumentException("--batch=" + batch + " must be in [1, " + limits.maxKeysPerTransaction() +
                "] (" + limits.keysRule() + ")");
        }
        final KeyDistribution keyDistribution = KeyDistribution.of(distribution);
        if (!(multiPartitionFraction >= 0 && multiPartitionFraction <= 1))
        {
            throw new IllegalArgumentException("--multi-partition=" + multiPartitionFraction + " must be in [0, 1]");
        }
        final int partitions = limits.partitioner().partitionCount();
        if (multiPartitionFraction > 0 && partitions < 2)
        {
            throw new IllegalArgumentException("--multi-partition=" + multiPartitionFraction + " needs at least 2 " +
                "partitions; " + limits.source() + " has " + partitions);
        }
        final int maxK = maxPartitions != null ? maxPartitions : Math.max(2, partitions);
        if (maxPartitions != null && (maxK < 2 || maxK > partitions))
        {
            throw new IllegalArgumentException("--max-partitions=" + maxK + " must be in [2, " + partitions +
                "] (the partitions of " + limits.source() + ")");
        }
        return new WorkloadSettings(limits.partitioner(), recordCount, valueSizeBytes, keyDistribution.cliName(),
            multiPartitionFraction, maxK, batch, params);
    }

    /**
     * What the system a workload runs against accepts.
     *
     * @param partitioner           how it maps keys to partitions.
     * @param maxValueBytes         largest value.
     * @param valueRule             where that limit comes from, for messages.
     * @param maxKeysPerTransaction most keys in one transaction.
     * @param keysRule              where that limit comes from, for messages.
     * @param source                the system, for messages ("config/local.yaml", "the etcd target").
     */
    record Limits(Partitioner partitioner, int maxValueBytes, String valueRule, int maxKeysPerTransaction,
        String keysRule, String source)
    {
    }

    /**
     * How {@code bench} operations choose records and partitions (a second mixin, which
     * {@code load} does not have).
     */
    static final class Shape
    {
        @Option(names = "--distribution", paramLabel = "KIND",
            description = "How records are chosen: zipfian (YCSB's scrambled zipfian, 0.99) or uniform " +
                "(default: the workload's; uniform for kv-*, zipfian for the others).")
        private String distribution;

        @Option(names = "--multi-partition", paramLabel = "FRACTION", defaultValue = "0",
            description = "Share of operations run as one transaction over 2..--max-partitions partitions, in [0, 1] " +
                "(default: ${DEFAULT-VALUE}).")
        private double multiPartitionFraction;

        @Option(names = "--max-partitions", paramLabel = "K",
            description = "Most partitions of a multi-partition transaction, in [2, partitions] (default: all partitions).")
        private Integer maxPartitions;
    }

    /** The workload names, for picocli's completion candidates and help. */
    static final class Names implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return Workloads.names().iterator();
        }
    }
}
