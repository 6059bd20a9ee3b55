package io.ramcast.check.history;

import java.util.List;
import java.util.Objects;

/**
 * One step of a list-append transaction: append a value to the list stored at a key, or read that
 * list. In a history line it is {@code ["append", "k3", 7]} or {@code ["r", "k5", [1, 2, 3]]}
 * ({@code ["r", "k5", null]} while the result is not known).
 *
 * <p>Implementations are immutable records.
 */
public sealed interface MicroOp
{
    /** @return the key the step works on, never empty. */
    String key();

    /**
     * @param key   the key.
     * @param value the value to append.
     * @return an append step.
     */
    static Append append(final String key, final long value)
    {
        return new Append(key, value);
    }

    /**
     * @param key the key.
     * @return a read step whose result is not known (as on an invocation).
     */
    static Read pendingRead(final String key)
    {
        return new Read(key, null);
    }

    /**
     * @param key    the key.
     * @param values the list read, oldest element first (none for an empty list).
     * @return a read step with its result.
     */
    static Read read(final String key, final long... values)
    {
        final Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++)
        {
            boxed[i] = values[i];
        }
        return new Read(key, List.of(boxed));
    }

    /**
     * Append {@code value} to the list at {@code key}.
     *
     * @param key   the key, non-empty.
     * @param value the appended value; the workload keeps values unique per key.
     */
    record Append(String key, long value) implements MicroOp
    {
        /**
         * Checks the key.
         *
         * @throws IllegalArgumentException if the key is null or empty.
         */
        public Append
        {
            checkKey(key);
        }

        /** {@inheritDoc} */
        @Override
        public String toString()
        {
            return "append " + key + " " + value;
        }
    }

    /**
     * Read the list at {@code key}.
     *
     * @param key    the key, non-empty.
     * @param values the list read, oldest element first, immutable; {@code null} while the result is
     *               not known (on an invocation, or on a completion other than ok).
     */
    record Read(String key, List<Long> values) implements MicroOp
    {
        /**
         * Checks the key and copies the values.
         *
         * @throws IllegalArgumentException if the key is null or empty.
         * @throws NullPointerException     if a value is null.
         */
        public Read
        {
            checkKey(key);
            values = values == null ? null : List.copyOf(values);
        }

        /** @return whether the result is known. */
        public boolean hasResult()
        {
            return values != null;
        }

        /** @return this step without its result. */
        public Read withoutResult()
        {
            return values == null ? this : new Read(key, null);
        }

        /** {@inheritDoc} */
        @Override
        public String toString()
        {
            return "r " + key + " " + (values == null ? "?" : values.toString());
        }
    }

    private static void checkKey(final String key)
    {
        if (Objects.requireNonNull(key, "key").isEmpty())
        {
            throw new IllegalArgumentException("a micro-op key must not be empty");
        }
    }
}
