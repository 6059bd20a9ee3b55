package io.ramcast.bench.backup;

import io.ramcast.bench.cli.ConsoleLogging;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.storage.StoreIdentity;
import io.ramcast.storage.transfer.InstalledSnapshot;
import io.ramcast.storage.transfer.SnapshotManifest;
import io.ramcast.storage.transfer.SnapshotTransferException;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.StoreBatch;
import io.ramcast.txn.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ramcast restore --config FILE --from DIR [--replica N]...}: makes the stores of a new
 * cluster's replicas from a backup of every partition ({@code ramcast backup --all}), for a cluster
 * that starts on them as it would on empty stores.
 *
 * <p>What is restored is the data, not the ordering layer's history: each replica gets a new store
 * (its identity: the config's cluster, its partition and id) holding every key of the backup that
 * the config's partitioner gives its partition, with no applied mark and no remembered outcomes,
 * so the restored cluster starts its delivery order afresh and its clients their request ids. The
 * partitioning may differ from the backed-up cluster's (another partition count, other range
 * splits): each key goes where the new config puts it. The backup is read once, every selected
 * replica's store written at the same time.
 *
 * <p>Safety: every file of the backup is checked against its manifest first; a replica whose data
 * directory holds anything is refused (restore never writes over a store); each store is written
 * into {@code .<dataDir name>.restoring} beside its data directory and renamed into place only once
 * complete and digested, so an interrupted restore leaves no store a replica would start on.
 * Checked after writing: with the backup's partitioning, each restored store's data digest equals
 * the backup's for its partition; with another, the key counts add up to the backup's.
 *
 * <p>Exit codes: 0 restored; 1 the backup fails its checks (or the restored data differs);
 * 2 bad arguments (not a backup of every partition, a data directory in use); 3 I/O or store error.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Make the stores of a new cluster's replicas from a backup of every partition",
        "(ramcast backup --all); start the replicas on them afterwards."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:restored",
        "1:the backup fails its checks, or the restored data differs from it",
        "2:usage error (not a complete backup of every partition, a data directory that holds files)",
        "3:I/O or store error"
    })
public final class RestoreCommand implements Callable<Integer>, ConsoleLogging.Quiet
{
    /** Entries of one replica's store written in one batch, at most about this many bytes. */
    private static final long BATCH_BYTES = 4L << 20;
    private static final long PROGRESS_INTERVAL_NS = 1_000_000_000L;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", required = true,
        description = "The config of the cluster to restore into (YAML); its replicas must not be running.")
    private Path configFile;

    @Option(names = "--from", paramLabel = "DIR", required = true,
        description = "A backup of every partition (made by 'ramcast backup --all').")
    private Path from;

    @Option(names = "--replica", paramLabel = "N",
        description = "Restore only this replica's store (repeatable; on a multi-host cluster, the replicas of this " +
            "host). Default: every replica of the config.")
    private List<Integer> replicaIds = new ArrayList<>();

    /** One store being written. */
    private static final class Target
    {
        final ReplicaConfig replica;
        final Path staging;
        final RocksPartitionStore store;
        StoreBatch batch = new StoreBatch(AppliedMark.NONE);
        long batchBytes;
        long keys;

        Target(final ReplicaConfig replica, final Path staging, final RocksPartitionStore store)
        {
            this.replica = replica;
            this.staging = staging;
            this.store = store;
        }

        void put(final byte[] key, final byte[] value)
        {
            batch.put(key, value);
            batchBytes += key.length + value.length;
            keys++;
            if (batchBytes >= BATCH_BYTES)
            {
                flush();
            }
        }

        void flush()
        {
            if (batchBytes > 0)
            {
                store.apply(batch);
                batch = new StoreBatch(AppliedMark.NONE);
                batchBytes = 0;
            }
        }
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final ClusterConfig config;
        try
        {
            config = ClusterConfig.load(configFile);
        }
        catch (final ConfigException ex)
        {
            throw usage(ex.getMessage());
        }
        final BackupManifest backup = readBackup();
        final List<ReplicaConfig> replicas = selectReplicas(config);
        final List<String> inUse = new ArrayList<>();
        for (final ReplicaConfig r : replicas)
        {
            if (!isNewOrEmpty(r.dataDir()))
            {
                inUse.add("replica " + r.id() + ": " + r.dataDir());
            }
        }
        if (!inUse.isEmpty())
        {
            throw usage("restore writes new stores only, and these data directories hold files: " +
                String.join("; ", inUse) + "; stop those replicas and move their directories away first");
        }
        try
        {
            if (!checkBackupFiles(backup, err))
            {
                return RamcastCli.EXIT_CHECK_FAILED;
            }
            final long startNs = System.nanoTime();
            final List<Target> targets = openTargets(config, replicas);
            final long[] misplaced = new long[1];
            long backupKeys = 0;
            try
            {
                for (int q = 0; q < backup.partitionCount(); q++)
                {
                    backupKeys += copyPartition(config, q, targets, misplaced, err);
                }
                for (final Target t : targets)
                {
                    t.flush();
                }
            }
            catch (final RuntimeException ex)
            {
                closeAndDelete(targets);
                throw ex;
            }
            final boolean sameLayout = misplaced[0] == 0 && config.partitionCount() == backup.partitionCount();
            final boolean everyPartition = replicas.stream().map(ReplicaConfig::partition).distinct().count() ==
                config.partitionCount();
            boolean ok = true;
            final Map<Integer, Long> keysByPartition = new LinkedHashMap<>();
            for (final Target t : targets)
            {
                final LocalDeployment.StoreDigest digest = LocalDeployment.digest(t.store);
                t.store.close();
                final int p = t.replica.partition();
                keysByPartition.put(p, digest.entries());
                final String check;
                if (sameLayout)
                {
                    final BackupManifest.PartitionEntry expected = backup.partitions().get(p);
                    final boolean same = expected.sha256Hex().equals(digest.sha256Hex()) &&
                        expected.entries() == digest.entries();
                    ok &= same;
                    check = same ? "identical to the backup's partition " + p : "DIFFERS from the backup's partition " + p;
                }
                else
                {
                    check = everyPartition ?
                        "partitioning differs from the backup's: checked by key counts below" :
                        "partitioning differs from the backup's: key counts add up only over every partition, " +
                            "restore every replica (or check the cluster's keys once it runs)";
                }
                install(t);
                out.println(String.format(Locale.ROOT, "replica %d (partition %d): %d keys, data sha256 %s, %s; in %s",
                    t.replica.id(), p, digest.entries(), digest.sha256Hex(), check, t.replica.dataDir()));
            }
            if (!sameLayout && everyPartition)
            {
                final long restored = keysByPartition.values().stream().mapToLong(Long::longValue).sum();
                ok &= restored == backupKeys;
                out.println("keys: " + restored + " restored over " + config.partitionCount() + " partitions, " +
                    backupKeys + " in the backup" + (restored == backupKeys ? "" : ": MISMATCH"));
            }
            out.println(String.format(Locale.ROOT, "restored %d replica stores from %s (cluster '%s', checkpoint %s) " +
                "in %.1f s%s", targets.size(), from, backup.cluster(), backup.idText(),
                (System.nanoTime() - startNs) / 1e9, ok ? "; start the replicas on them" : ""));
            out.flush();
            return ok ? RamcastCli.EXIT_OK : RamcastCli.EXIT_CHECK_FAILED;
        }
        catch (final IOException | StoreException | NoSuchAlgorithmException ex)
        {
            err.println("restore failed: " + ex.getMessage());
            err.flush();
            return RamcastCli.EXIT_RUN_FAILED;
        }
    }

    private BackupManifest readBackup()
    {
        final BackupManifest backup;
        try
        {
            backup = BackupManifest.read(from.resolve(BackupManifest.FILE_NAME));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw usage("cannot read the backup " + from + ": " + ex.getMessage());
        }
        if (backup == null)
        {
            throw usage(from + " is not a complete backup of every partition (no " + BackupManifest.FILE_NAME + (
                Files.exists(from.resolve(BackupManifest.PENDING_FILE_NAME)) ? "; it is one being made: run the " +
                    "backup again with --to " + from + " to finish it" :
                    Files.exists(from.resolve(SnapshotManifest.FILE_NAME)) ? "; it is a backup of one replica, which " +
                        "is no consistent cut of a cluster: make one with 'ramcast backup --all'" : "") + ")");
        }
        return backup;
    }

    private List<ReplicaConfig> selectReplicas(final ClusterConfig config)
    {
        if (replicaIds.isEmpty())
        {
            return config.allReplicas();
        }
        final List<ReplicaConfig> selected = new ArrayList<>();
        for (final int id : replicaIds)
        {
            if (!config.isReplicaId(id))
            {
                throw usage("--replica " + id + " is not a replica of " + configFile);
            }
            if (selected.stream().noneMatch(r -> r.id() == id))
            {
                selected.add(config.replica(id));
            }
        }
        return selected;
    }

    /** @return whether every partition's files match its manifest; prints what does not. */
    private boolean checkBackupFiles(final BackupManifest backup, final PrintWriter err) throws IOException
    {
        boolean ok = true;
        for (int q = 0; q < backup.partitionCount(); q++)
        {
            final Path dir = BackupManifest.partitionDir(from, q);
            final SnapshotManifest manifest;
            try
            {
                manifest = InstalledSnapshot.readManifest(dir);
            }
            catch (final SnapshotTransferException ex)
            {
                err.println("the backup's partition " + q + " is incomplete: " + ex.getMessage());
                ok = false;
                continue;
            }
            final List<String> problems = InstalledSnapshot.fileProblems(dir, manifest);
            if (!problems.isEmpty())
            {
                err.println("the backup's partition " + q + " (" + dir + ") does not match its manifest:");
                problems.forEach(x -> err.println("  " + x));
                ok = false;
            }
        }
        err.flush();
        return ok;
    }

    private static List<Target> openTargets(final ClusterConfig config, final List<ReplicaConfig> replicas)
        throws IOException
    {
        final List<Target> targets = new ArrayList<>();
        try
        {
            for (final ReplicaConfig r : replicas)
            {
                final Path staging = stagingDir(r.dataDir());
                deleteTree(staging); // an interrupted restore's
                Files.createDirectories(staging.getParent());
                // WAL off: the store is closed (memtables flushed) before it is renamed into place
                targets.add(new Target(r, staging, RocksPartitionStore.open(staging, Durability.NONE,
                    new StoreIdentity(config.clusterName(), r.partition(), r.id()))));
            }
            return targets;
        }
        catch (final IOException | RuntimeException ex)
        {
            closeAndDelete(targets);
            throw ex;
        }
    }

    /**
     * Reads the backup's partition {@code q} once, each key into the stores of the partition the
     * config gives it; counts in {@code misplaced} the keys it gives another partition than q.
     *
     * @return the keys read.
     */
    private long copyPartition(final ClusterConfig config, final int q, final List<Target> targets,
        final long[] misplaced, final PrintWriter err)
    {
        final Map<Integer, List<Target>> byPartition = new LinkedHashMap<>();
        for (final Target t : targets)
        {
            byPartition.computeIfAbsent(t.replica.partition(), p -> new ArrayList<>()).add(t);
        }
        final long[] read = {0};
        final long startNs = System.nanoTime();
        final long[] lastPrintNs = {startNs};
        try (RocksPartitionStore source = RocksPartitionStore.openReadOnly(BackupManifest.partitionDir(from, q)))
        {
            source.scan(new byte[0], null, Integer.MAX_VALUE, (k, v) ->
            {
                final int p = config.partitioner().partitionOf(k);
                if (p != q)
                {
                    misplaced[0]++;
                }
                for (final Target t : byPartition.getOrDefault(p, List.of()))
                {
                    t.put(k, v);
                }
                read[0]++;
                final long nowNs = System.nanoTime();
                if (nowNs - lastPrintNs[0] >= PROGRESS_INTERVAL_NS)
                {
                    lastPrintNs[0] = nowNs;
                    err.println(String.format(Locale.ROOT, "  partition %d of the backup: %d keys copied, %.0f/s", q,
                        read[0], read[0] / ((nowNs - startNs) / 1e9)));
                    err.flush();
                }
            });
        }
        err.println("partition " + q + " of the backup: " + read[0] + " keys read");
        err.flush();
        return read[0];
    }

    private static void install(final Target t) throws IOException
    {
        final Path dataDir = t.replica.dataDir();
        if (Files.isDirectory(dataDir))
        {
            Files.delete(dataDir); // empty (checked before anything was written)
        }
        Files.move(t.staging, dataDir, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void closeAndDelete(final List<Target> targets)
    {
        for (final Target t : targets)
        {
            try
            {
                t.store.close();
                deleteTree(t.staging);
            }
            catch (final IOException | RuntimeException ignored)
            {
                // reported by the caller's failure; a leftover staging directory is deleted by the next run
            }
        }
    }

    static Path stagingDir(final Path dataDir)
    {
        final Path d = dataDir.toAbsolutePath().normalize();
        return d.resolveSibling("." + d.getFileName() + ".restoring");
    }

    private static boolean isNewOrEmpty(final Path dir)
    {
        try
        {
            return ClusterBackup.isNewOrEmpty(dir);
        }
        catch (final IOException e)
        {
            return false; // unreadable: not a directory to write a store into
        }
    }

    /** {@link LocalDeployment#deleteTree}, for a directory that may not exist. */
    private static void deleteTree(final Path dir) throws IOException
    {
        if (Files.exists(dir))
        {
            LocalDeployment.deleteTree(dir);
        }
    }

    private CommandLine.ParameterException usage(final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
