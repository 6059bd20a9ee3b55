package io.ramcast.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.ramcast.txn.config.Durability;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.Keys;
import io.ramcast.txn.store.PartitionStore;
import io.ramcast.txn.store.StoreBatch;
import io.ramcast.txn.store.StoreException;
import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PartitionStore} of one replica: one RocksDB instance in the replica's own directory.
 *
 * <p>Layout: column family {@code default} holds the data keyspace, column family {@code meta}
 * the meta keyspace. Meta keys starting with byte {@code 0x00} ({@link Keys#RESERVED_META_PREFIX})
 * are the store's own: the applied mark lives under {@code 0x00 0x01} (layout in
 * {@link AppliedMarkRecord}). Callers' meta keys must therefore be non-empty and start with
 * another byte; {@link #apply} and {@link #getMeta} refuse others with
 * {@link IllegalArgumentException} (before anything is written) and {@link #scanMeta} never shows
 * reserved entries.
 *
 * <p>Atomicity: {@link #apply} turns a batch into one RocksDB {@code WriteBatch} holding its data
 * changes, its meta changes and the new applied mark, and writes it in one call; flushes of the
 * two column families are atomic ({@code atomic_flush}). Durability follows {@link Durability}.
 * The mark is read once at {@link #open} and cached.
 *
 * <p>Failure: any {@link RocksDBException} becomes a {@link StoreException} naming the directory
 * and the operation, and the store moves to {@link State#FAILED}: from then on every call but
 * {@link #close()} throws a {@link StoreException} starting "store &lt;dir&gt; failed earlier",
 * so a replica cannot go on acknowledging after a disk error. Caller mistakes (a mark not after
 * the last one, a reserved meta key, a non-positive limit) throw {@link IllegalArgumentException}
 * and change nothing. After {@link #close()} calls throw {@link IllegalStateException}.
 *
 * <p>Threading: not thread-safe; one thread uses a store, and {@link #close()} is called by it or
 * after it stopped. Calls block on disk I/O (and on fsync with {@link Durability#FSYNC}). The one
 * exception is {@link #checkpoint(Path)}, which another thread (the snapshot source of state
 * transfer) may call while the owning thread applies batches.
 *
 * <p>A store opened with {@link #openReadOnly(Path)} (backups, snapshots) reads only: it writes no
 * file in its directory and {@link #apply} throws {@link IllegalStateException}.
 */
public final class RocksPartitionStore implements PartitionStore
{
    /** Lifecycle of a store; every change goes through {@link #state(State)}. */
    enum State
    {
        /** Serving reads and batches. Next: {@link #FAILED}, {@link #CLOSED}. */
        OPEN,
        /** A RocksDB call failed; every call but close throws StoreException. Next: {@link #CLOSED}. */
        FAILED,
        /** Native resources released; every call throws IllegalStateException. Final. */
        CLOSED;

        boolean canMoveTo(final State next)
        {
            return switch (this)
            {
                case OPEN -> next == FAILED || next == CLOSED;
                case FAILED -> next == CLOSED;
                case CLOSED -> false;
            };
        }
    }

    /** Name of the column family holding the meta keyspace. */
    static final byte[] META_FAMILY = "meta".getBytes(StandardCharsets.US_ASCII);

    /** Block cache shared by both column families, in bytes. */
    static final long BLOCK_CACHE_BYTES = 16L * 1024 * 1024;

    /** Bloom filter bits per key, for point reads of absent keys. */
    static final double BLOOM_BITS_PER_KEY = 10;

    /** RocksDB's own info logs (files {@code LOG*} in the directory) kept, and their size. */
    static final long INFO_LOG_FILE_COUNT = 4;
    static final long INFO_LOG_FILE_BYTES = 16L * 1024 * 1024;

    /** Smallest key a caller may use in the meta keyspace: where an unprefixed meta scan starts. */
    private static final byte[] FIRST_CALLER_META_KEY = {Keys.RESERVED_META_PREFIX + 1};

    private static final Logger LOG = LoggerFactory.getLogger(RocksPartitionStore.class);

    static
    {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final Durability durability;
    private final LRUCache blockCache;
    private final BloomFilter bloomFilter;
    private final ColumnFamilyOptions familyOptions;
    private final DBOptions dbOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle dataFamily;
    private final ColumnFamilyHandle metaFamily;
    private final WriteOptions writeOptions;
    /** Like {@link #writeOptions}, never syncing: {@link #applyUnsynced}. */
    private final WriteOptions unsyncedWriteOptions;
    private final ReadOptions readOptions;
    private final boolean readOnly;
    /** RocksDB's info log of a read-only store, routed to this class's logger; null otherwise. */
    private final AbstractNativeReference infoLogger;
    /** Guards the native handles between {@link #checkpoint} (any thread) and {@link #close()}. */
    private final Object nativeLock = new Object();

    private AppliedMark lastApplied;
    /** Written by the owning thread only; volatile because {@link #checkpoint} reads it from another. */
    private volatile State state = State.OPEN;
    private StoreException failure;

    private RocksPartitionStore(
        final Path dir,
        final Durability durability,
        final LRUCache blockCache,
        final BloomFilter bloomFilter,
        final ColumnFamilyOptions familyOptions,
        final DBOptions dbOptions,
        final RocksDB db,
        final ColumnFamilyHandle dataFamily,
        final ColumnFamilyHandle metaFamily,
        final WriteOptions writeOptions,
        final WriteOptions unsyncedWriteOptions,
        final ReadOptions readOptions,
        final boolean readOnly,
        final AbstractNativeReference infoLogger,
        final AppliedMark lastApplied)
    {
        this.dir = dir;
        this.durability = durability;
        this.blockCache = blockCache;
        this.bloomFilter = bloomFilter;
        this.familyOptions = familyOptions;
        this.dbOptions = dbOptions;
        this.db = db;
        this.dataFamily = dataFamily;
        this.metaFamily = metaFamily;
        this.writeOptions = writeOptions;
        this.unsyncedWriteOptions = unsyncedWriteOptions;
        this.readOptions = readOptions;
        this.readOnly = readOnly;
        this.infoLogger = infoLogger;
        this.lastApplied = lastApplied;
    }

    /**
     * Opens the store in {@code dir}, creating the directory and an empty store if missing, and
     * reads its applied mark. Blocks while RocksDB recovers its write-ahead log.
     *
     * @param dir        the replica's store directory; one open store per directory.
     * @param durability how far {@link #apply} writes before returning.
     * @return the open store; its {@link #lastApplied()} is {@link AppliedMark#NONE} if new.
     * @throws StoreException if the directory cannot be created, is already open (by this or
     *                        another process), holds an unreadable store, or RocksDB fails.
     */
    public static RocksPartitionStore open(final Path dir, final Durability durability)
    {
        return open(dir, durability, null);
    }

    /**
     * Opens the store of one replica in {@code dir}: as {@link #open(Path, Durability)}, after
     * checking that the directory is this replica's (see {@link StoreIdentity}). A new or empty
     * directory is claimed for {@code identity}; a directory of another cluster, partition or
     * replica, or one that holds files but no identity, is refused before anything in it changes.
     *
     * @param dir        the replica's store directory.
     * @param durability how far {@link #apply} writes before returning.
     * @param identity   whose store this must be; null to skip the check (tools and tests that
     *                   open an existing store, or a scratch store, by path).
     * @return the open store.
     * @throws StoreException as {@link #open(Path, Durability)}, or if the identity check fails.
     */
    public static RocksPartitionStore open(final Path dir, final Durability durability, final StoreIdentity identity)
    {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(durability, "durability");
        if (identity != null)
        {
            identity.claim(dir);
        }
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException e)
        {
            throw new StoreException("cannot open store " + dir + ": cannot create its directory: " + e, e);
        }
        return openRocks(dir, durability, false);
    }

    /**
     * Opens an existing store read-only: a backup, a snapshot being served, a stopped replica's
     * directory. Writes nothing in {@code dir} (RocksDB's info log goes to this class's logger
     * instead of {@code LOG} files) and takes no lock, so it may also open a checkpoint another
     * process serves. {@link #apply} throws {@link IllegalStateException}.
     *
     * @param dir a store directory (a replica's, a checkpoint, an installed snapshot).
     * @return the open store.
     * @throws StoreException if the directory holds no store or an unreadable one.
     */
    public static RocksPartitionStore openReadOnly(final Path dir)
    {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir))
        {
            throw new StoreException("cannot open store " + dir + " read-only: no such directory");
        }
        return openRocks(dir, Durability.WAL, true);
    }

    private static RocksPartitionStore openRocks(final Path dir, final Durability durability, final boolean readOnly)
    {
        // Everything native made so far, closed in reverse order if the open fails half way.
        final Deque<AbstractNativeReference> made = new ArrayDeque<>();
        try
        {
            final LRUCache blockCache = made(made, new LRUCache(BLOCK_CACHE_BYTES));
            final BloomFilter bloomFilter = made(made, new BloomFilter(BLOOM_BITS_PER_KEY));
            final ColumnFamilyOptions familyOptions = made(made, new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig()
                    .setBlockCache(blockCache)
                    .setFilterPolicy(bloomFilter)));
            final DBOptions dbOptions = made(made, new DBOptions()
                .setCreateIfMissing(!readOnly)
                .setCreateMissingColumnFamilies(!readOnly)
                // With the WAL off, only atomic flushes keep data and mark consistent on disk.
                .setAtomicFlush(true)
                .setKeepLogFileNum(INFO_LOG_FILE_COUNT)
                .setMaxLogFileSize(INFO_LOG_FILE_BYTES));
            // A logger of our own keeps RocksDB from creating (or rotating) LOG files in dir.
            final InfoLogToSlf4j infoLogger = readOnly ? made(made, new InfoLogToSlf4j(dir)) : null;
            if (infoLogger != null)
            {
                dbOptions.setLogger(infoLogger);
            }

            final List<ColumnFamilyDescriptor> families = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions),
                new ColumnFamilyDescriptor(META_FAMILY, familyOptions));
            final List<ColumnFamilyHandle> handles = new ArrayList<>(families.size());
            final RocksDB db = made(made, readOnly ?
                RocksDB.openReadOnly(dbOptions, dir.toString(), families, handles) :
                RocksDB.open(dbOptions, dir.toString(), families, handles));
            final ColumnFamilyHandle dataFamily = made(made, handles.get(0));
            final ColumnFamilyHandle metaFamily = made(made, handles.get(1));

            final WriteOptions writeOptions = made(made, new WriteOptions()
                .setDisableWAL(durability == Durability.NONE)
                .setSync(durability == Durability.FSYNC));
            final WriteOptions unsyncedWriteOptions = made(made, new WriteOptions()
                .setDisableWAL(durability == Durability.NONE)
                .setSync(false));
            final ReadOptions readOptions = made(made, new ReadOptions());

            final AppliedMark lastApplied = readMark(dir, db, metaFamily, readOptions);
            final RocksPartitionStore store = new RocksPartitionStore(dir, durability, blockCache, bloomFilter,
                familyOptions, dbOptions, db, dataFamily, metaFamily, writeOptions, unsyncedWriteOptions, readOptions,
                readOnly, infoLogger, lastApplied);
            LOG.info("opened store {}{} (durability {}, last applied {})", dir, readOnly ? " read-only" : "",
                durability, describe(lastApplied));
            return store;
        }
        catch (final RocksDBException e)
        {
            closeAll(made);
            throw new StoreException(openFailureMessage(dir, e), e);
        }
        catch (final RuntimeException | Error e)
        {
            closeAll(made);
            throw e;
        }
    }

    /** @return the store's directory. */
    public Path dir()
    {
        return dir;
    }

    /** @return the durability mode the store was opened with. */
    public Durability durability()
    {
        return durability;
    }

    @Override
    public byte[] get(final byte[] key)
    {
        Objects.requireNonNull(key, "key");
        checkUsable();
        try
        {
            return db.get(dataFamily, readOptions, key);
        }
        catch (final RocksDBException e)
        {
            throw fail("get " + Keys.toString(key), e);
        }
    }

    @Override
    public int scan(final byte[] startInclusive, final byte[] endExclusive, final int limit, final EntryVisitor visitor)
    {
        Objects.requireNonNull(startInclusive, "startInclusive");
        Objects.requireNonNull(visitor, "visitor");
        if (limit <= 0)
        {
            throw new IllegalArgumentException("scan limit must be positive: " + limit);
        }
        checkUsable();
        if (endExclusive != null && Keys.compare(startInclusive, endExclusive) >= 0)
        {
            return 0;
        }
        return iterate(dataFamily, startInclusive, endExclusive, limit, visitor, "scan");
    }

    @Override
    public byte[] getMeta(final byte[] key)
    {
        Keys.checkMetaKey(key);
        checkUsable();
        try
        {
            return db.get(metaFamily, readOptions, key);
        }
        catch (final RocksDBException e)
        {
            throw fail("getMeta " + Keys.toString(key), e);
        }
    }

    @Override
    public void scanMeta(final byte[] prefix, final EntryVisitor visitor)
    {
        Keys.checkMetaPrefix(prefix);
        Objects.requireNonNull(visitor, "visitor");
        checkUsable();
        final byte[] start = prefix.length == 0 ? FIRST_CALLER_META_KEY : prefix;
        iterate(metaFamily, start, Keys.prefixEnd(prefix), Integer.MAX_VALUE, visitor, "scanMeta");
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code WriteBatch} with the batch's changes and the new mark, written with the
     * store's {@link Durability}; the cached {@link #lastApplied()} moves only once it is written.
     *
     * @throws IllegalArgumentException if the mark is before the last applied one, or a meta
     *                                  key is reserved; nothing is written then.
     */
    @Override
    public void apply(final StoreBatch batch)
    {
        apply(batch, writeOptions);
    }

    /**
     * {@inheritDoc}
     *
     * <p>With {@link Durability#FSYNC} the batch's write-ahead-log record is written to the OS but
     * not synced; in the other modes this is {@link #apply}.
     */
    @Override
    public void applyUnsynced(final StoreBatch batch)
    {
        apply(batch, unsyncedWriteOptions);
    }

    /**
     * {@inheritDoc}
     *
     * <p>With {@link Durability#FSYNC} syncs the write-ahead log (RocksDB's {@code SyncWAL}); a
     * no-op in the other modes. Waits for a checkpoint in progress.
     */
    @Override
    public void sync()
    {
        if (durability != Durability.FSYNC || readOnly)
        {
            return;
        }
        synchronized (nativeLock)
        {
            checkUsable();
            try
            {
                db.syncWal();
            }
            catch (final RocksDBException e)
            {
                throw fail("sync the write-ahead log", e);
            }
        }
    }

    private void apply(final StoreBatch batch, final WriteOptions options)
    {
        Objects.requireNonNull(batch, "batch");
        checkUsable();
        if (readOnly)
        {
            throw new IllegalStateException("store " + dir + " is open read-only; it applies no batch");
        }
        final AppliedMark mark = batch.mark();
        if (mark.compareTo(lastApplied) < 0)
        {
            throw new IllegalArgumentException("store " + dir + ": batch mark " + mark +
                " is not after the last applied mark " + lastApplied + "; a batch is applied once, in order " +
                "(or, at the same mark, with changes of later deliveries applied early)");
        }
        final List<StoreBatch.Change> changes = batch.changes();
        for (final StoreBatch.Change change : changes)
        {
            if (change.meta())
            {
                Keys.checkMetaKey(change.key());
            }
        }

        try (WriteBatch writeBatch = new WriteBatch())
        {
            for (final StoreBatch.Change change : changes)
            {
                final ColumnFamilyHandle family = change.meta() ? metaFamily : dataFamily;
                if (change.value() == null)
                {
                    writeBatch.delete(family, change.key());
                }
                else
                {
                    writeBatch.put(family, change.key(), change.value());
                }
            }
            writeBatch.put(metaFamily, AppliedMarkRecord.KEY, AppliedMarkRecord.encode(mark));
            db.write(options, writeBatch);
        }
        catch (final RocksDBException e)
        {
            throw fail("apply batch " + mark + " (" + changes.size() + " changes)", e);
        }
        lastApplied = mark;
    }

    @Override
    public AppliedMark lastApplied()
    {
        checkUsable();
        return lastApplied;
    }

    /**
     * Releases RocksDB and every native object; with {@link Durability#NONE} flushes the memtables
     * first (unless the store failed), so a clean close loses nothing. Idempotent. Closing a
     * {@link State#FAILED} store never throws: its failure was reported already, and what RocksDB
     * says while closing is logged as a warning.
     *
     * @throws StoreException if the flush or RocksDB's close of a healthy store failed; resources
     *                        are released anyway.
     */
    @Override
    public void close()
    {
        if (state == State.CLOSED)
        {
            return;
        }
        final boolean failedBefore = state == State.FAILED;
        StoreException closeFailure = null;
        if (!failedBefore && !readOnly && durability == Durability.NONE)
        {
            try (FlushOptions flushOptions = new FlushOptions().setWaitForFlush(true))
            {
                db.flush(flushOptions, List.of(dataFamily, metaFamily));
            }
            catch (final RocksDBException e)
            {
                closeFailure = new StoreException("store " + dir + ": flush before close failed, batches applied" +
                    " since the last flush are lost (durability NONE): " + e.getMessage(), e);
            }
        }
        // Waits for a checkpoint in progress on another thread; none starts after this.
        synchronized (nativeLock)
        {
            state(State.CLOSED);

            // Column family handles go before the database, options after it.
            dataFamily.close();
            metaFamily.close();
            try
            {
                db.closeE();
            }
            catch (final RocksDBException e)
            {
                final StoreException closeError =
                    new StoreException("store " + dir + ": close failed: " + e.getMessage(), e);
                if (closeFailure == null)
                {
                    closeFailure = closeError;
                }
                else
                {
                    closeFailure.addSuppressed(closeError);
                }
            }
            writeOptions.close();
            unsyncedWriteOptions.close();
            readOptions.close();
            dbOptions.close();
            familyOptions.close();
            bloomFilter.close();
            blockCache.close();
            if (infoLogger != null)
            {
                infoLogger.close();
            }
        }

        if (closeFailure != null && failedBefore)
        {
            // Already reported when the store failed; RocksDB refusing a clean close follows from it.
            LOG.warn("closed failed store {}: {}", dir, closeFailure.getMessage());
            return;
        }
        if (closeFailure != null)
        {
            LOG.error("closed store {} with an error", dir, closeFailure);
            throw closeFailure;
        }
        LOG.info("closed store {} (last applied {})", dir, describe(lastApplied));
    }

    /**
     * Writes a consistent, openable copy of the store to {@code target} (a RocksDB checkpoint):
     * every entry of both column families, and the applied mark that goes with them, as of one
     * point in the apply order. Consistent because the mark lives in the same database and every
     * batch writes it atomically with its changes.
     *
     * <p>How: RocksDB flushes the memtables of both column families (atomically, as the store
     * always does; this makes the copy complete also with {@link Durability#NONE}, where the WAL
     * holds nothing), then hard-links the table files into {@code target} (same file system) or
     * copies them, and copies the MANIFEST, OPTIONS and live WAL files. The batches applied
     * meanwhile go on: the owning thread is held only while RocksDB switches to a new memtable,
     * not for the flush itself, unless the memtables are already full.
     *
     * <p>Threading: safe from any thread while the owning thread reads and applies; a
     * {@link #close()} meanwhile waits until the checkpoint is written. Blocks on the flush and
     * on file I/O. A failure here is the caller's (the store does not move to
     * {@link State#FAILED}): a full disk while copying must not stop the replica.
     *
     * @param target where to write the checkpoint; must not exist, its parent must.
     * @throws StoreException if the store is not open, or RocksDB cannot write the checkpoint
     *                        (target exists, disk full, I/O error); a half-written target may be
     *                        left for the caller to delete.
     * @throws IllegalStateException if the store is read-only.
     */
    public void checkpoint(final Path target)
    {
        Objects.requireNonNull(target, "target");
        if (readOnly)
        {
            throw new IllegalStateException("store " + dir + " is open read-only; take checkpoints of the live store");
        }
        synchronized (nativeLock)
        {
            final State current = state;
            if (current != State.OPEN)
            {
                throw new StoreException("store " + dir + " is " + current.name().toLowerCase(Locale.ROOT) +
                    "; cannot write a checkpoint to " + target);
            }
            try (Checkpoint checkpoint = Checkpoint.create(db))
            {
                checkpoint.createCheckpoint(target.toString());
            }
            catch (final RocksDBException e)
            {
                throw new StoreException("store " + dir + ": checkpoint to " + target + " failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * A numeric RocksDB property summed over the store's column families (for metrics: sizes,
     * memtables, write stalls). Any thread; safe against a concurrent {@link #close()}.
     *
     * @param name a RocksDB integer property, e.g. {@code rocksdb.total-sst-files-size}.
     * @return its value, or -1 if the store is not open or RocksDB does not know it.
     */
    public long longProperty(final String name)
    {
        synchronized (nativeLock)
        {
            if (state != State.OPEN)
            {
                return -1;
            }
            try
            {
                return db.getLongProperty(dataFamily, name) + db.getLongProperty(metaFamily, name);
            }
            catch (final RocksDBException e)
            {
                return -1;
            }
        }
    }

    @Override
    public String toString()
    {
        return "RocksPartitionStore{dir=" + dir + ", durability=" + durability + ", state=" + state +
            ", lastApplied=" + lastApplied + "}";
    }

    /** @return the lifecycle state, for tests and health reports. */
    State state()
    {
        return state;
    }

    /**
     * Test hook: drops the {@code meta} column family behind the store's back, so that the next
     * {@link #apply} (which always writes the mark there) gets a real {@link RocksDBException}
     * from RocksDB. Never used outside tests.
     *
     * @throws RocksDBException if RocksDB refuses the drop.
     */
    void dropMetaFamilyForTest() throws RocksDBException
    {
        db.dropColumnFamily(metaFamily);
    }

    private int iterate(
        final ColumnFamilyHandle family,
        final byte[] start,
        final byte[] endExclusive,
        final int limit,
        final EntryVisitor visitor,
        final String operation)
    {
        Slice upperBound = null;
        ReadOptions boundedOptions = null;
        try
        {
            ReadOptions options = readOptions;
            if (endExclusive != null)
            {
                upperBound = new Slice(endExclusive);
                boundedOptions = new ReadOptions().setIterateUpperBound(upperBound);
                options = boundedOptions;
            }
            try (RocksIterator iterator = db.newIterator(family, options))
            {
                int count = 0;
                for (iterator.seek(start); count < limit && iterator.isValid(); iterator.next())
                {
                    visitor.visit(iterator.key(), iterator.value());
                    count++;
                }
                iterator.status();
                return count;
            }
        }
        catch (final RocksDBException e)
        {
            throw fail(operation + " from " + Keys.toString(start), e);
        }
        finally
        {
            // The bound must outlive the iterator, which try-with-resources closed already.
            if (boundedOptions != null)
            {
                boundedOptions.close();
            }
            if (upperBound != null)
            {
                upperBound.close();
            }
        }
    }

    private void checkUsable()
    {
        switch (state)
        {
            case OPEN -> { }
            case FAILED -> throw new StoreException("store " + dir + " failed earlier: " + failure.getMessage(), failure);
            case CLOSED -> throw new IllegalStateException("store " + dir + " is closed");
        }
    }

    /**
     * Records the first RocksDB failure and moves to {@link State#FAILED}; logged once, here.
     *
     * @return the exception for the caller to throw.
     */
    private StoreException fail(final String operation, final RocksDBException e)
    {
        final StoreException error = new StoreException("store " + dir + ": " + operation + " failed: " + e.getMessage(), e);
        if (state == State.OPEN)
        {
            failure = error;
            state(State.FAILED);
            LOG.error("store {} failed; refusing every further operation", dir, error);
        }
        return error;
    }

    private void state(final State newState)
    {
        if (!state.canMoveTo(newState))
        {
            throw new IllegalStateException("store " + dir + ": no transition from " + state + " to " + newState);
        }
        state = newState;
    }

    /** RocksDB's info log of a read-only store, as lines of this class's logger (debug; warnings up as warn). */
    private static final class InfoLogToSlf4j extends org.rocksdb.Logger
    {
        private final Path dir;

        InfoLogToSlf4j(final Path dir)
        {
            super(InfoLogLevel.INFO_LEVEL);
            this.dir = dir;
        }

        @Override
        protected void log(final InfoLogLevel level, final String message)
        {
            if (level.ordinal() >= InfoLogLevel.WARN_LEVEL.ordinal() && level != InfoLogLevel.HEADER_LEVEL)
            {
                LOG.warn("rocksdb {}: {}", dir, message);
            }
            else if (LOG.isDebugEnabled())
            {
                LOG.debug("rocksdb {}: {}", dir, message);
            }
        }
    }

    private static AppliedMark readMark(
        final Path dir, final RocksDB db, final ColumnFamilyHandle metaFamily, final ReadOptions readOptions)
        throws RocksDBException
    {
        final byte[] value = db.get(metaFamily, readOptions, AppliedMarkRecord.KEY);
        if (value == null)
        {
            return AppliedMark.NONE;
        }
        try
        {
            return AppliedMarkRecord.decode(value);
        }
        catch (final IllegalArgumentException e)
        {
            throw new StoreException("cannot open store " + dir + ": unreadable applied mark: " + e.getMessage(), e);
        }
    }

    private static String describe(final AppliedMark mark)
    {
        return AppliedMark.NONE.equals(mark) ? "NONE" : mark.toString();
    }

    private static String openFailureMessage(final Path dir, final RocksDBException e)
    {
        final Status status = e.getStatus();
        final String detail = e.getMessage();
        if (status != null && status.getCode() == Status.Code.IOError && detail != null &&
            detail.toLowerCase(Locale.ROOT).contains("lock"))
        {
            return "cannot open store " + dir + ": it is already open (its LOCK file is held by this or another" +
                " process; one replica per directory): " + detail;
        }
        return "cannot open store " + dir + ": " + detail;
    }

    private static <T extends AbstractNativeReference> T made(final Deque<AbstractNativeReference> made, final T ref)
    {
        made.push(ref);
        return ref;
    }

    private static void closeAll(final Deque<AbstractNativeReference> made)
    {
        while (!made.isEmpty())
        {
            made.pop().close();
        }
    }
}
