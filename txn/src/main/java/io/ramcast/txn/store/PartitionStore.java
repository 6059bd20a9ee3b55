package io.ramcast.txn.store;

/**
 * The state of one replica of one partition: ordered keys and values plus the replica's own
 * metadata, changed only by atomic {@link StoreBatch}es (DESIGN.md, "Storage").
 *
 * <p>Keys compare as unsigned bytes, lexicographically. Two keyspaces: <em>data</em> (the user's
 * keys) and <em>meta</em> (the replica's bookkeeping, e.g. remembered request outcomes), written
 * together so a batch is all-or-nothing across both, with the {@link AppliedMark} of the
 * transaction that produced it. After a restart {@link #lastApplied()} tells exactly which
 * delivered transaction the store reflects, so none is applied twice.
 *
 * <p>Meta keys starting with byte {@code 0x00} are reserved for the store's own bookkeeping (the
 * RocksDB store keeps the applied mark there): callers' meta keys are non-empty and start with
 * another byte, and every implementation refuses others with {@link IllegalArgumentException}
 * ({@link Keys#checkMetaKey}). {@link Keys} holds the key order shared by all implementations.
 *
 * <p>Threading: one thread (the replica's executor) uses a store; implementations need not be
 * thread-safe, except for {@link #sync()}. Errors: an I/O or corruption error throws
 * {@link StoreException}; the caller must stop the replica (fail-stop) rather than acknowledge
 * anything after it. Caller mistakes (a stale mark, a reserved meta key, a non-positive limit)
 * throw {@link IllegalArgumentException} and change nothing.
 */
public interface PartitionStore extends AutoCloseable
{
    /**
     * @param key a data key.
     * @return its value, or null if absent.
     * @throws StoreException on a storage error.
     */
    byte[] get(byte[] key);

    /**
     * Visits data entries with {@code startInclusive <= key < endExclusive} in ascending key order,
     * at most {@code limit} of them.
     *
     * @param startInclusive first key (inclusive); an empty array means the beginning.
     * @param endExclusive   bound (exclusive); null means no upper bound.
     * @param limit          maximum number of entries visited, positive.
     * @param visitor        receives each entry; the arrays are the visitor's to keep.
     * @return the number of entries visited.
     * @throws StoreException on a storage error.
     */
    int scan(byte[] startInclusive, byte[] endExclusive, int limit, EntryVisitor visitor);

    /**
     * @param key a meta key.
     * @return its value, or null if absent.
     * @throws StoreException on a storage error.
     */
    byte[] getMeta(byte[] key);

    /**
     * Visits every meta entry whose key starts with {@code prefix}, in ascending key order.
     *
     * @param prefix  the key prefix.
     * @param visitor receives each entry.
     * @throws StoreException on a storage error.
     */
    void scanMeta(byte[] prefix, EntryVisitor visitor);

    /**
     * Applies a batch atomically: either all of its data and meta changes and its applied mark are
     * stored, or none is. Durability follows the store's configured mode.
     *
     * @param batch the changes; its applied mark must be after {@link #lastApplied()}, or equal to
     *              it for a batch of changes that later deliveries made while an earlier one was not
     *              finished (the mark then stays; see {@code PartitionExecutor}, "Overlapped
     *              execution").
     * @throws IllegalArgumentException if the batch's mark is before the last applied one.
     * @throws StoreException           on a storage error (nothing may be assumed stored).
     */
    void apply(StoreBatch batch);

    /**
     * Applies a batch as {@link #apply} does, but returns once it is written as far as a process
     * crash is concerned, without the sync a power loss would also need ({@link #sync()} makes it
     * that durable later). A store whose mode syncs nothing, or that keeps nothing on disk, applies
     * as {@link #apply} does.
     *
     * @param batch as for {@link #apply}.
     * @throws IllegalArgumentException as {@link #apply}.
     * @throws StoreException           as {@link #apply}.
     */
    default void applyUnsynced(final StoreBatch batch)
    {
        apply(batch);
    }

    /**
     * Makes every batch applied before this call as durable as the store's mode asks for (a no-op in
     * a mode that syncs nothing). The one method that may be called from another thread than the one
     * applying batches, concurrently with it.
     *
     * @throws StoreException        on a storage error: batches since the last sync may be lost.
     * @throws IllegalStateException if the store is closed.
     */
    default void sync()
    {
    }

    /**
     * @return the mark of the last applied batch, or {@link AppliedMark#NONE} for a fresh store.
     */
    AppliedMark lastApplied();

    /**
     * Releases files and native resources. Idempotent. Afterwards every other method throws
     * {@link IllegalStateException}.
     */
    @Override
    void close();

    /** Receives entries of a scan. */
    @FunctionalInterface
    interface EntryVisitor
    {
        /**
         * @param key   the key.
         * @param value the value.
         */
        void visit(byte[] key, byte[] value);
    }
}
