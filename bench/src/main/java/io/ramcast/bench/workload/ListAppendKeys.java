package io.ramcast.bench.workload;

import io.ramcast.check.history.MicroOp;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Transaction;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys and values of one list-append run, shared by every worker: random micro-op lists over
 * {@code keys} slots spread over every partition, and the transaction that runs them.
 *
 * <p>Keys: slot {@code s} is on partition {@code s mod partitionCount}; its current key is
 * {@code <prefix><s>.<generation>}, the prefix {@value #KEY_PREFIX} followed by the run's namespace,
 * if any. Every value appended is unique in the run (one counter), so it is
 * unique per key as {@code ListAppendChecker} requires. Lists stay under the value limit: once
 * {@code maxListLength} appends were issued to a slot's key (whatever their outcome), the slot moves
 * to a fresh key on the same partition. A list holds at most {@code maxListLength + maxMicroOps - 1}
 * elements of 8 bytes.
 *
 * <p>Thread-safe: workers call {@link #randomMicroOps} concurrently, each with its own random source.
 */
final class ListAppendKeys
{
    /** Prefix of every key the workload touches. */
    static final String KEY_PREFIX = "la/";
    private static final int MAX_KEY_SEARCH = 100_000;

    private final Partitioner partitioner;
    private final String keyPrefix;
    private final int maxMicroOps;
    private final int maxListLength;
    private final Slot[] slots;
    private final AtomicLong nextValue = new AtomicLong(1);

    /**
     * @param partitioner   the cluster's partitioner (to spread the keys over every partition).
     * @param keyPrefix     prefix of every key, starting with {@value #KEY_PREFIX}.
     * @param keys          key slots, at least 1; at least the partition count to use every partition.
     * @param maxMicroOps   most micro-ops per transaction, in [1, {@value ListAppendProcedures#MAX_MICRO_OPS}].
     * @param maxListLength appends issued to one key before its slot moves to a fresh key, at least 1.
     * @throws IllegalArgumentException naming the setting if one is out of range.
     */
    ListAppendKeys(
        final Partitioner partitioner, final String keyPrefix, final int keys, final int maxMicroOps, final int maxListLength)
    {
        if (!keyPrefix.startsWith(KEY_PREFIX))
        {
            throw new IllegalArgumentException("key prefix '" + keyPrefix + "' must start with " + KEY_PREFIX);
        }
        if (keys < 1)
        {
            throw new IllegalArgumentException("the list-append workload needs at least 1 key, got " + keys);
        }
        if (maxMicroOps < 1 || maxMicroOps > ListAppendProcedures.MAX_MICRO_OPS)
        {
            throw new IllegalArgumentException("maxMicroOps=" + maxMicroOps + " must be in [1, " +
                ListAppendProcedures.MAX_MICRO_OPS + "]");
        }
        if (maxListLength < 1)
        {
            throw new IllegalArgumentException("maxListLength=" + maxListLength + " must be at least 1");
        }
        this.partitioner = partitioner;
        this.keyPrefix = keyPrefix;
        this.maxMicroOps = maxMicroOps;
        this.maxListLength = maxListLength;
        this.slots = new Slot[keys];
        for (int s = 0; s < keys; s++)
        {
            slots[s] = new Slot(s, s % partitioner.partitionCount());
        }
    }

    static byte[] keyBytes(final String key)
    {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param random the calling worker's random source.
     * @return 1 to {@code maxMicroOps} micro-ops, each an append of a fresh value or a read (result
     *         pending), on random slots.
     */
    List<MicroOp> randomMicroOps(final Random random)
    {
        final int count = 1 + random.nextInt(maxMicroOps);
        final List<MicroOp> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final Slot slot = slots[random.nextInt(slots.length)];
            ops.add(random.nextBoolean() ?
                MicroOp.append(slot.keyForAppend(), nextValue.getAndIncrement()) : MicroOp.pendingRead(slot.keyForRead()));
        }
        return ops;
    }

    /**
     * @param ops micro-ops.
     * @return the {@link ListAppendProcedures#TXN} call that runs them, every key declared read and written.
     */
    static Transaction transactionOf(final List<MicroOp> ops)
    {
        final List<byte[]> keys = new ArrayList<>();
        final List<String> seen = new ArrayList<>();
        for (final MicroOp op : ops)
        {
            if (!seen.contains(op.key()))
            {
                seen.add(op.key());
                keys.add(keyBytes(op.key()));
            }
        }
        final byte[][] declared = keys.toArray(new byte[0][]);
        return Transaction.procedure(ListAppendProcedures.TXN, ListAppendProcedures.encodeArguments(ops))
            .reads(declared).writes(declared).build();
    }

    /** @return distinct keys the slots went through so far (at least one per slot). */
    int keysUsed()
    {
        int keysUsed = 0;
        for (final Slot slot : slots)
        {
            keysUsed += slot.keysUsed();
        }
        return keysUsed;
    }

    /** One key slot: its current key and how many appends were issued to it. */
    private final class Slot
    {
        private final int index;
        private final int partition;
        private int generation = -1;
        private int keysUsed;
        private int appendsIssued;
        private String key;

        Slot(final int index, final int partition)
        {
            this.index = index;
            this.partition = partition;
            rotate();
        }

        synchronized String keyForRead()
        {
            return key;
        }

        synchronized String keyForAppend()
        {
            if (appendsIssued >= maxListLength)
            {
                rotate();
            }
            appendsIssued++;
            return key;
        }

        synchronized int keysUsed()
        {
            return keysUsed;
        }

        /** Moves to the next generation whose key the partitioner puts on this slot's partition. */
        private void rotate()
        {
            for (int tries = 0; tries < MAX_KEY_SEARCH; tries++)
            {
                generation++;
                final String candidate = keyPrefix + index + "." + generation;
                if (partitioner.partitionOf(keyBytes(candidate)) == partition)
                {
                    key = candidate;
                    keysUsed++;
                    appendsIssued = 0;
                    return;
                }
            }
            throw new IllegalStateException("no key " + keyPrefix + index + ".<n> of partition " + partition +
                " found in " + MAX_KEY_SEARCH + " generations");
        }
    }
}
