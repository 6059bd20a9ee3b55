package io.ramcast.bench.backup;

import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.client.ClientIdInUseException;
import io.ramcast.client.ClusterUnreachableException;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.storage.transfer.InstalledSnapshot;
import io.ramcast.storage.transfer.SnapshotFetcher;
import io.ramcast.storage.transfer.SnapshotManifest;
import io.ramcast.storage.transfer.SnapshotTransferException;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.store.StoreException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A backup of every partition at one point of the delivery order, and its offline check.
 *
 * <p>Making one: a {@link Transaction#checkpoint} with a new random id is run through a client
 * (retried with the same request id while its outcome is unknown, so it is delivered once); every
 * replica with a transfer port then keeps a RocksDB checkpoint of its store at that point of the
 * order, which is one consistent cut of the whole cluster (every transaction before it at all its
 * partitions or after it at all of them). Once it committed, {@value BackupManifest#PENDING_FILE_NAME}
 * is written, then each partition's copy is fetched by that id from the first of its replicas that
 * holds it ({@code partition-<P>/}, resumable like a single backup), digested, and
 * {@value BackupManifest#FILE_NAME} written last. A run on a directory holding a pending backup
 * resumes the fetches of the same checkpoint; it never runs a second checkpoint into it.
 *
 * <p>Checking one: every partition's files against its snapshot manifest, every store opened
 * read-only and digested against the backup manifest.
 */
final class ClusterBackup
{
    private final ClusterConfig config;
    private final PrintWriter out;
    private final PrintWriter err;

    ClusterBackup(final ClusterConfig config, final PrintWriter out, final PrintWriter err)
    {
        this.config = config;
        this.out = out;
        this.err = err;
    }

    /**
     * Makes (or resumes) a backup of every partition into {@code dir}.
     *
     * @param dir            the backup directory: new, empty, or one a broken run left.
     * @param clientId       the client id to run the checkpoint with, or null to lease one.
     * @param bytesPerSecond read rate limit, or 0 for none.
     * @return the exit code.
     * @throws InterruptedException if interrupted while fetching.
     */
    int make(final Path dir, final Integer clientId, final long bytesPerSecond) throws InterruptedException
    {
        try
        {
            final BackupManifest complete = BackupManifest.read(dir.resolve(BackupManifest.FILE_NAME));
            if (complete != null)
            {
                out.println("already complete: " + dir);
                summary(complete);
                return RamcastCli.EXIT_OK;
            }
            BackupManifest pending = BackupManifest.read(dir.resolve(BackupManifest.PENDING_FILE_NAME));
            if (pending != null)
            {
                if (!pending.cluster().equals(config.clusterName()) || pending.partitionCount() != config.partitionCount())
                {
                    err.println(dir + " holds a backup of cluster '" + pending.cluster() + "' with " +
                        pending.partitionCount() + " partitions being made, not of this config's; give another directory");
                    return RamcastCli.EXIT_USAGE;
                }
                err.println("resuming the backup of checkpoint " + pending.idText() + " (committed " +
                    Instant.ofEpochMilli(pending.createdEpochMs()) + ")");
            }
            else
            {
                if (!isNewOrEmpty(dir))
                {
                    err.println(dir + " holds files but no " + BackupManifest.FILE_NAME + " or " +
                        BackupManifest.PENDING_FILE_NAME + "; refusing to write into it; give a new or empty directory");
                    return RamcastCli.EXIT_USAGE;
                }
                pending = checkpoint(clientId);
                if (pending == null)
                {
                    return RamcastCli.EXIT_RUN_FAILED;
                }
                Files.createDirectories(dir);
                pending.write(dir);
            }
            final List<BackupManifest.PartitionEntry> entries = new ArrayList<>();
            for (int p = 0; p < config.partitionCount(); p++)
            {
                final BackupManifest.PartitionEntry entry = fetchPartition(dir, pending, p, bytesPerSecond);
                if (entry == null)
                {
                    return RamcastCli.EXIT_RUN_FAILED;
                }
                entries.add(entry);
            }
            final BackupManifest manifest = new BackupManifest(pending.cluster(), pending.checkpointId(),
                pending.createdEpochMs(), pending.partitionCount(), entries);
            manifest.write(dir);
            Files.deleteIfExists(dir.resolve(BackupManifest.PENDING_FILE_NAME));
            out.println("backup complete: " + dir);
            summary(manifest);
            return RamcastCli.EXIT_OK;
        }
        catch (final SnapshotTransferException ex)
        {
            err.println("backup failed: " + ex.getMessage());
            return ex.kind() == SnapshotTransferException.Kind.VERIFICATION_FAILED ? RamcastCli.EXIT_CHECK_FAILED :
                RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final IOException | IllegalArgumentException | StoreException | NoSuchAlgorithmException ex)
        {
            err.println("backup failed: " + ex.getMessage());
            return RamcastCli.EXIT_RUN_FAILED;
        }
        finally
        {
            out.flush();
            err.flush();
        }
    }

    /** Runs the checkpoint transaction; null (after saying why) if it did not commit. */
    private BackupManifest checkpoint(final Integer clientId) throws InterruptedException
    {
        final long id = newCheckpointId();
        final long startNs = System.nanoTime();
        final TxnOutcome outcome;
        try (KvClient client = clientId != null ? KvClient.connect(config, clientId) : KvClient.connect(config))
        {
            outcome = client.run(Transaction.checkpoint(id));
        }
        catch (final ClusterUnreachableException | ClientIdInUseException ex)
        {
            err.println("backup failed: " + (ex instanceof ClusterUnreachableException ? "the cluster is unreachable: " :
                "no client id: ") + ex.getMessage());
            return null;
        }
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        if (outcome instanceof TxnOutcome.Committed)
        {
            final BackupManifest pending = new BackupManifest(config.clusterName(), id, System.currentTimeMillis(),
                config.partitionCount(), List.of());
            err.println(String.format(Locale.ROOT, "checkpoint %s committed at every partition in %d ms; fetching " +
                "each partition's copy", pending.idText(), (System.nanoTime() - startNs) / 1_000_000));
            err.flush();
            return pending;
        }
        err.println("backup failed: the checkpoint transaction " + (outcome instanceof TxnOutcome.NotCommitted n ?
            "did not commit: " + n.reason().name().toLowerCase(Locale.ROOT) + " " + n.detail() :
            "has an unknown outcome: " + ((TxnOutcome.Unknown)outcome).cause()) + "; nothing was written; run again");
        return null;
    }

    private static long newCheckpointId()
    {
        final SecureRandom random = new SecureRandom();
        long id;
        do
        {
            id = random.nextLong() & Long.MAX_VALUE;
        }
        while (id == 0);
        return id;
    }

    /** Fetches one partition's copy from the first replica holding it; null (after saying why) if none. */
    private BackupManifest.PartitionEntry fetchPartition(final Path dir, final BackupManifest pending, final int p,
        final long bytesPerSecond) throws NoSuchAlgorithmException
    {
        final Path target = BackupManifest.partitionDir(dir, p);
        final List<String> refusals = new ArrayList<>();
        for (final ReplicaConfig replica : config.replicas(p))
        {
            if (!replica.servesSnapshots())
            {
                refusals.add("replica " + replica.id() + ": no transferPort");
                continue;
            }
            final SnapshotFetcher.Result result;
            try
            {
                result = SnapshotFetcher.builder().source(replica.transferAddress()).target(target)
                    .snapshot(pending.checkpointId()).expect(config.clusterName(), p).maxBytesPerSecond(bytesPerSecond)
                    .maxReconnects(2).listener(new BackupCommand.ProgressPrinter(err))
                    .credentials(config.replicaCredentials(FabricCredentials.newIncarnation()))
                    .tls(config.tlsContext()).build().fetch();
            }
            catch (final SnapshotTransferException ex)
            {
                if (ex.kind() != SnapshotTransferException.Kind.FAILED)
                {
                    throw ex;
                }
                refusals.add("replica " + replica.id() + ": " + ex.getMessage());
                err.println("partition " + p + ": not from replica " + replica.id() + ": " + ex.getMessage());
                err.flush();
                continue;
            }
            final LocalDeployment.StoreDigest digest = LocalDeployment.digestReadOnly(target);
            final SnapshotManifest m = result.manifest();
            err.println("partition " + p + ": " + (result.alreadyInstalled() ? "already fetched" : "fetched") +
                " from replica " + m.sourceReplica() + ", " + BackupCommand.bytes(m.totalBytes()) + ", applied mark " +
                m.appliedMark() + ", " + digest.entries() + " keys");
            err.flush();
            return new BackupManifest.PartitionEntry(m.sourceReplica(), digest.sha256Hex(), digest.entries());
        }
        err.println("backup failed: no replica of partition " + p + " gave its copy of checkpoint " + pending.idText() +
            ":");
        refusals.forEach(r -> err.println("  " + r));
        err.println("the fetched partitions and " + BackupManifest.PENDING_FILE_NAME + " stay in " + dir + "; run " +
            "again to resume, or, if the replicas no longer hold the checkpoint (" +
            "kept 10 min after its last use, dropped when a replica restarts), delete " + dir + " and run again");
        return null;
    }

    /**
     * Checks a backup of every partition offline.
     *
     * @param dir a directory holding {@value BackupManifest#FILE_NAME}.
     * @param manifest its manifest.
     * @return the exit code.
     */
    int verify(final Path dir, final BackupManifest manifest)
    {
        out.println("backup " + dir + ": cluster '" + manifest.cluster() + "', " + manifest.partitionCount() +
            " partitions at checkpoint " + manifest.idText() + ", taken " + Instant.ofEpochMilli(manifest.createdEpochMs()));
        boolean ok = true;
        long keys = 0;
        try
        {
            for (int p = 0; p < manifest.partitionCount(); p++)
            {
                final Path partDir = BackupManifest.partitionDir(dir, p);
                final SnapshotManifest snapshot = InstalledSnapshot.readManifest(partDir);
                final List<String> problems = InstalledSnapshot.fileProblems(partDir, snapshot);
                if (!problems.isEmpty())
                {
                    err.println("partition " + p + " (" + partDir + ") does not match its manifest:");
                    problems.forEach(x -> err.println("  " + x));
                    ok = false;
                    continue;
                }
                final LocalDeployment.StoreDigest digest = LocalDeployment.digestReadOnly(partDir);
                final BackupManifest.PartitionEntry expected = manifest.partitions().get(p);
                final boolean same = digest.sha256Hex().equals(expected.sha256Hex()) &&
                    digest.entries() == expected.entries() && digest.lastApplied().equals(snapshot.appliedMark()) &&
                    snapshot.snapshotId() == manifest.checkpointId();
                ok &= same;
                keys += digest.entries();
                out.println(String.format(Locale.ROOT, "  partition %d  from replica %d  applied %s  %d keys  " +
                    "data sha256 %s  %s", p, snapshot.sourceReplica(), digest.lastApplied(), digest.entries(),
                    digest.sha256Hex(), same ? "ok" : "DIFFERS FROM " + BackupManifest.FILE_NAME));
            }
            out.println("  " + keys + " keys in all; every file's size and SHA-256 checked");
            out.flush();
            return ok ? RamcastCli.EXIT_OK : RamcastCli.EXIT_CHECK_FAILED;
        }
        catch (final SnapshotTransferException ex)
        {
            err.println("backup " + dir + " is incomplete: " + ex.getMessage());
            return RamcastCli.EXIT_CHECK_FAILED;
        }
        catch (final IOException | StoreException | NoSuchAlgorithmException ex)
        {
            err.println("cannot check backup " + dir + ": " + ex.getMessage());
            return RamcastCli.EXIT_RUN_FAILED;
        }
        finally
        {
            out.flush();
            err.flush();
        }
    }

    private void summary(final BackupManifest m)
    {
        out.println("  cluster       '" + m.cluster() + "', " + m.partitionCount() + " partitions");
        out.println("  checkpoint    " + m.idText() + ", committed " + Instant.ofEpochMilli(m.createdEpochMs()));
        for (int p = 0; p < m.partitions().size(); p++)
        {
            final BackupManifest.PartitionEntry e = m.partitions().get(p);
            out.println(String.format(Locale.ROOT, "  partition %-4d from replica %d, %d keys, data sha256 %s", p,
                e.sourceReplica(), e.entries(), e.sha256Hex()));
        }
        out.flush();
    }

    /**
     * @param dir a directory to write into.
     * @return whether it does not exist or is an empty directory.
     * @throws IOException if it cannot be listed.
     */
    static boolean isNewOrEmpty(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return true;
        }
        if (!Files.isDirectory(dir))
        {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findAny().isEmpty();
        }
    }
}
