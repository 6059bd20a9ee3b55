package io.ramcast.bench.process;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.multicast.Ballots;
import io.ramcast.storage.transfer.SnapshotFetcher;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ReplicaConfig;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The replicas of a cluster config that live on this host, each started as a child JVM running
 * {@code ramcast replica}, and the parent's control over them: wait until all serve, notice one
 * dying, stop them all (SIGTERM, then SIGKILL after a grace period), and for fault injection kill
 * one (SIGKILL), pause and resume one (SIGSTOP, SIGCONT), and find a group's leader from the
 * replicas' STATUS lines. Used by {@code ramcast cluster}, {@code ramcast faults}, the end-to-end
 * tests and the demo.
 *
 * <p>Children get this JVM's class path unless told otherwise, and exit on their own when this
 * process dies (their stdin closes). Their stdout/stderr go to {@code <logDir>/replica-<id>.out/.err}.
 *
 * <p>Threading: one controlling thread; {@link #close()} also from a shutdown hook.
 */
public final class ReplicaProcesses implements AutoCloseable
{
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final List<ReplicaConfig> replicas;
    private final List<ServerProcess> processes = new ArrayList<>();
    /** The command line each replica was started with, by index of {@link #replicas}: a restart reuses it. */
    private final List<List<String>> commands = new ArrayList<>();
    /** Restarts done by {@link #restartAll}; names the log files of the restarted processes. */
    private int restarts;
    private final Path logDir;
    private final Thread shutdownHook;
    /** Replicas killed on purpose: not reported by {@link #firstDead()}, skipped by {@link #awaitConverged}. */
    private final java.util.Set<Integer> killed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Replicas paused with SIGSTOP and not yet resumed. */
    private final java.util.Set<Integer> paused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Replicas whose death {@link #newlyDead()} has reported. */
    private final java.util.Set<Integer> reportedDead = new java.util.HashSet<>();
    private boolean closed;

    /** The uid of each replica, or null (they run as this process's uid). */
    private ReplicaOwners owners;
    /** Added to every replica's environment (the secrets, when replicas run under other uids). */
    private Map<String, String> environment = Map.of();

    private ReplicaProcesses(final List<ReplicaConfig> replicas, final Path logDir)
    {
        this.replicas = replicas;
        this.logDir = logDir;
        // Ctrl-C or SIGTERM on this process: stop the replicas as cleanly as close() does
        this.shutdownHook = new Thread(this::close, "replica-processes-shutdown");
    }

    /**
     * Starts every replica of {@code config} whose host is an address of this machine, and waits
     * until each prints READY.
     *
     * @param configFile the config file (children read it themselves).
     * @param config     the parsed config.
     * @param logDir     where the children's output goes (created).
     * @param jvmOptions extra JVM options for the children (e.g. -Xmx).
     * @return the running replicas.
     * @throws BenchFailureException if none is local, or one fails to start in time (all are stopped).
     * @throws InterruptedException  if interrupted while waiting.
     */
    public static ReplicaProcesses start(
        final Path configFile, final ClusterConfig config, final Path logDir, final List<String> jvmOptions)
        throws InterruptedException
    {
        return start(configFile, config, logDir, jvmOptions, null);
    }

    /**
     * Starts every replica of {@code config} whose host is an address of this machine, each writing
     * its RamCast delivery log with delivery times into {@code deliveryLogDir} when that is not
     * null, and waits until each prints READY.
     *
     * @param configFile     the config file (children read it themselves).
     * @param config         the parsed config.
     * @param logDir         where the children's output goes (created).
     * @param jvmOptions     extra JVM options for the children (e.g. -Xmx).
     * @param deliveryLogDir the delivery-log directory, or null for none.
     * @return the running replicas.
     * @throws BenchFailureException if none is local, or one fails to start in time (all are stopped).
     * @throws InterruptedException  if interrupted while waiting.
     */
    public static ReplicaProcesses start(
        final Path configFile, final ClusterConfig config, final Path logDir, final List<String> jvmOptions,
        final Path deliveryLogDir) throws InterruptedException
    {
        return start(configFile, config, logDir, jvmOptions, deliveryLogDir, null);
    }

    /**
     * Starts every replica of {@code config} whose host is an address of this machine as
     * {@link #start(Path, ClusterConfig, Path, List, Path)} does, each under the uid that
     * {@code owners} gives it when that is not null (for cutting links with
     * {@link io.ramcast.bench.faults.LinkCutter}): its data directory is handed to that uid, the
     * delivery-log directory is made writable by all ({@code 1777}), and it is launched through
     * {@code setpriv} with a class path every uid can read. Needs root when owners are given.
     *
     * @param configFile     the config file (children read it themselves; must be readable by others
     *                       when owners are given).
     * @param config         the parsed config.
     * @param logDir         where the children's output goes (created).
     * @param jvmOptions     extra JVM options for the children (e.g. -Xmx).
     * @param deliveryLogDir the delivery-log directory, or null for none.
     * @param owners         the uid of each local replica, or null to run them as this process's uid.
     * @return the running replicas.
     * @throws BenchFailureException if none is local, or one fails to start in time (all are stopped).
     * @throws IllegalArgumentException if owners lack a local replica.
     * @throws InterruptedException  if interrupted while waiting.
     */
    public static ReplicaProcesses start(
        final Path configFile, final ClusterConfig config, final Path logDir, final List<String> jvmOptions,
        final Path deliveryLogDir, final ReplicaOwners owners) throws InterruptedException
    {
        final List<ReplicaConfig> local = config.allReplicas().stream().filter(r -> isLocal(r.host())).toList();
        if (local.isEmpty())
        {
            throw new BenchFailureException(configFile + ": no replica has a host address of this machine");
        }
        try
        {
            Files.createDirectories(logDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + logDir, ex);
        }
        final ReplicaProcesses cluster = new ReplicaProcesses(local, logDir);
        cluster.owners = owners;
        // replicas under other uids cannot read this user's secret files (mode 600): they get the
        // secrets in their environment instead
        cluster.environment = owners != null ? config.secrets().environment() : Map.of();
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try
        {
            for (final ReplicaConfig r : local)
            {
                List<String> command = command(configFile, r.id(), jvmOptions);
                if (owners == null)
                {
                    // its log, appended across its restarts and rolled by size (replicas under other
                    // uids cannot write this user's directory: their log stays in .err)
                    command.add("--log-file");
                    command.add(logDir.resolve("replica-" + r.id() + ".log").toAbsolutePath().toString());
                }
                if (deliveryLogDir != null)
                {
                    command.add("--delivery-log");
                    command.add(deliveryLogDir.toAbsolutePath().toString());
                }
                if (owners != null)
                {
                    owners.prepareDataDir(r.id(), r.dataDir());
                    if (deliveryLogDir != null)
                    {
                        ProcessOwner.shareDirectory(deliveryLogDir);
                    }
                    command = owners.launchCommand(r.id(), command);
                }
                cluster.commands.add(command);
                cluster.processes.add(ServerProcess.start(r.id(), command, cluster.environment,
                    logDir.resolve("replica-" + r.id() + ".out"), logDir.resolve("replica-" + r.id() + ".err")));
            }
            final long deadlineNs = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            for (final ServerProcess p : cluster.processes)
            {
                p.awaitReady(deadlineNs);
            }
            return cluster;
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            cluster.close();
            throw ex;
        }
    }

    static List<String> command(final Path configFile, final int id, final List<String> jvmOptions)
    {
        final List<String> command = javaCommand(jvmOptions);
        command.add(ReplicaCommand.NAME);
        command.add("--config");
        command.add(configFile.toAbsolutePath().toString());
        command.add("--id");
        command.add(Integer.toString(id));
        command.add("--exit-on-stdin-eof");
        return command;
    }

    /**
     * @param jvmOptions extra JVM options.
     * @return a mutable command line that runs {@link RamcastCli} in a new JVM with this JVM's class
     *         path; the caller appends the subcommand and its arguments.
     */
    static List<String> javaCommand(final List<String> jvmOptions)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ServerProcess.REQUIRED_JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(s -> !s.isEmpty()).map(s -> Path.of(s).toAbsolutePath().toString())
            .collect(Collectors.joining(File.pathSeparator)));
        command.add(RamcastCli.class.getName());
        return command;
    }

    static boolean isLocal(final String host)
    {
        try
        {
            final InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress() || address.isAnyLocalAddress() ||
                NetworkInterface.getByInetAddress(address) != null;
        }
        catch (final UnknownHostException | SocketException ex)
        {
            return false;
        }
    }

    /** @return the replicas started here. */
    public List<ReplicaConfig> replicas()
    {
        return replicas;
    }

    /** @return where the children's output goes. */
    public Path logDir()
    {
        return logDir;
    }

    /**
     * @return the first replica found dead that was not killed on purpose ({@link #kill}), described,
     *         or null while all run (or when stopping).
     */
    public synchronized String firstDead()
    {
        if (closed)
        {
            return null;
        }
        for (final ServerProcess p : processes)
        {
            if (diedUnexpectedly(p))
            {
                return "replica " + p.id() + " exited (" + p.exitDescription().trim() + ")" + "; see " + p.stderrFile();
            }
        }
        return null;
    }

    /**
     * Reports each replica that died since the last call, once: which replica, its partition, how it
     * exited, and how many replicas of that partition still run (replicas killed on purpose with
     * {@link #kill} are not reported).
     *
     * @return one line per newly dead replica, e.g. {@code replica 1 (partition 0) exited with 137;
     *         partition 0 runs on 2 of 3}; empty while all run or when stopping.
     */
    synchronized List<String> newlyDead()
    {
        final List<String> lines = new ArrayList<>();
        if (closed)
        {
            return lines;
        }
        for (final ServerProcess p : processes)
        {
            if (diedUnexpectedly(p) && reportedDead.add(p.id()))
            {
                final int partition = replica(p.id()).partition();
                lines.add("replica " + p.id() + " (partition " + partition + ") exited with " + p.exitCode() +
                    "; partition " + partition + " runs on " + running(partition) + " of " +
                    replicas.stream().filter(r -> r.partition() == partition).count() + " (see " +
                    p.stderrFile() + ")");
            }
        }
        return lines;
    }

    /** @return whether the replica's process ended without being killed on purpose ({@link #kill}). */
    private boolean diedUnexpectedly(final ServerProcess p)
    {
        return !p.isAlive() && !killed.contains(p.id());
    }

    /** @return how many replicas started here still run. */
    synchronized int runningCount()
    {
        return (int) processes.stream().filter(ServerProcess::isAlive).count();
    }

    private long running(final int partition)
    {
        return processes.stream().filter(p -> p.isAlive() && replica(p.id()).partition() == partition).count();
    }

    private ReplicaConfig replica(final int id)
    {
        return replicas.stream().filter(r -> r.id() == id).findFirst().orElseThrow();
    }

    /**
     * Waits until the replicas of every partition report the same applied position and keep it for
     * {@code quiet} (they have executed the same transactions and nothing more arrives).
     *
     * @param timeout how long to wait at most.
     * @param quiet   how long the positions must stay unchanged.
     * @return whether they converged in time.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitConverged(final Duration timeout, final Duration quiet) throws InterruptedException
    {
        return awaitConverged(timeout, quiet, java.util.Set.of());
    }

    /**
     * Waits as {@link #awaitConverged(Duration, Duration)} does, except that the replicas in
     * {@code mayLag} need not reach their partition's position: only their positions must stay
     * unchanged for {@code quiet} too (they stopped catching up, or never fell behind).
     *
     * @param timeout how long to wait at most.
     * @param quiet   how long the positions must stay unchanged.
     * @param mayLag  replica ids allowed to stay behind (e.g. ones that were cut off).
     * @return whether the others converged and every position stood still in time.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitConverged(final Duration timeout, final Duration quiet, final java.util.Set<Integer> mayLag)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        String stable = null;
        long stableSinceNs = 0;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String now = convergedPositions(mayLag);
            if (now != null && now.equals(stable))
            {
                if (System.nanoTime() - stableSinceNs >= quiet.toNanos())
                {
                    return true;
                }
            }
            else
            {
                stable = now;
                stableSinceNs = System.nanoTime();
            }
            Thread.sleep(50);
        }
        return false;
    }

    /**
     * @param mayLag replicas whose position need not match their partition's.
     * @return the partitions' positions (and those of the {@code mayLag} replicas) if every other
     *         replica of each partition reports the same one, else null; replicas killed on purpose
     *         are left out.
     */
    private synchronized String convergedPositions(final java.util.Set<Integer> mayLag)
    {
        final java.util.Map<Integer, String> byPartition = new java.util.TreeMap<>();
        final java.util.Map<Integer, String> lagging = new java.util.TreeMap<>();
        for (int i = 0; i < replicas.size(); i++)
        {
            if (killed.contains(replicas.get(i).id()))
            {
                continue;
            }
            final String mark = processes.get(i).appliedMark();
            if (mayLag.contains(replicas.get(i).id()))
            {
                lagging.put(replicas.get(i).id(), mark);
                continue;
            }
            final String seen = byPartition.putIfAbsent(replicas.get(i).partition(), mark);
            if (mark.isEmpty() || seen != null && !seen.equals(mark))
            {
                return null;
            }
        }
        return byPartition + " " + lagging;
    }

    /**
     * Restarts every replica not killed on purpose, on the same data with the same command line:
     * SIGTERM to all (each closes its store cleanly), waits until all exited, starts them again
     * and waits until each prints READY. The restarted processes write their output to
     * {@code <logDir>/replica-<id>.restart-<n>.out/.err}.
     *
     * <p>Blocking: up to {@link #STOP_TIMEOUT} for the exits plus {@link #STARTUP_TIMEOUT} for READY.
     *
     * @param onAllExited called once every replica exited, before the first is started again (the
     *                    caller takes its time stamp there).
     * @throws BenchFailureException if a replica does not exit within {@link #STOP_TIMEOUT} of its
     *                               SIGTERM (it is then killed) or does not start again in time.
     * @throws InterruptedException  if interrupted.
     */
    public void restartAll(final Runnable onAllExited) throws InterruptedException
    {
        restartAll(false, onAllExited);
    }

    /**
     * Restarts every replica not killed on purpose as {@link #restartAll(Runnable)} does, except
     * that all are first killed at once with SIGKILL (a whole-cluster crash: nothing is closed
     * cleanly, what was in flight is lost with the processes).
     *
     * <p>Blocking: until every killed process is gone plus {@link #STARTUP_TIMEOUT} for READY.
     *
     * @param onAllExited called once every replica is gone, before the first is started again.
     * @throws BenchFailureException if a replica does not start again in time.
     * @throws InterruptedException  if interrupted.
     */
    public void killAndRestartAll(final Runnable onAllExited) throws InterruptedException
    {
        restartAll(true, onAllExited);
    }

    private void restartAll(final boolean kill, final Runnable onAllExited) throws InterruptedException
    {
        final List<Integer> indexes = new ArrayList<>();
        synchronized (this)
        {
            if (closed)
            {
                throw new IllegalStateException("the replicas are stopped");
            }
            for (int i = 0; i < replicas.size(); i++)
            {
                if (!killed.contains(replicas.get(i).id()))
                {
                    indexes.add(i);
                    if (kill)
                    {
                        paused.remove(replicas.get(i).id());
                        processes.get(i).kill();
                    }
                    else
                    {
                        processes.get(i).requestStop();
                    }
                }
            }
        }
        final long stopDeadlineNs = System.nanoTime() + STOP_TIMEOUT.toNanos();
        final List<String> unclean = new ArrayList<>();
        for (final int i : indexes)
        {
            if (!processes.get(i).awaitExit(stopDeadlineNs))
            {
                unclean.add("replica " + replicas.get(i).id());
            }
        }
        if (!unclean.isEmpty())
        {
            throw new BenchFailureException(String.join(", ", unclean) + " did not exit within " +
                STOP_TIMEOUT.toSeconds() + " s of " + (kill ? "SIGKILL" : "SIGTERM (killed)") + "; see " + logDir);
        }
        onAllExited.run();
        final int n;
        synchronized (this)
        {
            n = ++restarts;
            for (final int i : indexes)
            {
                final int id = replicas.get(i).id();
                reportedDead.remove(id);
                processes.set(i, ServerProcess.start(id, commands.get(i), environment,
                    logDir.resolve("replica-" + id + ".restart-" + n + ".out"),
                    logDir.resolve("replica-" + id + ".restart-" + n + ".err")));
            }
        }
        final long readyDeadlineNs = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        for (final int i : indexes)
        {
            processes.get(i).awaitReady(readyDeadlineNs);
        }
    }

    /**
     * Starts one replica again, on the same data with the same command line, after its process
     * ended (for a supervisor: {@code ramcast cluster --restart}). Does not wait for READY
     * ({@link #isReady}). The new process writes its output to
     * {@code <logDir>/replica-<id>.restart-<n>.out/.err}.
     *
     * @param id the replica id.
     * @return the new process's stderr file (where a failure to start is explained).
     * @throws IllegalStateException if the replicas are stopped, or that replica still runs.
     * @throws BenchFailureException if the process cannot be started.
     */
    synchronized Path restart(final int id)
    {
        return restart(id, List.of());
    }

    /** As {@link #restart(int)}, with {@code extraArguments} after the replica's usual command line. */
    synchronized Path restart(final int id, final List<String> extraArguments)
    {
        if (closed)
        {
            throw new IllegalStateException("the replicas are stopped");
        }
        final int i = replicas.indexOf(replica(id));
        if (processes.get(i).isAlive())
        {
            throw new IllegalStateException("replica " + id + " still runs");
        }
        final int n = ++restarts;
        reportedDead.remove(id);
        killed.remove(id);
        final List<String> command = new ArrayList<>(commands.get(i));
        command.addAll(extraArguments);
        final ServerProcess p = ServerProcess.start(id, command, environment,
            logDir.resolve("replica-" + id + ".restart-" + n + ".out"),
            logDir.resolve("replica-" + id + ".restart-" + n + ".err"));
        processes.set(i, p);
        return p.stderrFile();
    }

    /**
     * Starts a replica killed with {@link #kill} again on its own data and waits until it prints
     * READY; from then on it is checked and waited for like every other replica.
     *
     * @param id the replica id.
     * @throws BenchFailureException if it does not print READY within the startup timeout.
     * @throws InterruptedException  if interrupted while waiting.
     */
    public void restartAndAwaitReady(final int id) throws InterruptedException
    {
        restartAndAwaitReady(id, List.of());
    }

    private void restartAndAwaitReady(final int id, final List<String> extraArguments) throws InterruptedException
    {
        restart(id, extraArguments);
        process(id).awaitReady(System.nanoTime() + STARTUP_TIMEOUT.toNanos());
    }

    /**
     * Stops a running replica with SIGTERM (a clean close), waits for it to exit, starts it again on
     * its own data and waits until it prints READY.
     *
     * @param id the replica id.
     * @throws BenchFailureException if it does not exit or print READY in time.
     * @throws InterruptedException  if interrupted while waiting.
     */
    public void stopAndRestart(final int id) throws InterruptedException
    {
        final ServerProcess p = process(id);
        p.requestStop();
        if (!p.awaitExit(System.nanoTime() + STOP_TIMEOUT.toNanos()))
        {
            throw new BenchFailureException("replica " + id + " did not exit within " + STOP_TIMEOUT.toSeconds() +
                " s of SIGTERM (killed)");
        }
        restartAndAwaitReady(id);
    }

    /**
     * Deletes the data directory of a replica killed with {@link #kill}, as a lost disk would (and
     * what a rebuild of it left half-done beside it), leaving an empty directory that belongs to
     * the replica's uid when owners are given.
     *
     * @param id the replica id.
     * @return the bytes deleted.
     * @throws IllegalStateException if the replica still runs.
     */
    public synchronized long wipe(final int id)
    {
        if (process(id).isAlive())
        {
            throw new IllegalStateException("replica " + id + " still runs");
        }
        final Path dataDir = replica(id).dataDir();
        try
        {
            long bytes = 0;
            if (Files.exists(dataDir))
            {
                try (Stream<Path> tree = Files.walk(dataDir))
                {
                    for (final Path f : tree.filter(Files::isRegularFile).toList())
                    {
                        bytes += Files.size(f);
                    }
                }
            }
            for (final Path d : List.of(dataDir, SnapshotFetcher.stagingDir(dataDir)))
            {
                if (Files.exists(d))
                {
                    LocalDeployment.deleteTree(d);
                }
            }
            Files.createDirectories(dataDir);
            if (owners != null)
            {
                owners.prepareDataDir(id, dataDir);
            }
            return bytes;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot wipe " + dataDir, ex);
        }
    }

    /**
     * Starts a replica whose data directory was wiped ({@link #wipe}) again with {@code --rebuild}
     * and waits until it prints READY (after its snapshot is installed).
     *
     * @param id the replica id.
     * @throws BenchFailureException if it does not print READY within the startup timeout.
     * @throws InterruptedException  if interrupted while waiting.
     */
    public void rebuildAndAwaitReady(final int id) throws InterruptedException
    {
        restartAndAwaitReady(id, List.of("--rebuild"));
    }

    /** @return whether the replicas run under uids of their own ({@link ReplicaOwners}). */
    public boolean hasOwners()
    {
        return owners != null;
    }

    /**
     * Hands a replica's data directory (filled by a rebuild made by this process) to the replica's uid.
     *
     * @param id the replica id.
     */
    public void ownDataDir(final int id)
    {
        if (owners != null)
        {
            owners.prepareDataDir(id, replica(id).dataDir());
        }
    }

    /**
     * @param id a replica id.
     * @return where its current process's stdout goes.
     */
    Path stdoutFile(final int id)
    {
        return process(id).stdoutFile();
    }

    /**
     * @param id a replica id.
     * @return whether its current process printed READY.
     */
    boolean isReady(final int id)
    {
        return process(id).isReady();
    }

    /**
     * @param id a replica id.
     * @return its current process's exit code (137 for kill -9), or -1 while it runs.
     */
    int exitCode(final int id)
    {
        return process(id).exitCode();
    }

    /**
     * @param id a replica id.
     * @return where its current process's stderr (its log) goes.
     */
    Path stderrFile(final int id)
    {
        return process(id).stderrFile();
    }

    /**
     * @param partition a partition id.
     * @return "runs on R of N": how many of its replicas started here run.
     */
    synchronized String runsOn(final int partition)
    {
        return "partition " + partition + " runs on " + running(partition) + " of " +
            replicas.stream().filter(r -> r.partition() == partition).count();
    }

    /**
     * @return the lowest and highest TCP port the replicas started here listen on, as
     *         {@code {lo, hi}}.
     */
    public int[] portRange()
    {
        return new int[] {replicas.stream().mapToInt(ReplicaConfig::port).min().orElseThrow(),
            replicas.stream().mapToInt(ReplicaConfig::port).max().orElseThrow()};
    }

    /**
     * Kills one replica at once (SIGKILL), for fault injection. From then on it is neither reported
     * by {@link #firstDead()} nor waited for by {@link #awaitConverged}.
     *
     * @param id the replica id.
     * @throws InterruptedException if interrupted while waiting for it to be gone.
     */
    public void kill(final int id) throws InterruptedException
    {
        final ServerProcess p = process(id);
        killed.add(id);
        p.kill();
        paused.remove(id);
        p.awaitExit(System.nanoTime() + STOP_TIMEOUT.toNanos());
    }

    /**
     * Pauses one replica (SIGSTOP): it keeps its sockets and memory but runs no code until
     * {@link #resume}. {@link #close()} resumes paused replicas before stopping them.
     *
     * @param id the replica id.
     * @throws BenchFailureException if the signal cannot be sent.
     * @throws InterruptedException  if interrupted.
     */
    public void pause(final int id) throws InterruptedException
    {
        final ServerProcess p = process(id);
        paused.add(id);
        p.signal("STOP");
    }

    /**
     * Resumes a replica paused by {@link #pause} (SIGCONT).
     *
     * @param id the replica id.
     * @throws BenchFailureException if the signal cannot be sent.
     * @throws InterruptedException  if interrupted.
     */
    public void resume(final int id) throws InterruptedException
    {
        process(id).signal("CONT");
        paused.remove(id);
    }

    /** @return the ids of the replicas killed on purpose. */
    public java.util.Set<Integer> killedIds()
    {
        return java.util.Set.copyOf(killed);
    }

    /**
     * @param id a replica id.
     * @return whether that replica's process runs (a paused one does).
     */
    public boolean isAlive(final int id)
    {
        return process(id).isAlive();
    }

    /**
     * The leader of a partition's group as its live replicas see it: the replica that names itself
     * leader in its latest STATUS line with the highest ballot, else the leader most live replicas
     * name.
     *
     * @param partition the partition (group) id.
     * @return the leader's id, or {@link ServerProcess#NO_LEADER} if no live replica named one yet.
     */
    public int leaderOf(final int partition)
    {
        int selfLeader = ServerProcess.NO_LEADER;
        String selfBallot = "";
        final java.util.Map<Integer, Integer> votes = new java.util.TreeMap<>();
        for (int i = 0; i < replicas.size(); i++)
        {
            final ServerProcess p = processes.get(i);
            if (replicas.get(i).partition() != partition || killed.contains(p.id()) || paused.contains(p.id()) ||
                !p.isAlive() || p.leaderId() == ServerProcess.NO_LEADER)
            {
                continue;
            }
            votes.merge(p.leaderId(), 1, Integer::sum);
            if (p.leaderId() == p.id() && compareBallots(p.ballot(), selfBallot) > 0)
            {
                selfLeader = p.id();
                selfBallot = p.ballot();
            }
        }
        if (selfLeader != ServerProcess.NO_LEADER)
        {
            return selfLeader;
        }
        return votes.entrySet().stream().max(java.util.Map.Entry.comparingByValue())
            .map(java.util.Map.Entry::getKey).orElse(ServerProcess.NO_LEADER);
    }

    /**
     * @param id a replica id.
     * @return the ballot of its latest STATUS line ({@code <round>.<leader>}), or "" before one.
     */
    public String ballotOf(final int id)
    {
        return process(id).ballot();
    }

    /** Orders {@code <round>.<leader>} ballots; "" is lowest. */
    static int compareBallots(final String a, final String b)
    {
        return Long.compare(ballotValue(a), ballotValue(b));
    }

    private static long ballotValue(final String ballot)
    {
        try
        {
            return Ballots.parse(ballot);
        }
        catch (final IllegalArgumentException ex)
        {
            return -1;
        }
    }

    /**
     * @param id a replica id.
     * @return its current process (a restart replaces it).
     */
    public ServerProcess currentProcess(final int id)
    {
        return process(id);
    }

    private synchronized ServerProcess process(final int id)
    {
        return processes.stream().filter(p -> p.id() == id).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("replica " + id + " was not started here"));
    }

    private void killAll()
    {
        processes.forEach(ServerProcess::kill);
    }

    /**
     * Stops every replica: SIGTERM (each closes its store cleanly), then SIGKILL for any still
     * running after {@link #STOP_TIMEOUT}. Idempotent.
     *
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final int id : paused)
        {
            try
            {
                // a stopped process would not run its SIGTERM handler
                process(id).signal("CONT");
            }
            catch (final BenchFailureException ex)
            {
                process(id).kill();
            }
            catch (final InterruptedException ex)
            {
                process(id).kill();
                Thread.currentThread().interrupt();
            }
        }
        paused.clear();
        processes.forEach(ServerProcess::requestStop);
        final long deadlineNs = System.nanoTime() + STOP_TIMEOUT.toNanos();
        try
        {
            for (final ServerProcess p : processes)
            {
                p.awaitExit(deadlineNs);
            }
        }
        catch (final InterruptedException ex)
        {
            killAll();
            Thread.currentThread().interrupt();
        }
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ex)
        {
            // already shutting down: the hook runs and kills what is left
        }
    }
}
