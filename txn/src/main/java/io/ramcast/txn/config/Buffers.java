package io.ramcast.txn.config;

/**
 * Memory sizes of a deployment (config section {@code buffers}). Every process must use the same
 * values: they fix the layouts of the memory that peers write into.
 *
 * <p>Values come validated from {@link ClusterConfig}; the record itself does not re-check them.
 *
 * @param ringSlots     slots per client ring at each replica; a power of two in [2, 65536].
 * @param slotSizeBytes bytes per ring slot; a multiple of 8 in [128, 16 MiB], large enough for a
 *                      transaction of {@link Limits#maxTransactionBytes()} to every partition.
 * @param streamRecords records in a follower's leader-stream ring; a power of two in [16, 2^24].
 * @param retainedDeliveries delivered transactions each replica keeps for relaying and leader change;
 *                      a replica further behind than this cannot be caught up; in [16, 2^24].
 * @param clientWindow  transactions a client keeps in flight, in [1, 65536].
 * @param mailboxBytes  bytes of the mailbox ring per peer (replies, read exchange); a power of two
 *                      in [64 KiB, 1 GiB].
 */
public record Buffers(
    int ringSlots,
    int slotSizeBytes,
    int streamRecords,
    int retainedDeliveries,
    int clientWindow,
    int mailboxBytes)
{
    /** Default {@link #ringSlots()}. */
    public static final int DEFAULT_RING_SLOTS = 64;
    /** Default {@link #slotSizeBytes()}: room for a {@link Limits#DEFAULT_MAX_TRANSACTION_BYTES} transaction. */
    public static final int DEFAULT_SLOT_SIZE_BYTES = 8192;
    /** Default {@link #streamRecords()}. */
    public static final int DEFAULT_STREAM_RECORDS = 8192;
    /** Default {@link #retainedDeliveries()}. */
    public static final int DEFAULT_RETAINED_DELIVERIES = 1024;
    /** Default {@link #clientWindow()}. */
    public static final int DEFAULT_CLIENT_WINDOW = 64;
    /** Default {@link #mailboxBytes()}: 1 MiB. */
    public static final int DEFAULT_MAILBOX_BYTES = 1 << 20;
}
