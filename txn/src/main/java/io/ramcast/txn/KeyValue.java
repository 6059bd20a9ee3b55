package io.ramcast.txn;

import java.util.Objects;

/**
 * A key and its value (null: absent, in read results).
 *
 * @param key   the key.
 * @param value the value, or null.
 */
public record KeyValue(byte[] key, byte[] value)
{
    public KeyValue
    {
        Objects.requireNonNull(key, "key");
    }

    /** @return {@code "key"="value"}, hex for bytes that are not printable text. */
    @Override
    public String toString()
    {
        return Printable.of(key) + '=' + Printable.of(value);
    }
}
