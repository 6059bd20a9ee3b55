package io.ramcast.bench.process;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.txn.config.ReplicaConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restarts the replicas of a {@link ReplicaProcesses} that die, as a process monitor would
 * ({@code ramcast cluster --restart}): the same replica id on the same data with the same command
 * line plus {@code --rebuild} (a data directory found empty, a replaced disk, is first filled from a
 * peer of the partition), after a back-off that doubles with every failure in a row and returns to its start once
 * a replica stayed up for {@link Policy#resetAfter}; after {@link Policy#giveUpAfter} failures in a
 * row it gives up on that replica, says why (the replica's own "cannot start" or "stopped" line)
 * and leaves the others running.
 *
 * <p>A failure "in a row" is an exit less than {@code resetAfter} after the process was started:
 * a replica that fails at start every time (its data directory belongs to another replica, its
 * disk is full) is given up after a bounded number of attempts instead of being restarted for
 * ever; one that crashes once after days of service starts again at the initial back-off.
 *
 * <p>Threading: one thread calls {@link #poll}; the {@link ReplicaProcesses} may be closed from a
 * shutdown hook meanwhile, after which restarts stop.
 */
final class ReplicaSupervisor
{
    /**
     * When to restart.
     *
     * @param initialDelay the back-off before the first restart after a failure.
     * @param maxDelay     the longest back-off (the doubling stops there).
     * @param resetAfter   how long a replica must stay up for its failures to be forgotten.
     * @param giveUpAfter  how many failures in a row end the restarts of a replica (at least 1).
     */
    record Policy(Duration initialDelay, Duration maxDelay, Duration resetAfter, int giveUpAfter)
    {
        Policy
        {
            if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0 || resetAfter.isNegative() ||
                giveUpAfter < 1)
            {
                throw new IllegalArgumentException("restart policy needs 0 <= initial delay <= max delay, a reset " +
                    "time >= 0 and giving up after at least 1 failure; got " + initialDelay + ", " + maxDelay + ", " +
                    resetAfter + ", " + giveUpAfter);
            }
        }

        /**
         * @param attempt the restart attempt, from 1: the number of failures in a row so far.
         * @return the back-off before it: {@code initialDelay * 2^(attempt-1)}, at most {@code maxDelay}.
         */
        Duration delay(final int attempt)
        {
            Duration d = initialDelay;
            for (int i = 1; i < attempt && d.compareTo(maxDelay) < 0; i++)
            {
                d = d.multipliedBy(2);
            }
            return d.compareTo(maxDelay) > 0 ? maxDelay : d;
        }
    }

    /** Where one replica stands. */
    private static final class Watched
    {
        private final ReplicaConfig replica;
        /** When its current process was started ({@link System#nanoTime()}). */
        private long startedNs;
        /** Whether READY of the current process was reported (true for the first process: started ready). */
        private boolean readyReported = true;
        /** Exits less than {@code resetAfter} after a start, in a row. */
        private int failures;
        /** When the pending restart is due, or -1 if none is. */
        private long restartAtNs = -1;
        private boolean givenUp;

        private Watched(final ReplicaConfig replica, final long startedNs)
        {
            this.replica = replica;
            this.startedNs = startedNs;
        }
    }

    private final ReplicaProcesses cluster;
    private final Policy policy;
    private final Map<Integer, Watched> watched = new LinkedHashMap<>();

    /**
     * @param cluster the running replicas (all printed READY).
     * @param policy  when to restart.
     * @param nowNs   now ({@link System#nanoTime()}): when they started, for their first failure.
     */
    ReplicaSupervisor(final ReplicaProcesses cluster, final Policy policy, final long nowNs)
    {
        this.cluster = cluster;
        this.policy = policy;
        for (final ReplicaConfig r : cluster.replicas())
        {
            watched.put(r.id(), new Watched(r, nowNs));
        }
    }

    /**
     * Notices replicas that died, became READY again or are due for a restart, and starts those
     * that are due.
     *
     * @param nowNs now ({@link System#nanoTime()}).
     * @return what happened, one line per event, for the operator.
     */
    List<String> poll(final long nowNs)
    {
        final List<String> lines = new ArrayList<>();
        for (final Watched w : watched.values())
        {
            final int id = w.replica.id();
            final String name = "replica " + id + " (partition " + w.replica.partition() + ")";
            if (w.givenUp)
            {
                continue;
            }
            if (w.restartAtNs >= 0)
            {
                if (nowNs - w.restartAtNs >= 0)
                {
                    w.restartAtNs = -1;
                    w.startedNs = nowNs;
                    w.readyReported = false;
                    try
                    {
                        // a replica whose disk was replaced meanwhile is rebuilt from a peer
                        cluster.restart(id, List.of("--rebuild"));
                    }
                    catch (final IllegalStateException ex)
                    {
                        return lines; // stopping
                    }
                    catch (final BenchFailureException ex)
                    {
                        w.givenUp = true;
                        lines.add("giving up on " + name + ": " + ex.getMessage());
                    }
                }
                continue;
            }
            if (cluster.isAlive(id))
            {
                if (!w.readyReported && cluster.isReady(id))
                {
                    w.readyReported = true;
                    lines.add(name + " READY again (attempt " + w.failures + "); " + cluster.runsOn(w.replica.partition()));
                }
                continue;
            }
            final int exit = cluster.exitCode(id);
            final long upNs = nowNs - w.startedNs;
            w.failures = upNs >= policy.resetAfter().toNanos() ? 1 : w.failures + 1;
            if (w.failures >= policy.giveUpAfter() && upNs < policy.resetAfter().toNanos())
            {
                w.givenUp = true;
                lines.add("giving up on " + name + ": it exited " + w.failures + " times in a row, each within " +
                    format(policy.resetAfter()) + " of starting (last exit " + exit + "): " +
                    why(id, cluster.stderrFile(id)) + "; " + cluster.runsOn(w.replica.partition()) +
                    "; fix the cause, then start it with 'ramcast replica --config FILE --id " + id + "' or " +
                    "restart the cluster");
                continue;
            }
            final Duration delay = policy.delay(w.failures);
            w.restartAtNs = nowNs + delay.toNanos();
            lines.add("restarting " + name + " in " + format(delay) + " (exit " + exit + ", attempt " + w.failures + ")");
        }
        return lines;
    }

    /** @return whether a replica is waiting for its restart or starting (the cluster is not finished). */
    boolean hasPending()
    {
        return watched.values().stream().anyMatch(w -> !w.givenUp && (w.restartAtNs >= 0 || cluster.isAlive(w.replica.id())));
    }

    /**
     * @return the reason a replica gave for stopping: its last {@code replica <id> cannot start:} or
     *         {@code replica <id> stopped:} line on stderr, else where to look.
     */
    static String why(final int id, final Path stderrFile)
    {
        final String start = "replica " + id + " cannot start:";
        final String stopped = "replica " + id + " stopped:";
        try
        {
            String found = null;
            for (final String line : Files.readAllLines(stderrFile))
            {
                if (line.startsWith(start) || line.startsWith(stopped))
                {
                    found = line.strip();
                }
            }
            return found != null ? found + " (see " + stderrFile + ")" : "it gave no reason; see " + stderrFile;
        }
        catch (final IOException ex)
        {
            return "its log " + stderrFile + " cannot be read: " + ex.getMessage();
        }
    }

    /** @return "2 s", "500 ms", "1 min". */
    static String format(final Duration d)
    {
        final long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0)
        {
            return ms / 60_000 + " min";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
