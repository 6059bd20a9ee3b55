package io.ramcast.storage;

import java.nio.ByteBuffer;

import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.Keys;

/**
 * How {@link RocksPartitionStore} keeps the applied mark: one entry of the {@code meta} column
 * family under {@link #KEY}, rewritten by every batch in the same {@code WriteBatch} as the batch's
 * changes.
 *
 * <p>Key: {@code 0x00 0x01}. Every meta key starting with {@code 0x00}
 * ({@link Keys#RESERVED_META_PREFIX}) is the store's own; this is the only one so far.
 *
 * <p>Value, big-endian:
 * <pre>
 *   0         1                        9              13                       21
 *  +---------+------------------------+--------------+------------------------+
 *  | version |  timestamp (int64)     | group (int32)|  message id (int64)    |
 *  |  (= 1)  |                        |              |                        |
 *  +---------+------------------------+--------------+------------------------+
 * </pre>
 * Stateless and thread-safe.
 */
final class AppliedMarkRecord
{
    /** Meta key of the applied mark. */
    static final byte[] KEY = {Keys.RESERVED_META_PREFIX, 0x01};

    /** Version of the value layout written by this code. */
    static final byte VERSION = 1;

    static final int VERSION_OFFSET = 0;
    static final int TIMESTAMP_OFFSET = VERSION_OFFSET + Byte.BYTES;
    static final int GROUP_OFFSET = TIMESTAMP_OFFSET + Long.BYTES;
    static final int MESSAGE_ID_OFFSET = GROUP_OFFSET + Integer.BYTES;
    static final int LENGTH = MESSAGE_ID_OFFSET + Long.BYTES;

    private AppliedMarkRecord()
    {
    }

    /**
     * @param mark a mark.
     * @return its stored value, {@link #LENGTH} bytes.
     */
    static byte[] encode(final AppliedMark mark)
    {
        return ByteBuffer.allocate(LENGTH)
            .put(VERSION_OFFSET, VERSION)
            .putLong(TIMESTAMP_OFFSET, mark.timestamp())
            .putInt(GROUP_OFFSET, mark.group())
            .putLong(MESSAGE_ID_OFFSET, mark.messageId())
            .array();
    }

    /**
     * @param value a stored value.
     * @return the mark it holds.
     * @throws IllegalArgumentException if the length or version is not one this code wrote.
     */
    static AppliedMark decode(final byte[] value)
    {
        if (value.length != LENGTH)
        {
            throw new IllegalArgumentException("applied mark record has " + value.length +
                " bytes, expected " + LENGTH + ": " + Keys.toString(value));
        }
        final ByteBuffer buffer = ByteBuffer.wrap(value);
        if (buffer.get(VERSION_OFFSET) != VERSION)
        {
            throw new IllegalArgumentException("applied mark record has version " + buffer.get(VERSION_OFFSET) +
                ", this code reads version " + VERSION);
        }
        return new AppliedMark(
            buffer.getLong(TIMESTAMP_OFFSET), buffer.getInt(GROUP_OFFSET), buffer.getLong(MESSAGE_ID_OFFSET));
    }
}
