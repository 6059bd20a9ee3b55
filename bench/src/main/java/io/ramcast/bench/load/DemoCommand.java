package io.ramcast.bench.load;

import io.ramcast.bench.cli.ConsoleLogging;
import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.bench.process.ReplicaProcesses;
import io.ramcast.bench.workload.BankWorkload;
import io.ramcast.check.history.BankChecker;
import io.ramcast.check.history.EventType;
import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.HistoryReader;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.client.KvClient;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code ramcast demo}: the whole system in one command. Starts the default 3 × 3 cluster of
 * {@code config/local.yaml} as nine replica processes (with a fresh data root), loads the bank data
 * set, runs transfers and whole-bank reads for a short time, then verifies: every read saw the
 * exact total (bank checker over the client history), the final total, and that the three replicas
 * of every partition hold identical stores (hash of a full scan, after they stopped). Prints a short
 * report and stops everything. Exit 0 when every check passes, 1 when one fails, 3 when the run
 * itself fails; nothing is left running either way.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start the default 3x3 cluster, run bank transfers, verify, report, stop.")
public final class DemoCommand implements Callable<Integer>, ConsoleLogging.Quiet
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Cluster config (default: config/local.yaml of this installation).")
    private Path configFile;

    @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
        description = "How long transfers run (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--threads", defaultValue = "4", description = "Client worker threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--accounts", defaultValue = "12", description = "Bank accounts (default: ${DEFAULT-VALUE}).")
    private int accounts;

    @Option(names = "--keep", description = "Keep the demo's data and logs directory afterwards.")
    private boolean keep;

    @Override
    public Integer call() throws Exception
    {
        final Path source = configFile != null ? configFile : LocalDeployment.defaultConfig();
        final Path work = Files.createTempDirectory("ramcast-demo-");
        final PrintWriter out = spec.commandLine().getOut();
        final Path demoConfig;
        final ClusterConfig config;
        try
        {
            demoConfig = LocalDeployment.withDataRoot(source, work.resolve("data"), work.resolve("cluster.yaml"));
            config = ClusterConfig.load(demoConfig);
        }
        catch (final ConfigException | IOException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        if (threads < 1 || accounts < 2)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --threads >= 1 and --accounts >= 2");
        }
        out.println("RamCast KV demo: cluster " + config.clusterName() + " from " + source + ", " +
            config.partitionCount() + " partitions x " + config.replicas(0).size() + " replicas, fabric " +
            config.fabric().name().toLowerCase() + "; work directory " + work);
        out.flush();
        boolean passed = false;
        try
        {
            passed = run(config, demoConfig, work, out);
            return passed ? RamcastCli.EXIT_OK : RamcastCli.EXIT_CHECK_FAILED;
        }
        catch (final BenchFailureException ex)
        {
            spec.commandLine().getErr().println("demo failed: " + ex.getMessage());
            return RamcastCli.EXIT_RUN_FAILED;
        }
        finally
        {
            if (keep || !passed)
            {
                out.println("data and logs kept in " + work);
            }
            else
            {
                LocalDeployment.deleteTree(work);
            }
            out.flush();
        }
    }

    private boolean run(final ClusterConfig config, final Path demoConfig, final Path work, final PrintWriter out)
        throws Exception
    {
        final Path historyFile = work.resolve("history.jsonl");
        final long startNs = System.nanoTime();
        final BankWorkload.RunStats stats;
        final Map<Integer, Long> finalBalances;
        final BankWorkload bank;
        boolean converged;
        try (ReplicaProcesses cluster = ReplicaProcesses.start(demoConfig, config, work.resolve("logs"),
            List.of("-Xmx256m", "-XX:+UseSerialGC")))
        {
            out.printf("  started %d replica processes in %.1f s%n", cluster.replicas().size(),
                (System.nanoTime() - startNs) / 1e9);
            out.flush();
            try (KvClient client = KvClient.connect(config, config.clientIds().firstId());
                 HistoryWriter history = HistoryWriter.open(historyFile))
            {
                bank = new BankWorkload(client, config.partitioner(), accounts, 1_000);
                bank.load();
                out.printf("  loaded %d accounts of 1000; running %d threads for %s%n", accounts, threads,
                    DurationConverter.format(duration));
                out.flush();
                stats = bank.run(threads, duration, Long.MAX_VALUE, 0.2, 1, history);
                finalBalances = bank.readAll();
            }
            final String dead = cluster.firstDead();
            if (dead != null)
            {
                throw new BenchFailureException(dead);
            }
            converged = cluster.awaitConverged(Duration.ofSeconds(60), Duration.ofMillis(500));
        }
        out.println("  stopped every replica");

        final History history = HistoryReader.read(historyFile);
        final var check = new BankChecker(new HashSet<>(bank.accountIds()), bank.total())
            .check(history, finalBalances);
        final Map<Integer, List<String>> hashes = LocalDeployment.replicaHashes(config, Set.of());
        boolean identical = converged;
        for (final List<String> h : hashes.values())
        {
            identical &= h.stream().distinct().count() == 1;
        }
        final long total = finalBalances.values().stream().mapToLong(Long::longValue).sum();
        final Histogram latency = latencies(history);

        out.println();
        out.println("== report ==");
        out.printf("  transfers   %d committed, %d not committed (insufficient funds), %d unknown%n",
            stats.transfersOk(), stats.transfersFailed(), stats.transfersUnknown());
        out.printf("  reads       %d whole-bank reads committed, %d unknown%n", stats.readsOk(), stats.readsUnknown());
        out.printf("  throughput  %.0f transactions/s over %s%n",
            (stats.transfersOk() + stats.transfersFailed() + stats.readsOk()) / (duration.toNanos() / 1e9),
            DurationConverter.format(duration));
        out.printf("  latency     p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", latency.getValueAtPercentile(50) / 1e3,
            latency.getValueAtPercentile(99) / 1e3, latency.getMaxValue() / 1e3);
        out.println("== checks ==");
        out.println("  " + mark(check.isValid()) + " every read saw the total " + bank.total() + " and no negative " +
            "balance (" + check.stats().okReadCount() + " reads checked)");
        out.println("  " + mark(total == bank.total()) + " final total " + total);
        out.println("  " + mark(identical) + " the replicas of each partition hold identical data " + LocalDeployment.hashSummary(hashes));
        final boolean passed = check.isValid() && total == bank.total() && identical;
        out.println(passed ? "demo passed" : "demo FAILED\n" + check.summary());
        return passed;
    }

    private static String mark(final boolean ok)
    {
        return ok ? "[ok]  " : "[FAIL]";
    }

    /** Latency of every completed operation, invoke to completion, in microseconds. */
    private static Histogram latencies(final History history)
    {
        final Histogram h = new Histogram(3);
        final Map<Integer, Long> invoked = new HashMap<>();
        for (final HistoryEvent e : history.events())
        {
            if (e.type() == EventType.INVOKE)
            {
                invoked.put(e.process(), e.timeNs());
            }
            else if (invoked.containsKey(e.process()))
            {
                h.recordValue(Math.max(1, (e.timeNs() - invoked.remove(e.process())) / 1_000));
            }
        }
        return h;
    }
}
