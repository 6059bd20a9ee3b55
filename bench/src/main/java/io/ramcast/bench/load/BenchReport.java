package io.ramcast.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.workload.BenchWorkload.WorkloadCheck;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.txn.ReasonCode;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The setup and result of one {@code bench} run and their renderings: the text report on stdout,
 * the JSON document ({@code --json}) and the per-type CSV table ({@code --csv}). Latencies are in
 * microseconds, throughput in operations per second, times in seconds.
 *
 * <h2>JSON</h2>
 * <pre>
 * { "setup":  { "workload", "description", "records", "valueSizeBytes", "batch", "distribution",
 *               "multiPartitionFraction", "maxPartitions", "params": {..}, "clients",
 *               "threadsPerClient", "workers", "durationSeconds", "warmupSeconds", "seed", "loadFirst",
 *               "target": "ramcast", "firstClientId",
 *               "cluster": { "name", "source", "fabric", "partitions", "replicas", "partitioner",
 *                            "durability", "clientWindow", "requestTimeoutMs" },
 *               -- or, with --target etcd: --
 *               "target": "etcd",
 *               "etcd": { "endpoints": [URL, ...], "versions": [ { "server", "cluster" }, ... ],
 *                         "pinning": "round-robin", "requestTimeoutMs" },
 *               "jvm", "cores" },
 *   "result": { "intervalSeconds", "operations", "throughputPerSecond", "committedPerSecond",
 *               "warmupOperations", "historyEvents",
 *               "all":   TYPE,
 *               "types": { "read": TYPE, "multi-update": TYPE, ... },
 *               "timeSeries": [ { "startSeconds", "lengthSeconds", "operations", "throughputPerSecond",
 *                                 "p50Micros", "p99Micros",
 *                                 "types": { "read": { "operations", "throughputPerSecond",
 *                                                      "p50Micros", "p99Micros" }, ... } }, ... ] },
 *   "check": { "passed", "description" } or null,
 *   "historyCheck": { "passed", "description" } or null,
 *   "passed": true|false }
 * TYPE = { "operations", "throughputPerSecond",
 *          "latencyMicros": { "mean", "p50", "p90", "p99", "p999", "max" },
 *          "committed", "notCommitted", "notCommittedByReason": { "CONDITION_FAILED": n, ... (non-zero only) },
 *          "unknown" }
 * </pre>
 *
 * <h2>CSV</h2>
 * RFC 4180, a header line and then one row per operation type (sorted by label), and a last row
 * {@code all}: {@value #CSV_HEADER}. Latencies in µs over the measured interval;
 * {@code not_committed_by_reason} lists {@code REASON=count} pairs separated by {@code ;}
 * (empty if none).
 *
 * <p>Immutable; render from any thread.
 *
 * @param setup        the parameters of the run.
 * @param outcome      what the run measured.
 * @param check        the workload's check, or null if it checks nothing.
 * @param historyCheck the check of the recorded history, or null without one.
 */
record BenchReport(Setup setup, BenchRun.Outcome outcome, WorkloadCheck check, WorkloadCheck historyCheck)
{
    /** The CSV header. */
    static final String CSV_HEADER = "type,operations,throughput_per_s,mean_us,p50_us,p90_us,p99_us,p999_us,max_us," +
        "committed,not_committed,unknown,not_committed_by_reason";

    /**
     * The parameters of a run.
     *
     * @param workload         the workload's name.
     * @param description      its description.
     * @param settings         its settings.
     * @param target           what the run drives.
     * @param clients          clients.
     * @param threadsPerClient worker threads per client.
     * @param warmup           warm-up.
     * @param duration         measured duration.
     * @param seed             the run's seed.
     * @param loadFirst        whether the data set was loaded before the run.
     */
    record Setup(String workload, String description, WorkloadSettings settings, TargetSetup target, int clients,
        int threadsPerClient, Duration warmup, Duration duration, long seed, boolean loadFirst)
    {
        /** Prints the setup, before the run. */
        void print(final PrintWriter out)
        {
            out.println("== bench setup ==");
            row(out, "workload", workload + ": " + description);
            row(out, "data", settings.records() + " records, values of " + settings.valueSizeBytes() + " bytes, " +
                "keys " + settings.keyDistribution() + (loadFirst ? ", loaded first in transactions of " +
                settings.batchSize() : ""));
            row(out, "multi-partition", settings.multiPartitionFraction() == 0 ? "none" :
                fmt(settings.multiPartitionFraction()) + " of operations over 2.." + settings.maxPartitions() + " partitions");
            row(out, "params", settings.extra().isEmpty() ? "none" : settings.extra().toString());
            row(out, "target", target.name());
            row(out, "workers", target.workers(clients, threadsPerClient));
            row(out, "run", DurationConverter.format(duration) + " measured after a warm-up of " +
                DurationConverter.format(warmup));
            row(out, "seed", Long.toString(seed));
            target.print(out);
            row(out, "jvm", jvm());
            row(out, "cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
            out.flush();
        }

        ObjectNode toJson(final ObjectMapper mapper)
        {
            final ObjectNode json = mapper.createObjectNode();
            json.put("workload", workload).put("description", description)
                .put("records", settings.records()).put("valueSizeBytes", settings.valueSizeBytes())
                .put("batch", settings.batchSize()).put("distribution", settings.keyDistribution())
                .put("multiPartitionFraction", settings.multiPartitionFraction())
                .put("maxPartitions", settings.maxPartitions());
            final ObjectNode params = json.putObject("params");
            settings.extra().forEach(params::put);
            json.put("clients", clients).put("threadsPerClient", threadsPerClient)
                .put("workers", clients * threadsPerClient)
                .put("durationSeconds", duration.toMillis() / 1000.0).put("warmupSeconds", warmup.toMillis() / 1000.0)
                .put("seed", seed).put("loadFirst", loadFirst);
            target.toJson(json);
            json.put("jvm", jvm()).put("cores", Runtime.getRuntime().availableProcessors());
            return json;
        }
    }

    /** @return whether every check that ran passed. */
    boolean passed()
    {
        return (check == null || check.passed()) && (historyCheck == null || historyCheck.passed());
    }

    /** Prints the result. */
    void print(final PrintWriter out)
    {
        final OperationStats.Summary stats = outcome.stats();
        final OperationStats.TypeSummary all = stats.all();
        out.println("== bench result ==");
        row(out, "measured", all.operations() + " operations in " + String.format(Locale.ROOT, "%.3f",
            stats.intervalSeconds()) + " s by " + outcome.workers() + " workers (" + outcome.warmupOperations() +
            " more in the warm-up)");
        row(out, "throughput", fmt(all.throughputPerSecond()) + " ops/s, committed " +
            fmt(stats.intervalSeconds() <= 0 ? 0 : all.committed() / stats.intervalSeconds()) + "/s");
        out.printf(Locale.ROOT, "  %-14s %9s %10s %9s %9s %9s %9s %9s %10s %9s %8s%n", "type", "ops", "ops/s",
            "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "committed", "not-comm", "unknown");
        stats.types().forEach((type, t) -> typeRow(out, type, t));
        typeRow(out, OperationStats.ALL, all);
        stats.types().forEach((type, t) ->
        {
            if (t.notCommittedTotal() > 0)
            {
                row(out, "not committed", type + ": " + reasons(t, ", "));
            }
        });
        if (outcome.historyEvents() > 0)
        {
            row(out, "history", outcome.historyEvents() + " events");
        }
        row(out, "check", check == null ? "none (the workload checks nothing)" :
            (check.passed() ? "PASSED " : "FAILED ") + check.description());
        if (historyCheck != null)
        {
            row(out, "history check", (historyCheck.passed() ? "PASSED " : "FAILED ") + historyCheck.description());
        }
        out.flush();
    }

    private static void typeRow(final PrintWriter out, final String type, final OperationStats.TypeSummary t)
    {
        out.printf(Locale.ROOT, "  %-14s %9d %10.1f %9.0f %9.0f %9.0f %9.0f %9.0f %10d %9d %8d%n", type, t.operations(),
            t.throughputPerSecond(), t.micros(50), t.micros(90), t.micros(99), t.micros(99.9), t.maxMicros(),
            t.committed(), t.notCommittedTotal(), t.unknown());
    }

    /** @return the JSON document. */
    String toJson()
    {
        final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        final ObjectNode root = mapper.createObjectNode();
        root.set("setup", setup.toJson(mapper));
        final OperationStats.Summary stats = outcome.stats();
        final ObjectNode result = root.putObject("result");
        result.put("intervalSeconds", round(stats.intervalSeconds()))
            .put("operations", stats.all().operations())
            .put("throughputPerSecond", round(stats.all().throughputPerSecond()))
            .put("committedPerSecond", round(stats.intervalSeconds() <= 0 ? 0 :
                stats.all().committed() / stats.intervalSeconds()))
            .put("warmupOperations", outcome.warmupOperations())
            .put("historyEvents", outcome.historyEvents());
        result.set("all", typeJson(mapper, stats.all()));
        final ObjectNode types = result.putObject("types");
        stats.types().forEach((type, t) -> types.set(type, typeJson(mapper, t)));
        final ArrayNode series = result.putArray("timeSeries");
        for (final OperationStats.SecondSample s : stats.series())
        {
            final ObjectNode point = series.addObject().put("startSeconds", round(s.startSeconds()))
                .put("lengthSeconds", round(s.lengthSeconds()));
            interval(point, s.all());
            final ObjectNode perType = point.putObject("types");
            s.types().forEach((type, i) -> interval(perType.putObject(type), i));
        }
        root.set("check", checkJson(mapper, check));
        root.set("historyCheck", checkJson(mapper, historyCheck));
        root.put("passed", passed());
        try
        {
            return mapper.writeValueAsString(root);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("a JSON tree of numbers and strings cannot fail to serialise", ex);
        }
    }

    /** @return the CSV table, header first, lines ending in CRLF as RFC 4180 says. */
    String toCsv()
    {
        final StringBuilder csv = new StringBuilder(CSV_HEADER).append("\r\n");
        final OperationStats.Summary stats = outcome.stats();
        stats.types().forEach((type, t) -> csvRow(csv, type, t));
        csvRow(csv, OperationStats.ALL, stats.all());
        return csv.toString();
    }

    /**
     * Writes text to a file, creating its parent directories.
     *
     * @throws IOException if it cannot be written.
     */
    static void write(final Path file, final String text) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void csvRow(final StringBuilder csv, final String type, final OperationStats.TypeSummary t)
    {
        csv.append(csvField(type)).append(',').append(t.operations()).append(',')
            .append(num(t.throughputPerSecond())).append(',').append(num(t.meanMicros())).append(',')
            .append(num(t.micros(50))).append(',').append(num(t.micros(90))).append(',')
            .append(num(t.micros(99))).append(',').append(num(t.micros(99.9))).append(',')
            .append(num(t.maxMicros())).append(',').append(t.committed()).append(',')
            .append(t.notCommittedTotal()).append(',').append(t.unknown()).append(',')
            .append(csvField(reasons(t, ";"))).append("\r\n");
    }

    private static String csvField(final String s)
    {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0)
        {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static String reasons(final OperationStats.TypeSummary t, final String separator)
    {
        return t.notCommitted().entrySet().stream().filter(e -> e.getValue() > 0)
            .map(e -> e.getKey().name() + "=" + e.getValue()).collect(Collectors.joining(separator));
    }

    private static ObjectNode typeJson(final ObjectMapper mapper, final OperationStats.TypeSummary t)
    {
        final ObjectNode json = mapper.createObjectNode();
        json.put("operations", t.operations()).put("throughputPerSecond", round(t.throughputPerSecond()));
        json.putObject("latencyMicros").put("mean", round(t.meanMicros())).put("p50", t.micros(50))
            .put("p90", t.micros(90)).put("p99", t.micros(99)).put("p999", t.micros(99.9)).put("max", t.maxMicros());
        json.put("committed", t.committed()).put("notCommitted", t.notCommittedTotal());
        final ObjectNode byReason = json.putObject("notCommittedByReason");
        final Map<ReasonCode, Long> reasons = new LinkedHashMap<>(t.notCommitted());
        reasons.forEach((reason, count) ->
        {
            if (count > 0)
            {
                byReason.put(reason.name(), count);
            }
        });
        json.put("unknown", t.unknown());
        return json;
    }

    private static void interval(final ObjectNode json, final OperationStats.IntervalStats i)
    {
        json.put("operations", i.operations()).put("throughputPerSecond", round(i.throughputPerSecond()))
            .put("p50Micros", i.p50Micros()).put("p99Micros", i.p99Micros());
    }

    private static ObjectNode checkJson(final ObjectMapper mapper, final WorkloadCheck check)
    {
        return check == null ? null : mapper.createObjectNode().put("passed", check.passed())
            .put("description", check.description());
    }

    static String jvm()
    {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") +
            ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB";
    }

    private static double round(final double value)
    {
        return Math.round(value * 1000.0) / 1000.0;
    }

    private static String num(final double value)
    {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String fmt(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static void row(final PrintWriter out, final String name, final String value)
    {
        out.printf(Locale.ROOT, "  %-15s %s%n", name, value);
    }
}
