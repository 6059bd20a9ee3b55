package io.ramcast.bench.backup;

import io.ramcast.bench.cli.ConfigFiles;
import io.ramcast.bench.cli.ConsoleLogging;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.storage.transfer.InstalledSnapshot;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.storage.transfer.SnapshotFetcher;
import io.ramcast.storage.transfer.SnapshotManifest;
import io.ramcast.storage.transfer.SnapshotTransferException;
import io.ramcast.storage.transfer.TransferListener;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ramcast backup --config FILE --all --to DIR}: a backup of every partition at one point
 * of the delivery order ({@link ClusterBackup}); {@code ramcast backup --config FILE --replica N
 * --to DIR}: fetches a consistent snapshot of replica N's store from its transfer port into DIR;
 * and {@code ramcast backup --verify DIR}: checks either kind offline. {@code ramcast restore}
 * ({@link RestoreCommand}) makes a cluster's stores from a backup of every partition.
 *
 * <p>The snapshot is consistent: the data of every key and the applied mark are as of one point in
 * the replica's apply order (a RocksDB checkpoint; the mark lives in the same database). A broken
 * backup resumes when run again with the same DIR; DIR appears only once everything is verified.
 * Progress goes to stderr about every second; the summary (applied mark, sizes, time, rate) to
 * stdout.
 *
 * <p>{@code --verify} checks every file against the manifest (size, SHA-256), opens the store
 * read-only (nothing in DIR changes) and prints its key count, applied mark and the digest of a
 * full scan in the form {@code <sha256>/<entries>/<mark>}, the same digest the demo and the faults
 * run compute for replicas ({@link LocalDeployment#digest}).
 *
 * <p>Exit codes: 0 done; 1 verification failed (a chunk or file failed its check twice, or a
 * backup no longer matches its manifest); 2 bad arguments (unknown replica, no transferPort, DIR
 * holds other files or is not a backup); 3 the backup failed (source unreachable, refused, I/O).
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Back up every partition at one point of the delivery order (--all), or one replica's store",
        "(--replica N), into a directory (resumable); or check a backup offline with --verify."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done",
        "1:verification failed (data failed its checks twice, or the backup does not match its manifest)",
        "2:usage error (bad arguments, replica without transferPort, DIR not usable or not a backup)",
        "3:the backup failed (cluster or source unreachable, refused, checkpoint not committed, I/O error)"
    })
public final class BackupCommand implements Callable<Integer>, ConsoleLogging.Quiet
{
    private static final Pattern RATE = Pattern.compile("(\\d+)([KMG]?)(i?B?)?(/s)?", Pattern.CASE_INSENSITIVE);
    private static final long PROGRESS_INTERVAL_NS = 1_000_000_000L;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The cluster config (YAML).")
    private Path configFile;

    @Option(names = "--replica", paramLabel = "N", description = "Id of the replica to back up.")
    private Integer replicaId;

    @Option(names = "--all", description = "Back up every partition at one point of the delivery order (a " +
        "checkpoint transaction run through a client), each from the first of its replicas that holds it.")
    private boolean all;

    @Option(names = "--client-id", paramLabel = "ID",
        description = "With --all: the client id the checkpoint runs with (default: a free one of the config's clients range, leased).")
    private Integer clientId;

    @Option(names = "--to", paramLabel = "DIR",
        description = "Where the backup goes: a new or empty directory, or the DIR of a backup that broke off.")
    private Path target;

    @Option(names = "--max-rate", paramLabel = "RATE",
        description = "Read at most this many bytes per second, e.g. 20M (MiB/s); TCP slows the replica's " +
            "sending to match. Default: no limit.")
    private String maxRate;

    @Option(names = "--verify", paramLabel = "DIR", description = "Check the backup in DIR instead of making one.")
    private Path verifyDir;

    @Override
    public Integer call() throws InterruptedException
    {
        if (verifyDir != null)
        {
            if (configFile != null || replicaId != null || target != null || maxRate != null || all || clientId != null)
            {
                throw usage("--verify DIR takes no other option");
            }
            return verify(verifyDir);
        }
        if (configFile == null || target == null || all == (replicaId != null))
        {
            throw usage("give --config FILE --all --to DIR to back up every partition, --config FILE --replica N " +
                "--to DIR to back up one replica, or --verify DIR to check a backup");
        }
        if (clientId != null && !all)
        {
            throw usage("--client-id goes with --all");
        }
        return all ? backupAll() : backup();
    }

    private int backupAll() throws InterruptedException
    {
        final long bytesPerSecond = maxRate == null ? 0 : parseRate(maxRate);
        final ClusterConfig config = ConfigFiles.load(spec, configFile);
        if (clientId != null && !config.clientIds().contains(clientId))
        {
            throw usage("--client-id " + clientId + " is not in the config's clients range " + config.clientIds());
        }
        for (int p = 0; p < config.partitionCount(); p++)
        {
            if (config.replicas(p).stream().noneMatch(ReplicaConfig::servesSnapshots))
            {
                throw usage(configFile + ": no replica of partition " + p + " has a transferPort, so none keeps " +
                    "checkpoints; add 'transferPort: <port>' to their entries and restart them");
            }
        }
        return new ClusterBackup(config, spec.commandLine().getOut(), spec.commandLine().getErr())
            .make(target, clientId, bytesPerSecond);
    }

    private int backup()
    {
        final long bytesPerSecond = maxRate == null ? 0 : parseRate(maxRate);
        final ClusterConfig config = ConfigFiles.load(spec, configFile);
        if (!config.isReplicaId(replicaId))
        {
            throw usage(configFile + ": --replica " + replicaId + " is not a replica of this config; replicas are " +
                config.allReplicas().stream().map(r -> Integer.toString(r.id())).toList());
        }
        final ReplicaConfig replica = config.replica(replicaId);
        if (!replica.servesSnapshots())
        {
            throw usage(configFile + ": replica " + replicaId + " has no transferPort, so it serves no snapshots; " +
                "add 'transferPort: <port>' to its entry and restart it");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final long startNs = System.nanoTime();
        final SnapshotFetcher.Result result;
        try
        {
            result = SnapshotFetcher.builder().source(replica.transferAddress()).target(target)
                .expect(config.clusterName(), replica.partition()).maxBytesPerSecond(bytesPerSecond)
                .listener(new ProgressPrinter(err))
                .credentials(config.replicaCredentials(FabricCredentials.newIncarnation()))
                .tls(config.tlsContext()).build().fetch();
        }
        catch (final SnapshotTransferException ex)
        {
            err.println("backup of replica " + replicaId + " failed: " + ex.getMessage());
            return switch (ex.kind())
            {
                case VERIFICATION_FAILED -> RamcastCli.EXIT_CHECK_FAILED;
                case BAD_TARGET -> RamcastCli.EXIT_USAGE;
                case FAILED -> RamcastCli.EXIT_RUN_FAILED;
            };
        }
        final SnapshotManifest m = result.manifest();
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        out.println((result.alreadyInstalled() ? "already complete: " : "backup complete: ") + result.dir());
        out.println("  source        replica " + m.sourceReplica() + " (" + replica.host() + ":" +
            replica.transferPort() + "), cluster '" + m.cluster() + "', partition " + m.partition());
        out.println("  snapshot      " + m.idText() + ", taken " + Instant.ofEpochMilli(m.createdEpochMs()));
        out.println("  applied mark  " + m.appliedMark());
        out.println("  size          " + m.files().size() + " files, " + bytes(m.totalBytes()));
        if (!result.alreadyInstalled())
        {
            out.println(String.format(Locale.ROOT, "  transfer      %s received in %.2f s (%s)%s%s",
                bytes(result.bytesReceived()), seconds, rate((long)(result.bytesReceived() / Math.max(seconds, 1e-3))),
                result.resumedBytes() > 0 ? ", resumed after " + bytes(result.resumedBytes()) : "",
                result.reconnects() + result.restarts() + result.crcFailures() + result.shaFailures() > 0 ?
                    ", " + result.reconnects() + " reconnects, " + result.restarts() + " restarts, " +
                        result.crcFailures() + " chunks and " + result.shaFailures() + " files fetched again" : ""));
        }
        out.flush();
        return RamcastCli.EXIT_OK;
    }

    private int verify(final Path dir)
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final BackupManifest all;
        try
        {
            all = BackupManifest.read(dir.resolve(BackupManifest.FILE_NAME));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw usage("cannot read " + dir.resolve(BackupManifest.FILE_NAME) + ": " + ex.getMessage());
        }
        if (all != null)
        {
            return new ClusterBackup(null, out, err).verify(dir, all);
        }
        if (Files.exists(dir.resolve(BackupManifest.PENDING_FILE_NAME)))
        {
            throw usage(dir + " is a backup of every partition that did not finish (" + BackupManifest.PENDING_FILE_NAME +
                "); run the backup again with --to " + dir + " to resume it");
        }
        final SnapshotManifest manifest;
        try
        {
            manifest = InstalledSnapshot.readManifest(dir);
        }
        catch (final SnapshotTransferException ex)
        {
            throw usage(ex.getMessage());
        }
        try
        {
            final List<String> problems = InstalledSnapshot.fileProblems(dir, manifest);
            if (!problems.isEmpty())
            {
                err.println("backup " + dir + " does not match its manifest:");
                problems.forEach(p -> err.println("  " + p));
                return RamcastCli.EXIT_CHECK_FAILED;
            }
            final LocalDeployment.StoreDigest digest = LocalDeployment.digestReadOnly(dir);
            out.println("backup " + dir + ": " + manifest);
            out.println("  files         " + manifest.files().size() + " files, " + bytes(manifest.totalBytes()) +
                ", every size and SHA-256 as in " + SnapshotManifest.FILE_NAME);
            out.println("  applied mark  " + digest.lastApplied());
            out.println("  keys          " + digest.entries());
            out.println("  data hash     " + digest.sha256Hex() + " (SHA-256 of a full scan)");
            out.println("  digest        " + digest + " (as the demo and faults compare replicas)");
            out.flush();
            if (!digest.lastApplied().equals(manifest.appliedMark()))
            {
                err.println("backup " + dir + ": the store's applied mark " + digest.lastApplied() +
                    " differs from the manifest's " + manifest.appliedMark());
                return RamcastCli.EXIT_CHECK_FAILED;
            }
            return RamcastCli.EXIT_OK;
        }
        catch (final IOException | StoreException | java.security.NoSuchAlgorithmException ex)
        {
            err.println("cannot check backup " + dir + ": " + ex.getMessage());
            return RamcastCli.EXIT_RUN_FAILED;
        }
    }

    private CommandLine.ParameterException usage(final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private long parseRate(final String text)
    {
        final Matcher m = RATE.matcher(text.trim());
        if (!m.matches())
        {
            throw usage("--max-rate '" + text + "': expected bytes per second, e.g. 500K, 20M, 1G (binary units)");
        }
        final long value;
        try
        {
            value = Long.parseLong(m.group(1));
        }
        catch (final NumberFormatException e)
        {
            throw usage("--max-rate '" + text + "' is too large");
        }
        final int shift = switch (m.group(2).toUpperCase(Locale.ROOT))
        {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        if (value <= 0 || value > (Long.MAX_VALUE >> shift))
        {
            throw usage("--max-rate '" + text + "' must be positive");
        }
        return value << shift;
    }

    /** @return e.g. {@code 1234567 bytes (1.2 MiB)}. */
    static String bytes(final long n)
    {
        if (n < 1024)
        {
            return n + " bytes";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1)
        {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%d bytes (%.1f %s)", n, v, units[u]);
    }

    /** @return e.g. {@code 21.6 MiB/s}. */
    static String rate(final long bytesPerSecond)
    {
        double v = bytesPerSecond;
        final String[] units = {"B/s", "KiB/s", "MiB/s", "GiB/s"};
        int u = 0;
        while (v >= 1024 && u < units.length - 1)
        {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Prints a progress line to stderr at most every second, and every restart. */
    static final class ProgressPrinter implements TransferListener
    {
        private final PrintWriter err;
        private long startNs = System.nanoTime();
        private long lastPrintNs = startNs;
        private long startBytes;

        ProgressPrinter(final PrintWriter err)
        {
            this.err = err;
        }

        @Override
        public void onManifest(final SnapshotManifest manifest, final long resumedBytes)
        {
            startBytes = resumedBytes;
            startNs = System.nanoTime();
            lastPrintNs = startNs;
            err.println("fetching " + manifest + (resumedBytes > 0 ? ", resuming after " + bytes(resumedBytes) : ""));
            err.flush();
        }

        @Override
        public void onProgress(final long verifiedBytes, final long totalBytes, final int filesDone, final int fileCount)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - lastPrintNs < PROGRESS_INTERVAL_NS)
            {
                return;
            }
            lastPrintNs = nowNs;
            final double seconds = (nowNs - startNs) / 1e9;
            err.println(String.format(Locale.ROOT, "  %s of %s verified, %d of %d files, %s", bytes(verifiedBytes),
                bytes(totalBytes), filesDone, fileCount, rate((long)((verifiedBytes - startBytes) / seconds))));
            err.flush();
        }

        @Override
        public void onRestart(final String reason)
        {
            err.println("  " + reason);
            err.flush();
        }
    }
}
