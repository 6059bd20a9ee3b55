package io.ramcast.txn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A transaction that declares its keys up front: a read set, a write set, and a body that is
 * either a list of {@link Op}s or a procedure registered by name on the replicas
 * (DESIGN.md, "Transactions"). Its destinations are the partitions owning any declared key or scan.
 *
 * <p>Immutable (the byte arrays must not be modified after building). Build an operation list
 * with {@link #builder()}, whose read and write sets follow from the operations; build a procedure
 * call with {@link #procedure(String, byte[])}, declaring every key the procedure may read or write.
 * The administrative kinds, {@link #checkpoint(long)} and {@link #serveClients(int)}, declare no
 * keys and go to every partition.
 */
public final class Transaction
{
    private final List<Op> ops;
    private final String procedure;
    private final byte[] arguments;
    private final List<byte[]> readKeys;
    private final List<byte[]> writeKeys;
    /** The checkpoint's id, or {@link #NO_CHECKPOINT} for every other transaction. */
    private final long checkpointId;

    /** {@link #checkpointId()} of a transaction that is not a checkpoint. */
    public static final long NO_CHECKPOINT = 0;
    /** The client ids a {@link #serveClients} transaction serves, 0 for every other transaction. */
    private final int servedClients;

    Transaction(final List<Op> ops, final String procedure, final byte[] arguments, final List<byte[]> readKeys,
        final List<byte[]> writeKeys)
    {
        this(ops, procedure, arguments, readKeys, writeKeys, NO_CHECKPOINT, 0);
    }

    private Transaction(final List<Op> ops, final String procedure, final byte[] arguments, final List<byte[]> readKeys,
        final List<byte[]> writeKeys, final long checkpointId, final int servedClients)
    {
        this.checkpointId = checkpointId;
        this.servedClients = servedClients;
        this.ops = ops == null ? null : Collections.unmodifiableList(new ArrayList<>(ops));
        this.procedure = procedure;
        this.arguments = arguments;
        this.readKeys = Collections.unmodifiableList(new ArrayList<>(readKeys));
        this.writeKeys = Collections.unmodifiableList(new ArrayList<>(writeKeys));
    }

    /** @return a builder for an operation-list transaction. */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @param name      the procedure's registered name.
     * @param arguments its arguments, opaque to the store.
     * @return a builder for a procedure call; declare its keys with {@code reads} and {@code writes}.
     */
    public static ProcedureBuilder procedure(final String name, final byte[] arguments)
    {
        return new ProcedureBuilder(name, arguments);
    }

    /**
     * A checkpoint: a transaction multicast to every partition that reads and writes nothing. Each
     * replica executes it with everything delivered before it applied and nothing after it started,
     * and keeps a RocksDB checkpoint of its store at that point for its snapshot server under this
     * id (a replica without {@code transferPort} keeps none). RamCast's order is one order across
     * partitions (acyclic order), so the checkpoints of all partitions together are one consistent
     * cut of the cluster: every transaction is before it at all its partitions or after it at all.
     * {@code bin/ramcast backup --all} builds on it. Each replica keeps a checkpoint as long as a
     * snapshot it made for a transfer (lease and limit of {@code SnapshotServer.Options}).
     *
     * @param checkpointId the id the snapshots are served under, positive.
     * @return the transaction; it commits with no results.
     * @throws IllegalArgumentException if the id is not positive.
     */
    public static Transaction checkpoint(final long checkpointId)
    {
        if (checkpointId <= 0)
        {
            throw new IllegalArgumentException("a checkpoint id must be positive, not " + checkpointId);
        }
        return new Transaction(List.of(), null, null, List.of(), List.of(), checkpointId, 0);
    }

    /**
     * Tells the cluster to serve the first {@code count} client ids of its range: multicast to every
     * partition, reading and writing no key. Each replica records the count in its store (never
     * lowering it) and from then on lets those client ids in; a replica whose configuration lays
     * out fewer client ids stops, naming the count, since it could not hold their messages.
     * {@code bin/ramcast clients --serve} runs it once every replica lays out the count. In the
     * delivery order every message of a newly served client comes after it, at every partition.
     *
     * @param count how many client ids to serve, positive.
     * @return the transaction; it commits with no results.
     * @throws IllegalArgumentException if the count is not positive.
     */
    public static Transaction serveClients(final int count)
    {
        if (count <= 0)
        {
            throw new IllegalArgumentException("a served client count must be positive, not " + count);
        }
        return new Transaction(List.of(), null, null, List.of(), List.of(), NO_CHECKPOINT, count);
    }

    /** @return whether this is a {@link #serveClients(int)}. */
    public boolean isServeClients()
    {
        return servedClients > 0;
    }

    /** @return the count a {@link #serveClients(int)} serves, 0 for every other transaction. */
    public int servedClients()
    {
        return servedClients;
    }

    /** @return whether this is an administrative transaction: no keys, every partition. */
    public boolean isAdministrative()
    {
        return isCheckpoint() || isServeClients();
    }

    /** @return whether this is a {@link #checkpoint(long)}. */
    public boolean isCheckpoint()
    {
        return checkpointId != NO_CHECKPOINT;
    }

    /** @return the checkpoint's id, or {@link #NO_CHECKPOINT}. */
    public long checkpointId()
    {
        return checkpointId;
    }

    /** @return whether the body is a registered procedure (otherwise an operation list). */
    public boolean isProcedure()
    {
        return procedure != null;
    }

    /** @return the operations (none for a checkpoint), or null for a procedure call. */
    public List<Op> ops()
    {
        return ops;
    }

    /** @return the procedure name, or null. */
    public String procedureName()
    {
        return procedure;
    }

    /** @return the procedure arguments, or null. */
    public byte[] procedureArguments()
    {
        return arguments;
    }

    /** @return keys the transaction may read (scans excluded). */
    public List<byte[]> readKeys()
    {
        return readKeys;
    }

    /** @return keys the transaction may write. */
    public List<byte[]> writeKeys()
    {
        return writeKeys;
    }

    /** @return the scans among the operations (empty for a procedure). */
    public List<Op.Scan> scans()
    {
        final List<Op.Scan> scans = new ArrayList<>();
        if (ops != null)
        {
            for (final Op op : ops)
            {
                if (op instanceof Op.Scan s)
                {
                    scans.add(s);
                }
            }
        }
        return scans;
    }

    @Override
    public String toString()
    {
        if (isCheckpoint())
        {
            return "Transaction{checkpoint=" + Long.toUnsignedString(checkpointId, 16) + '}';
        }
        if (isServeClients())
        {
            return "Transaction{serveClients=" + servedClients + '}';
        }
        return isProcedure() ?
            "Transaction{procedure=" + procedure + ", reads=" + readKeys.size() + ", writes=" + writeKeys.size() + '}' :
            "Transaction{ops=" + ops.size() + '}';
    }

    /** Builds an operation-list transaction; the read and write sets follow from the operations. */
    public static final class Builder
    {
        private final List<Op> ops = new ArrayList<>();

        private Builder()
        {
        }

        /**
         * @param op the next operation.
         * @return this.
         */
        public Builder op(final Op op)
        {
            ops.add(Objects.requireNonNull(op));
            return this;
        }

        /**
         * @param key key to read.
         * @return this.
         */
        public Builder get(final byte[] key)
        {
            return op(new Op.Get(key));
        }

        /**
         * @param key   key to write.
         * @param value its new value.
         * @return this.
         */
        public Builder put(final byte[] key, final byte[] value)
        {
            return op(new Op.Put(key, value));
        }

        /**
         * @param key key to remove.
         * @return this.
         */
        public Builder delete(final byte[] key)
        {
            return op(new Op.Delete(key));
        }

        /**
         * @param key      key to test and set.
         * @param expected value it must hold (null: absent), or the transaction does not commit.
         * @param newValue value to set (null: delete).
         * @return this.
         */
        public Builder compareAndSet(final byte[] key, final byte[] expected, final byte[] newValue)
        {
            return op(new Op.CompareAndSet(key, expected, newValue));
        }

        /**
         * @param key   counter key (8-byte big-endian long; absent = 0).
         * @param delta amount to add; a sum past {@link Long#MAX_VALUE} or {@link Long#MIN_VALUE} makes
         *              the transaction not commit ({@link ReasonCode#COUNTER_OVERFLOW}), it never wraps.
         * @return this.
         */
        public Builder increment(final byte[] key, final long delta)
        {
            return op(new Op.Increment(key, delta));
        }

        /**
         * @param startInclusive first key.
         * @param endExclusive   bound, or null for none.
         * @param limit          most entries returned.
         * @return this.
         */
        public Builder scan(final byte[] startInclusive, final byte[] endExclusive, final int limit)
        {
            return op(new Op.Scan(startInclusive, endExclusive, limit));
        }

        /**
         * @return the transaction.
         * @throws IllegalArgumentException if it has no operation.
         */
        public Transaction build()
        {
            if (ops.isEmpty())
            {
                throw new IllegalArgumentException("a transaction needs at least one operation");
            }
            final List<byte[]> reads = new ArrayList<>();
            final List<byte[]> writes = new ArrayList<>();
            for (final Op op : ops)
            {
                if (op instanceof Op.Get || op instanceof Op.CompareAndSet || op instanceof Op.Increment)
                {
                    reads.add(op.key());
                }
                if (op instanceof Op.Put || op instanceof Op.Delete || op instanceof Op.CompareAndSet ||
                    op instanceof Op.Increment)
                {
                    writes.add(op.key());
                }
            }
            return new Transaction(ops, null, null, reads, writes);
        }
    }

    /** Builds a procedure call. */
    public static final class ProcedureBuilder
    {
        private final String name;
        private final byte[] arguments;
        private final List<byte[]> reads = new ArrayList<>();
        private final List<byte[]> writes = new ArrayList<>();

        private ProcedureBuilder(final String name, final byte[] arguments)
        {
            if (name == null || name.isEmpty())
            {
                throw new IllegalArgumentException("a procedure needs a name");
            }
            this.name = name;
            this.arguments = arguments == null ? new byte[0] : arguments;
        }

        /**
         * @param keys keys the procedure may read.
         * @return this.
         */
        public ProcedureBuilder reads(final byte[]... keys)
        {
            for (final byte[] k : keys)
            {
                reads.add(Objects.requireNonNull(k));
            }
            return this;
        }

        /**
         * @param keys keys the procedure may write.
         * @return this.
         */
        public ProcedureBuilder writes(final byte[]... keys)
        {
            for (final byte[] k : keys)
            {
                writes.add(Objects.requireNonNull(k));
            }
            return this;
        }

        /**
         * @return the transaction.
         * @throws IllegalArgumentException if it declares no key.
         */
        public Transaction build()
        {
            if (reads.isEmpty() && writes.isEmpty())
            {
                throw new IllegalArgumentException("procedure " + name + " declares no key; its destinations are unknown");
            }
            return new Transaction(null, name, arguments, reads, writes);
        }
    }
}
