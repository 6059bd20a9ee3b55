package io.ramcast.txn.config;

/**
 * Size limits of transactions (config section {@code limits}), checked by the client before it
 * sends and by the replica on arrival.
 *
 * <p>Values come validated from {@link ClusterConfig}; the record itself does not re-check them.
 *
 * @param maxKeyBytes           largest key, at least 1 and at most maxTransactionBytes.
 * @param maxValueBytes         largest value, at least 1 and at most maxTransactionBytes.
 * @param maxTransactionBytes   largest encoded transaction; it must fit a ring slot for a
 *                              transaction to every partition.
 * @param maxKeysPerTransaction largest number of keys in a transaction's read and write sets together.
 * @param maxScanEntries        most entries one range scan returns.
 */
public record Limits(
    int maxKeyBytes,
    int maxValueBytes,
    int maxTransactionBytes,
    int maxKeysPerTransaction,
    int maxScanEntries)
{
    /** Default {@link #maxKeyBytes()}. */
    public static final int DEFAULT_MAX_KEY_BYTES = 1024;
    /** Default {@link #maxValueBytes()}. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 4096;
    /** Default {@link #maxTransactionBytes()}. */
    public static final int DEFAULT_MAX_TRANSACTION_BYTES = 7168;
    /** Default {@link #maxKeysPerTransaction()}. */
    public static final int DEFAULT_MAX_KEYS_PER_TRANSACTION = 256;
    /** Default {@link #maxScanEntries()}. */
    public static final int DEFAULT_MAX_SCAN_ENTRIES = 1000;
}
