package io.ramcast.storage;

import io.ramcast.multicast.DurableFiles;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.storage.transfer.SnapshotFetcher;
import io.ramcast.storage.transfer.SnapshotManifest;
import io.ramcast.storage.transfer.SnapshotTransferException;
import io.ramcast.storage.transfer.TransferListener;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Fills the empty data directory of a replica whose disk was lost (a replaced disk, or a new host
 * keeping the replica's id) with a consistent snapshot of its partition, fetched from the transfer
 * port of another replica of the same partition, before the replica starts on it.
 *
 * <p>What the replica then holds: the snapshot's store (its data, remembered outcomes and applied
 * mark) under this replica's own identity, with no votes and no acceptor journal. Started on it,
 * the replica continues its deliveries right after the snapshot's applied mark: it catches up from
 * its group (deliveries, then the stream) and counts toward its group's majority again once caught
 * up (see ARCHITECTURE.md, "Rebuilding a replica").
 *
 * <p>A stale replica (its partition no longer holds the deliveries it missed) marks its directory
 * ({@link #markForRebuild}) and stops; the next rebuild moves the marked directory aside to
 * {@code <dir>.stale-<epoch ms>} and fills a new one.
 *
 * <p>What is refused, before anything is written: a directory that holds a store (of this replica
 * or any other, unless marked: move it aside first), a directory with files but no store, a partition no other
 * replica of which has a transfer port, and a snapshot of another cluster or partition. A transfer
 * that breaks is resumed, from the same source or, if it is gone, started again from another; a
 * half-finished transfer is never used (see {@link SnapshotFetcher}).
 *
 * <p>Threading: {@link #rebuild} blocks the calling thread until a snapshot is installed or the
 * time is up.
 */
public final class ReplicaRebuild
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaRebuild.class);
    /**
     * Written into a replica's data directory when the replica found that its partition no longer
     * holds what it missed (it is stale): the next rebuild moves the directory aside and fills a
     * new one ({@link #markForRebuild}).
     */
    public static final String MARKER = "REBUILD-NEEDED";
    private static final long RETRY_PAUSE_NS = 1_000_000_000L;

    private ReplicaRebuild()
    {
    }

    /**
     * What a rebuild installed.
     *
     * @param sourceReplica the replica the snapshot came from.
     * @param manifest      the snapshot's manifest (its applied mark is where the replica continues).
     * @param bytes         bytes received in this run.
     * @param elapsedNs     time the fetch took.
     */
    public record Result(int sourceReplica, SnapshotManifest manifest, long bytes, long elapsedNs)
    {
    }

    /**
     * @param dataDir a replica's data directory.
     * @return whether it is missing or empty (or holds only a snapshot installed by an earlier
     *         rebuild that stopped before the replica took it over), or was marked for a rebuild
     *         ({@link #markForRebuild}): a rebuild may fill it.
     */
    public static boolean isRebuildable(final Path dataDir)
    {
        return !Files.exists(dataDir) || isMarkedForRebuild(dataDir) || isEmpty(dataDir);
    }

    /**
     * @param dataDir a replica's data directory.
     * @return whether it was marked for a rebuild ({@link #markForRebuild}: the replica stopped as
     *         stale) or holds only a snapshot an earlier rebuild installed before it stopped; not
     *         for a missing or empty directory (a new replica of a new cluster has one).
     */
    public static boolean isMarkedForRebuild(final Path dataDir)
    {
        if (!Files.exists(dataDir))
        {
            return false;
        }
        if (Files.exists(dataDir.resolve(MARKER)))
        {
            return true;
        }
        return StoreIdentity.read(dataDir) == null && SnapshotFetcher.isInstalled(dataDir);
    }

    private static boolean isEmpty(final Path dataDir)
    {
        if (StoreIdentity.read(dataDir) != null)
        {
            return false;
        }
        try (Stream<Path> entries = Files.list(dataDir))
        {
            return entries.findAny().isEmpty();
        }
        catch (final IOException e)
        {
            throw new StoreException("cannot list data directory " + dataDir + ": " + e, e);
        }
    }

    /**
     * Marks a replica's data directory for a rebuild: the replica is stale (its partition no longer
     * holds the deliveries it missed), so only a snapshot of a peer brings it back. The next
     * {@link #rebuild} moves the directory aside (kept for inspection) and fills a new one.
     *
     * @param dataDir the replica's data directory (holding its store).
     * @param reason  why, recorded in the marker.
     * @throws StoreException if the marker cannot be written.
     */
    public static void markForRebuild(final Path dataDir, final String reason)
    {
        try
        {
            DurableFiles.replace(dataDir.resolve(MARKER), (reason + "\n").getBytes(StandardCharsets.UTF_8));
        }
        catch (final IOException e)
        {
            throw new StoreException("cannot mark " + dataDir + " for a rebuild: " + e, e);
        }
    }

    /** A directory marked for a rebuild, of this replica, is renamed to {@code <dir>.stale-<epoch ms>}. */
    private static void moveAsideIfMarked(final Path dataDir, final StoreIdentity identity)
    {
        if (!Files.exists(dataDir.resolve(MARKER)))
        {
            return;
        }
        final StoreIdentity found = StoreIdentity.read(dataDir);
        if (found != null && !found.equals(identity))
        {
            throw new StoreException("data directory " + dataDir + " is marked for a rebuild but holds the store of " +
                found.describe() + ", not of " + identity.describe() + " (nothing was changed)");
        }
        final Path aside = dataDir.resolveSibling(dataDir.getFileName() + ".stale-" + System.currentTimeMillis());
        try
        {
            Files.move(dataDir, aside, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException e)
        {
            throw new StoreException("cannot move " + dataDir + " aside to " + aside + " for its rebuild: " + e, e);
        }
        LOG.warn("replica {}: {} was marked for a rebuild (stale); moved it aside to {} (delete it once the replica " +
            "is back)", identity.replicaId(), dataDir, aside);
    }

    /**
     * Fetches a snapshot of the replica's partition into its (empty) data directory and records the
     * replica's identity there, trying the other replicas of the partition in turn until one serves
     * it or {@code timeout} passes.
     *
     * @param config    the cluster config.
     * @param replicaId the replica to rebuild.
     * @param timeout   how long to keep trying sources that cannot be reached.
     * @param listener  transfer progress reports.
     * @return what was installed.
     * @throws StoreException if the directory may not be rebuilt, no source is configured, or no
     *                        source served a snapshot in time (the message names each attempt).
     */
    public static Result rebuild(
        final ClusterConfig config, final int replicaId, final Duration timeout, final TransferListener listener)
    {
        Objects.requireNonNull(config, "config");
        final ReplicaConfig replica = config.replica(replicaId);
        final Path dataDir = replica.dataDir();
        final StoreIdentity identity = new StoreIdentity(config.clusterName(), replica.partition(), replica.id());
        moveAsideIfMarked(dataDir, identity);
        final StoreIdentity found = StoreIdentity.read(dataDir);
        if (found != null)
        {
            throw new StoreException("data directory " + dataDir + " already holds the store of " + found.describe() +
                "; a rebuild fills an empty or missing directory only (nothing was changed; move the directory aside " +
                "to rebuild it)");
        }
        if (!isRebuildable(dataDir))
        {
            throw new StoreException("data directory " + dataDir + " holds files but no store; a rebuild fills an " +
                "empty or missing directory only (nothing was changed)");
        }
        final List<ReplicaConfig> sources = new ArrayList<>();
        for (final ReplicaConfig r : config.allReplicas())
        {
            if (r.partition() == replica.partition() && r.id() != replicaId && r.servesSnapshots())
            {
                sources.add(r);
            }
        }
        if (sources.isEmpty())
        {
            throw new StoreException("replica " + replicaId + " cannot be rebuilt: no other replica of partition " +
                replica.partition() + " has a transferPort in " + config.source());
        }
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final List<String> attempts = new ArrayList<>();
        while (true)
        {
            for (final ReplicaConfig source : sources)
            {
                LOG.info("replica {}: rebuilding {} from a snapshot of replica {} ({})", replicaId, dataDir, source.id(),
                    source.transferAddress());
                try
                {
                    final SnapshotFetcher.Result r = SnapshotFetcher.builder().source(source.transferAddress())
                        .target(dataDir).expect(config.clusterName(), replica.partition()).listener(listener)
                        .timeouts(2_000, 30_000).maxReconnects(3)
                        .credentials(config.replicaCredentials(FabricCredentials.newIncarnation()))
                        .tls(config.tlsContext()).build().fetch();
                    identity.claimRebuilt(dataDir);
                    LOG.info("replica {}: rebuilt from replica {}: {} bytes in {} ms, applied mark {}; starting on it",
                        replicaId, source.id(), r.bytesReceived(), r.elapsedNs() / 1_000_000, r.manifest().appliedMark());
                    return new Result(source.id(), r.manifest(), r.bytesReceived(), r.elapsedNs());
                }
                catch (final SnapshotTransferException ex)
                {
                    if (ex.kind() == SnapshotTransferException.Kind.BAD_TARGET)
                    {
                        throw new StoreException("replica " + replicaId + " cannot be rebuilt from replica " +
                            source.id() + ": " + ex.getMessage(), ex);
                    }
                    attempts.add("replica " + source.id() + ": " + ex.getMessage());
                    LOG.warn("replica {}: no snapshot from replica {} ({}); trying the next source", replicaId,
                        source.id(), ex.getMessage());
                }
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new StoreException("replica " + replicaId + " could not be rebuilt within " + timeout.toSeconds() +
                    " s: no replica of partition " + replica.partition() + " served a snapshot (" +
                    String.join("; ", attempts.subList(Math.max(0, attempts.size() - sources.size()), attempts.size())) +
                    ")");
            }
            LockSupport.parkNanos(RETRY_PAUSE_NS);
        }
    }
}
