package io.ramcast.bench.workload;

import io.ramcast.txn.Transaction;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The YCSB core workloads A, B, C and F over one table of records, with an optional share of
 * multi-partition transactions (the reason this store exists).
 *
 * <h2>Data set</h2>
 * Record {@code i} (0-based) has the key {@code user} followed by {@code i} zero-padded to
 * {@value #KEY_DIGITS} digits ({@code user0000000042}): ordered, not YCSB's hashed key order,
 * because the partitioner already scatters keys and the zipfian choice scatters popularity;
 * the width does not depend on the record count, so data sets of different sizes share keys.
 * Its value is {@code valueSizeBytes} printable ASCII bytes determined by (record, version)
 * ({@link #value}); loading writes version 0, so a second load writes the same bytes
 * (idempotent). Load transaction {@code i} puts up to {@code batchSize} records that all live on
 * one partition (see {@link PartitionedRecords#chunk}).
 *
 * <h2>Operations</h2>
 * <table>
 *   <caption>operation mixes</caption>
 *   <tr><th>workload</th><th>read</th><th>update</th><th>read-modify-write</th></tr>
 *   <tr><td>{@code ycsb-a}</td><td>50 %</td><td>50 %</td><td></td></tr>
 *   <tr><td>{@code ycsb-b}</td><td>95 %</td><td>5 %</td><td></td></tr>
 *   <tr><td>{@code ycsb-c}</td><td>100 %</td><td></td><td></td></tr>
 *   <tr><td>{@code ycsb-f}</td><td>50 %</td><td></td><td>50 %</td></tr>
 * </table>
 * A read is a get, an update a put of a new version of the whole value, a read-modify-write a get
 * and a put of the same key in one transaction (atomic, so it never fails: no compare-and-set).
 * Records are chosen with {@link WorkloadSettings#keyDistribution()} ({@link KeyDistribution}).
 *
 * <p>With probability {@link WorkloadSettings#multiPartitionFraction()} the operation instead
 * becomes one transaction over {@code k} distinct partitions, {@code k} uniform in
 * {@code [2, maxPartitions]}: the same operation applied to one record of each of {@code k}
 * partitions chosen uniformly, each record drawn with the key distribution over that partition's
 * records. Type labels: {@code read}, {@code update}, {@code rmw}, and {@code multi-read},
 * {@code multi-update}, {@code multi-rmw} for multi-partition ones.
 *
 * <p>Settings: {@code records} in [1, {@value PartitionedRecords#MAX_RECORDS}], every other field
 * of {@link WorkloadSettings}; no {@code --param}. Invalid settings are refused by
 * {@link #loadTransactionCount} and {@link #newGenerator} with an {@link IllegalArgumentException}
 * naming the option.
 *
 * <p>Threading: the workload is shared by the loader's and the workers' threads; it keeps one
 * immutable index of records per partition, built on first use (O(records) hashing; later
 * settings with another partitioner or record count rebuild it). Generators are per worker.
 */
public final class YcsbWorkload implements BenchWorkload
{
    /** Prefix of every record key. */
    public static final String KEY_PREFIX = "user";
    /** Digits of the zero-padded record number. */
    public static final int KEY_DIGITS = 10;
    /** Records of the data set unless {@code --records} says otherwise. */
    public static final long DEFAULT_RECORDS = 10_000;

    private final Mix mix;
    private final PartitionedRecords.Cache records = new PartitionedRecords.Cache(YcsbWorkload::key);

    /** The four core mixes. */
    public enum Mix
    {
        /** Update heavy: 50 % reads, 50 % updates. */
        A(0.50, 0.50, 0.0, "update heavy: 50% read, 50% update"),
        /** Read mostly: 95 % reads, 5 % updates. */
        B(0.95, 0.05, 0.0, "read mostly: 95% read, 5% update"),
        /** Read only. */
        C(1.00, 0.00, 0.0, "read only: 100% read"),
        /** Read-modify-write: 50 % reads, 50 % read-modify-writes. */
        F(0.50, 0.00, 0.50, "read-modify-write: 50% read, 50% read-modify-write (get + put in one transaction)");

        private final double read;
        private final double update;
        private final double readModifyWrite;
        private final String description;

        Mix(final double read, final double update, final double readModifyWrite, final String description)
        {
            this.read = read;
            this.update = update;
            this.readModifyWrite = readModifyWrite;
            this.description = description;
        }

        /** @return the workload name, {@code ycsb-a} etc. */
        public String workloadName()
        {
            return "ycsb-" + name().toLowerCase(Locale.ROOT);
        }

        /** @return share of reads, in [0, 1]. */
        public double readFraction()
        {
            return read;
        }

        /** @return share of updates, in [0, 1]. */
        public double updateFraction()
        {
            return update;
        }

        /** @return share of read-modify-writes, in [0, 1]. */
        public double readModifyWriteFraction()
        {
            return readModifyWrite;
        }
    }

    /** What one operation does to each of its records. */
    enum Kind
    {
        /** Get. */
        READ("read"),
        /** Put of a new version. */
        UPDATE("update"),
        /** Get and put of a new version, in one transaction. */
        RMW("rmw");

        private final String label;
        private final String multiLabel;

        Kind(final String label)
        {
            this.label = label;
            this.multiLabel = "multi-" + label;
        }

        /**
         * @param multi whether the operation spans several partitions.
         * @return its type label.
         */
        String label(final boolean multi)
        {
            return multi ? multiLabel : label;
        }
    }

    /**
     * @param mix the operation mix.
     */
    public YcsbWorkload(final Mix mix)
    {
        this.mix = mix;
    }

    /** @return the mix. */
    public Mix mix()
    {
        return mix;
    }

    @Override
    public String name()
    {
        return mix.workloadName();
    }

    @Override
    public String description()
    {
        return "YCSB " + mix.name() + ", " + mix.description + "; records " + KEY_PREFIX + "<" + KEY_DIGITS +
            " digits>, optionally multi-partition";
    }

    @Override
    public long loadTransactionCount(final WorkloadSettings settings)
    {
        return records(settings).chunkCount(settings.batchSize());
    }

    @Override
    public Transaction loadTransaction(final long index, final WorkloadSettings settings)
    {
        final Transaction.Builder t = Transaction.builder();
        for (final int record : records(settings).chunk(index, settings.batchSize()))
        {
            t.put(key(record), value(record, 0, settings.valueSizeBytes()));
        }
        return t.build();
    }

    @Override
    public OperationGenerator newGenerator(final WorkloadSettings settings, final int worker, final long seed)
    {
        return new Generator(mix, settings, records(settings), new SplittableRandom(seed));
    }

    /**
     * @param record a record index, non-negative.
     * @return its key, {@code user} and the index in {@value #KEY_DIGITS} digits.
     */
    public static byte[] key(final long record)
    {
        return key(KEY_PREFIX, record);
    }

    /**
     * @param prefix an ASCII prefix.
     * @param record a record index, non-negative.
     * @return the prefix followed by the index in {@value #KEY_DIGITS} zero-padded digits.
     */
    static byte[] key(final String prefix, final long record)
    {
        final byte[] key = new byte[prefix.length() + KEY_DIGITS];
        for (int i = 0; i < prefix.length(); i++)
        {
            key[i] = (byte)prefix.charAt(i);
        }
        long n = record;
        for (int i = key.length - 1; i >= prefix.length(); i--)
        {
            key[i] = (byte)('0' + n % 10);
            n /= 10;
        }
        return key;
    }

    /**
     * The value of a record at a version: {@code sizeBytes} printable ASCII bytes (0x21..0x7e) from
     * a SplitMix64 stream seeded by (record, version). Deterministic; pure.
     *
     * @param record    the record index.
     * @param version   the version; 0 is the loaded value.
     * @param sizeBytes the size, non-negative.
     * @return the value.
     */
    public static byte[] value(final long record, final long version, final int sizeBytes)
    {
        final byte[] value = new byte[sizeBytes];
        long state = mix64(record * 0x9E3779B97F4A7C15L ^ mix64(version));
        long bits = 0;
        for (int i = 0; i < sizeBytes; i++)
        {
            if ((i & 7) == 0)
            {
                state += 0x9E3779B97F4A7C15L;
                bits = mix64(state);
            }
            value[i] = (byte)(0x21 + Long.remainderUnsigned(bits & 0xff, 94));
            bits >>>= 8;
        }
        return value;
    }

    /** SplitMix64's finaliser (Steele, Lea, Flood 2014). */
    private static long mix64(final long z0)
    {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The record index for the settings, validating them first.
     *
     * @throws IllegalArgumentException naming the option that is out of range.
     */
    private PartitionedRecords records(final WorkloadSettings settings)
    {
        validate(settings);
        final PartitionedRecords index = records.get(settings.partitioner(), settings.records());
        if (settings.multiPartitionFraction() > 0 && index.nonEmptyPartitionCount() < settings.maxPartitions())
        {
            throw new IllegalArgumentException("--records=" + settings.records() + " puts records on only " +
                index.nonEmptyPartitionCount() + " partitions, fewer than --max-partitions=" + settings.maxPartitions());
        }
        return index;
    }

    private void validate(final WorkloadSettings s)
    {
        if (s.records() < 1 || s.records() > PartitionedRecords.MAX_RECORDS)
        {
            throw new IllegalArgumentException("--records=" + s.records() + " must be in [1, " +
                PartitionedRecords.MAX_RECORDS + "] for " + name());
        }
        s.checkValuesBatchAndDistribution();
        if (!(s.multiPartitionFraction() >= 0 && s.multiPartitionFraction() <= 1))
        {
            throw new IllegalArgumentException("--multi-partition=" + s.multiPartitionFraction() + " must be in [0, 1]");
        }
        if (s.multiPartitionFraction() > 0 &&
            (s.maxPartitions() < 2 || s.maxPartitions() > s.partitioner().partitionCount()))
        {
            throw new IllegalArgumentException("--max-partitions=" + s.maxPartitions() + " must be in [2, " +
                s.partitioner().partitionCount() + "] (the cluster's partitions) with --multi-partition above 0");
        }
        s.checkNoParams(name());
    }

    /** One worker's operations. Not thread-safe. */
    static final class Generator implements OperationGenerator
    {
        private final Mix mix;
        private final KeyDistribution distribution;
        private final PartitionedRecords records;
        private final long recordCount;
        private final int valueSizeBytes;
        private final double multiPartitionFraction;
        private final int maxPartitions;
        private final SplittableRandom random;
        private final int[] partitions;

        Generator(final Mix mix, final WorkloadSettings settings, final PartitionedRecords records,
            final SplittableRandom random)
        {
            this.mix = mix;
            this.distribution = KeyDistribution.of(settings.keyDistribution());
            this.records = records;
            this.recordCount = settings.records();
            this.valueSizeBytes = settings.valueSizeBytes();
            this.multiPartitionFraction = settings.multiPartitionFraction();
            this.maxPartitions = Math.min(settings.maxPartitions(), records.nonEmptyPartitionCount());
            this.random = random;
            this.partitions = records.nonEmptyPartitions();
        }

        @Override
        public PlannedOperation next()
        {
            final double u = random.nextDouble();
            final Kind kind = u < mix.read ? Kind.READ : u < mix.read + mix.update ? Kind.UPDATE : Kind.RMW;
            final Transaction.Builder t = Transaction.builder();
            if (multiPartitionFraction > 0 && random.nextDouble() < multiPartitionFraction)
            {
                final int k = 2 + random.nextInt(maxPartitions - 1);
                // Partial Fisher-Yates: the first k entries become k distinct partitions.
                for (int i = 0; i < k; i++)
                {
                    final int j = i + random.nextInt(partitions.length - i);
                    final int p = partitions[j];
                    partitions[j] = partitions[i];
                    partitions[i] = p;
                    add(t, kind, records.record(p, distribution.next(random, records.count(p))));
                }
                return new PlannedOperation(kind.label(true), t.build(), k);
            }
            add(t, kind, distribution.next(random, recordCount));
            return new PlannedOperation(kind.label(false), t.build(), 1);
        }

        private void add(final Transaction.Builder t, final Kind kind, final long record)
        {
            final byte[] key = key(record);
            if (kind != Kind.UPDATE)
            {
                t.get(key);
            }
            if (kind != Kind.READ)
            {
                t.put(key, value(record, random.nextLong(1, Long.MAX_VALUE), valueSizeBytes));
            }
        }
    }
}
