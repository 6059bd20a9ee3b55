package io.ramcast.bench.process;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import io.ramcast.txn.config.ReplicaConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ramcast cluster --config FILE}: starts every replica of FILE that lives on this host as a
 * child process and keeps them running until Ctrl-C (or SIGTERM), which stops them all cleanly.
 * A replica that dies is reported once (which one, its exit code, how many of its partition still
 * run) and the others keep running: a partition serves while a majority of it runs. The command
 * exits with 3 only when every replica has stopped.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = {"Start every replica of a config that lives on this host; Ctrl-C stops them all.",
        "A replica that dies is reported and the others keep running."})
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

    @Override
    public Integer call() throws InterruptedException
    {
        final ClusterConfig config;
        try
        {
            config = ClusterConfig.load(configFile);
        }
        catch (final ConfigException ex)
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
            out.println("logs in " + logs + "; Ctrl-C stops every replica");
            out.flush();
            while (true)
            {
                for (final String dead : cluster.newlyDead())
                {
                    err.println(dead);
                    err.flush();
                }
                if (cluster.runningCount() == 0)
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
