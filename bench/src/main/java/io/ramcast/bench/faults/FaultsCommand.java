package io.ramcast.bench.faults;

import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ramcast faults --config FILE}: the process-level fault test of issue 5. Starts every
 * replica of FILE as a child process (with a fresh data root in the work directory, each writing
 * a delivery log with delivery times), loads the bank, runs the bank workload in separate client
 * processes, and injects the fault schedule, one step per interval: SIGKILL a group's leader or a
 * follower, SIGKILL a client, SIGSTOP a leader for longer than the failure timeout then SIGCONT it,
 * cut a replica's links (both ways, only what it sends, or from the clients only) for a time then
 * heal them, or repeatedly (a flapping link), restart every replica on the same data after SIGTERM
 * or after SIGKILL of them all (checking each with a two-partition atomicity probe). Isolation
 * steps need root, iptables and
 * {@code setpriv} ({@link LinkCutter}); without them the command refuses the schedule (exit 2) with
 * the reason, before anything starts.
 *
 * <p>Then it reports, per step, the time from the fault to the first new delivery at the surviving
 * members of the group (for leader faults; see {@link RecoveryTime}) and committed throughput
 * before, during and after; and it checks: the bank checker over the merged histories of every
 * client (a killed client's transactions in flight are "unknown"), the final total, that the final
 * balances are explained by the committed transfers plus some of the unknown ones (no committed
 * transfer lost, see {@link io.ramcast.check.history.BankLedger}), that the surviving replicas of
 * every partition converge and hold identical stores (SHA-256 of a full scan), the multicast checker
 * over every delivery log (killed processes, and bank clients paused through a restart, declared
 * crashed), that every group that lost its leader delivered again, and that throughput recovered.
 *
 * <p>Exit codes: 0 every check passed, 1 a check failed, 2 usage, 3 the run failed (a process died
 * unexpectedly, a step found no target, a timeout). Everything started is stopped on every path,
 * Ctrl-C included. The work directory is kept when the run does not pass, or with {@code --keep}.
 */
@Command(name = "faults", mixinStandardHelpOptions = true,
    description = "Kill, pause, cut off and restart replicas and kill clients under the bank workload; check and report.")
public final class FaultsCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Cluster config (default: config/local.yaml of this installation).")
    private Path configFile;

    @Option(names = "--schedule", defaultValue = FaultSchedule.DEFAULT,
        description = "Comma-separated steps: kill-leader[:G], kill-follower[:G], kill-client, pause-leader[:G], " +
            "isolate:N:SECONDS, isolate-one-way:N:SECONDS, isolate-from-clients:N:SECONDS, " +
            "flap:N:SECONDS[:PERIOD] (N: a replica id, leader-G or follower-G; need root, iptables, setpriv), " +
            "restart-replica:N[:SECONDS], wipe-replica:N[:SECONDS] (kill -9, delete its data, rebuild it from a " +
            "peer), restart-all, kill-all, rolling-restart[:G] (every replica, or group G's, in turn) " +
            "(default: ${DEFAULT-VALUE}); empty for none.")
    private String schedule;

    @Option(names = "--step-interval", defaultValue = "10s", converter = DurationConverter.class,
        description = "Time between steps, and before the first and after the last (default: ${DEFAULT-VALUE}).")
    private Duration stepInterval;

    @Option(names = "--pause", defaultValue = "3s", converter = DurationConverter.class,
        description = "How long pause-leader keeps the leader stopped; make it longer than the failure timeout " +
            "(default: ${DEFAULT-VALUE}).")
    private Duration pause;

    @Option(names = "--clients", defaultValue = "2", description = "Bank client processes (default: ${DEFAULT-VALUE}).")
    private int clients;

    @Option(names = "--threads", defaultValue = "4", description = "Worker threads per client (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--accounts", defaultValue = "12", description = "Bank accounts (default: ${DEFAULT-VALUE}).")
    private int accounts;

    @Option(names = "--read-fraction", defaultValue = "0.2",
        description = "Share of operations that read every account (default: ${DEFAULT-VALUE}).")
    private double readFraction;

    @Option(names = "--recovery-fraction", defaultValue = "0.5",
        description = "Throughput at the end of a step's interval must reach this share of the rate before the " +
            "fault, per surviving client (default: ${DEFAULT-VALUE}).")
    private double recoveryFraction;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the clients' random choices (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path jsonFile;

    @Option(names = "--work-dir", paramLabel = "DIR",
        description = "Directory for data, logs, histories and delivery logs (default: a new temporary directory).")
    private Path workDir;

    @Option(names = "--keep", description = "Keep the work directory even when the run passes.")
    private boolean keep;

    @Option(names = "--replica-jvm-options", paramLabel = "OPTS", defaultValue = "-Xmx256m -XX:+UseSerialGC",
        description = "JVM options of each replica process (default: ${DEFAULT-VALUE}).")
    private String replicaJvmOptions;

    @Option(names = "--client-jvm-options", paramLabel = "OPTS", defaultValue = "-Xmx256m -XX:+UseSerialGC",
        description = "JVM options of each bank client process (default: ${DEFAULT-VALUE}).")
    private String clientJvmOptions;

    @Override
    public Integer call() throws Exception
    {
        final FaultSchedule faults;
        try
        {
            faults = FaultSchedule.parse(schedule);
        }
        catch (final IllegalArgumentException ex)
        {
            throw usage("--schedule: " + ex.getMessage());
        }
        if (clients < 1 || threads < 1 || accounts < 2 || readFraction < 0 || readFraction > 1 ||
            recoveryFraction < 0 || recoveryFraction > 1)
        {
            throw usage("need --clients >= 1, --threads >= 1, --accounts >= 2, --read-fraction and " +
                "--recovery-fraction in [0, 1]");
        }
        if (stepInterval.toMillis() < 1_000 || pause.isNegative() || pause.isZero() || pause.compareTo(stepInterval) >= 0)
        {
            throw usage("need --step-interval >= 1s and 0 < --pause < --step-interval, got " +
                DurationConverter.format(stepInterval) + " and " + DurationConverter.format(pause));
        }
        final Path source = configFile != null ? configFile : LocalDeployment.defaultConfig();
        final ClusterConfig sourceConfig;
        try
        {
            sourceConfig = ClusterConfig.load(source);
            final int[] sizes = FaultSchedule.groupSizes(sourceConfig);
            final java.util.Map<Integer, Integer> groupByReplicaId = new java.util.HashMap<>();
            for (int p = 0; p < sizes.length; p++)
            {
                for (final io.ramcast.txn.config.ReplicaConfig r : sourceConfig.replicas(p))
                {
                    groupByReplicaId.put(r.id(), p);
                }
            }
            faults.validate(sizes, groupByReplicaId, clients);
        }
        catch (final ConfigException ex)
        {
            throw usage(ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw usage("--schedule: " + ex.getMessage());
        }
        if (faults.needsLinkCutter())
        {
            final java.util.Optional<String> unavailable = LinkCutter.unavailableReason();
            if (unavailable.isPresent())
            {
                throw usage("--schedule: the isolation steps need links cut with iptables, which this host cannot do: " +
                    unavailable.get());
            }
        }
        final int idsNeeded = FaultRun.clientIdsNeeded(faults, clients);
        if (sourceConfig.clientIds().count() < idsNeeded)
        {
            throw usage(source + ": clients.count=" + sourceConfig.clientIds().count() + " but faults needs " +
                idsNeeded + " client ids (a controller and --clients=" + clients + " bank clients)");
        }
        final boolean temporary = workDir == null;
        final Path work = temporary ? Files.createTempDirectory("ramcast-faults-") : workDir.toAbsolutePath();
        final ClusterConfig config;
        final Path runConfig;
        try
        {
            Files.createDirectories(work);
            runConfig = LocalDeployment.withDataRoot(source, work.resolve("data"), work.resolve("cluster.yaml"));
            config = ClusterConfig.load(runConfig);
        }
        catch (final ConfigException | IOException ex)
        {
            throw usage(ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        out.println("RamCast KV faults: config " + source + ", work directory " + work);
        out.flush();
        final FaultReport report = new FaultRun(new FaultRun.Settings(runConfig, config, work, faults, clients, threads,
            accounts, 1_000, readFraction, stepInterval, pause, recoveryFraction, seed, options(replicaJvmOptions),
            options(clientJvmOptions)), out).run();
        if (report.passed() && temporary && !keep)
        {
            LocalDeployment.deleteTree(work);
            report.workDir = null;
        }
        report.print(out);
        if (jsonFile != null)
        {
            report.writeJson(jsonFile);
        }
        return report.exitCode();
    }

    private CommandLine.ParameterException usage(final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static List<String> options(final String text)
    {
        return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
    }
}
