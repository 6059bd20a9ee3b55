package io.ramcast.bench;

import io.ramcast.bench.workload.BankWorkload;
import io.ramcast.check.history.BankChecker;
import io.ramcast.check.history.EventType;
import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.HistoryReader;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.client.KvClient;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

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
final class DemoCommand implements Callable<Integer>
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
        final Path source = configFile != null ? configFile : defaultConfig();
        final Path work = Files.createTempDirectory("ramcast-demo-");
        final PrintWriter out = spec.commandLine().getOut();
        final Path demoConfig;
        final ClusterConfig config;
        try
        {
            demoConfig = withDataRoot(source, work.resolve("data"), work.resolve("cluster.yaml"));
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
                deleteTree(work);
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
        final Map<Integer, List<String>> hashes = replicaHashes(config);
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
        out.println("  " + mark(identical) + " the replicas of each partition hold identical data " + summary(hashes));
        final boolean passed = check.isValid() && total == bank.total() && identical;
        out.println(passed ? "demo passed" : "demo FAILED\n" + check.summary());
        return passed;
    }

    private static String mark(final boolean ok)
    {
        return ok ? "[ok]  " : "[FAIL]";
    }

    static String summary(final Map<Integer, List<String>> hashes)
    {
        final StringBuilder sb = new StringBuilder("(");
        hashes.forEach((p, h) -> sb.append(sb.length() > 1 ? ", " : "").append("p").append(p).append(": ")
            .append(h.stream().map(x -> x.substring(0, 8)).distinct().toList()));
        return sb.append(')').toString();
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

    private static Map<Integer, List<String>> replicaHashes(final ClusterConfig config)
        throws NoSuchAlgorithmException
    {
        return replicaHashes(config, java.util.Set.of());
    }

    /**
     * The state of every replica's store, to compare the replicas of a partition: per partition, per
     * replica in config order, {@code <SHA-256 of a full scan>/<entries>/<applied mark>}. The replicas
     * must have stopped (their stores are opened here).
     *
     * @param config the cluster config.
     * @param skip   replicas to leave out (for example killed ones).
     * @return partition id to the hashes of its replicas.
     * @throws NoSuchAlgorithmException never on a conforming JVM (SHA-256 is required).
     */
    static Map<Integer, List<String>> replicaHashes(final ClusterConfig config, final java.util.Set<Integer> skip)
        throws NoSuchAlgorithmException
    {
        final Map<Integer, List<String>> hashes = new java.util.TreeMap<>();
        for (int p = 0; p < config.partitionCount(); p++)
        {
            final List<String> list = new ArrayList<>();
            for (final ReplicaConfig r : config.replicas(p))
            {
                if (skip.contains(r.id()))
                {
                    continue;
                }
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    final MessageDigest digest = MessageDigest.getInstance("SHA-256");
                    final AtomicLong entries = new AtomicLong();
                    store.scan(new byte[0], null, Integer.MAX_VALUE, (k, v) ->
                    {
                        digest.update(k);
                        digest.update(v);
                        entries.incrementAndGet();
                    });
                    list.add(HexFormat.of().formatHex(digest.digest()) + "/" + entries + "/" + store.lastApplied());
                }
            }
            hashes.put(p, list);
        }
        return hashes;
    }

    /** config/local.yaml of this installation: $RAMCAST_HOME (set by bin/ramcast), else the working directory. */
    static Path defaultConfig()
    {
        final String home = System.getenv("RAMCAST_HOME");
        return (home != null ? Path.of(home) : Path.of("")).resolve("config").resolve("local.yaml").toAbsolutePath();
    }

    /** Writes a copy of the config whose storage.dataRoot is {@code dataRoot}. */
    static Path withDataRoot(final Path source, final Path dataRoot, final Path target) throws IOException
    {
        final String yaml = Files.readString(source, StandardCharsets.UTF_8);
        final String line = "  dataRoot: " + dataRoot.toAbsolutePath();
        final String replaced = yaml.replaceFirst("(?m)^\\s*dataRoot:.*$", java.util.regex.Matcher.quoteReplacement(line));
        if (replaced.equals(yaml))
        {
            throw new IOException(source + ": the demo needs a storage.dataRoot line to point at its own data directory");
        }
        Files.writeString(target, replaced, StandardCharsets.UTF_8);
        return target;
    }

    static void deleteTree(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
