package io.ramcast.bench.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.multicast.HistoryCheck;
import io.ramcast.bench.process.BankClientProcess;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.bench.process.ReplicaOwners;
import io.ramcast.bench.process.ReplicaProcesses;
import io.ramcast.bench.process.ServerProcess;
import io.ramcast.bench.workload.BankWorkload;
import io.ramcast.check.history.BankChecker;
import io.ramcast.check.history.BankLedger;
import io.ramcast.check.history.EventType;
import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.HistoryReader;
import io.ramcast.check.history.Operation;
import io.ramcast.check.multicast.DeliveryLogTimes;
import io.ramcast.client.ClusterUnreachableException;
import io.ramcast.client.KvClient;
import io.ramcast.multicast.deliverylog.DeliveryLogWriter;
import io.ramcast.storage.ReplicaRebuild;
import io.ramcast.storage.transfer.TransferListener;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ReplicaConfig;
import org.agrona.concurrent.SystemEpochNanoClock;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One run of {@code ramcast faults}: replicas and bank clients as child processes, a fault
 * schedule, then the checks. See {@link FaultsCommand} for what is checked and reported.
 *
 * <p>Timeline: the replicas start (each writing a delivery log with delivery times), a controller
 * client creates the accounts (and stays connected for the final read), the bank clients start; once every client recorded its first event
 * the workload clock starts (t0), step i runs at {@code t0 + (i + 1) * stepInterval} plus the time
 * the isolation and restart steps before it took (a cut lasts its own duration and the next
 * interval starts at the heal; a restart's interval starts when the bank clients resume, a
 * kill-all's when its new bank clients run), and the clients stop by themselves one interval after
 * the last step (a restart lengthens their run by the time they were paused, and to at least
 * {@link #RESTART_WARM_UP_INTERVALS} intervals after it; the run is planned with
 * {@link #CUT_ALLOWANCE} per cut and {@link #RESTART_ALLOWANCE} per kill-all). Then the controller
 * reads every account, the surviving replicas must converge, they are stopped, and the files are
 * checked.
 *
 * <p>Isolation steps: when the schedule has one, every replica runs under a uid of its own
 * ({@link ReplicaOwners}) and a {@link LinkCutter} is installed once the replicas are ready, with
 * the clients (the bank client processes and the controller, all of this JVM's uid, root) marked
 * by uid 0 as {@link LinkCutter} documents; it is closed on every path. A cut replica catches up
 * after the heal from what its partition retains; one cut for longer stays behind (state transfer
 * is not wired into rejoin): it is then named in a note, left out of "converged",
 * compared only with replicas at its own applied position, and declared crashed to the multicast
 * checker; a divergence still fails the run.
 *
 * <p>Restart steps: the bank client processes are paused (SIGSTOP) and the replicas drained
 * (positions still for longer than the client failure timeout, so that what a client left
 * half-sent is relayed and nothing is in flight: a whole-cluster stop with transactions in flight
 * is the known unrecovered case); then every running replica gets SIGTERM, all start again on the
 * same data, and once all print READY the bank clients resume (SIGCONT). Each finds its session
 * lost, reports its transactions in flight as unknown outcomes and reconnects by itself as a new
 * incarnation, as does the controller; the workload goes on in the same processes. A multicast
 * a client abandoned with its session may be delivered nowhere, so the paused clients are declared
 * crashed to the multicast checker. Client ids needed: {@link #clientIdsNeeded}.
 *
 * <p>Kill-all steps: every running replica is SIGKILLed at once while the bank clients run (a
 * two-partition probe transaction in flight), then the bank clients are SIGKILLed as for a
 * restart, the replicas start again on the same data (their acceptor journals recover what was in
 * flight), and the workload continues as above. Their delivery logs are written through, so they
 * stay correct processes for the multicast checker (agreement and order across the kill are
 * checked); their stores are compared and probed. The bank clients and the controller are
 * replaced by new processes and a new client (a whole-host crash takes them too); a restart keeps
 * them. Every whole-cluster step writes an {@link AtomicityProbe} before and after it.
 *
 * <p>Times: fault times are taken both on {@link System#nanoTime()}, the clock of the clients'
 * histories (on Linux one monotonic clock for every process of the host), and on the wall clock in
 * microseconds, the clock of the delivery logs.
 *
 * <p>Threading: one controlling thread. Everything started is stopped by {@link #run} on every
 * path, and by a shutdown hook on Ctrl-C.
 */
final class FaultRun
{
    private static final Duration STARTED_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(60);
    /** Time a kill-all step is planned with in the clients' run (stop, start, READY of every replica). */
    static final Duration RESTART_ALLOWANCE = Duration.ofSeconds(30);
    /** Time each single-replica restart is planned with beyond its downtime: a JVM's start to READY. */
    static final Duration REPLICA_RESTART_ALLOWANCE = Duration.ofSeconds(10);
    /** How long a rolling restart waits for a restarted replica's STATUS to say up before it goes on. */
    static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Time each cut (and its heal) is planned with in the clients' run beyond the cut itself: the
     * iptables commands of a cut and a heal take from tenths of a second to seconds on a loaded
     * host, and a step that overruns would otherwise end the clients' run before its heal.
     */
    static final Duration CUT_ALLOWANCE = Duration.ofSeconds(2);
    /**
     * More than a restart can pause the bank clients (drain, stop and startup bounds together): their
     * runs are lengthened by this before the pause and shortened to the real pause after it, so a
     * client resumed past its planned end never stops before it hears how long it was paused.
     */
    private static final Duration PAUSE_BOUND = Duration.ofMinutes(2);
    /** Step intervals the bank clients run at least after a restart resumed them. */
    private static final int RESTART_WARM_UP_INTERVALS = 2;
    /** How long a restart waits for the replicas to drain once the clients are gone before it stops them anyway. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);
    /** How long after a leader fault its group's outage is looked for (well above the failure timeout). */
    static final Duration RECOVERY_WINDOW = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final int FINAL_READ_ATTEMPTS = 5;
    /** Workers of one client process in the merged history: process = clientIndex * this + worker. */
    private static final int PROCESSES_PER_CLIENT = 1_000;

    /**
     * What to run.
     *
     * @param configFile        the cluster config with the run's own data root.
     * @param config            the parsed config.
     * @param workDir           where logs, histories and delivery logs go.
     * @param schedule          the faults.
     * @param clients           bank client processes.
     * @param threads           worker threads per client.
     * @param accounts          bank accounts.
     * @param initialBalance    balance each account starts with.
     * @param readFraction      share of whole-bank reads.
     * @param stepInterval      time between faults (and before the first, after the last).
     * @param pauseDuration     how long a paused leader stays stopped.
     * @param recoveryFraction  share of the pre-fault throughput (per surviving client) that counts as recovered.
     * @param seed              seed of the clients' random choices.
     * @param replicaJvmOptions JVM options of the replica processes.
     * @param clientJvmOptions  JVM options of the client processes.
     */
    record Settings(
        Path configFile, ClusterConfig config, Path workDir, FaultSchedule schedule, int clients, int threads,
        int accounts, long initialBalance, double readFraction, Duration stepInterval, Duration pauseDuration,
        double recoveryFraction, long seed, List<String> replicaJvmOptions, List<String> clientJvmOptions)
    {
        /** @return how long each client runs its workload. */
        Duration clientDuration()
        {
            return stepInterval.multipliedBy(schedule.steps().size() + 1L).plus(schedule.isolationTime())
                .plus(CUT_ALLOWANCE.multipliedBy(schedule.cuts()))
                .plus(RESTART_ALLOWANCE.multipliedBy(schedule.killAlls()))
                .plus(REPLICA_RESTART_ALLOWANCE.multipliedBy(schedule.replicaRestarts() +
                    schedule.rollingRestartReplicas(FaultSchedule.groupSizes(config))));
        }
    }

    /**
     * A fault as it happened.
     *
     * @param startNs when the step began to act: {@code atNs}, except for a restart (the clients' pause).
     * @param atNs    the fault itself: kill, pause, cut, first SIGTERM.
     * @param endNs   when it ended: the heal; for a restart, when the bank clients resumed; {@code atNs}
     *                for the others.
     */
    private record Injected(
        FaultSchedule.Step step, long startNs, long atNs, long endNs, long atMicros, int replicaId, int group,
        String target, String before, int clientsAliveBefore, int clientsAliveAfter)
    {
    }

    private final Settings s;
    private final PrintWriter out;
    private final FaultReport report = new FaultReport();
    private final List<BankClientProcess> clientProcesses = new ArrayList<>();
    private final List<Injected> injected = new ArrayList<>();
    private final List<String> afterStates = new ArrayList<>();
    private final Set<Integer> crashed = new HashSet<>();
    private final Thread shutdownHook = new Thread(this::destroyClients, "faults-shutdown");
    /** When the workload clock started; 0 before. */
    private long t0Ns;
    /** How much later than planned the next step runs: the time isolation and restart steps took. */
    private long shiftNs;
    /** Replicas a rolling restart left behind (not caught up within {@link #CATCH_UP_TIMEOUT}). */
    private int lateCatchUps;
    /** The process a restart-replica or wipe-replica step started, by the index of its entry in {@link #injected}. */
    private final Map<Integer, ServerProcess> restarted = new TreeMap<>();
    /** How much restarts lengthened the bank clients' runs, all together (their pauses and warm-up time). */
    private long extendedNs;
    /** The client id the next bank client process or controller gets. */
    private int nextClientId;
    /** Cuts links for the isolation steps; null when the schedule has none. */
    private LinkCutter cutter;
    /** The client that loads the bank, writes the probes and reads at the end; replaced after a kill-all. */
    private KvClient controller;
    /**
     * Replicas an isolation step cut off, as chosen when it ran: a restart-all waits for the others
     * only; the final checks hold them to converge like every replica.
     */
    private final Set<Integer> cutOff = new java.util.TreeSet<>();
    /** Processes declared crashed in the delivery logs (killed ones, and replicas whose log lost its tail). */
    private final Set<Integer> crashedInLogs = new java.util.TreeSet<>();
    private final AtomicityProbe probe;

    FaultRun(final Settings settings, final PrintWriter out)
    {
        this.s = settings;
        this.out = out;
        this.nextClientId = settings.config().clientIds().firstId() + 1;
        this.probe = new AtomicityProbe(settings.config());
        report.workDir = settings.workDir();
    }

    private Path deliveryDir()
    {
        return s.workDir().resolve("delivery");
    }

    /** The client that loads the bank and reads it at the end, connected while every replica runs. */
    private int controllerId()
    {
        return s.config().clientIds().firstId();
    }

    /**
     * @param schedule the faults.
     * @param clients  bank client processes.
     * @return the client ids a run needs: the controller and the bank clients (they survive
     *         restarts), and for each kill-all new bank clients and a new controller.
     */
    static int clientIdsNeeded(final FaultSchedule schedule, final int clients)
    {
        return 1 + clients + schedule.killAlls() * (clients + 1);
    }

    /**
     * Runs everything and checks it.
     *
     * @return the report; {@link FaultReport#runFailure} is set if the run itself failed.
     * @throws InterruptedException if interrupted (everything started is stopped first).
     */
    FaultReport run() throws InterruptedException
    {
        describeSetup();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try
        {
            writeTopology();
            final long t0;
            final Map<Integer, Long> finalBalances;
            final boolean converged;
            final ReplicaOwners owners = replicaOwners();
            try (ReplicaProcesses cluster = ReplicaProcesses.start(s.configFile(), s.config(), s.workDir().resolve("logs"),
                s.replicaJvmOptions(), deliveryDir(), owners))
            {
                if (cluster.replicas().size() != s.config().allReplicas().size())
                {
                    throw new BenchFailureException("only " + cluster.replicas().size() + " of the " +
                        s.config().allReplicas().size() + " replicas live on this host; faults must run them all");
                }
                if (owners != null)
                {
                    final int[] ports = cluster.portRange();
                    // the clients are this JVM (the controller) and its children, all root: uid 0
                    cutter = LinkCutter.install(ports[0], ports[1], owners.uidByReplicaId(), 0);
                    progress("replicas run as uids %s; links cut with %s, chain %s", owners.uidByReplicaId(),
                        cutter.backend(), cutter.chain());
                }
                progress("started %d replicas; loading %d accounts", cluster.replicas().size(), s.accounts());
                // connected now, while every replica runs: a client connecting later waits for every replica
                controller = client(controllerId());
                try
                {
                    final BankWorkload bank = new BankWorkload(controller, s.config().partitioner(), s.accounts(),
                        s.initialBalance());
                    bank.load();
                    startClients(s.clientDuration());
                    t0 = awaitClientsStarted(cluster);
                    t0Ns = t0;
                    progress("%d bank clients x %d threads running for %s; schedule %s every %s", s.clients(),
                        s.threads(), DurationConverter.format(s.clientDuration()), s.schedule(),
                        DurationConverter.format(s.stepInterval()));
                    final List<FaultSchedule.Step> steps = s.schedule().steps();
                    for (int i = 0; i < steps.size(); i++)
                    {
                        sleepUntil(t0 + s.stepInterval().toNanos() * (i + 1) + shiftNs, cluster);
                        if (i > 0)
                        {
                            afterStates.add(groupState(cluster, injected.get(i - 1).group()));
                        }
                        inject(steps.get(i), t0, cluster);
                    }
                    awaitClientsDone(t0, cluster);
                    if (!injected.isEmpty())
                    {
                        afterStates.add(groupState(cluster, injected.get(injected.size() - 1).group()));
                    }
                    // the current controller: it reconnected by itself after a restart, and is a new
                    // client after a kill-all
                    finalBalances = finalRead(new BankWorkload(controller, s.config().partitioner(), s.accounts(),
                        s.initialBalance()));
                }
                finally
                {
                    closeController();
                }
                // every running replica, the ones whose links were cut included: a healed replica
                // catches up from its partition (deliveries, then the stream)
                converged = cluster.awaitConverged(CONVERGE_TIMEOUT, Duration.ofMillis(500), Set.of());
                final String dead = cluster.firstDead();
                if (dead != null)
                {
                    throw new BenchFailureException(dead);
                }
                progress("clients done; stopping the replicas and checking");
            }
            // after the replicas stopped: their delivery logs are complete and their stores can be opened
            analyse(t0, finalBalances, converged);
            verifyStores(converged);
            if (!probe.isEmpty())
            {
                // replicas killed on purpose or left behind by a cut (declared crashed) are not asked
                report.checks.add(probe.check(crashed));
            }
            checkMulticast();
        }
        catch (final BenchFailureException | IOException | IllegalStateException | ClusterUnreachableException |
            LinkCutterException ex)
        {
            report.runFailure = ex.getMessage();
            destroyClients();
            if (report.steps.isEmpty())
            {
                // what happened before the failure, unmeasured
                for (final Injected f : injected)
                {
                    report.steps.add(new FaultReport.Step(f.step(), (f.atNs() - t0Ns) / 1e9, f.target(),
                        f.before().isEmpty() ? "" : "before: " + f.before(), null, null, null));
                }
            }
        }
        catch (final InterruptedException ex)
        {
            destroyClients();
            throw ex;
        }
        finally
        {
            destroyClients();
            closeController();
            closeCutter();
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException ex)
            {
                // already shutting down: the hook stops the clients
            }
        }
        return report;
    }

    /**
     * @return a uid per replica when the schedule cuts links (the work directory made reachable for
     *         them), else null.
     * @throws IOException if the work directory's mode cannot be set.
     */
    private ReplicaOwners replicaOwners() throws IOException
    {
        if (!s.schedule().needsLinkCutter())
        {
            return null;
        }
        // the replicas' uids read the config and reach their data directories below it
        Files.setPosixFilePermissions(s.workDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        return ReplicaOwners.allocate(s.config().allReplicas().stream().map(ReplicaConfig::id).toList());
    }

    private void closeController()
    {
        if (controller != null)
        {
            controller.close();
            controller = null;
        }
    }

    /**
     * Replaces the controller with a client of the next id, after a kill-all (which stands for a
     * crash of every host, the controller's included).
     */
    private void reconnectController()
    {
        closeController();
        controller = client(nextClientId++);
    }

    /** Heals every link and removes the cutter's rules; a failure becomes the run's failure if there was none. */
    private void closeCutter()
    {
        if (cutter == null)
        {
            return;
        }
        try
        {
            cutter.close();
        }
        catch (final LinkCutterException ex)
        {
            if (report.runFailure == null)
            {
                report.runFailure = "removing the link cutter's rules failed: " + ex.getMessage();
            }
        }
        cutter = null;
    }

    private void describeSetup()
    {
        final ClusterConfig c = s.config();
        report.setup = String.format("cluster %s: %d partitions x %d replicas over %s; %d bank clients x %d threads, " +
                "%d accounts; a step every %s, pauses of %s; schedule %s",
            c.clusterName(), c.partitionCount(), c.replicas(0).size(), c.fabric().name().toLowerCase(), s.clients(),
            s.threads(), s.accounts(), DurationConverter.format(s.stepInterval()),
            DurationConverter.format(s.pauseDuration()), s.schedule());
        report.setupJson = new ObjectMapper().createObjectNode().put("cluster", c.clusterName())
            .put("partitions", c.partitionCount()).put("replicasPerPartition", c.replicas(0).size())
            .put("clients", s.clients()).put("threadsPerClient", s.threads()).put("accounts", s.accounts())
            .put("stepIntervalMs", s.stepInterval().toMillis()).put("pauseMs", s.pauseDuration().toMillis())
            .put("schedule", s.schedule().toString()).put("requestTimeoutMs", c.timeouts().requestTimeoutMs())
            .put("recoveryFraction", s.recoveryFraction()).put("seed", s.seed())
            .put("cores", Runtime.getRuntime().availableProcessors());
    }

    private void progress(final String format, final Object... args)
    {
        out.printf("  " + format + "%n", args);
        out.flush();
    }

    private KvClient client(final int id)
    {
        return KvClient.builder().config(s.config()).clientId(id).deliveryLog(deliveryDir()).build();
    }

    private void writeTopology() throws IOException
    {
        final Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (int p = 0; p < s.config().partitionCount(); p++)
        {
            groups.put(p, s.config().replicas(p).stream().map(ReplicaConfig::id).toList());
        }
        DeliveryLogWriter.writeTopology(deliveryDir(), groups, List.of());
    }

    /** Starts {@code --clients} bank client processes with the next client ids, each running for {@code duration}. */
    private void startClients(final Duration duration)
    {
        final List<String> args = List.of("--config", s.configFile().toAbsolutePath().toString(), "--no-load",
            "--accounts", Integer.toString(s.accounts()), "--initial-balance", Long.toString(s.initialBalance()),
            "--threads", Integer.toString(s.threads()), "--duration", duration.toMillis() + "ms",
            "--read-fraction", Double.toString(s.readFraction()), "--delivery-log", deliveryDir().toAbsolutePath().toString());
        for (int i = 0; i < s.clients(); i++)
        {
            final int id = nextClientId++;
            final List<String> clientArgs = new ArrayList<>(args);
            clientArgs.addAll(List.of("--seed", Long.toString(s.seed() * 1_000_003L + clientProcesses.size())));
            clientProcesses.add(BankClientProcess.start(id, s.clientJvmOptions(), clientArgs,
                s.workDir().resolve("history-" + id + ".jsonl"), s.workDir().resolve("logs")));
        }
    }

    /** @return t0: when every client recorded its first event. */
    private long awaitClientsStarted(final ReplicaProcesses cluster) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + STARTED_TIMEOUT.toNanos();
        while (!clientProcesses.stream().allMatch(BankClientProcess::started))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new BenchFailureException("bank clients did not start their workload within " +
                    STARTED_TIMEOUT.toSeconds() + " s; see " + s.workDir().resolve("logs"));
            }
            checkAlive(cluster);
            Thread.sleep(POLL.toMillis());
        }
        return System.nanoTime();
    }

    /** Sleeps until {@code deadlineNs}, checking that no replica or client died unexpectedly. */
    private void sleepUntil(final long deadlineNs, final ReplicaProcesses cluster) throws InterruptedException
    {
        long left;
        while ((left = deadlineNs - System.nanoTime()) > 0)
        {
            checkAlive(cluster);
            Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), left / 1_000_000)));
        }
    }

    private void checkAlive(final ReplicaProcesses cluster)
    {
        final String dead = cluster.firstDead();
        if (dead != null)
        {
            throw new BenchFailureException(dead);
        }
        for (final BankClientProcess c : clientProcesses)
        {
            if (!c.killed() && !c.isAlive())
            {
                throw new BenchFailureException(c.describe() + " ended before the schedule did; see " + c.stderrFile() +
                    " and " + c.stdoutFile());
            }
        }
    }

    private void inject(final FaultSchedule.Step step, final long t0, final ReplicaProcesses cluster)
        throws InterruptedException
    {
        final int aliveBefore = (int)clientProcesses.stream().filter(c -> !c.killed()).count();
        if (step.kind().isReplicaRestart())
        {
            restartReplica(step, t0, cluster, aliveBefore);
            return;
        }
        if (step.kind().isIsolation())
        {
            isolate(step, t0, cluster, aliveBefore);
            return;
        }
        if (step.kind() == FaultSchedule.Kind.RESTART_ALL)
        {
            restartAll(step, t0, cluster, aliveBefore);
            return;
        }
        if (step.kind() == FaultSchedule.Kind.ROLLING_RESTART)
        {
            rollingRestart(step, t0, cluster, aliveBefore);
            return;
        }
        if (step.kind() == FaultSchedule.Kind.KILL_ALL)
        {
            killAll(step, t0, cluster, aliveBefore);
            return;
        }
        final String before = step.kind().hasGroup() ? groupState(cluster, step.group()) : "";
        final long atNs;
        final long atMicros;
        final int replica;
        final String target;
        switch (step.kind())
        {
            case KILL_LEADER, PAUSE_LEADER ->
            {
                replica = cluster.leaderOf(step.group());
                if (replica == ServerProcess.NO_LEADER)
                {
                    throw new BenchFailureException("step " + step + ": no live replica of group " + step.group() +
                        " names a leader in its STATUS lines");
                }
                if (step.kind() == FaultSchedule.Kind.KILL_LEADER)
                {
                    atNs = System.nanoTime();
                    atMicros = epochMicros();
                    cluster.kill(replica);
                    crash(replica);
                    target = "killed replica " + replica + " (leader)";
                }
                else
                {
                    cluster.pause(replica);
                    // taken once kill(1) returned: the process is stopped by then, at most a few ms earlier
                    atNs = System.nanoTime();
                    atMicros = epochMicros();
                    sleepUntil(atNs + s.pauseDuration().toNanos(), cluster);
                    cluster.resume(replica);
                    target = "paused replica " + replica + " (leader) for " + DurationConverter.format(s.pauseDuration());
                }
            }
            case KILL_FOLLOWER ->
            {
                replica = follower(step, step.group(), cluster);
                atNs = System.nanoTime();
                atMicros = epochMicros();
                cluster.kill(replica);
                crash(replica);
                target = "killed replica " + replica + " (follower)";
            }
            case KILL_CLIENT ->
            {
                final BankClientProcess victim = clientProcesses.stream().filter(c -> !c.killed())
                    .reduce((a, b) -> b).orElseThrow();
                atNs = System.nanoTime();
                atMicros = epochMicros();
                victim.kill();
                crash(victim.clientId());
                replica = -1;
                target = "killed bank client " + victim.clientId();
            }
            default -> throw new IllegalStateException("unknown step kind " + step.kind());
        }
        final int aliveAfter = (int)clientProcesses.stream().filter(c -> !c.killed()).count();
        injected.add(new Injected(step, atNs, atNs, atNs, atMicros, replica, step.kind().hasGroup() ? step.group() : -1,
            target, before, aliveBefore, aliveAfter));
        progress("+%.1f s %s: %s", (atNs - t0) / 1e9, step, target);
    }

    /** @return the last live replica of the group that does not lead it (as the replicas' STATUS lines say). */
    private int follower(final FaultSchedule.Step step, final int group, final ReplicaProcesses cluster)
    {
        final int leader = cluster.leaderOf(group);
        return s.config().replicas(group).stream().map(ReplicaConfig::id)
            .filter(id -> id != leader && cluster.isAlive(id) && !cluster.killedIds().contains(id))
            .reduce((a, b) -> b).orElseThrow(() -> new BenchFailureException("step " + step +
                ": group " + group + " has no live follower"));
    }

    /** @return " (leader of group G)" or " (follower of group G)" for a step that names its target by role, "" by id. */
    private static String roleOf(final FaultSchedule.Step step)
    {
        return step.target() == FaultSchedule.Target.REPLICA ? "" :
            " (" + step.target().name().toLowerCase(java.util.Locale.ROOT) + " of group " + step.group() + ")";
    }

    /** @return the group (partition) of the replica a step targets. */
    private int groupOf(final FaultSchedule.Step step, final int replica)
    {
        return s.config().allReplicas().stream().filter(r -> r.id() == replica).findFirst()
            .orElseThrow(() -> new BenchFailureException("step " + step + ": no replica " + replica)).partition();
    }

    /** @return the replica an isolation step cuts off: by id, or its group's leader or a follower now. */
    private int isolationTarget(final FaultSchedule.Step step, final ReplicaProcesses cluster)
    {
        return switch (step.target())
        {
            case REPLICA -> step.replicaId();
            case FOLLOWER -> follower(step, step.group(), cluster);
            case LEADER ->
            {
                final int leader = cluster.leaderOf(step.group());
                if (leader == ServerProcess.NO_LEADER)
                {
                    throw new BenchFailureException("step " + step + ": no live replica of group " + step.group() +
                        " names a leader in its STATUS lines");
                }
                yield leader;
            }
        };
    }

    /**
     * Kills a replica with SIGKILL, keeps it down for the step's duration, starts it again on its
     * own data and waits for READY. It is not declared crashed: its acceptor journal and delivery
     * log survive the kill, so it must deliver everything its group delivers, and its store is
     * checked like every other replica's.
     */
    private void restartReplica(final FaultSchedule.Step step, final long t0, final ReplicaProcesses cluster,
        final int aliveBefore) throws InterruptedException
    {
        final int replica = isolationTarget(step, cluster);
        final String role = roleOf(step);
        final int group = groupOf(step, replica);
        final String before = groupState(cluster, group);
        final long atNs = System.nanoTime();
        final long atMicros = epochMicros();
        cluster.kill(replica);
        final boolean wipe = step.kind() == FaultSchedule.Kind.WIPE_REPLICA;
        final long wiped = wipe ? cluster.wipe(replica) : 0;
        progress("+%.1f s %s: killed replica %d%s (SIGKILL)%s; starting it again in %s", (atNs - t0) / 1e9, step, replica,
            role, wipe ? String.format(", deleted its data directory (%.1f MB)", wiped / 1e6) : "",
            DurationConverter.format(step.duration()));
        sleepUntil(atNs + step.duration().toNanos(), cluster);
        final long startNs = System.nanoTime();
        String rebuilt = "";
        if (!wipe)
        {
            cluster.restartAndAwaitReady(replica);
        }
        else
        {
            // the same rebuild `ramcast replica --rebuild` makes, done here so that the replica's
            // delivery log can be given what the snapshot holds before the replica starts on it
            final ReplicaRebuild.Result r = ReplicaRebuild.rebuild(s.config(), replica, Duration.ofSeconds(120),
                TransferListener.NONE);
            final int logged;
            try
            {
                logged = RebuiltDeliveryLog.extend(deliveryDir(), replica, r.sourceReplica(),
                    r.manifest().appliedMark().messageId());
            }
            catch (final IOException ex)
            {
                throw new BenchFailureException("cannot extend the delivery log of rebuilt replica " + replica, ex);
            }
            cluster.ownDataDir(replica);
            rebuilt = String.format("rebuilt from a snapshot of replica %d (%.1f MB in %.1f s, %d deliveries it holds " +
                "that replica %d had not made), ", r.sourceReplica(), r.bytes() / 1e6, r.elapsedNs() / 1e9, logged, replica);
            progress("+%.1f s replica %d rebuilt from replica %d: %.1f MB in %.1f s", (System.nanoTime() - t0) / 1e9,
                replica, r.sourceReplica(), r.bytes() / 1e6, r.elapsedNs() / 1e9);
            cluster.rebuildAndAwaitReady(replica);
        }
        final long readyNs = System.nanoTime();
        shiftNs += readyNs - atNs;
        restarted.put(injected.size(), cluster.currentProcess(replica));
        final String target = String.format("killed replica %d%s (SIGKILL), %s %s later: %sREADY %.1f s after the start",
            replica, role, wipe ? String.format("deleted its data directory (%.1f MB), started it again",
                wiped / 1e6) : "started it again on its own data", DurationConverter.format(step.duration()), rebuilt,
            (readyNs - startNs) / 1e9);
        final int aliveAfter = (int)clientProcesses.stream().filter(c -> !c.killed()).count();
        injected.add(new Injected(step, atNs, atNs, readyNs, atMicros, replica, group, target, before, aliveBefore,
            aliveAfter));
        progress("+%.1f s replica %d READY again", (readyNs - t0) / 1e9, replica);
    }

    /**
     * Cuts a replica's links as the step says, keeps them cut for its duration, then heals them; a
     * flap cuts and heals them every period for its duration, then leaves them healed.
     */
    private void isolate(final FaultSchedule.Step step, final long t0, final ReplicaProcesses cluster, final int aliveBefore)
        throws InterruptedException
    {
        final int replica = isolationTarget(step, cluster);
        cutOff.add(replica);
        final String role = roleOf(step);
        final int group = groupOf(step, replica);
        final String before = groupState(cluster, group);
        final long atNs = System.nanoTime();
        final long atMicros = epochMicros();
        final String what;
        switch (step.kind())
        {
            case ISOLATE ->
            {
                cutter.isolate(replica);
                what = "cut replica " + replica + role + " from every other replica and every client, both ways";
            }
            case ISOLATE_ONE_WAY ->
            {
                cutter.isolateSending(replica);
                what = "dropped only what replica " + replica + role + " sends (one way: to every other replica and every " +
                    "client; what they send it still arrives)";
            }
            case ISOLATE_FROM_CLIENTS ->
            {
                cutter.isolateFromClients(replica);
                what = "cut replica " + replica + role + " from the clients only, both ways (the replicas still reach it)";
            }
            case FLAP ->
            {
                cutter.isolate(replica);
                what = "flapped the links of replica " + replica + role + " (cut from every other replica and every " +
                    "client, both ways, for " + DurationConverter.format(step.period()) + ", then healed for " +
                    DurationConverter.format(step.period()) + ", repeatedly)";
            }
            default -> throw new IllegalStateException("not an isolation: " + step);
        }
        progress("+%.1f s %s: %s for %s (cut links: %s)", (atNs - t0) / 1e9, step, what,
            DurationConverter.format(step.duration()), String.join(" ", cutter.describeCuts()));
        int cuts = 1;
        // a heal removes its drop rules and their counters: count before each heal
        long dropped = 0;
        if (step.kind() == FaultSchedule.Kind.FLAP)
        {
            // cut during [2k, 2k+1) periods, healed during [2k+1, 2k+2), until the step's duration
            final long periodNs = step.period().toNanos();
            final long endNs = atNs + step.duration().toNanos();
            for (long k = 0; ; k++)
            {
                sleepUntil(Math.min(atNs + (2 * k + 1) * periodNs, endNs), cluster);
                dropped += cutter.droppedPackets();
                cutter.heal(replica);
                if (atNs + (2 * k + 2) * periodNs >= endNs)
                {
                    break;
                }
                sleepUntil(atNs + (2 * k + 2) * periodNs, cluster);
                cutter.isolate(replica);
                cuts++;
            }
            sleepUntil(endNs, cluster);
        }
        else
        {
            sleepUntil(atNs + step.duration().toNanos(), cluster);
        }
        dropped += cutter.droppedPackets();
        cutter.heal(replica);
        final long healNs = System.nanoTime();
        shiftNs += healNs - atNs;
        // the iptables commands of each cut and heal take time of their own, a lot on an overloaded host
        final long overrunNs = healNs - atNs - step.duration().toNanos();
        final String target = what + " for " + DurationConverter.format(step.duration()) + " (" +
            (step.kind() == FaultSchedule.Kind.FLAP ? cuts + " cuts, " : "") + dropped +
            " packets dropped), then healed it" + (overrunNs > Duration.ofSeconds(1).toNanos() ?
            String.format(" (%.1f s after the first cut: cutting and healing took %.1f s more)", (healNs - atNs) / 1e9,
                overrunNs / 1e9) : "");
        final int aliveAfter = (int)clientProcesses.stream().filter(c -> !c.killed()).count();
        injected.add(new Injected(step, atNs, atNs, healNs, atMicros, replica, group, target, before, aliveBefore,
            aliveAfter));
        progress("+%.1f s healed replica %d", (healNs - t0) / 1e9, replica);
    }

    /**
     * Pauses the bank clients, drains the replicas, SIGTERMs every running replica, starts them again
     * on the same data, waits for READY and resumes the bank clients, which reconnect by themselves.
     */
    /**
     * SIGTERM to each running replica (of the step's group, if it names one) in turn, started again
     * on its own data; the next one only once the restarted one's STATUS says it caught up (or after
     * {@link #CATCH_UP_TIMEOUT}, reported).
     */
    private void rollingRestart(final FaultSchedule.Step step, final long t0, final ReplicaProcesses cluster,
        final int aliveBefore) throws InterruptedException
    {
        final long atNs = System.nanoTime();
        final long atMicros = epochMicros();
        final List<String> each = new ArrayList<>();
        int late = 0;
        for (final ReplicaConfig r : cluster.replicas())
        {
            if (cluster.killedIds().contains(r.id()) ||
                step.group() != FaultSchedule.ALL_GROUPS && r.partition() != step.group())
            {
                continue;
            }
            final long stopNs = System.nanoTime();
            cluster.stopAndRestart(r.id());
            final long readyNs = System.nanoTime();
            final ServerProcess p = cluster.currentProcess(r.id());
            final long deadlineNs = readyNs + CATCH_UP_TIMEOUT.toNanos();
            while (p.upNs() == 0 && System.nanoTime() < deadlineNs)
            {
                sleepUntil(System.nanoTime() + 100_000_000L, cluster);
            }
            if (p.upNs() == 0)
            {
                late++;
                each.add(String.format("%d: READY %.1f s, not caught up within %d s", r.id(), (readyNs - stopNs) / 1e9,
                    CATCH_UP_TIMEOUT.toSeconds()));
            }
            else
            {
                each.add(String.format("%d: READY %.1f s, up %.1f s", r.id(), (readyNs - stopNs) / 1e9,
                    (p.upNs() - stopNs) / 1e9));
            }
            progress("+%.1f s %s: replica %s", (System.nanoTime() - t0) / 1e9, step, each.get(each.size() - 1));
        }
        final long endNs = System.nanoTime();
        shiftNs += endNs - atNs;
        // the clients' run plans REPLICA_RESTART_ALLOWANCE per replica; the later steps shift by what
        // it really took, so the clients run longer by what it took beyond the plan
        final long overrunNs = endNs - atNs - REPLICA_RESTART_ALLOWANCE.toNanos() * each.size();
        if (overrunNs > 0)
        {
            extendedNs += overrunNs;
            for (final BankClientProcess c : clientProcesses)
            {
                if (!c.killed())
                {
                    c.extend(Duration.ofNanos(overrunNs));
                }
            }
        }
        final String target = String.format("restarted %d replicas%s one at a time (SIGTERM, start on the same data, " +
            "wait for its STATUS to say up) in %.1f s%s; after the SIGTERM: %s", each.size(),
            step.group() == FaultSchedule.ALL_GROUPS ? "" : " of group " + step.group(), (endNs - atNs) / 1e9,
            late == 0 ? "" : ", " + late + " NOT caught up in time", String.join("; ", each));
        final int aliveAfter = (int)clientProcesses.stream().filter(c -> !c.killed()).count();
        injected.add(new Injected(step, atNs, atNs, endNs, atMicros, -1, -1, target, "", aliveBefore, aliveAfter));
        if (late > 0)
        {
            lateCatchUps += late;
        }
    }

    private void restartAll(final FaultSchedule.Step step, final long t0, final ReplicaProcesses cluster,
        final int aliveBefore) throws InterruptedException
    {
        final long stopClientsNs = System.nanoTime();
        final int wholeClusterStep = wholeClusterSteps();
        writeProbe(step, wholeClusterStep, "before");
        final List<BankClientProcess> paused = clientProcesses.stream().filter(c -> !c.killed()).toList();
        for (final BankClientProcess c : paused)
        {
            c.extend(PAUSE_BOUND);
            c.pause();
            // its session ends with the restart: a multicast it abandons then may be delivered nowhere
            crash(c.clientId());
        }
        // a paused client may have left a transaction at some members only: the replicas relay it after
        // the client failure timeout, so the positions must stand still for longer than that
        final Duration quiet = Duration.ofMillis(s.config().timeouts().clientFailureTimeoutMs() + 500);
        final boolean drained = cluster.awaitConverged(DRAIN_TIMEOUT, quiet, cutOff);
        final long atNs = System.nanoTime();
        final long atMicros = epochMicros();
        final long[] exitedNs = new long[1];
        final int restarted = (int)cluster.replicas().stream().filter(r -> !cluster.killedIds().contains(r.id())).count();
        progress("+%.1f s %s: bank clients %s paused, replicas %s; SIGTERM to %d replicas", (atNs - t0) / 1e9, step,
            ids(paused), drained ? "drained" : "NOT drained within " + DRAIN_TIMEOUT.toSeconds() + " s", restarted);
        final long readyNs;
        try
        {
            cluster.restartAll(() -> exitedNs[0] = System.nanoTime());
            readyNs = System.nanoTime();
        }
        finally
        {
            for (final BankClientProcess c : paused)
            {
                c.resume();
            }
        }
        // the controller reconnects by itself, like the bank clients
        writeProbe(step, wholeClusterStep, "after");
        final long resumeNs = System.nanoTime();
        shiftNs += resumeNs - stopClientsNs;
        // the run goes on as if the restart took no time, and at least RESTART_WARM_UP_INTERVALS intervals
        // after it: the restarted replicas are cold JVMs, and the end of the run measures their recovery
        final long leftAtPauseNs = t0 + s.clientDuration().toNanos() + extendedNs - stopClientsNs;
        final long extensionNs = resumeNs - stopClientsNs +
            Math.max(0, RESTART_WARM_UP_INTERVALS * s.stepInterval().toNanos() - leftAtPauseNs);
        extendedNs += extensionNs;
        for (final BankClientProcess c : paused)
        {
            c.extend(Duration.ofNanos(extensionNs).minus(PAUSE_BOUND));
        }
        final String target = String.format("restarted %d replicas on the same data: bank clients %s paused and " +
                "replicas %s in %.1f s; all exited %.1f s and all READY %.1f s after the first SIGTERM; then the bank " +
                "clients resumed and reconnected by themselves", restarted, ids(paused),
            drained ? "drained" : "NOT drained", (atNs - stopClientsNs) / 1e9, (exitedNs[0] - atNs) / 1e9,
            (readyNs - atNs) / 1e9);
        final int aliveAfter = (int)clientProcesses.stream().filter(c -> !c.killed()).count();
        injected.add(new Injected(step, stopClientsNs, atNs, resumeNs, atMicros, -1, -1, target, "", aliveBefore,
            aliveAfter));
        progress("+%.1f s %s", (resumeNs - t0) / 1e9, target);
    }

    /**
     * Kills every running replica at once (SIGKILL) while the bank clients run, with an atomicity
     * probe in flight; then kills the bank clients, starts the replicas again on the same data,
     * waits for READY and continues the workload in new bank client processes.
     */
    private void killAll(final FaultSchedule.Step step, final long t0, final ReplicaProcesses cluster,
        final int aliveBefore) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        final int wholeClusterStep = wholeClusterSteps();
        writeProbe(step, wholeClusterStep, "before");
        final List<BankClientProcess> replaced = clientProcesses.stream().filter(c -> !c.killed()).toList();
        final List<Integer> victims = cluster.replicas().stream().map(ReplicaConfig::id)
            .filter(id -> !cluster.killedIds().contains(id)).toList();
        if (probe.possible())
        {
            probe.start(controller, probeName(step, wholeClusterStep, "in flight"));
        }
        final long atNs = System.nanoTime();
        final long atMicros = epochMicros();
        final long[] goneNs = new long[1];
        cluster.killAndRestartAll(() ->
        {
            goneNs[0] = System.nanoTime();
            probe.settle();
            try
            {
                for (final BankClientProcess c : replaced)
                {
                    c.kill();
                    crash(c.clientId());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new BenchFailureException("interrupted while killing the bank clients", ex);
            }
            // a replica's delivery log is written through (its acceptor journal survives kill -9), so
            // its log holds every delivery it handed over: it stays a correct process for the checker
        });
        final long readyNs = System.nanoTime();
        // the controller goes with the crash of every host too: the probe it had in flight may be
        // delivered nowhere (no replica journaled it), so it is a crashed client for the checker
        crash(controller.clientId());
        reconnectController();
        writeProbe(step, wholeClusterStep, "after");
        final Duration left = Duration.ofNanos(t0 + s.clientDuration().toNanos() - readyNs);
        final int firstNew = clientProcesses.size();
        startClients(left.compareTo(s.stepInterval()) > 0 ? left : s.stepInterval());
        awaitClientsStarted(cluster);
        final long resumeNs = System.nanoTime();
        shiftNs += resumeNs - startNs;
        final String target = String.format("killed %d replicas at once (SIGKILL) mid-load and restarted them on the " +
                "same data: all gone %.1f s and all READY %.1f s after the kill; bank clients %s killed after the " +
                "replicas; the workload continued in new bank clients %s",
            victims.size(), (goneNs[0] - atNs) / 1e9, (readyNs - atNs) / 1e9, ids(replaced),
            ids(clientProcesses.subList(firstNew, clientProcesses.size())));
        final int aliveAfter = (int)clientProcesses.stream().filter(c -> !c.killed()).count();
        injected.add(new Injected(step, startNs, atNs, resumeNs, atMicros, -1, -1, target, "", aliveBefore,
            aliveAfter));
        progress("+%.1f s %s: %s", (atNs - t0) / 1e9, step, target);
    }

    /** @return how many whole-cluster steps ran before this one, plus one: numbers the probes. */
    private int wholeClusterSteps()
    {
        return 1 + (int)injected.stream().filter(f -> f.step().kind().isWholeCluster()).count();
    }

    private static String probeName(final FaultSchedule.Step step, final int n, final String when)
    {
        return step.kind().cliName() + "#" + n + " " + when;
    }

    /** Writes a two-partition probe with the controller and waits for its outcome (if the cluster has two partitions). */
    private void writeProbe(final FaultSchedule.Step step, final int n, final String when) throws InterruptedException
    {
        if (probe.possible())
        {
            probe.write(controller, probeName(step, n, when));
        }
    }

    private static String ids(final List<BankClientProcess> clients)
    {
        return String.join(", ", clients.stream().map(c -> Integer.toString(c.clientId())).toList());
    }

    private void crash(final int processId)
    {
        crashed.add(processId);
        declareCrashedInLog(processId);
    }

    /** Declares a process crashed to the multicast checker only: its log lost its tail, its store is still checked. */
    private void declareCrashedInLog(final int processId)
    {
        crashedInLogs.add(processId);
        try
        {
            DeliveryLogWriter.appendCrashed(deliveryDir(), processId);
        }
        catch (final IOException ex)
        {
            throw new BenchFailureException("cannot record the crash of " + processId + " in " + deliveryDir(), ex);
        }
    }

    private static long epochMicros()
    {
        return SystemEpochNanoClock.INSTANCE.nanoTime() / 1_000;
    }

    /** @return "group G: leader L (ballot r.l)" as the live replicas report it. */
    private static String groupState(final ReplicaProcesses cluster, final int group)
    {
        if (group < 0)
        {
            return "";
        }
        final int leader = cluster.leaderOf(group);
        return "group " + group + " led by " + (leader == ServerProcess.NO_LEADER ? "nobody known" :
            "replica " + leader + " (ballot " + cluster.ballotOf(leader) + ")");
    }

    private void awaitClientsDone(final long t0, final ReplicaProcesses cluster) throws InterruptedException
    {
        final long deadlineNs = t0 + s.clientDuration().toNanos() + extendedNs +
            3 * s.config().timeouts().requestTimeout().toNanos() + STARTED_TIMEOUT.toNanos();
        for (final BankClientProcess c : clientProcesses)
        {
            if (!c.killed() && !c.awaitExit(deadlineNs))
            {
                throw new BenchFailureException(c.describe() + " did not finish in time; see " + c.stderrFile());
            }
            report.clients.add(c.describe() + (c.killed() ? "" : " (" + firstLine(c.stdoutFile(), "transfers ok") + ")"));
            if (!c.killed() && c.exitCode() != RamcastCli.EXIT_OK)
            {
                // a client whose run failed (e.g. its final read timed out on a stalled group) is a finding, not a harness failure
                report.checks.add(new FaultReport.Check("bank client " + c.clientId() + " completed its run", false,
                    (c.exitCode() == RamcastCli.EXIT_CHECK_FAILED ? "its own bank check failed; see " + c.stdoutFile() :
                        "exit code " + c.exitCode() + ": " + firstLine(c.stderrFile(), "bank run failed") + "; see " +
                            c.stderrFile())));
            }
        }
        final String dead = cluster.firstDead();
        if (dead != null)
        {
            throw new BenchFailureException(dead);
        }
    }

    /** @return the first line of {@code file} that contains {@code marker}, stripped. */
    private static String firstLine(final Path file, final String marker)
    {
        try
        {
            return java.nio.file.Files.readAllLines(file).stream().filter(l -> l.contains(marker)).findFirst()
                .map(String::strip).orElse("no line with '" + marker + "'");
        }
        catch (final IOException ex)
        {
            return "no summary: " + ex.getMessage();
        }
    }

    /** @return every account's balance, or null (with a failed check) if no read committed. */
    private Map<Integer, Long> finalRead(final BankWorkload bank) throws InterruptedException
    {
        String last = "";
        for (int attempt = 0; attempt < FINAL_READ_ATTEMPTS; attempt++)
        {
            try
            {
                return bank.readAll();
            }
            catch (final IllegalStateException | ClusterUnreachableException ex)
            {
                last = ex.getMessage();
                Thread.sleep(s.config().timeouts().retryBackoffMax().toMillis());
            }
        }
        report.checks.add(new FaultReport.Check("final read of every account", false,
            "did not commit in " + FINAL_READ_ATTEMPTS + " attempts: " + last));
        return null;
    }

    /** Checks the clients' histories and measures throughput and recovery. */
    private void analyse(final long t0, final Map<Integer, Long> finalBalances, final boolean converged)
        throws IOException
    {
        final History history = mergedHistory();
        final Set<Integer> accountIds = new HashSet<>();
        final Map<Integer, Long> initial = new TreeMap<>();
        for (int a = 0; a < s.accounts(); a++)
        {
            accountIds.add(a);
            initial.put(a, s.initialBalance());
        }
        final long total = s.accounts() * s.initialBalance();
        final var bank = new BankChecker(accountIds, total).check(history, finalBalances);
        final int unknown = history.count(io.ramcast.check.history.OpFunction.TRANSFER, EventType.INFO);
        report.checks.add(new FaultReport.Check("bank checker over the merged histories", bank.isValid(),
            bank.isValid() ? bank.stats().okReadCount() + " whole-bank reads saw the total " + total + " and no negative balance; " +
                history.operations().size() + " operations, " + unknown + " transfers with unknown outcome" :
                bank.summary().strip()));
        if (finalBalances != null)
        {
            final long finalTotal = finalBalances.values().stream().mapToLong(Long::longValue).sum();
            report.checks.add(new FaultReport.Check("final total", finalTotal == total,
                "final read sums to " + finalTotal + ", expected " + total));
            final BankLedger.Result ledger = new BankLedger(initial).check(history, finalBalances);
            report.checks.add(new FaultReport.Check("no committed transfer lost", ledger.explained() || !ledger.decided(),
                ledger.summary()));
        }
        final String lagAllowed = cutOff.isEmpty() ? "" : " (the replicas cut off and healed, " + cutOff + ", included)";
        report.checks.add(new FaultReport.Check("surviving replicas converged", converged,
            converged ? "every partition's surviving replicas reached the same applied position" + lagAllowed :
                "the surviving replicas of some partition did not reach the same applied position within " +
                    CONVERGE_TIMEOUT.toSeconds() + " s"));

        final long endNs = history.operations().stream().filter(Operation::isCompleted)
            .mapToLong(Operation::completeTimeNs).max().orElse(t0);
        report.committedPerSecond = perSecond(history, t0, endNs);
        final long windowNs = Math.min(Duration.ofSeconds(2).toNanos(), s.stepInterval().toNanos() / 2);
        final long[] commitNs = history.operations().stream().filter(op -> op.outcome() == EventType.OK && op.isCompleted())
            .mapToLong(Operation::completeTimeNs).sorted().toArray();
        boolean allRecovered = true;
        boolean groupsDelivered = true;
        for (int i = 0; i < injected.size(); i++)
        {
            final Injected f = injected.get(i);
            final long nextNs = i + 1 < injected.size() ? injected.get(i + 1).startNs() : endNs;
            final long duringNs = f.step().kind() == FaultSchedule.Kind.PAUSE_LEADER ? s.pauseDuration().toNanos() :
                f.endNs() > f.atNs() ? f.endNs() - f.atNs() : windowNs;
            final double before = rate(history, f.startNs() - windowNs, f.startNs());
            final double after = rate(history, Math.max(f.endNs(), nextNs - windowNs), nextNs);
            final double expected = s.recoveryFraction() * before * f.clientsAliveAfter() / Math.max(1, f.clientsAliveBefore());
            // a store that commits nothing at the end of an interval has not recovered, whatever it did before
            final FaultReport.Throughput throughput = new FaultReport.Throughput(before,
                rate(history, f.atNs(), f.atNs() + duringNs), after, expected, after >= expected && after > 0);
            allRecovered &= throughput.recovered();
            RecoveryTime recovery = null;
            if (f.step().kind() == FaultSchedule.Kind.KILL_LEADER || f.step().kind() == FaultSchedule.Kind.PAUSE_LEADER)
            {
                // up to the next step, or to the last completed operation (the silence after the workload
                // stopped is not an outage), and at most RECOVERY_WINDOW after the fault, so that a later
                // unrelated stall (a GC pause, another group's hiccup) is not taken for the outage
                final long windowEndMicros = Math.min(f.atMicros() + RECOVERY_WINDOW.toNanos() / 1_000,
                    i + 1 < injected.size() ? injected.get(i + 1).atMicros() :
                        f.atMicros() + Math.max(0, endNs - f.atNs()) / 1_000);
                final List<long[]> survivors = new ArrayList<>();
                for (final ReplicaConfig r : s.config().replicas(f.group()))
                {
                    if (r.id() != f.replicaId() && !killedBefore(r.id(), i))
                    {
                        survivors.add(DeliveryLogTimes.read(DeliveryLogTimes.logFile(deliveryDir(), r.id())));
                    }
                }
                recovery = RecoveryTime.measure(f.atMicros(), windowEndMicros, survivors);
                groupsDelivered &= recovery.recovered();
            }
            FaultReport.CommitsResumed resumed = null;
            if (f.step().kind().isIsolation())
            {
                resumed = FaultReport.CommitsResumed.measure("the heal", f.endNs(), f.startNs(), nextNs, commitNs);
            }
            else if (f.step().kind() == FaultSchedule.Kind.RESTART_ALL)
            {
                resumed = FaultReport.CommitsResumed.measure("the first SIGTERM", f.atNs(), f.startNs(), nextNs, commitNs);
            }
            else if (f.step().kind() == FaultSchedule.Kind.KILL_ALL || f.step().kind().isReplicaRestart())
            {
                resumed = FaultReport.CommitsResumed.measure("the kill", f.atNs(), f.startNs(), nextNs, commitNs);
            }
            allRecovered &= resumed == null || resumed.resumed();
            String detail = f.before().isEmpty() ? "" : "before: " + f.before() + "; after: " + afterStates.get(i);
            final ServerProcess back = restarted.get(i);
            if (back != null)
            {
                // what an operator watches: the replica's STATUS saying "up" (caught up with its group)
                detail += (detail.isEmpty() ? "" : "; ") + (back.upNs() == 0 ? "its STATUS never said up (still " +
                    "catching up when the run ended)" : String.format("its STATUS said up (caught up) %.1f s after READY",
                    (back.upNs() - f.endNs()) / 1e9));
            }
            report.steps.add(new FaultReport.Step(f.step(), (f.atNs() - t0) / 1e9, f.target(), detail, recovery, throughput,
                resumed));
        }
        if (!injected.isEmpty())
        {
            report.checks.add(new FaultReport.Check("throughput recovered after every step", allRecovered,
                "committed txn/s at the end of each step's interval > 0 and >= " + s.recoveryFraction() +
                    " x the rate before it (per surviving client)"));
        }
        final List<String> behind = new ArrayList<>();
        restarted.forEach((i, p) ->
        {
            if (p.upNs() == 0)
            {
                behind.add("replica " + p.id() + " (step " + (i + 1) + ")");
            }
        });
        if (!restarted.isEmpty() || lateCatchUps > 0)
        {
            report.checks.add(new FaultReport.Check("restarted replicas caught up", behind.isEmpty() && lateCatchUps == 0,
                behind.isEmpty() && lateCatchUps == 0 ? "every replica started again said up in its STATUS" :
                    "still catching up: " + String.join(", ", behind) + (lateCatchUps > 0 ? "; a rolling restart left " +
                        lateCatchUps + " replica(s) behind for " + CATCH_UP_TIMEOUT.toSeconds() + " s" : "")));
        }
        if (injected.stream().anyMatch(f -> f.step().kind().hasGroup() && f.step().kind() != FaultSchedule.Kind.KILL_FOLLOWER))
        {
            report.checks.add(new FaultReport.Check("groups delivered again after losing their leader", groupsDelivered,
                groupsDelivered ? "every group whose leader was killed or paused delivered again before the next step" :
                    "a group whose leader was killed or paused delivered nothing until the next step"));
        }
    }

    /** @return whether replica id was killed by a step before step {@code index}. */
    private boolean killedBefore(final int id, final int index)
    {
        for (int j = 0; j < index; j++)
        {
            final FaultSchedule.Kind kind = injected.get(j).step().kind();
            if (injected.get(j).replicaId() == id &&
                (kind == FaultSchedule.Kind.KILL_LEADER || kind == FaultSchedule.Kind.KILL_FOLLOWER))
            {
                return true;
            }
        }
        return false;
    }

    private History mergedHistory() throws IOException
    {
        final List<HistoryEvent> events = new ArrayList<>();
        for (int i = 0; i < clientProcesses.size(); i++)
        {
            for (final HistoryEvent e : HistoryReader.read(clientProcesses.get(i).history()).events())
            {
                events.add(new HistoryEvent(i * PROCESSES_PER_CLIENT + e.process(), e.type(), e.f(), e.value(), e.timeNs()));
            }
        }
        return History.of(events);
    }

    /** @return committed (ok) operations completed in each second from t0 to endNs. */
    private static long[] perSecond(final History history, final long t0, final long endNs)
    {
        final long[] buckets = new long[(int)Math.max(0, (endNs - t0) / 1_000_000_000L + 1)];
        for (final Operation op : history.operations())
        {
            if (op.outcome() == EventType.OK && op.isCompleted() && op.completeTimeNs() >= t0)
            {
                final int b = (int)((op.completeTimeNs() - t0) / 1_000_000_000L);
                if (b < buckets.length)
                {
                    buckets[b]++;
                }
            }
        }
        return buckets;
    }

    /** @return committed operations per second completed in [fromNs, toNs). */
    private static double rate(final History history, final long fromNs, final long toNs)
    {
        if (toNs <= fromNs)
        {
            return 0;
        }
        final long count = history.operations().stream().filter(op -> op.outcome() == EventType.OK && op.isCompleted() &&
            op.completeTimeNs() >= fromNs && op.completeTimeNs() < toNs).count();
        return count * 1e9 / (toNs - fromNs);
    }

    /**
     * Compares the stores of the surviving replicas of each partition; they have stopped. A replica
     * cut off by an isolation step that stays behind is noted, declared crashed for the multicast
     * checker, and compared only with replicas at its own position.
     */
    private void verifyStores(final boolean converged) throws IOException
    {
        try
        {
            final Map<Integer, Map<Integer, LocalDeployment.StoreDigest>> stores =
                LocalDeployment.replicaStores(s.config(), crashed);
            final Map<Integer, List<String>> hashes = new TreeMap<>();
            stores.forEach((p, byReplica) ->
                hashes.put(p, byReplica.values().stream().map(LocalDeployment.StoreDigest::toString).toList()));
            final Map<Integer, Long> deliveries = new TreeMap<>();
            for (final Map<Integer, LocalDeployment.StoreDigest> byReplica : stores.values())
            {
                for (final int id : byReplica.keySet())
                {
                    final Path log = DeliveryLogTimes.logFile(deliveryDir(), id);
                    if (Files.exists(log))
                    {
                        deliveries.put(id, (long)DeliveryLogTimes.read(log).length);
                    }
                }
            }
            final StoreComparison comparison = StoreComparison.of(stores, Set.of(), deliveries);
            final List<String> detail = new ArrayList<>(List.of(LocalDeployment.hashSummary(hashes)));
            detail.addAll(comparison.problems());
            detail.addAll(comparison.behind().values());
            report.checks.add(new FaultReport.Check("surviving replicas identical (SHA-256 of a full scan)",
                converged && comparison.identical(), String.join("; ", detail)));
            for (final Map.Entry<Integer, String> behind : comparison.behind().entrySet())
            {
                report.notes.add(behind.getValue() + "; declared crashed for the multicast checker");
                crash(behind.getKey());
            }
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("this JVM has no SHA-256", ex);
        }
    }

    private void checkMulticast() throws IOException
    {
        final HistoryCheck check = HistoryCheck.run(deliveryDir(), true);
        final String summary = check.summary().lines().map(String::strip).filter(l -> !l.isEmpty())
            .reduce((a, b) -> a + "; " + b).orElse("");
        report.checks.add(new FaultReport.Check("multicast checker over every delivery log (declared crashed: " +
            (crashed.isEmpty() ? "none" : new java.util.TreeSet<>(crashed)) + ")", check.valid(), summary));
    }

    /** Kills every client process still running; idempotent. */
    private void destroyClients()
    {
        clientProcesses.forEach(BankClientProcess::destroy);
    }
}
