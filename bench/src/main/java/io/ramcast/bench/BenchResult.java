package io.ramcast.bench;

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
        if (settings.fabric() == FabricKind.TCP)
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

    /** @return the result and its setup as a JSON object. */
    String toJson()
    {
        final Histogram h = load.latencyNs();
        final Json json = new Json();
        json.open();
        json.key("setup").open()
            .field("fabric", settings.fabric().cliName())
            .field("groups", settings.topology().groupCount())
            .field("replicas", settings.topology().maxGroupSize())
            .field("clients", settings.topology().clientCount())
            .field("window", settings.options().clientWindow())
            .field("destinations", settings.maxDestinations())
            .field("randomDestinations", settings.randomDestinations())
            .field("payloadBytes", settings.payloadBytes())
            .field("durationSeconds", settings.countBounded() ? -1 : settings.duration().toMillis() / 1000.0)
            .field("messages", settings.messages())
            .field("warmupSeconds", settings.warmup().toMillis() / 1000.0)
            .field("seed", settings.seed())
            .field("idle", settings.idle().cliName())
            .field("options", settings.options().toString())
            .field("deliveryLog", settings.deliveryLog() == null ? null : settings.deliveryLog().toString())
            .field("stallTimeoutSeconds", settings.stallTimeout().toMillis() / 1000.0)
            .field("quietPeriodSeconds", settings.quietPeriod().toMillis() / 1000.0)
            .field("jvm", jvm())
            .field("cores", Runtime.getRuntime().availableProcessors())
            .close();
        json.key("result").open()
            .field("measuredMessages", load.measuredMessages())
            .field("intervalSeconds", load.intervalNs() / 1e9)
            .field("throughputPerSecond", load.throughputPerSecond());
        json.key("latencyMicros").open()
            .field("count", h.getTotalCount())
            .field("p50", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0)
            .field("p99", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0)
            .field("p999", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99.9) / 1000.0)
            .field("max", h.getMaxValue() / 1000.0)
            .field("mean", h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0)
            .close();
        json.field("issuedTotal", load.issuedTotal())
            .field("expectedDeliveries", load.expectedDeliveries())
            .field("deliveredTotal", deliveredTotal());
        json.key("deliveredPerServer").open();
        final int[] serverIds = settings.topology().servers();
        for (int i = 0; i < serverIds.length; i++)
        {
            json.field(Integer.toString(serverIds[i]), delivered[i]);
        }
        json.close();
        json.field("wallTimeSeconds", wallTimeNs / 1e9).close();
        if (check != null)
        {
            json.key("check").open().field("valid", check.valid()).field("summary", check.summary()).close();
        }
        json.field("passed", passed());
        json.close();
        return json.toString();
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

    /** A minimal JSON writer: objects, strings, numbers, booleans and null. Not thread-safe. */
    private static final class Json
    {
        private final StringBuilder sb = new StringBuilder();
        private boolean needComma;

        Json open()
        {
            comma();
            sb.append('{');
            needComma = false;
            return this;
        }

        Json close()
        {
            sb.append('}');
            needComma = true;
            return this;
        }

        Json key(final String name)
        {
            comma();
            string(name);
            sb.append(':');
            needComma = false;
            return this;
        }

        Json field(final String name, final String value)
        {
            key(name);
            if (value == null)
            {
                sb.append("null");
            }
            else
            {
                string(value);
            }
            needComma = true;
            return this;
        }

        Json field(final String name, final long value)
        {
            key(name);
            sb.append(value);
            needComma = true;
            return this;
        }

        Json field(final String name, final double value)
        {
            key(name);
            sb.append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null");
            needComma = true;
            return this;
        }

        Json field(final String name, final boolean value)
        {
            key(name);
            sb.append(value);
            needComma = true;
            return this;
        }

        private void comma()
        {
            if (needComma)
            {
                sb.append(',');
            }
        }

        private void string(final String s)
        {
            sb.append('"');
            for (int i = 0; i < s.length(); i++)
            {
                final char c = s.charAt(i);
                switch (c)
                {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default ->
                    {
                        if (c < 0x20)
                        {
                            sb.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                        }
                        else
                        {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }

        @Override
        public String toString()
        {
            return sb.toString();
        }
    }
}
