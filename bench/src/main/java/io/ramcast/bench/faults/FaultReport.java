package io.ramcast.bench.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ramcast.bench.cli.RamcastCli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code ramcast faults} run did and found: the steps with their measurements, committed
 * throughput per second, the bank clients' fates and the checks. Printed as text and written as
 * JSON ({@code --json}).
 *
 * <p>Filled by {@link FaultRun} on its controlling thread; not thread-safe.
 */
final class FaultReport
{
    /** Target of the leader-kill measurement named by issue 5, with default timeouts. */
    static final double RECOVERY_TARGET_MS = 1_000;

    /**
     * Committed throughput around one step, transactions per second.
     *
     * @param before    in the window before the fault.
     * @param during    in the window right after it (for a pause: while it lasts).
     * @param after     in the window that ends the step's interval.
     * @param expected  the least {@code after} that counts as recovered.
     * @param recovered whether {@code after >= expected} and {@code after > 0}.
     */
    record Throughput(double before, double during, double after, double expected, boolean recovered)
    {
    }

    /**
     * When commits came back after a heal or a restart, from the merged client histories.
     *
     * @param from         what the time is measured from, e.g. "the heal" or "the first SIGTERM".
     * @param afterMs      milliseconds from that moment to the first commit completed after it; negative
     *                     if none completed before the next step.
     * @param longestGapMs the longest time without a commit from the start of the step to the next
     *                     step, milliseconds.
     */
    record CommitsResumed(String from, double afterMs, double longestGapMs)
    {
        /** @return whether a commit completed after the moment measured from. */
        boolean resumed()
        {
            return afterMs >= 0;
        }

        /**
         * Measures from the completion times of the committed operations.
         *
         * @param from        names the moment measured from.
         * @param fromNs      that moment, {@link System#nanoTime()}.
         * @param stepStartNs when the step began to act (the gap search starts there).
         * @param untilNs     the next step's start, or the end of the workload (excluded).
         * @param commitNs    completion times of the committed operations, ascending.
         * @return the measurement; {@code afterMs} negative if nothing committed in {@code [fromNs, untilNs)}.
         */
        static CommitsResumed measure(
            final String from, final long fromNs, final long stepStartNs, final long untilNs, final long[] commitNs)
        {
            double afterMs = -1;
            long previousNs = stepStartNs;
            long longestGapNs = 0;
            for (final long c : commitNs)
            {
                if (c < stepStartNs)
                {
                    continue;
                }
                if (c >= untilNs)
                {
                    break;
                }
                longestGapNs = Math.max(longestGapNs, c - previousNs);
                previousNs = c;
                if (afterMs < 0 && c >= fromNs)
                {
                    afterMs = (c - fromNs) / 1e6;
                }
            }
            longestGapNs = Math.max(longestGapNs, Math.max(0, untilNs - previousNs));
            return new CommitsResumed(from, afterMs, longestGapNs / 1e6);
        }
    }

    /**
     * One injected fault.
     *
     * @param step         the schedule step.
     * @param atSeconds    when it happened, seconds after the workload started.
     * @param target       what it hit, e.g. "replica 0" or "client 102".
     * @param detail       the group's leader and ballot before and after, or why nothing was hit.
     * @param recovery     for a step on a group's leader: the group's longest silence after it, else null.
     * @param throughput   committed throughput around the step.
     * @param resumed      for an isolation or a restart: when commits came back, else null.
     */
    record Step(
        FaultSchedule.Step step, double atSeconds, String target, String detail, RecoveryTime recovery,
        Throughput throughput, CommitsResumed resumed)
    {
    }

    /**
     * One verdict.
     *
     * @param name   what is checked.
     * @param passed whether it holds.
     * @param detail what was found.
     */
    record Check(String name, boolean passed, String detail)
    {
    }

    final List<Step> steps = new ArrayList<>();
    final List<Check> checks = new ArrayList<>();
    final List<String> clients = new ArrayList<>();
    /** Facts worth printing that are neither steps nor checks, e.g. a replica left behind. */
    final List<String> notes = new ArrayList<>();
    long[] committedPerSecond = new long[0];
    String setup = "";
    ObjectNode setupJson = new ObjectMapper().createObjectNode();
    String runFailure;
    Path workDir;

    /** @return whether the run completed and every check passed. */
    boolean passed()
    {
        return runFailure == null && checks.stream().allMatch(Check::passed);
    }

    /** @return the command's exit code: 0 passed, 1 a check failed, 3 the run failed. */
    int exitCode()
    {
        return runFailure != null ? RamcastCli.EXIT_RUN_FAILED : passed() ? RamcastCli.EXIT_OK : RamcastCli.EXIT_CHECK_FAILED;
    }

    /**
     * Prints the report.
     *
     * @param out where to.
     */
    void print(final PrintWriter out)
    {
        out.println();
        out.println("== faults report ==");
        out.println("  " + setup);
        for (final Step s : steps)
        {
            out.printf("  +%6.1f s  %-16s %s%s%n", s.atSeconds(), s.step(), s.target(),
                s.detail().isEmpty() ? "" : "; " + s.detail());
            if (s.recovery() != null)
            {
                out.println("             " + recoveryText(s.recovery()));
            }
            if (s.resumed() != null)
            {
                out.println("             " + resumedText(s.resumed()));
            }
            if (s.throughput() != null)
            {
                final Throughput t = s.throughput();
                out.printf("             committed txn/s: before %.0f, during %.0f, after %.0f (%s, needs >= %.0f)%n",
                    t.before(), t.during(), t.after(), t.recovered() ? "recovered" : "NOT recovered", t.expected());
            }
        }
        if (committedPerSecond.length > 0)
        {
            final StringBuilder series = new StringBuilder();
            for (final long c : committedPerSecond)
            {
                series.append(' ').append(c);
            }
            out.println("  committed txn per second:" + series);
        }
        clients.forEach(c -> out.println("  " + c));
        notes.forEach(n -> out.println("  note: " + n));
        out.println("== checks ==");
        for (final Check c : checks)
        {
            out.println("  " + (c.passed() ? "[ok]   " : "[FAIL] ") + c.name() + ": " + c.detail());
        }
        if (runFailure != null)
        {
            out.println("run FAILED: " + runFailure);
        }
        out.println(passed() ? "faults test passed" : "faults test FAILED");
        if (workDir != null)
        {
            out.println("work directory (logs, histories, delivery logs): " + workDir);
        }
        out.flush();
    }

    static String resumedText(final CommitsResumed r)
    {
        if (!r.resumed())
        {
            return "no commit completed after " + r.from() + " until the next step";
        }
        return String.format("commits resumed %.1f ms after %s (longest gap without a commit in the step: %.1f ms)",
            r.afterMs(), r.from(), r.longestGapMs());
    }

    static String recoveryText(final RecoveryTime r)
    {
        if (!r.recovered())
        {
            return "the surviving members of the group delivered nothing until the next step";
        }
        final double ms = r.recoveryMicros() / 1e3;
        return String.format("first new delivery at a surviving member %.1f ms after the fault " +
                "(longest silence from +%.1f ms; first delivery at all +%.1f ms); target < %.0f ms %s",
            ms, r.silenceStartMicros() / 1e3, r.firstDeliveryMicros() / 1e3, RECOVERY_TARGET_MS,
            ms < RECOVERY_TARGET_MS ? "met" : "missed");
    }

    /**
     * Writes the report as JSON.
     *
     * @param file the file.
     * @throws IOException if it cannot be written.
     */
    void writeJson(final Path file) throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        final ObjectNode root = mapper.createObjectNode();
        root.put("passed", passed()).put("exitCode", exitCode()).put("runFailure", runFailure)
            .put("workDir", workDir == null ? null : workDir.toString());
        root.set("setup", setupJson);
        final ArrayNode stepsJson = root.putArray("steps");
        for (final Step s : steps)
        {
            final ObjectNode j = stepsJson.addObject().put("step", s.step().toString())
                .put("atSeconds", round(s.atSeconds())).put("target", s.target()).put("detail", s.detail());
            if (s.recovery() != null)
            {
                final RecoveryTime r = s.recovery();
                j.putObject("recovery").put("deliveries", r.deliveries())
                    .put("firstNewDeliveryMs", r.recovered() ? round(r.recoveryMicros() / 1e3) : null)
                    .put("silenceStartMs", r.recovered() ? round(r.silenceStartMicros() / 1e3) : null)
                    .put("firstDeliveryMs", r.recovered() ? round(r.firstDeliveryMicros() / 1e3) : null)
                    .put("targetMs", RECOVERY_TARGET_MS);
            }
            if (s.resumed() != null)
            {
                final CommitsResumed r = s.resumed();
                j.putObject("commitsResumed").put("from", r.from())
                    .put("afterMs", r.resumed() ? round(r.afterMs()) : null).put("longestGapMs", round(r.longestGapMs()));
            }
            if (s.throughput() != null)
            {
                final Throughput t = s.throughput();
                j.putObject("throughput").put("before", round(t.before())).put("during", round(t.during()))
                    .put("after", round(t.after())).put("expected", round(t.expected())).put("recovered", t.recovered());
            }
        }
        final ArrayNode series = root.putArray("committedPerSecond");
        for (final long c : committedPerSecond)
        {
            series.add(c);
        }
        final ArrayNode clientsJson = root.putArray("clients");
        clients.forEach(clientsJson::add);
        final ArrayNode notesJson = root.putArray("notes");
        notes.forEach(notesJson::add);
        final ArrayNode checksJson = root.putArray("checks");
        for (final Check c : checks)
        {
            checksJson.addObject().put("name", c.name()).put("passed", c.passed()).put("detail", c.detail());
        }
        mapper.writeValue(file.toFile(), root);
    }

    private static double round(final double value)
    {
        return Math.round(value * 10) / 10.0;
    }
}
