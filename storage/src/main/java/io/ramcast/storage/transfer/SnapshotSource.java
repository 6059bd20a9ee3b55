package io.ramcast.storage.transfer;

import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.storage.StoreIdentity;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.StoreException;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The snapshots one replica holds for transfers: RocksDB checkpoints of its live store in
 * {@code <dataDir>/snapshots/<id>}, each with its {@link SnapshotManifest}.
 *
 * <p>Bounded in time and number: a snapshot no transfer reads is deleted {@code leaseMs} after its
 * last use (a request for it or a chunk sent from it); at most {@code maxSnapshots} exist, and a
 * request for a new one when all are taken evicts the least recently used snapshot no transfer
 * is reading, or is refused ({@link BusyException}). Directories left by an earlier run are deleted
 * when the source is made (their transfers cannot resume across a restart of the replica anyway:
 * ids are random, never reused).
 *
 * <p>Disk: a checkpoint hard-links the store's table files, so it costs little space at first, but
 * keeps files the live store compacts away until it is deleted; the lease bounds that.
 *
 * <p>Threading: thread-safe; the transfer threads share it. Creating a snapshot (checkpoint,
 * hashing every file, reading its mark) runs on the requesting thread without holding the lock.
 */
final class SnapshotSource implements AutoCloseable
{
    /** Directory under the data directory that holds the snapshots. */
    static final String SNAPSHOTS_DIR = "snapshots";

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSource.class);

    private final RocksPartitionStore store;
    private final StoreIdentity identity;
    private final Path root;
    private final EpochClock clock;
    private final long leaseMs;
    private final int maxSnapshots;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Snapshot> snapshots = new HashMap<>();
    private int creating;
    private boolean closed;
    /** Test hook: runs on the requesting thread just before a checkpoint is taken. */
    volatile Runnable beforeCheckpoint = () -> { };

    /**
     * Makes the source and deletes every snapshot directory an earlier run left.
     *
     * @param store        the replica's live store.
     * @param identity     whose store it is (written into manifests).
     * @param dataDir      the replica's data directory; snapshots go to {@code <dataDir>/snapshots}.
     * @param clock        wall clock for creation times and leases.
     * @param leaseMs      how long an unused snapshot is kept, {@code > 0}.
     * @param maxSnapshots how many snapshots may exist at once, {@code >= 1}.
     * @throws UncheckedIOException if leftover snapshots cannot be deleted.
     */
    SnapshotSource(
        final RocksPartitionStore store,
        final StoreIdentity identity,
        final Path dataDir,
        final EpochClock clock,
        final long leaseMs,
        final int maxSnapshots)
    {
        this.store = Objects.requireNonNull(store, "store");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.root = dataDir.resolve(SNAPSHOTS_DIR);
        this.clock = Objects.requireNonNull(clock, "clock");
        if (leaseMs <= 0 || maxSnapshots < 1)
        {
            throw new IllegalArgumentException("snapshot lease " + leaseMs + " ms must be positive and the snapshot " +
                "limit " + maxSnapshots + " at least 1");
        }
        this.leaseMs = leaseMs;
        this.maxSnapshots = maxSnapshots;
        if (Files.exists(root))
        {
            try
            {
                Dirs.deleteTree(root);
                LOG.info("deleted snapshots left by an earlier run in {}", root);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot delete leftover snapshots in " + root + ": " + e, e);
            }
        }
    }

    /** A snapshot a transfer holds; {@link #release} it when done. */
    static final class Snapshot
    {
        private final long id;
        private final Path dir;
        private final long createdMs;
        /** Null until described: a checkpoint kept at a checkpoint transaction is hashed on its first request. */
        private volatile SnapshotManifest manifest;
        private volatile long lastUsedMs;
        /** Transfers holding it; guarded by the source's lock. */
        private int users;
        private boolean deleted;

        Snapshot(final long id, final Path dir, final long nowMs, final SnapshotManifest manifest)
        {
            this.id = id;
            this.dir = dir;
            this.createdMs = nowMs;
            this.lastUsedMs = nowMs;
            this.manifest = manifest;
        }

        /** @return the manifest; set for every snapshot {@link #acquire} returned. */
        SnapshotManifest manifest()
        {
            return manifest;
        }

        Path file(final int index)
        {
            return dir.resolve(manifest.files().get(index).name());
        }

        /** Marks the snapshot used now (from a transfer thread; no lock). */
        void touch(final long nowMs)
        {
            lastUsedMs = nowMs;
        }

        String idText()
        {
            return SnapshotManifest.idText(id);
        }
    }

    /** The snapshot id is not held: expired, evicted, or from before a restart. */
    static final class UnknownSnapshotException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        UnknownSnapshotException(final String message)
        {
            super(message);
        }
    }

    /** Every snapshot slot is taken by a transfer in progress. */
    static final class BusyException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        BusyException(final String message)
        {
            super(message);
        }
    }

    /**
     * Takes a snapshot for a transfer: an existing one by id, or a new one.
     *
     * @param snapshotId an id from an earlier manifest, or {@link SnapshotManifest#NEW_SNAPSHOT}.
     * @return the snapshot, held until {@link #release}.
     * @throws UnknownSnapshotException if the id is not held.
     * @throws BusyException            if a new one is asked for and every slot is in use.
     * @throws StoreException           if the checkpoint fails (the store is closed, the disk full).
     * @throws UncheckedIOException     if the checkpoint's files cannot be read.
     */
    Snapshot acquire(final long snapshotId)
    {
        if (snapshotId == SnapshotManifest.NEW_SNAPSHOT)
        {
            return acquireNew();
        }
        final Snapshot s;
        synchronized (this)
        {
            checkOpen();
            expire();
            s = snapshots.get(snapshotId);
            if (s == null)
            {
                throw new UnknownSnapshotException("replica " + identity.replicaId() + " holds no snapshot " +
                    SnapshotManifest.idText(snapshotId) + " (expired after " + leaseMs + " ms unused, evicted, " +
                    "or the replica restarted); ask for a new one");
            }
            s.users++;
            s.touch(clock.time());
        }
        if (s.manifest == null)
        {
            describeOrRelease(s); // a kept checkpoint's first request: hashed here, without the lock
        }
        return s;
    }

    private Snapshot acquireNew()
    {
        final long id;
        synchronized (this)
        {
            checkOpen();
            expire();
            reserveSlot("; try again later");
            long candidate;
            do
            {
                candidate = random.nextLong() & Long.MAX_VALUE;
            }
            while (candidate == SnapshotManifest.NEW_SNAPSHOT || snapshots.containsKey(candidate));
            id = candidate;
        }

        Snapshot created = null;
        try
        {
            created = create(id);
        }
        finally
        {
            synchronized (this)
            {
                creating--;
                if (created != null)
                {
                    if (closed)
                    {
                        delete(created);
                        throw new IllegalStateException("snapshot source of replica " + identity.replicaId() +
                            " closed while a snapshot was created");
                    }
                    created.users++;
                    snapshots.put(id, created);
                }
            }
        }
        return created;
    }

    /**
     * Keeps a checkpoint of the store as it is now under the given id, for fetchers that ask for it
     * by id ({@code bin/ramcast backup --all}); called by the executor at a checkpoint transaction,
     * while the store changes nothing. Only the RocksDB checkpoint is taken here; the files are
     * hashed when a fetcher first asks for it. It counts against the limit and lease like any
     * snapshot (an unused one is evicted to make room).
     *
     * @param snapshotId the checkpoint transaction's id.
     * @throws BusyException         if every slot is in use by transfers.
     * @throws IllegalStateException if the source is closed or a transfer reads a snapshot of that id.
     * @throws StoreException        if the checkpoint fails (the disk full).
     * @throws UncheckedIOException  if the snapshots directory cannot be made.
     */
    void keep(final long snapshotId)
    {
        synchronized (this)
        {
            checkOpen();
            expire();
            final Snapshot existing = snapshots.get(snapshotId);
            if (existing != null)
            {
                // the same checkpoint executed again (the replica restarted from before it): the same cut
                if (existing.users > 0)
                {
                    throw new IllegalStateException("snapshot " + existing.idText() + " is being read by a transfer");
                }
                snapshots.remove(snapshotId);
                delete(existing);
            }
            reserveSlot("");
        }
        Snapshot kept = null;
        try
        {
            final Path dir = root.resolve(SnapshotManifest.idText(snapshotId));
            checkpointInto(dir);
            kept = new Snapshot(snapshotId, dir, clock.time(), null);
        }
        finally
        {
            synchronized (this)
            {
                creating--;
                if (kept != null)
                {
                    if (closed)
                    {
                        delete(kept);
                    }
                    else
                    {
                        snapshots.put(snapshotId, kept);
                    }
                }
            }
        }
    }

    /**
     * Gives back a snapshot taken by {@link #acquire}; its lease runs from now.
     *
     * @param snapshot the snapshot.
     */
    synchronized void release(final Snapshot snapshot)
    {
        snapshot.users--;
        snapshot.touch(clock.time());
    }

    /**
     * Marks a held snapshot used now; from a transfer thread, without the lock.
     *
     * @param snapshot a snapshot from {@link #acquire}.
     */
    void touch(final Snapshot snapshot)
    {
        snapshot.touch(clock.time());
    }

    /** Deletes every snapshot unused for longer than the lease. */
    synchronized void expire()
    {
        final long nowMs = clock.time();
        final List<Snapshot> expired = new ArrayList<>();
        for (final Snapshot s : snapshots.values())
        {
            if (s.users == 0 && nowMs - s.lastUsedMs > leaseMs)
            {
                expired.add(s);
            }
        }
        for (final Snapshot s : expired)
        {
            LOG.info("snapshot {} unused for {} ms; deleting it", s.idText(), nowMs - s.lastUsedMs);
            snapshots.remove(s.id);
            delete(s);
        }
    }

    /** @return the ids of the snapshots held (tests, health). */
    synchronized List<Long> snapshotIds()
    {
        return List.copyOf(snapshots.keySet());
    }

    /** @return where the snapshots live. */
    Path root()
    {
        return root;
    }

    /** Deletes every snapshot; later requests fail. Idempotent. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final Snapshot s : snapshots.values())
        {
            delete(s);
        }
        snapshots.clear();
    }

    /**
     * Counts a snapshot being made, evicting the least recently used unused one if every slot is
     * taken; with the lock held. The caller gives the slot back ({@code creating--}) when done.
     *
     * @param advice appended to the refusal.
     * @throws BusyException if every slot is in use by transfers.
     */
    private void reserveSlot(final String advice)
    {
        if (snapshots.size() + creating >= maxSnapshots && !evictOne())
        {
            throw new BusyException("replica " + identity.replicaId() + " already holds " + maxSnapshots +
                " snapshots, all in use by transfers" + advice);
        }
        creating++;
    }

    private boolean evictOne()
    {
        Snapshot oldest = null;
        for (final Snapshot s : snapshots.values())
        {
            if (s.users == 0 && (oldest == null || s.lastUsedMs < oldest.lastUsedMs))
            {
                oldest = s;
            }
        }
        if (oldest == null)
        {
            return false;
        }
        LOG.info("evicting snapshot {} (unused, the oldest) to make room for a new one", oldest.idText());
        snapshots.remove(oldest.id);
        delete(oldest);
        return true;
    }

    private Snapshot create(final long id)
    {
        final Path dir = root.resolve(SnapshotManifest.idText(id));
        final long startNs = System.nanoTime();
        checkpointInto(dir);
        final long checkpointNs = System.nanoTime() - startNs;
        final Snapshot snapshot = new Snapshot(id, dir, clock.time(), null);
        try
        {
            describe(snapshot);
        }
        catch (final RuntimeException e)
        {
            deleteQuietly(dir, e);
            throw e;
        }
        LOG.info("created {} in {} ({} ms for the checkpoint, {} ms in all)", snapshot.manifest, dir,
            checkpointNs / 1_000_000, (System.nanoTime() - startNs) / 1_000_000);
        return snapshot;
    }

    /** A RocksDB checkpoint of the live store into {@code dir}; nothing is left behind if it fails. */
    private void checkpointInto(final Path dir)
    {
        try
        {
            Files.createDirectories(root);
            beforeCheckpoint.run();
            store.checkpoint(dir);
        }
        catch (final IOException | RuntimeException e)
        {
            deleteQuietly(dir, e);
            if (e instanceof IOException io)
            {
                throw new UncheckedIOException("cannot make the snapshots directory " + root + ": " + io, io);
            }
            throw (RuntimeException)e;
        }
    }

    /** Describes a kept checkpoint on its first request; on failure gives it back and deletes it. */
    private void describeOrRelease(final Snapshot s)
    {
        try
        {
            describe(s);
        }
        catch (final RuntimeException e)
        {
            synchronized (this)
            {
                s.users--;
                snapshots.remove(s.id);
                delete(s);
            }
            throw e;
        }
    }

    /** Hashes every file of a snapshot and reads its mark into its manifest (once; concurrent callers wait). */
    private void describe(final Snapshot s)
    {
        synchronized (s)
        {
            if (s.manifest != null)
            {
                return;
            }
            try
            {
                final List<SnapshotManifest.FileEntry> files = new ArrayList<>();
                try (Stream<Path> listing = Files.list(s.dir))
                {
                    for (final Path f : listing.sorted().toList())
                    {
                        if (Files.isRegularFile(f))
                        {
                            files.add(new SnapshotManifest.FileEntry(f.getFileName().toString(), Files.size(f),
                                Dirs.sha256Hex(f)));
                        }
                    }
                }
                final AppliedMark mark;
                try (RocksPartitionStore copy = RocksPartitionStore.openReadOnly(s.dir))
                {
                    mark = copy.lastApplied();
                }
                s.manifest = new SnapshotManifest(s.id, s.createdMs, identity.cluster(), identity.partition(),
                    identity.replicaId(), mark, files);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot read snapshot " + s.idText() + " in " + s.dir + ": " + e, e);
            }
        }
    }

    private static void deleteQuietly(final Path dir, final Exception cause)
    {
        try
        {
            if (Files.exists(dir))
            {
                Dirs.deleteTree(dir);
            }
        }
        catch (final IOException suppressed)
        {
            cause.addSuppressed(suppressed);
        }
    }

    private void delete(final Snapshot s)
    {
        if (s.deleted)
        {
            return;
        }
        s.deleted = true;
        try
        {
            Dirs.deleteTree(s.dir);
        }
        catch (final IOException e)
        {
            LOG.warn("cannot delete snapshot {} in {}: {}; delete it by hand, it holds disk space", s.idText(),
                s.dir, e.toString());
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("snapshot source of replica " + identity.replicaId() + " is closed");
        }
    }
}
