package io.ramcast.bench.process;

import io.ramcast.bench.cli.FileLogging;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.multicast.Ballots;
import io.ramcast.multicast.fabric.rdma.RdmaUnavailableException;
import io.ramcast.storage.ReplicaRebuild;
import io.ramcast.storage.ReplicaServer;
import io.ramcast.storage.transfer.TransferListener;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.store.AppliedMark;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ramcast replica --config FILE --id ID}: runs one replica (RamCast agent, executor,
 * RocksDB) of the cluster described by FILE until SIGTERM/SIGINT, which closes it cleanly.
 *
 * <p>Prints {@code READY <id>} on stdout once it serves. Exit codes: 2 for a bad config or id
 * (message names the file, field and rule), 3 if the replica cannot start or stops by an error
 * (fail-stop, e.g. a storage error) or because it stayed stale for 10 s (its partition no longer
 * holds what it missed; its data directory is then marked for a rebuild, see {@code --rebuild}),
 * 0 after a clean shutdown.
 */
@Command(name = ReplicaCommand.NAME, mixinStandardHelpOptions = true,
    description = "Run one replica of the cluster described by a config file.")
public final class ReplicaCommand implements Callable<Integer>
{
    static final String NAME = "replica";
    /** How long a replica stays stale (its partition no longer holds what it missed) before it stops for a rebuild. */
    private static final long STALE_GRACE_NS = TimeUnit.SECONDS.toNanos(10);
    /** A STATUS line that only reports progress (executed, applied mark) waits this long after the previous one. */
    private static final long STATUS_PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaCommand.class);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster config (YAML).")
    private Path configFile;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "This replica's id in the config.")
    private int id;

    @Option(names = {"--delivery-log", "--multicast-log"}, paramLabel = "DIR",
        description = "Append every RamCast delivery, with its wall-clock time, to DIR/<id>.log.")
    private Path deliveryLog;

    @Option(names = "--exit-on-stdin-eof", description = "Stop when stdin closes (the parent that started this process is gone).")
    private boolean exitOnStdinEof;

    @Option(names = "--rebuild", description = "This replica's data directory was lost (a replaced disk, or a new " +
        "host keeping its id) or marked for a rebuild (the replica stopped because it was stale): if the directory is " +
        "missing, empty or marked (then it is moved aside), fill it first with a snapshot of another replica " +
        "of its partition (fetched from that replica's transferPort), then start and catch up from the group. " +
        "Otherwise it starts as without --rebuild (on its own store; another replica's store or stray files are " +
        "refused).")
    private boolean rebuild;

    @Option(names = "--rebuild-if-marked", description = "As --rebuild, but only for a data directory marked for a " +
        "rebuild (the replica stopped because it was stale) or holding a half-installed snapshot; a missing or empty " +
        "one is a new replica's and starts empty. For service managers that restart the replica by themselves.")
    private boolean rebuildIfMarked;

    @Option(names = "--idle", paramLabel = "KIND", defaultValue = "${env:RAMCAST_IDLE:-backoff}",
        converter = io.ramcast.bench.multicast.IdleKind.Converter.class,
        completionCandidates = io.ramcast.bench.multicast.IdleKind.Candidates.class,
        description = "How the replica's two agent threads wait when idle: ${COMPLETION-CANDIDATES}; backoff (spin " +
            "briefly, then wait up to 1 ms, over tcp waking as soon as bytes arrive) suits shared machines, sleep " +
            "(1 ms naps) uses least CPU at some latency, spin only a host with a core per thread (default: $$RAMCAST_IDLE, else backoff; now ${DEFAULT-VALUE}).")
    private io.ramcast.bench.multicast.IdleKind idle;

    @Option(names = "--log-file", paramLabel = "FILE",
        description = "Write the log to FILE, appended across restarts and rolled by size into FILE.1 .. FILE.N; " +
            "the console then keeps warnings and errors. Default: the log goes to the console (stderr).")
    private Path logFile;

    @Option(names = "--log-max-mb", paramLabel = "MIB", defaultValue = "64",
        description = "Roll the log file when it reaches MIB MiB (default: ${DEFAULT-VALUE}).")
    private int logMaxMib;

    @Option(names = "--log-files", paramLabel = "N", defaultValue = "10",
        description = "Rolled log files kept, 1-20; the oldest goes (default: ${DEFAULT-VALUE}).")
    private int logFiles;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
        converter = FileLogging.Format.Converter.class,
        description = "text, or json: one JSON object per line, for log shippers (default: ${DEFAULT-VALUE}).")
    private FileLogging.Format logFormat;

    @Option(names = "--rebuild-timeout", paramLabel = "SECONDS", defaultValue = "120",
        description = "How long --rebuild keeps trying the other replicas of the partition (default: ${DEFAULT-VALUE}).")
    private int rebuildTimeoutSeconds;

    /**
     * The progress line a replica prints when it changes, read by the parent that started it: at
     * once when its leader, ballot or state changes, at most once a second when only its progress
     * does (checked every 100 ms):
     * {@code STATUS <id> <executed> <timestamp>/<group>/<messageId> leader=<id> ballot=<round>.<leader> <state>}
     * with the position of the last applied delivery, the process the replica takes for its
     * group's leader, the ballot it follows or leads in, and its state: {@code up}, {@code
     * catching-up (N behind)} while it takes what it missed from its partition (after a restart or a
     * cut), or {@code stale (its partition no longer holds what it missed: rebuild it with --rebuild)}.
     */
    static String status(final ReplicaServer replica)
    {
        final AppliedMark mark = replica.lastApplied();
        final long behind = replica.catchUpBehind();
        final String state = behind == 0 ? "up" : behind == Long.MAX_VALUE ? "catching-up (restarted: how far behind " +
            "is not known yet)" : behind > 0 ? "catching-up (" + behind + " behind)" :
            "stale (its partition no longer holds what it missed: rebuild it with --rebuild)";
        return ServerProcess.STATUS + " " + replica.replica().id() + " " + replica.executedCount() + " " +
            mark.compact() +
            " leader=" + replica.leaderId() + " ballot=" + Ballots.format(replica.ballot()) + " " + state;
    }

    /** @return the STATUS line without its progress (executed count and applied mark): what must be printed at once. */
    private static String statusShape(final String status)
    {
        final String[] words = status.split(" ", 5);
        return words.length < 5 ? status : words[0] + " " + words[1] + " " + words[4];
    }


    /**
     * A replica that leads its partition hands leadership over before it stops (SIGTERM, Ctrl-C),
     * so that its partition commits on without waiting for a failure timeout; waits for the new
     * leader at most two failure timeouts plus a second.
     */
    private void handOverIfLeading(final ReplicaServer replica, final ClusterConfig config)
    {
        if (replica.leaderId() != id || replica.failure() != null)
        {
            return;
        }
        final Duration wait = Duration.ofMillis(2 * config.timeouts().failureTimeoutMs() + 1000);
        LOG.info("replica {} leads partition {}: handing leadership over before stopping (waiting at most {} ms)", id,
            replica.replica().partition(), wait.toMillis());
        try
        {
            final long startNs = System.nanoTime();
            final int successor = replica.handOverLeadership(wait);
            final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
            if (successor >= 0)
            {
                LOG.info("replica {}: replica {} leads partition {} now ({} ms)", id, successor,
                    replica.replica().partition(), tookMs);
            }
            else
            {
                LOG.warn("replica {}: no new leader of partition {} within {} ms; stopping anyway (the partition " +
                    "elects one after its failure timeout)", id, replica.replica().partition(), tookMs);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return null to go on starting, or the exit code of a rebuild that could not be done. */
    private Integer rebuildIfEmpty(final ClusterConfig config)
    {
        final ReplicaConfig self = config.replica(id);
        try
        {
            if (!ReplicaRebuild.isRebuildable(self.dataDir()))
            {
                LOG.info("replica {}: --rebuild: {} is not empty; starting on it as it is", id, self.dataDir());
                return null;
            }
            final ReplicaRebuild.Result r = ReplicaRebuild.rebuild(config, id, Duration.ofSeconds(rebuildTimeoutSeconds),
                TransferListener.NONE);
            spec.commandLine().getOut().println("REBUILT " + id + " from replica " + r.sourceReplica() + ": " + r.bytes() +
                " bytes in " + r.elapsedNs() / 1_000_000 + " ms, applied mark " + r.manifest().appliedMark());
            spec.commandLine().getOut().flush();
            return null;
        }
        catch (final RuntimeException ex)
        {
            spec.commandLine().getErr().println("replica " + id + " cannot be rebuilt: " + ex.getMessage());
            LOG.error("replica {} cannot be rebuilt", id, ex);
            return RamcastCli.EXIT_RUN_FAILED;
        }
    }

    @Override
    public Integer call() throws InterruptedException
    {
        final ClusterConfig config;
        try
        {
            config = ClusterConfig.load(configFile);
            if (!config.isReplicaId(id))
            {
                throw new CommandLine.ParameterException(spec.commandLine(), configFile + ": --id=" + id +
                    " is not a replica of this config; replicas are " + config.allReplicas().stream()
                    .map(r -> Integer.toString(r.id())).toList());
            }
        }
        catch (final ConfigException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        if (logFile != null)
        {
            try
            {
                if (logFile.toAbsolutePath().getParent() != null)
                {
                    Files.createDirectories(logFile.toAbsolutePath().getParent());
                }
                FileLogging.configure(logFile, logMaxMib * 1024L * 1024L, logFiles, logFormat);
            }
            catch (final IllegalArgumentException | IOException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--log-file " + logFile + ": " +
                    ex.getMessage(), ex);
            }
            LOG.info("replica {} starting (pid {}), config {}", id, ProcessHandle.current().pid(), configFile);
        }
        final PrintWriter out = spec.commandLine().getOut();
        if (rebuild || rebuildIfMarked && ReplicaRebuild.isMarkedForRebuild(config.replica(id).dataDir()))
        {
            final Integer failed = rebuildIfEmpty(config);
            if (failed != null)
            {
                return failed;
            }
        }
        final ReplicaServer replica;
        try
        {
            final ReplicaServer.Builder builder = ReplicaServer.builder().config(config).replicaId(id)
                .deliveryLog(deliveryLog).deliveryLogClock(deliveryLog != null ? SystemEpochNanoClock.INSTANCE : null);
            if (idle != io.ramcast.bench.multicast.IdleKind.BACKOFF)
            {
                builder.idleStrategy(() -> idle.newStrategy(null)); // backoff: the replica's own defaults
            }
            replica = builder.build();
        }
        catch (final RdmaUnavailableException ex)
        {
            // The host lacks libdisni or an RDMA device: the message says which and how to install it.
            spec.commandLine().getErr().println("replica " + id + " cannot start: " + ex.getMessage());
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final RuntimeException ex)
        {
            spec.commandLine().getErr().println("replica " + id + " cannot start: " + ex.getMessage());
            LOG.error("replica {} cannot start", id, ex);
            return RamcastCli.EXIT_RUN_FAILED;
        }
        final CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                handOverIfLeading(replica, config);
                LOG.info("replica {} shutting down", id);
                replica.close();
            }
            finally
            {
                closed.countDown();
            }
        }, "replica-" + id + "-shutdown"));
        replica.start();
        if (exitOnStdinEof)
        {
            ServerProcess.exitWhenStdinCloses("replica " + id);
        }
        out.println(ServerProcess.READY + " " + id);
        out.flush();
        String lastStatus = "";
        long lastStatusNs = System.nanoTime();
        long staleSinceNs = 0;
        while (!closed.await(100, TimeUnit.MILLISECONDS))
        {
            if (replica.catchUpBehind() >= 0)
            {
                staleSinceNs = 0;
            }
            else if (staleSinceNs == 0)
            {
                staleSinceNs = System.nanoTime();
            }
            else if (System.nanoTime() - staleSinceNs > STALE_GRACE_NS)
            {
                // only a snapshot of a peer brings it back: mark the directory and stop, so that a
                // start with --rebuild (what cluster --restart does) moves it aside and rebuilds it
                final Path dataDir = config.replica(id).dataDir();
                ReplicaRebuild.markForRebuild(dataDir, "replica " + id + " is stale: its partition no longer holds the " +
                    "deliveries it missed (" + status(replica) + ")");
                spec.commandLine().getErr().println("replica " + id + " stopped: it is stale (its partition no longer " +
                    "holds the deliveries it missed); " + dataDir + " is marked for a rebuild: start the replica with " +
                    "--rebuild to move it aside and fetch a snapshot from a peer");
                return RamcastCli.EXIT_RUN_FAILED;
            }
            final String status = status(replica);
            // a change of leader, ballot or state at once; progress alone at most once a second
            if (!status.equals(lastStatus) && (!statusShape(status).equals(statusShape(lastStatus)) ||
                System.nanoTime() - lastStatusNs >= STATUS_PROGRESS_INTERVAL_NS))
            {
                lastStatus = status;
                lastStatusNs = System.nanoTime();
                out.println(status);
                out.flush();
            }
            final Throwable failure = replica.failure();
            if (failure != null)
            {
                spec.commandLine().getErr().println("replica " + id + " stopped: " + failure);
                return RamcastCli.EXIT_RUN_FAILED;
            }
        }
        return RamcastCli.EXIT_OK;
    }
}
