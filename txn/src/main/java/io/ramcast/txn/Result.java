package io.ramcast.txn;

import java.util.List;

/**
 * The result of one operation of a committed transaction, in operation order; a procedure call
 * has exactly one {@link Output}.
 */
public sealed interface Result
{
    /** No result (put, delete, compare-and-set). */
    record None() implements Result
    {
    }

    /** The value a get read; null if the key was absent. */
    record Value(byte[] value) implements Result
    {
        /** @return {@code Value["text"]}, or hex for bytes that are not printable text. */
        @Override
        public String toString()
        {
            return "Value[" + Printable.of(value) + ']';
        }
    }

    /** The counter value after an increment. */
    record Counter(long value) implements Result
    {
    }

    /** The entries a scan read, ascending. */
    record Entries(List<KeyValue> entries) implements Result
    {
        public Entries
        {
            entries = List.copyOf(entries);
        }
    }

    /** What a procedure returned (may be empty). */
    record Output(byte[] bytes) implements Result
    {
        /** @return {@code Output["text"]}, or hex for bytes that are not printable text. */
        @Override
        public String toString()
        {
            return "Output[" + Printable.of(bytes) + ']';
        }
    }
}
