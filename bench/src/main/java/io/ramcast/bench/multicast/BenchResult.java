package io.ramcast.bench.multicast;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ramcast.bench.cli.DurationConverter;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The outcome of one {@code multicast-bench} run and its two renderings: the text report printed
 * on stdout and the JSON document written by {@code --json}. Latencies are reported in
 * microseconds (recorded in nanoseconds), throughput in multicasts per second.
 *
 * @param settings    the parameters of the run.
 * @param load        what the closed-loop load measured.
 * @param delivered   deliveries per server in server ordinal order, -1 where unknown.
 * @param check       the delivery-log check, or null without {@code --delivery-log}.
 * @param wallTimeNs  time from the start of the cluster to the end of the check, nanoseconds.
 */
record BenchResult(
    BenchSettings settings,
    ClosedLoopLoad.LoadResult load,
    long[] delivered,
    HistoryCheck check,
    long wallTimeNs)
{
    /** @return deliveries reported by all servers; -1 if a server did not report. */
    long deliveredTotal()
    {
        long n = 0;
        for (final long d : delivered)
        {
            if (d < 0)
            {
                return -1;
            }
            n += d;
        }
        return n;
    }

    /** @return whether the servers delivered exactly what the issued multicasts call for. */
    boolean deliveriesMatch()
    {
        return deliveredTotal() == load.expectedDeliveries();
    }

    /** @return whether the run passed: deliveries as expected and, if checked, a valid history. */
    boolean passed()
    {
        return deliveriesMatch() && (check == null || check.valid());
    }

    /**
     * Prints the setup of a run, before it starts.
     *
     * @param settings the parameters.
     * @param out      where to print.
     */
    static void printSetup(final BenchSettings settings, final PrintWriter out)
    {
        out.println("== multicast-bench setup ==");
        row(out, "fabric", settings.fabric().cliName());
        row(out, "topology", settings.topology().groupCount() + " groups x " + settings.topology().maxGroupSize() +
            " replicas, " + settings.topology().clientCount() + " clients");
        row(out, "destinations", settings.randomDestinations() ?
            "random, 1.." + settings.maxDestinations() + " groups per multicast" :
            settings.maxDestinations() + " random group(s) per multicast");
        row(out, "payload", settings.payloadBytes() + " bytes");
        row(out, "window", settings.options().clientWindow() + " multicasts in flight per client (closed loop)");
        row(out, "run", (settings.countBounded() ? settings.messages() + " multicasts" :
            DurationConverter.format(settings.duration())) + " measured after a warm-up of " +
            DurationConverter.format(settings.warmup()));
        row(out, "seed", Long.toString(settings.seed()));
        row(out, "idle", settings.idle().cliName());
        row(out, "options", settings.options().toString());
        row(out, "delivery log", settings.deliveryLog() == null ? "none" : settings.deliveryLog().toString());
        row(out, "limits", "stall timeout " + DurationConverter.format(settings.stallTimeout()) + ", quiet period " +
            DurationConverter.format(settings.quietPeriod()));
        if (settings.fabric() == MulticastBenchDeployment.TCP)
        {
            row(out, "servers", "one JVM each, 127.0.0.1:" + settings.basePort() + "+id, JVM options " +
                String.join(" ", settings.serverJvmOptions()));
        }
        row(out, "jvm", jvm());
        row(out, "cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        out.flush();
    }

    /**
     * Prints the result.
     *
     * @param out where to print.
     */
    void print(final PrintWriter out)
    {
        final Histogram h = load.latencyNs();
        out.println("== multicast-bench result ==");
        row(out, "measured", load.measuredMessages() + " multicasts in " + seconds(load.intervalNs()) + " s");
        row(out, "throughput", fmt(load.throughputPerSecond()) + " multicasts/s");
        if (h.getTotalCount() == 0)
        {
            row(out, "latency (us)", "no measured multicasts");
        }
        else
        {
            row(out, "latency (us)", "p50 " + micros(h.getValueAtPercentile(50)) + "  p99 " +
                micros(h.getValueAtPercentile(99)) + "  p99.9 " + micros(h.getValueAtPercentile(99.9)) +
                "  max " + micros(h.getMaxValue()) + "  mean " + fmt(h.getMean() / 1000.0) +
                "  (n=" + h.getTotalCount() + ")");
        }
        final StringBuilder perClient = new StringBuilder();
        final int[] clientIds = settings.topology().clients();
        for (int i = 0; i < clientIds.length; i++)
        {
            perClient.append(i == 0 ? "" : ", ").append(clientIds[i]).append('=').append(load.measuredPerClient()[i]);
        }
        row(out, "per client", perClient.toString());
        row(out, "issued", load.issuedTotal() + " multicasts in all (warm-up included)");
        final StringBuilder perServer = new StringBuilder();
        final int[] serverIds = settings.topology().servers();
        for (int i = 0; i < serverIds.length; i++)
        {
            perServer.append(i == 0 ? "" : ", ").append(serverIds[i]).append('=')
                .append(delivered[i] < 0 ? "?" : Long.toString(delivered[i]));
        }
        row(out, "delivered", (deliveredTotal() < 0 ? "unknown" : Long.toString(deliveredTotal())) + " of " +
            load.expectedDeliveries() + " expected" + (deliveriesMatch() ? "" : "  MISMATCH"));
        row(out, "per server", perServer.toString());
        row(out, "wall time", seconds(wallTimeNs) + " s");
        if (check != null)
        {
            out.println(check.summary());
        }
        out.flush();
    }

    /** @return the result and its setup as a JSON object (compact, numbers rounded to 3 decimals). */
    String toJson()
    {
        final Histogram h = load.latencyNs();
        final ObjectMapper mapper = new ObjectMapper();
        final ObjectNode root = mapper.createObjectNode();
        final ObjectNode setup = root.putObject("setup")
            .put("fabric", settings.fabric().cliName())
            .put("groups", settings.topology().groupCount())
            .put("replicas", settings.topology().maxGroupSize())
            .put("clients", settings.topology().clientCount())
            .put("window", settings.options().clientWindow())
            .put("destinations", settings.maxDestinations())
            .put("randomDestinations", settings.randomDestinations())
            .put("payloadBytes", settings.payloadBytes());
        number(setup, "durationSeconds", settings.countBounded() ? -1 : settings.duration().toMillis() / 1000.0);
        setup.put("messages", settings.messages());
        number(setup, "warmupSeconds", settings.warmup().toMillis() / 1000.0);
        setup.put("seed", settings.seed())
            .put("idle", settings.idle().cliName())
            .put("options", settings.options().toString())
            .put("deliveryLog", settings.deliveryLog() == null ? null : settings.deliveryLog().toString());
        number(setup, "stallTimeoutSeconds", settings.stallTimeout().toMillis() / 1000.0);
        number(setup, "quietPeriodSeconds", settings.quietPeriod().toMillis() / 1000.0);
        setup.put("jvm", jvm()).put("cores", Runtime.getRuntime().availableProcessors());

        final ObjectNode result = root.putObject("result").put("measuredMessages", load.measuredMessages());
        number(result, "intervalSeconds", load.intervalNs() / 1e9);
        number(result, "throughputPerSecond", load.throughputPerSecond());
        final ObjectNode latency = result.putObject("latencyMicros").put("count", h.getTotalCount());
        number(latency, "p50", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0);
        number(latency, "p99", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0);
        number(latency, "p999", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99.9) / 1000.0);
        number(latency, "max", h.getMaxValue() / 1000.0);
        number(latency, "mean", h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0);
        result.put("issuedTotal", load.issuedTotal())
            .put("expectedDeliveries", load.expectedDeliveries())
            .put("deliveredTotal", deliveredTotal());
        final ObjectNode perServer = result.putObject("deliveredPerServer");
        final int[] serverIds = settings.topology().servers();
        for (int i = 0; i < serverIds.length; i++)
        {
            perServer.put(Integer.toString(serverIds[i]), delivered[i]);
        }
        number(result, "wallTimeSeconds", wallTimeNs / 1e9);
        if (check != null)
        {
            root.putObject("check").put("valid", check.valid()).put("summary", check.summary());
        }
        root.put("passed", passed());
        return root.toString();
    }

    /** A number rounded to 3 decimals, or null when it is not finite (JSON has no NaN). */
    private static void number(final ObjectNode node, final String key, final double value)
    {
        if (Double.isFinite(value))
        {
            node.put(key, Math.round(value * 1000.0) / 1000.0);
        }
        else
        {
            node.putNull(key);
        }
    }

    private static String jvm()
    {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") +
            ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB";
    }

    private static void row(final PrintWriter out, final String name, final String value)
    {
        out.printf(Locale.ROOT, "  %-14s %s%n", name, value);
    }

    private static String micros(final long nanos)
    {
        return fmt(nanos / 1000.0);
    }

    private static String seconds(final long nanos)
    {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }

    private static String fmt(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
