package io.ramcast.txn.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The changes one delivered transaction makes to one replica: data puts and deletes, meta puts and
 * deletes, and the {@link AppliedMark} recorded with them. Applied atomically by
 * {@link PartitionStore#apply}. Changes apply in the order they were added (a later change to the
 * same key wins).
 *
 * <p>Not thread-safe; build on one thread, hand over, do not reuse after {@code apply}.
 */
public final class StoreBatch
{
    /** One change. {@code value == null} means delete. */
    public record Change(boolean meta, byte[] key, byte[] value)
    {
    }

    private final AppliedMark mark;
    private final List<Change> changes = new ArrayList<>();

    /**
     * @param mark the position of the transaction producing this batch.
     */
    public StoreBatch(final AppliedMark mark)
    {
        this.mark = Objects.requireNonNull(mark);
    }

    /** @return the applied mark stored with the batch. */
    public AppliedMark mark()
    {
        return mark;
    }

    /**
     * @param key   data key.
     * @param value new value.
     * @return this.
     */
    public StoreBatch put(final byte[] key, final byte[] value)
    {
        changes.add(new Change(false, Objects.requireNonNull(key), Objects.requireNonNull(value)));
        return this;
    }

    /**
     * @param key data key to delete.
     * @return this.
     */
    public StoreBatch delete(final byte[] key)
    {
        changes.add(new Change(false, Objects.requireNonNull(key), null));
        return this;
    }

    /**
     * @param key   meta key.
     * @param value new value.
     * @return this.
     */
    public StoreBatch putMeta(final byte[] key, final byte[] value)
    {
        changes.add(new Change(true, Objects.requireNonNull(key), Objects.requireNonNull(value)));
        return this;
    }

    /**
     * @param key meta key to delete.
     * @return this.
     */
    public StoreBatch deleteMeta(final byte[] key)
    {
        changes.add(new Change(true, Objects.requireNonNull(key), null));
        return this;
    }

    /**
     * @param change a change (of another batch, say: a group of transactions written as one).
     * @return this.
     */
    public StoreBatch add(final Change change)
    {
        changes.add(Objects.requireNonNull(change));
        return this;
    }

    /** @return the changes in the order they were added (unmodifiable). */
    public List<Change> changes()
    {
        return Collections.unmodifiableList(changes);
    }
}
