package io.ramcast.bench.workload;

import io.ramcast.txn.Op;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Transaction;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Three one-transaction workloads that measure this store against etcd on the same operations:
 * {@code kv-read} reads one key, {@code kv-write3} writes three keys in one transaction,
 * {@code kv-cas} compares one key and then writes it and two more. Both targets of {@code bench}
 * run them: the ramcast target as they are, the etcd target as one etcd v3 request each
 * ({@code io.ramcast.bench.etcd}).
 *
 * <h2>Data set</h2>
 * Each workload has keys of its own, so that running one never disturbs another's: the prefix
 * ({@code kvr}, {@code kvw}, {@code kvc}) followed by the record number in
 * {@value YcsbWorkload#KEY_DIGITS} zero-padded digits ({@code kvw0000000042}). The loaded value of
 * record {@code r} is {@link YcsbWorkload#value YcsbWorkload.value(r, 0, valueSizeBytes)}
 * ({@link #loadedValue}); loading writes every key once, {@code batchSize} records of one partition
 * per transaction, and writes the same bytes again when repeated.
 *
 * <h2>Operations</h2>
 * Records are drawn with {@link WorkloadSettings#keyDistribution()} (uniform unless
 * {@code --distribution} says otherwise); the keys of one transaction are distinct.
 * <ul>
 *   <li>{@code kv-read}, type {@code read}: get record A.</li>
 *   <li>{@code kv-write3}, type {@code write3}: put records A, B and C, each with its value at one
 *       version drawn at random per transaction ({@code YcsbWorkload.value(r, v, size)}).</li>
 *   <li>{@code kv-cas}, type {@code cas}: compare-and-set A from its loaded value to its loaded
 *       value, then put B and C with their loaded values.</li>
 * </ul>
 * {@code kv-cas} is a guarded write, as with a lease or fencing key: the write goes through only if
 * A still holds what the writer expects. Every write of the workload writes a record's loaded
 * value, so the data set's content never changes and the condition holds at any number of
 * workers: once the data set is loaded every transaction should commit, and each one that does not
 * is counted as not committed ({@code CONDITION_FAILED}) in the report, which means the data set
 * was not loaded or something else changed it. The compared key is written too (with the value it
 * held) because this store's compare is a compare-and-set; the etcd target writes it as well, so
 * that both systems do the same work: one comparison and three writes.
 *
 * <p>Settings: {@code records} in [1, {@value PartitionedRecords#MAX_RECORDS}] for {@code kv-read},
 * in [3, {@value PartitionedRecords#MAX_RECORDS}] for the others; {@code valueSizeBytes} and
 * {@code batchSize} at least 1; {@code multiPartitionFraction} 0 (the keys are drawn from all
 * records, so on a cluster of several partitions a transaction spans whichever partitions its keys
 * fall on); no {@code --param}. Invalid settings are refused by {@link #loadTransactionCount} and
 * {@link #newGenerator} with an {@link IllegalArgumentException} naming the option.
 *
 * <p>Threading: shared by the loader's and the workers' threads (the index of records per
 * partition is built once, see {@link PartitionedRecords.Cache}); generators are per worker.
 */
public final class KvWorkload implements BenchWorkload
{
    /** Records of the data set unless {@code --records} says otherwise. */
    public static final long DEFAULT_RECORDS = 1_000;
    /** Key distribution unless {@code --distribution} says otherwise. */
    public static final KeyDistribution DEFAULT_DISTRIBUTION = KeyDistribution.UNIFORM;

    private final Kind kind;
    private final PartitionedRecords.Cache records;

    /** The three workloads. */
    public enum Kind
    {
        /** Read one key. */
        READ("kv-read", "kvr", "read", 1, "read one key (get)"),
        /** Write three keys in one transaction. */
        WRITE3("kv-write3", "kvw", "write3", 3, "write 3 keys in one transaction (3 puts, new values)"),
        /** Compare one key, then write it and two more. */
        CAS("kv-cas", "kvc", "cas", 3,
            "compare one key, then put it and 2 more (compare-and-set + 2 puts, the loaded values: should always commit)");

        private final String workloadName;
        private final String keyPrefix;
        private final String type;
        private final int keysPerTransaction;
        private final String description;

        Kind(final String workloadName, final String keyPrefix, final String type, final int keysPerTransaction,
            final String description)
        {
            this.workloadName = workloadName;
            this.keyPrefix = keyPrefix;
            this.type = type;
            this.keysPerTransaction = keysPerTransaction;
            this.description = description;
        }

        /** @return the workload name, {@code kv-read} etc. */
        public String workloadName()
        {
            return workloadName;
        }

        /** @return the prefix of the workload's keys. */
        public String keyPrefix()
        {
            return keyPrefix;
        }

        /** @return the type label of its operations. */
        public String type()
        {
            return type;
        }

        /** @return the distinct keys each transaction touches. */
        public int keysPerTransaction()
        {
            return keysPerTransaction;
        }
    }

    /**
     * @param kind which of the three.
     */
    public KvWorkload(final Kind kind)
    {
        this.kind = kind;
        this.records = new PartitionedRecords.Cache(record -> key(kind, record));
    }

    /** @return which of the three. */
    public Kind kind()
    {
        return kind;
    }

    @Override
    public String name()
    {
        return kind.workloadName;
    }

    @Override
    public String description()
    {
        return kind.description + "; records " + kind.keyPrefix + "<" + YcsbWorkload.KEY_DIGITS + " digits>";
    }

    /**
     * @param kind   the workload.
     * @param record a record index, non-negative.
     * @return its key: the workload's prefix and the index in {@value YcsbWorkload#KEY_DIGITS} digits.
     */
    public static byte[] key(final Kind kind, final long record)
    {
        return YcsbWorkload.key(kind.keyPrefix, record);
    }

    /**
     * @param record         a record index.
     * @param valueSizeBytes the size, non-negative.
     * @return the value loading writes to the record (and the only value {@code kv-cas} writes).
     */
    public static byte[] loadedValue(final long record, final int valueSizeBytes)
    {
        return YcsbWorkload.value(record, 0, valueSizeBytes);
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
            t.put(key(kind, record), loadedValue(record, settings.valueSizeBytes()));
        }
        return t.build();
    }

    @Override
    public OperationGenerator newGenerator(final WorkloadSettings settings, final int worker, final long seed)
    {
        records(settings);
        return new Generator(kind, settings, new SplittableRandom(seed));
    }

    private PartitionedRecords records(final WorkloadSettings settings)
    {
        validate(settings);
        return records.get(settings.partitioner(), settings.records());
    }

    private void validate(final WorkloadSettings s)
    {
        if (s.records() < kind.keysPerTransaction || s.records() > PartitionedRecords.MAX_RECORDS)
        {
            throw new IllegalArgumentException("--records=" + s.records() + " must be in [" + kind.keysPerTransaction +
                ", " + PartitionedRecords.MAX_RECORDS + "] for " + name() + " (" + kind.keysPerTransaction +
                " distinct key(s) per transaction)");
        }
        s.checkValuesBatchAndDistribution();
        if (s.multiPartitionFraction() != 0)
        {
            throw new IllegalArgumentException("--multi-partition=" + s.multiPartitionFraction() + ": " + name() +
                " draws its keys from all records, whatever partition they are on; leave --multi-partition at 0");
        }
        s.checkNoParams(name());
    }

    /** One worker's operations. Not thread-safe. */
    static final class Generator implements OperationGenerator
    {
        private final Kind kind;
        private final KeyDistribution distribution;
        private final Partitioner partitioner;
        private final long recordCount;
        private final int valueSizeBytes;
        private final SplittableRandom random;

        Generator(final Kind kind, final WorkloadSettings settings, final SplittableRandom random)
        {
            this.kind = kind;
            this.distribution = KeyDistribution.of(settings.keyDistribution());
            this.partitioner = settings.partitioner();
            this.recordCount = settings.records();
            this.valueSizeBytes = settings.valueSizeBytes();
            this.random = random;
        }

        @Override
        public PlannedOperation next()
        {
            final long a = distribution.next(random, recordCount);
            final Transaction.Builder t = Transaction.builder();
            switch (kind)
            {
                case READ -> t.get(key(kind, a));
                case WRITE3 ->
                {
                    final long b = distinct(a, a);
                    final long c = distinct(a, b);
                    final long version = random.nextLong(1, Long.MAX_VALUE);
                    t.put(key(kind, a), YcsbWorkload.value(a, version, valueSizeBytes))
                        .put(key(kind, b), YcsbWorkload.value(b, version, valueSizeBytes))
                        .put(key(kind, c), YcsbWorkload.value(c, version, valueSizeBytes));
                }
                case CAS ->
                {
                    final long b = distinct(a, a);
                    final long c = distinct(a, b);
                    final byte[] expected = loadedValue(a, valueSizeBytes);
                    t.compareAndSet(key(kind, a), expected, expected)
                        .put(key(kind, b), loadedValue(b, valueSizeBytes))
                        .put(key(kind, c), loadedValue(c, valueSizeBytes));
                }
            }
            final Transaction transaction = t.build();
            return new PlannedOperation(kind.type, transaction, partitionsOf(transaction));
        }

        /** @return how many partitions the transaction's keys (at most three) fall on. */
        private int partitionsOf(final Transaction transaction)
        {
            final List<Op> ops = transaction.ops();
            int count = 0;
            for (int i = 0; i < ops.size(); i++)
            {
                final int p = partitioner.partitionOf(ops.get(i).key());
                boolean first = true;
                for (int j = 0; j < i && first; j++)
                {
                    first = partitioner.partitionOf(ops.get(j).key()) != p;
                }
                count += first ? 1 : 0;
            }
            return count;
        }

        /** Draws a record other than {@code x} and {@code y} (records is at least 3). */
        private long distinct(final long x, final long y)
        {
            long r;
            do
            {
                r = distribution.next(random, recordCount);
            }
            while (r == x || r == y);
            return r;
        }
    }
}
