package io.ramcast.txn.store;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link PartitionStore} held in memory: two sorted maps (data and meta) in {@link Keys} order
 * and the last applied mark. For executor tests and seeded simulations; it passes the same
 * contract suite as the RocksDB store, including its meta-key rule ({@link Keys#checkMetaKey}),
 * so code tested against it behaves the same on disk.
 *
 * <p>Nothing survives the object. Arrays are copied on the way in and on the way out, so neither
 * the caller nor the store can change the other's bytes. {@link #apply} validates the whole batch
 * before changing anything, which makes it all-or-nothing.
 *
 * <p>Threading: not thread-safe, like the SPI allows; one thread uses a store. It never throws
 * {@link StoreException}. A scan visitor must not change the store. After {@link #close()} every
 * other method throws {@link IllegalStateException}.
 */
public final class MemoryPartitionStore implements PartitionStore
{
    private final NavigableMap<byte[], byte[]> data = new TreeMap<>(Keys.COMPARATOR);
    private final NavigableMap<byte[], byte[]> meta = new TreeMap<>(Keys.COMPARATOR);
    private AppliedMark lastApplied = AppliedMark.NONE;
    private boolean closed;

    /** Creates an empty store whose {@link #lastApplied()} is {@link AppliedMark#NONE}. */
    public MemoryPartitionStore()
    {
    }

    @Override
    public byte[] get(final byte[] key)
    {
        Objects.requireNonNull(key, "key");
        checkOpen();
        return copyOrNull(data.get(key));
    }

    @Override
    public int scan(final byte[] startInclusive, final byte[] endExclusive, final int limit, final EntryVisitor visitor)
    {
        Objects.requireNonNull(startInclusive, "startInclusive");
        Objects.requireNonNull(visitor, "visitor");
        checkLimit(limit);
        checkOpen();
        if (endExclusive != null && Keys.compare(startInclusive, endExclusive) >= 0)
        {
            return 0;
        }
        final NavigableMap<byte[], byte[]> range = endExclusive == null ?
            data.tailMap(startInclusive, true) : data.subMap(startInclusive, true, endExclusive, false);
        return visit(range, limit, visitor);
    }

    @Override
    public byte[] getMeta(final byte[] key)
    {
        Keys.checkMetaKey(key);
        checkOpen();
        return copyOrNull(meta.get(key));
    }

    @Override
    public void scanMeta(final byte[] prefix, final EntryVisitor visitor)
    {
        Keys.checkMetaPrefix(prefix);
        Objects.requireNonNull(visitor, "visitor");
        checkOpen();
        final byte[] end = Keys.prefixEnd(prefix);
        final NavigableMap<byte[], byte[]> range = end == null ?
            meta.tailMap(prefix, true) : meta.subMap(prefix, true, end, false);
        visit(range, Integer.MAX_VALUE, visitor);
    }

    @Override
    public void apply(final StoreBatch batch)
    {
        Objects.requireNonNull(batch, "batch");
        checkOpen();
        if (batch.mark().compareTo(lastApplied) < 0)
        {
            throw new IllegalArgumentException("memory store: batch mark " + batch.mark() +
                " is not after the last applied mark " + lastApplied + "; a batch is applied once, in order " +
                "(or, at the same mark, with changes of later deliveries applied early)");
        }
        for (final StoreBatch.Change change : batch.changes())
        {
            if (change.meta())
            {
                Keys.checkMetaKey(change.key());
            }
        }

        // Validated in full above; from here on nothing can fail, so the batch is all-or-nothing.
        for (final StoreBatch.Change change : batch.changes())
        {
            final NavigableMap<byte[], byte[]> keyspace = change.meta() ? meta : data;
            if (change.value() == null)
            {
                keyspace.remove(change.key());
            }
            else
            {
                keyspace.put(change.key().clone(), change.value().clone());
            }
        }
        lastApplied = batch.mark();
    }

    @Override
    public AppliedMark lastApplied()
    {
        checkOpen();
        return lastApplied;
    }

    /** Drops the contents. Idempotent. */
    @Override
    public void close()
    {
        closed = true;
        data.clear();
        meta.clear();
    }

    @Override
    public String toString()
    {
        return "MemoryPartitionStore{entries=" + data.size() + ", metaEntries=" + meta.size() +
            ", lastApplied=" + lastApplied + (closed ? ", closed" : "") + "}";
    }

    private static void checkLimit(final int limit)
    {
        if (limit <= 0)
        {
            throw new IllegalArgumentException("scan limit must be positive: " + limit);
        }
    }

    private static int visit(final NavigableMap<byte[], byte[]> range, final int limit, final EntryVisitor visitor)
    {
        int count = 0;
        for (final Map.Entry<byte[], byte[]> entry : range.entrySet())
        {
            if (count == limit)
            {
                break;
            }
            visitor.visit(entry.getKey().clone(), entry.getValue().clone());
            count++;
        }
        return count;
    }

    private static byte[] copyOrNull(final byte[] value)
    {
        return value == null ? null : value.clone();
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("memory store is closed");
        }
    }
}
