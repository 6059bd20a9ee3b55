package io.ramcast.txn;

import java.util.Objects;

/**
 * One operation of a transaction's operation list, executed in order against the transaction's
 * view of the keys it declared (DESIGN.md, "Transactions").
 *
 * <p>Values and keys are byte arrays; {@link Increment} treats a value as an 8-byte big-endian long
 * (an absent key counts as 0). Immutable by convention: callers must not modify the arrays after
 * building the operation.
 */
public sealed interface Op
{
    /** @return the key the operation touches (the start key for a {@link Scan}). */
    byte[] key();

    /** Reads a key; its result is the value or null. */
    record Get(byte[] key) implements Op
    {
        public Get
        {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Writes a value. */
    record Put(byte[] key, byte[] value) implements Op
    {
        public Put
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Removes a key. */
    record Delete(byte[] key) implements Op
    {
        public Delete
        {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Writes {@code newValue} (or deletes when null) only if the key's value equals
     * {@code expected} (null: the key must be absent); otherwise the whole transaction does not
     * commit.
     */
    record CompareAndSet(byte[] key, byte[] expected, byte[] newValue) implements Op
    {
        public CompareAndSet
        {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Adds {@code delta} to the key's 8-byte big-endian counter; its result is the new value. */
    record Increment(byte[] key, long delta) implements Op
    {
        public Increment
        {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Reads the entries with {@code key <= k < endExclusive} (null: no bound), at most {@code limit},
     * in ascending order; the range must lie within one partition.
     */
    record Scan(byte[] key, byte[] endExclusive, int limit) implements Op
    {
        public Scan
        {
            Objects.requireNonNull(key, "key");
            if (limit <= 0)
            {
                throw new IllegalArgumentException("scan limit must be positive: " + limit);
            }
        }
    }
}
