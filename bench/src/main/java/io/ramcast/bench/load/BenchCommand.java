package io.ramcast.bench.load;

import io.ramcast.bench.cli.ConfigFiles;
import io.ramcast.bench.cli.ConsoleLogging;
import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.etcd.EtcdClient;
import io.ramcast.bench.etcd.EtcdException;
import io.ramcast.bench.workload.BenchWorkload;
import io.ramcast.bench.workload.BenchWorkload.WorkloadCheck;
import io.ramcast.bench.workload.HistoryRecording;
import io.ramcast.bench.workload.KvWorkload;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.check.history.HistoryReader;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.client.LimitExceededException;
import io.ramcast.txn.config.ClusterConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * {@code ramcast bench --config FILE --workload NAME}: measures a workload against a running
 * cluster with {@code --clients} {@link io.ramcast.client.KvClient}s (consecutive ids of the
 * config's client range) times {@code --threads-per-client} closed-loop worker threads
 * ({@link BenchRun}), then runs the workload's check and, with {@code --history}, checks the
 * recorded history.
 *
 * <p>{@code --target etcd --endpoints URL,...} drives an etcd cluster instead, through its v3 JSON
 * gateway ({@link EtcdTarget}), with the same generator, workers, warm-up, duration and report,
 * and needs no config; it runs the {@code kv-*} workloads only.
 *
 * <p>Prints the setup, then per operation type the throughput, latency percentiles and outcome
 * counts ({@link BenchReport}); writes the same as JSON ({@code --json}), a per-type CSV table
 * ({@code --csv}) and a PNG chart of throughput and latency over time ({@code --chart},
 * {@link BenchChart}). Every option is validated before anything connects.
 *
 * <p>Exit codes: {@link RamcastCli#EXIT_OK}; {@link RamcastCli#EXIT_CHECK_FAILED} if a check
 * failed; {@link RamcastCli#EXIT_USAGE} for a bad option or transactions over the cluster's
 * limits; {@link RamcastCli#EXIT_RUN_FAILED} if the cluster is unreachable, the load or a worker
 * failed, or a report cannot be written.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Measure a workload against a running cluster: closed-loop workers, per-type throughput, latency and outcomes.",
        "Latency runs from submitting a transaction to its outcome; operations started in the warm-up are not measured.",
        "--target etcd --endpoints URL,... runs the kv-* workloads against an etcd cluster (v3 JSON gateway) instead."
    })
public final class BenchCommand implements Callable<Integer>, ConsoleLogging.Quiet
{
    /** Most {@code --threads-per-client}. */
    static final int MAX_THREADS_PER_CLIENT = 256;
    /** Longest {@code --duration}. */
    static final Duration MAX_DURATION = Duration.ofHours(24);
    /** Longest {@code --warmup}. */
    static final Duration MAX_WARMUP = Duration.ofHours(1);
    /** Default {@code --request-timeout} of the etcd target (this store's default request timeout). */
    static final Duration DEFAULT_ETCD_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Longest {@code --request-timeout}. */
    static final Duration MAX_ETCD_REQUEST_TIMEOUT = Duration.ofMinutes(10);
    /** {@code --target} of this store. */
    static final String TARGET_RAMCAST = "ramcast";
    /** {@code --target} of etcd. */
    static final String TARGET_ETCD = "etcd";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--target", paramLabel = "SYSTEM", defaultValue = TARGET_RAMCAST,
        description = "What to drive: ramcast (this store, needs --config) or etcd (needs --endpoints; kv-* workloads " +
            "only) (default: ${DEFAULT-VALUE}).")
    private String target;

    @Option(names = "--config", paramLabel = "FILE", description = "The cluster config (YAML); --target ramcast only.")
    private Path configFile;

    @Option(names = "--endpoints", paramLabel = "URL", split = ",",
        description = "--target etcd: the members' client URLs, http://host:port,...; client i sends to endpoint " +
            "i mod n (pinned round-robin, as etcd's benchmark tool does).")
    private List<URI> endpoints;

    @Option(names = "--request-timeout", paramLabel = "TIME", converter = DurationConverter.class,
        description = "--target etcd: how long a request may take before its outcome counts as unknown (default: " +
            "5s; --target ramcast uses the config's timeouts.requestTimeoutMs).")
    private Duration etcdRequestTimeout;

    @Mixin
    private WorkloadOptions workloadOptions;

    @Mixin
    private WorkloadOptions.Shape shape;

    @Option(names = "--clients", paramLabel = "C", defaultValue = "1",
        description = "KvClients, ids from --first-client-id on; at most the config's client ids; with --target etcd " +
            "etcd clients, at most " + EtcdTarget.MAX_CLIENTS + " (default: ${DEFAULT-VALUE}).")
    private int clients;

    @Option(names = "--first-client-id", paramLabel = "ID",
        description = "Id of the first client (default: the config's first client id); --target ramcast only.")
    private Integer firstClientId;

    @Option(names = "--threads-per-client", paramLabel = "T", defaultValue = "1",
        description = "Closed-loop worker threads per client, in [1, " + MAX_THREADS_PER_CLIENT + "] " +
            "(default: ${DEFAULT-VALUE}).")
    private int threadsPerClient;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
        description = "Measured time after the warm-up, at most 24h (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "2s", converter = DurationConverter.class,
        description = "Time before measuring starts, at most 1h (default: ${DEFAULT-VALUE}).")
    private Duration warmup;

    @Option(names = "--seed", paramLabel = "SEED", description = "Seed of the operations (default: random, printed).")
    private Long seed;

    @Option(names = "--load", description = "Load the data set first (as the load command, idempotent).")
    private boolean loadFirst;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the setup and result as JSON to FILE.")
    private Path jsonFile;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write one CSV row per operation type to FILE.")
    private Path csvFile;

    @Option(names = "--chart", paramLabel = "FILE.png",
        description = "Draw throughput and p50/p99 latency over time into a PNG file.")
    private Path chartFile;

    @Option(names = "--history", paramLabel = "FILE",
        description = "Record the client history (JSON Lines) to FILE and check it (workloads that record: bank, " +
            "list-append; list-append always records and checks its history, without this option in a temporary file).")
    private Path historyFile;

    private final ClientSet.Connector connector;

    /** For picocli: clients connect over the config's tcp fabric. */
    BenchCommand()
    {
        this(ClientSet.Connector.TCP);
    }

    /**
     * @param connector how clients connect (tests pass an in-JVM cluster's).
     */
    BenchCommand(final ClientSet.Connector connector)
    {
        this.connector = connector;
    }

    @Override
    public Integer call()
    {
        final boolean etcd = checkTarget();
        final ClusterConfig config = etcd ? null : ConfigFiles.load(spec, configFile);
        final long runSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        final BenchWorkload workload;
        final WorkloadSettings settings;
        final int firstId;
        try
        {
            workload = workloadOptions.workload();
            settings = etcd ? workloadOptions.settings(EtcdTarget.LIMITS, shape) : workloadOptions.settings(config, shape);
            firstId = etcd ? 0 : LoadCommand.clientIds(config, firstClientId, clients);
            validate(workload, etcd);
            // The workload refuses settings it cannot run here, before anything connects.
            workload.loadTransactionCount(settings);
            workload.newGenerator(settings, 0, runSeed);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final TargetSetup targetSetup;
        try
        {
            targetSetup = etcd ? EtcdTarget.probe(endpoints, etcdRequestTimeout()) : new TargetSetup.Ramcast(config, firstId);
        }
        catch (final EtcdException ex)
        {
            err.println("bench FAILED: " + ex.getMessage());
            err.flush();
            return RamcastCli.EXIT_RUN_FAILED;
        }
        final BenchReport.Setup setup = new BenchReport.Setup(workload.name(), workload.description(), settings,
            targetSetup, clients, threadsPerClient, warmup, duration, runSeed, loadFirst);
        setup.print(out);
        final BenchTarget connected = connect(targetSetup);
        if (connected == null)
        {
            return RamcastCli.EXIT_RUN_FAILED;
        }
        final BenchReport report;
        try (BenchTarget benchTarget = connected)
        {
            if (loadFirst)
            {
                load(workload, settings, benchTarget, out, err);
            }
            report = measure(setup, workload, settings, benchTarget, err);
        }
        catch (final Loader.LoadFailedException ex)
        {
            if (ex.getCause() instanceof LimitExceededException)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch=" + settings.batchSize() +
                    " x --value-size=" + settings.valueSizeBytes() + " is too large for the cluster: " + ex.getMessage(), ex);
            }
            err.println("bench FAILED: loading the data set: " + ex.getMessage() + "; loading is idempotent, run again");
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("bench interrupted; every worker was stopped");
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final BenchFailureException ex)
        {
            if (ex.getCause() instanceof LimitExceededException limit)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "the workload's transactions exceed the " +
                    "cluster's limits; lower --value-size or --max-partitions: " + limit.getMessage(), ex);
            }
            err.println("bench FAILED (seed " + runSeed + "): " + ex.getMessage());
            if (ex.getCause() != null)
            {
                ex.getCause().printStackTrace(err);
            }
            err.flush();
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final IOException | UncheckedIOException ex)
        {
            err.println("bench FAILED: history" + (historyFile == null ? "" : " " + historyFile) + ": " + ex);
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final RuntimeException | Error ex)
        {
            // The boundary of the command: anything unexpected is a failed run, reported with its trace.
            err.println("bench FAILED (seed " + runSeed + "): " + ex);
            ex.printStackTrace(err);
            err.flush();
            return RamcastCli.EXIT_RUN_FAILED;
        }
        report.print(out);
        if (!writeReports(report, err))
        {
            return RamcastCli.EXIT_RUN_FAILED;
        }
        return exitCode(report);
    }

    /**
     * @return whether the target is etcd.
     * @throws CommandLine.ParameterException if the target is unknown, or an option of the other
     *                                        target is given, or one the target needs is missing.
     */
    private boolean checkTarget()
    {
        final boolean etcd = TARGET_ETCD.equals(target);
        if (!etcd && !TARGET_RAMCAST.equals(target))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--target=" + target + " must be " +
                TARGET_RAMCAST + " or " + TARGET_ETCD);
        }
        final String problem;
        if (etcd)
        {
            problem = configFile != null ? "--config is for --target ramcast; --target etcd needs --endpoints only" :
                firstClientId != null ? "--first-client-id is for --target ramcast" :
                endpoints == null || endpoints.isEmpty() ? "--target etcd needs --endpoints http://host:port,..." :
                null;
        }
        else
        {
            problem = configFile == null ? "--target ramcast needs --config FILE" :
                endpoints != null ? "--endpoints is for --target etcd" :
                etcdRequestTimeout != null ? "--request-timeout is for --target etcd; the config's " +
                    "timeouts.requestTimeoutMs sets the clients' timeout" :
                null;
        }
        if (problem != null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), problem);
        }
        return etcd;
    }

    private Duration etcdRequestTimeout()
    {
        return etcdRequestTimeout != null ? etcdRequestTimeout : DEFAULT_ETCD_REQUEST_TIMEOUT;
    }

    /**
     * Connects to the target: the config's clients, or one etcd client per {@code --clients}.
     *
     * @return the target, or null if this store's cluster is unreachable (reported on stderr).
     */
    private BenchTarget connect(final TargetSetup targetSetup)
    {
        if (targetSetup instanceof TargetSetup.Etcd etcd)
        {
            return EtcdTarget.connect(etcd, clients);
        }
        final TargetSetup.Ramcast ramcast = (TargetSetup.Ramcast)targetSetup;
        final ClientSet clientSet = ClientSet.connectForCommand(spec, configFile, connector, ramcast.config(),
            ramcast.firstClientId(), clients);
        return clientSet == null ? null : new RamcastTarget(ramcast, clientSet);
    }

    private void validate(final BenchWorkload workload, final boolean etcd)
    {
        if (etcd)
        {
            validateEtcd(workload);
        }
        if (threadsPerClient < 1 || threadsPerClient > MAX_THREADS_PER_CLIENT)
        {
            throw new IllegalArgumentException("--threads-per-client=" + threadsPerClient + " must be in [1, " +
                MAX_THREADS_PER_CLIENT + "]");
        }
        if (duration.isZero() || duration.compareTo(MAX_DURATION) > 0)
        {
            throw new IllegalArgumentException("--duration=" + DurationConverter.format(duration) +
                " must be positive and at most " + DurationConverter.format(MAX_DURATION));
        }
        if (warmup.compareTo(MAX_WARMUP) > 0)
        {
            throw new IllegalArgumentException("--warmup=" + DurationConverter.format(warmup) + " must be at most " +
                DurationConverter.format(MAX_WARMUP));
        }
        if (chartFile != null && !chartFile.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
        {
            throw new IllegalArgumentException("--chart=" + chartFile + " must name a .png file");
        }
        if (historyFile != null && !(workload instanceof HistoryRecording))
        {
            throw new IllegalArgumentException("--history: workload " + workload.name() + " records no history");
        }
    }

    private void validateEtcd(final BenchWorkload workload)
    {
        if (!(workload instanceof KvWorkload))
        {
            throw new IllegalArgumentException("--workload=" + workload.name() + " does not run on --target etcd; " +
                "it runs " + Arrays.stream(KvWorkload.Kind.values()).map(KvWorkload.Kind::workloadName)
                .collect(Collectors.joining(", ")) + ", whose transactions etcd performs as this store does");
        }
        if (clients < 1 || clients > EtcdTarget.MAX_CLIENTS)
        {
            throw new IllegalArgumentException("--clients=" + clients + " must be in [1, " + EtcdTarget.MAX_CLIENTS +
                "] with --target etcd");
        }
        for (final URI endpoint : endpoints)
        {
            EtcdClient.checkEndpoint(endpoint);
        }
        final Duration timeout = etcdRequestTimeout();
        if (timeout.isZero() || timeout.compareTo(MAX_ETCD_REQUEST_TIMEOUT) > 0)
        {
            throw new IllegalArgumentException("--request-timeout=" + DurationConverter.format(timeout) +
                " must be positive and at most " + DurationConverter.format(MAX_ETCD_REQUEST_TIMEOUT));
        }
    }

    private static void load(final BenchWorkload workload, final WorkloadSettings settings,
        final BenchTarget benchTarget, final PrintWriter out, final PrintWriter err)
        throws Loader.LoadFailedException, InterruptedException
    {
        final Loader.Result loaded = benchTarget.load(workload, settings, err);
        out.printf(Locale.ROOT, "loaded %,d records in %,d transactions in %.3f s%n", loaded.records(),
            loaded.transactions(), loaded.elapsedNs() / 1e9);
        out.flush();
    }

    private BenchReport measure(final BenchReport.Setup setup, final BenchWorkload workload,
        final WorkloadSettings settings, final BenchTarget benchTarget, final PrintWriter err)
        throws InterruptedException, IOException
    {
        final Duration stopGrace = setup.target().requestTimeout().multipliedBy(2).plusSeconds(5);
        final boolean temporaryHistory = historyFile == null &&
            workload instanceof HistoryRecording recording && recording.needsHistory();
        final Path historyPath = temporaryHistory ? Files.createTempFile("ramcast-" + workload.name() + "-", ".jsonl") :
            historyFile;
        try
        {
            return runAndCheck(setup, workload, settings, benchTarget, err, stopGrace, historyPath);
        }
        finally
        {
            if (temporaryHistory)
            {
                Files.deleteIfExists(historyPath);
            }
        }
    }

    private BenchReport runAndCheck(final BenchReport.Setup setup, final BenchWorkload workload,
        final WorkloadSettings settings, final BenchTarget benchTarget, final PrintWriter err, final Duration stopGrace,
        final Path historyPath) throws InterruptedException, IOException
    {
        final BenchRun.Outcome outcome;
        final HistoryWriter history = historyPath == null ? null : HistoryWriter.open(historyPath);
        try
        {
            outcome = new BenchRun(workload, settings, benchTarget.executors(), threadsPerClient, warmup, duration,
                setup.seed(), stopGrace, history, line ->
                {
                    err.println(line);
                    err.flush();
                }).run();
        }
        finally
        {
            if (history != null)
            {
                history.close();
            }
        }
        final WorkloadCheck check = benchTarget.check(workload, settings);
        final WorkloadCheck historyCheck = history == null ? null : checkHistory(workload, historyPath, settings);
        return new BenchReport(setup, outcome, check, historyCheck);
    }

    /**
     * Reads a recorded history back and hands it to the workload's history check, as every run that
     * records does after its workers stopped.
     *
     * @param workload    a workload that records its history.
     * @param historyFile the history it recorded.
     * @param settings    the run's settings.
     * @return the verdict.
     * @throws IOException if the file cannot be read or breaks the history format.
     */
    static WorkloadCheck checkHistory(final BenchWorkload workload, final Path historyFile, final WorkloadSettings settings)
        throws IOException
    {
        return ((HistoryRecording)workload).checkHistory(HistoryReader.read(historyFile), settings);
    }

    /**
     * @param report a finished run's report.
     * @return the command's exit code for it: {@link RamcastCli#EXIT_OK} if every check passed, else
     *         {@link RamcastCli#EXIT_CHECK_FAILED}.
     */
    static int exitCode(final BenchReport report)
    {
        return report.passed() ? RamcastCli.EXIT_OK : RamcastCli.EXIT_CHECK_FAILED;
    }

    private boolean writeReports(final BenchReport report, final PrintWriter err)
    {
        Path current = null;
        try
        {
            if (jsonFile != null)
            {
                current = jsonFile;
                BenchReport.write(jsonFile, report.toJson() + "\n");
            }
            if (csvFile != null)
            {
                current = csvFile;
                BenchReport.write(csvFile, report.toCsv());
            }
            if (chartFile != null)
            {
                current = chartFile;
                BenchChart.write(chartFile, report.setup().workload() + ", " + report.setup().clients() + "x" +
                    report.setup().threadsPerClient() + " workers", report.outcome().stats().series());
            }
            return true;
        }
        catch (final IOException | UncheckedIOException ex)
        {
            err.println("bench: cannot write " + current + ": " + ex);
            return false;
        }
    }
}
