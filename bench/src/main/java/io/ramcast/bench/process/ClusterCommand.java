package io.ramcast.bench.process;

import io.ramcast.bench.cli.ConfigFiles;
import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ReplicaConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ramcast cluster --config FILE}: starts every replica of FILE that lives on this host as a
 * child process and keeps them running until Ctrl-C (or SIGTERM), which stops them all cleanly.
 * A replica that dies is reported once (which one, its exit code, how many of its partition still
 * run) and the others keep running: a partition serves while a majority of it runs. With
 * {@code --restart} the command supervises as a process monitor does ({@link ReplicaSupervisor}):
 * a dead replica is started again on the same data after a growing back-off, and given up, with
 * its reason, when it keeps failing soon after each start. The command exits with 3 only when
 * every replica has stopped (and none waits for a restart).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = {"Start every replica of a config that lives on this host; Ctrl-C stops them all.",
        "A replica that dies is reported and the others keep running; with --restart it is started again."})
public final class ClusterCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster config (YAML).")
    private Path configFile;

    @Option(names = "--log-dir", paramLabel = "DIR",
        description = "Where replica output goes (default: <dataRoot>/logs).")
    private Path logDir;

    @Option(names = {"--delivery-log", "--multicast-log"}, paramLabel = "DIR",
        description = "Every replica appends its RamCast deliveries, with their wall-clock times, to DIR/<id>.log.")
    private Path deliveryLog;

    @Option(names = "--replica-jvm-options", paramLabel = "OPTS", defaultValue = "-Xmx512m",
        description = "JVM options of each replica process (default: ${DEFAULT-VALUE}).")
    private String jvmOptions;

    @Option(names = "--restart",
        description = "Supervise: start a replica that died again (same id, same data) after a back-off.")
    private boolean restart;

    @Option(names = "--restart-delay", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "TIME",
        description = "Back-off before the first restart after a failure; doubles with each failure in a row " +
            "(default: ${DEFAULT-VALUE}).")
    private Duration restartDelay;

    @Option(names = "--restart-delay-max", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "TIME",
        description = "Longest back-off (default: ${DEFAULT-VALUE}).")
    private Duration restartDelayMax;

    @Option(names = "--restart-reset-after", defaultValue = "60s", converter = DurationConverter.class,
        paramLabel = "TIME",
        description = "A replica that stays up this long has its failures forgotten (default: ${DEFAULT-VALUE}).")
    private Duration restartResetAfter;

    @Option(names = "--restart-give-up-after", defaultValue = "5", paramLabel = "N",
        description = "Stop restarting a replica after N exits in a row, each sooner than --restart-reset-after " +
            "after its start (default: ${DEFAULT-VALUE}).")
    private int restartGiveUpAfter;

    @Override
    public Integer call() throws InterruptedException
    {
        final ClusterConfig config = ConfigFiles.load(spec, configFile);
        final ReplicaSupervisor.Policy policy;
        try
        {
            policy = new ReplicaSupervisor.Policy(restartDelay, restartDelayMax, restartResetAfter, restartGiveUpAfter);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Path logs = logDir != null ? logDir : config.dataRoot().resolve("logs");
        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, logs,
            List.of(jvmOptions.trim().split("\\s+")), deliveryLog))
        {
            out.println("cluster " + config.clusterName() + ": " + cluster.replicas().size() + " replicas running");
            for (final ReplicaConfig r : cluster.replicas())
            {
                out.println("  replica " + r.id() + "  partition " + r.partition() + "  " + r.host() + ":" + r.port() +
                    "  data " + r.dataDir());
            }
            out.println("logs in " + logs + "; " + (restart ? "a replica that dies is started again; " : "") +
                "Ctrl-C stops every replica");
            out.flush();
            final ReplicaSupervisor supervisor = restart ? new ReplicaSupervisor(cluster, policy, System.nanoTime()) : null;
            while (true)
            {
                for (final String dead : cluster.newlyDead())
                {
                    err.println(dead);
                    err.flush();
                }
                if (supervisor != null)
                {
                    for (final String line : supervisor.poll(System.nanoTime()))
                    {
                        err.println(line);
                        err.flush();
                    }
                }
                if (cluster.runningCount() == 0 && (supervisor == null || !supervisor.hasPending()))
                {
                    err.println("every replica has stopped");
                    return RamcastCli.EXIT_RUN_FAILED;
                }
                Thread.sleep(200);
            }
        }
        catch (final BenchFailureException ex)
        {
            spec.commandLine().getErr().println(ex.getMessage());
            return RamcastCli.EXIT_RUN_FAILED;
        }
    }
}
