package io.ramcast.bench.load;

import io.ramcast.bench.cli.ConfigFiles;
import io.ramcast.bench.cli.ConsoleLogging;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.workload.BenchWorkload;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.client.LimitExceededException;
import io.ramcast.txn.config.ClusterConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ramcast load --config FILE --workload NAME}: bulk-loads a workload's data set into a
 * running cluster ({@link Loader}): {@code --clients} clients, each keeping {@code --window} load
 * transactions in flight, unknown outcomes retried with the same request id. Shows progress (a
 * bar on a terminal, a line every 2 s otherwise, on stderr), then a summary on stdout.
 *
 * <p>Idempotent: loading again writes the same values. Exit codes: {@link RamcastCli#EXIT_OK};
 * {@link RamcastCli#EXIT_USAGE} for a bad option, or a load transaction over the cluster's limits
 * (lower {@code --batch} or {@code --value-size}); {@link RamcastCli#EXIT_RUN_FAILED} if the
 * cluster is unreachable or a load transaction did not commit.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Load a workload's data set into a running cluster (idempotent).")
public final class LoadCommand implements Callable<Integer>, ConsoleLogging.Quiet
{
    /** Default {@code --max-attempts}. */
    static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** Most {@code --max-attempts}. */
    static final int MAX_ATTEMPTS_LIMIT = 100;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster config (YAML).")
    private Path configFile;

    @Mixin
    private WorkloadOptions workloadOptions;

    @Option(names = "--clients", paramLabel = "C", defaultValue = "1",
        description = "Clients loading in parallel, ids from --first-client-id on (default: ${DEFAULT-VALUE}).")
    private int clients;

    @Option(names = "--first-client-id", paramLabel = "ID",
        description = "Id of the first client; the ids must be client ids of the config (default: its first).")
    private Integer firstClientId;

    @Option(names = "--window", paramLabel = "W",
        description = "Load transactions in flight per client, at most buffers.clientWindow (default: that window).")
    private Integer window;

    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "" + DEFAULT_MAX_ATTEMPTS,
        description = "Attempts per load transaction while its outcome is unknown, in [1, " + MAX_ATTEMPTS_LIMIT + "] " +
            "(default: ${DEFAULT-VALUE}).")
    private int maxAttempts;

    private final ClientSet.Connector connector;

    /** For picocli: clients connect over the config's tcp fabric. */
    LoadCommand()
    {
        this(ClientSet.Connector.TCP);
    }

    /**
     * @param connector how clients connect (tests pass an in-JVM cluster's).
     */
    LoadCommand(final ClientSet.Connector connector)
    {
        this.connector = connector;
    }

    @Override
    public Integer call()
    {
        final ClusterConfig config = ConfigFiles.load(spec, configFile);
        final BenchWorkload workload;
        final WorkloadSettings settings;
        final int firstId;
        final int windowPerClient;
        final long transactions;
        try
        {
            workload = workloadOptions.workload();
            settings = workloadOptions.settings(config, null);
            firstId = clientIds(config, firstClientId, clients);
            final int clientWindow = config.buffers().clientWindow();
            windowPerClient = window != null ? window : clientWindow;
            if (windowPerClient < 1 || windowPerClient > clientWindow)
            {
                throw new IllegalArgumentException("--window=" + windowPerClient + " must be in [1, " + clientWindow +
                    "] (buffers.clientWindow of " + config.source() + ")");
            }
            if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT)
            {
                throw new IllegalArgumentException("--max-attempts=" + maxAttempts + " must be in [1, " +
                    MAX_ATTEMPTS_LIMIT + "]");
            }
            transactions = workload.loadTransactionCount(settings);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        out.printf(Locale.ROOT, "load %s: %,d records in %,d transactions of up to %d, %d bytes per value; %d client(s) " +
            "(ids %d..%d) x %d in flight; cluster %s (%s)%n", workload.name(), settings.records(), transactions,
            settings.batchSize(), settings.valueSizeBytes(), clients, firstId, firstId + clients - 1, windowPerClient,
            config.clusterName(), config.source());
        out.flush();
        final ClientSet connected = ClientSet.connectForCommand(spec, configFile, connector, config, firstId, clients);
        if (connected == null)
        {
            return RamcastCli.EXIT_RUN_FAILED;
        }
        final Loader.Result result;
        try (ClientSet clientSet = connected)
        {
            final Loader loader = new Loader(workload, settings, clientSet.clients(), windowPerClient, maxAttempts,
                config.timeouts().requestTimeout());
            result = loader.run(LoadProgress.create("load " + workload.name(), transactions, err,
                System.console() != null));
        }
        catch (final Loader.LoadFailedException ex)
        {
            if (ex.getCause() instanceof LimitExceededException)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch=" + settings.batchSize() +
                    " x --value-size=" + settings.valueSizeBytes() + " is too large for the cluster: " + ex.getMessage(), ex);
            }
            err.println("load FAILED: " + ex.getMessage() + "; loading is idempotent, run it again");
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("load interrupted; loading is idempotent, run it again");
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final RuntimeException | Error ex)
        {
            // The boundary of the command: anything unexpected is a failed run, reported with its trace.
            err.println("load FAILED: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return RamcastCli.EXIT_RUN_FAILED;
        }
        out.printf(Locale.ROOT, "loaded %,d records in %,d transactions (%,d retried) in %.3f s: %,.0f records/s%n",
            result.records(), result.transactions(), result.retries(), result.elapsedNs() / 1e9, result.recordsPerSecond());
        out.flush();
        return RamcastCli.EXIT_OK;
    }


    /**
     * @param config  the config.
     * @param firstId the requested first id, or null for the config's first.
     * @param count   clients wanted.
     * @return the first id; {@code firstId .. firstId + count - 1} are client ids of the config.
     * @throws IllegalArgumentException naming {@code --clients} or {@code --first-client-id}.
     */
    static int clientIds(final ClusterConfig config, final Integer firstId, final int count)
    {
        final int first = firstId != null ? firstId : config.clientIds().firstId();
        if (!config.clientIds().contains(first))
        {
            throw new IllegalArgumentException("--first-client-id=" + first + " is not a client id of " + config.source() +
                " (clients " + config.clientIds() + ")");
        }
        final int available = config.clientIds().lastId() - first + 1;
        if (count < 1 || count > available)
        {
            throw new IllegalArgumentException("--clients=" + count + " must be in [1, " + available + "]: " +
                config.source() + " has client ids " + config.clientIds() + " and the first used is " + first);
        }
        return first;
    }
}
