package io.ramcast.bench.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The faults {@code ramcast faults} injects, in order, one every step interval.
 *
 * <p>Syntax: a comma-separated list of steps, each {@code kind[:group]} or
 * {@code kind:TARGET:seconds}, where TARGET is a replica id N, {@code leader-G} (the replica that
 * leads group G when the step runs, asked from the replicas' STATUS lines) or {@code follower-G} (a
 * live replica of group G that does not lead it, chosen as {@code kill-follower} chooses):
 * <ul>
 *   <li>{@code kill-leader[:G]}: SIGKILL the replica that leads group G (default 0);</li>
 *   <li>{@code kill-follower[:G]}: SIGKILL a replica of group G (default 0) that does not lead it;</li>
 *   <li>{@code kill-client}: SIGKILL one bank client process (never the last one);</li>
 *   <li>{@code pause-leader[:G]}: SIGSTOP the leader of group G (default 0) for the pause duration,
 *       then SIGCONT it;</li>
 *   <li>{@code isolate:N:SECONDS}: cut replica N from every other replica and every client, both
 *       ways, for SECONDS, then heal;</li>
 *   <li>{@code isolate-one-way:N:SECONDS}: drop only what replica N sends, for SECONDS, then heal;</li>
 *   <li>{@code isolate-from-clients:N:SECONDS}: cut replica N from the clients only, both ways,
 *       for SECONDS, then heal;</li>
 *   <li>{@code flap:N:SECONDS[:PERIOD]}: replica N's links go down (both ways, as isolate) and up
 *       again every PERIOD (default 1 s: cut for PERIOD, healed for PERIOD) for SECONDS, then stay
 *       healed;</li>
 *   <li>{@code restart-replica:N[:SECONDS]}: SIGKILL replica N, start it again on its own data
 *       SECONDS later (default 3) and wait for READY; it must catch up with its group (what it
 *       missed comes from its peers) and is checked like every other replica;</li>
 *   <li>{@code wipe-replica:N[:SECONDS]}: SIGKILL replica N, delete its data directory (a lost
 *       disk), start it again SECONDS later (default 3) with {@code --rebuild}: it fetches a
 *       snapshot of its partition from a peer, catches up and is checked like every other replica;</li>
 *   <li>{@code restart-all}: SIGTERM every running replica, start them all again on the same data;</li>
 *   <li>{@code rolling-restart[:G]}: SIGTERM each running replica (of group G only, when given) in
 *       turn, start it again on its own data and wait until its STATUS says it caught up before the
 *       next, while the load goes on;</li>
 *   <li>{@code kill-all}: SIGKILL every running replica at once, mid-load, start them all again on
 *       the same data.</li>
 * </ul>
 * An empty string is a schedule without faults. {@link #validate} refuses a schedule that would
 * take down a majority of a group (kills plus pauses above {@code (size - 1) / 2}, or an isolation
 * while that many are down: a cut or a restart counts only while it lasts) or every client. A
 * replica cut off longer than its partition's history of deliveries (16,384 by default) stays
 * behind after its heal until it is rebuilt, which the validation does not foresee.
 *
 * @param steps the steps, in order.
 */
record FaultSchedule(List<FaultSchedule.Step> steps)
{
    /** The group of a {@code rolling-restart} without one: every group's replicas are restarted. */
    static final int ALL_GROUPS = -1;

    /** The schedule of issue 5: a leader, a follower of another group, a client, a paused leader. */
    static final String DEFAULT = "kill-leader:0,kill-follower:1,kill-client,pause-leader:2";

    /** What a step does. */
    enum Kind
    {
        /** SIGKILL the leader of a group. */
        KILL_LEADER,
        /** SIGKILL a replica of a group that does not lead it. */
        KILL_FOLLOWER,
        /** SIGKILL a bank client process. */
        KILL_CLIENT,
        /** SIGSTOP the leader of a group, then SIGCONT it after the pause duration. */
        PAUSE_LEADER,
        /** Cut a replica from every other replica and every client, both ways, then heal. */
        ISOLATE,
        /** Drop what a replica sends to every other replica and every client, then heal. */
        ISOLATE_ONE_WAY,
        /** Cut a replica from the clients only, both ways, then heal. */
        ISOLATE_FROM_CLIENTS,
        /** Cut a replica's links both ways and heal them again, repeatedly, then heal. */
        FLAP,
        /** SIGTERM every running replica, wait for them to exit, start them again on the same data. */
        RESTART_ALL,
        /** SIGKILL every running replica at once, start them again on the same data. */
        KILL_ALL,
        /** SIGKILL one replica, start it again on its own data after the step's duration. */
        RESTART_REPLICA,
        /** SIGKILL one replica, delete its data, start it again with --rebuild after the step's duration. */
        WIPE_REPLICA,
        /** SIGTERM each replica in turn, start it again, wait until it caught up before the next. */
        ROLLING_RESTART;

        /** @return the name in the schedule syntax, e.g. {@code kill-leader}. */
        String cliName()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** @return whether the step targets a group (its leader or a follower). */
        boolean hasGroup()
        {
            return this == KILL_LEADER || this == KILL_FOLLOWER || this == PAUSE_LEADER;
        }

        /** @return whether the step cuts links of one replica for a time ({@code kind:TARGET:SECONDS}). */
        boolean isIsolation()
        {
            return this == ISOLATE || this == ISOLATE_ONE_WAY || this == ISOLATE_FROM_CLIENTS || this == FLAP;
        }

        /** @return whether the step takes one replica out for a time ({@code kind:TARGET:SECONDS}). */
        boolean isTimed()
        {
            return isIsolation() || isReplicaRestart();
        }

        /** @return whether the step kills one replica and starts it again ({@code restart-replica}, {@code wipe-replica}). */
        boolean isReplicaRestart()
        {
            return this == RESTART_REPLICA || this == WIPE_REPLICA;
        }

        /** @return whether the step stops and starts every replica (the clients are replaced). */
        boolean isWholeCluster()
        {
            return this == RESTART_ALL || this == KILL_ALL;
        }
    }

    /** Which replica an isolation step cuts off. */
    enum Target
    {
        /** The replica with the step's id. */
        REPLICA,
        /** The leader of the step's group when the step runs. */
        LEADER,
        /** A live replica of the step's group that does not lead it when the step runs. */
        FOLLOWER
    }

    /** Longest cut an isolation step accepts. */
    static final Duration MAX_ISOLATION = Duration.ofHours(1);
    /** How long a restarted replica stays down when its step does not say. */
    static final Duration DEFAULT_RESTART_DELAY = Duration.ofSeconds(3);
    /** How long a flap keeps the links cut, and then healed, when its step does not say. */
    static final Duration DEFAULT_FLAP_PERIOD = Duration.ofSeconds(1);

    /**
     * One step.
     *
     * @param kind      what it does.
     * @param group     the group it targets: of a kind with {@link Kind#hasGroup()}, of an
     *                  isolation whose target is a leader or follower, or of a rolling restart of
     *                  one group ({@link #ALL_GROUPS} for one of every group); 0 otherwise.
     * @param replicaId the replica an isolation cuts off when its target is {@link Target#REPLICA}; -1 otherwise.
     * @param duration  how long an isolation lasts before the heal; zero for other kinds.
     * @param target    whom an isolation cuts off; {@link Target#REPLICA} for other kinds.
     * @param period    how long a flap's links stay cut, and then healed; zero for other kinds.
     */
    record Step(Kind kind, int group, int replicaId, Duration duration, Target target, Duration period)
    {
        /**
         * An isolation of one replica by id (a flap with the default period).
         *
         * @param kind      an isolation kind.
         * @param group     0.
         * @param replicaId the replica cut off.
         * @param duration  how long.
         */
        Step(final Kind kind, final int group, final int replicaId, final Duration duration)
        {
            this(kind, group, replicaId, duration, Target.REPLICA, kind == Kind.FLAP ? DEFAULT_FLAP_PERIOD : Duration.ZERO);
        }

        /**
         * A step without a replica and a duration.
         *
         * @param kind  what it does (not an isolation).
         * @param group the group it targets; 0 if it targets none.
         */
        Step(final Kind kind, final int group)
        {
            this(kind, group, -1, Duration.ZERO);
        }

        /** @return the target as written: {@code N}, {@code leader-G} or {@code follower-G}. */
        String targetName()
        {
            return switch (target)
            {
                case REPLICA -> Integer.toString(replicaId);
                case LEADER -> "leader-" + group;
                case FOLLOWER -> "follower-" + group;
            };
        }

        @Override
        public String toString()
        {
            if (kind.isTimed())
            {
                return kind.cliName() + ":" + targetName() + ":" + duration.toSeconds() +
                    (kind == Kind.FLAP && !period.equals(DEFAULT_FLAP_PERIOD) ? ":" + formatPeriod(period) : "");
            }
            return kind.cliName() + (kind.hasGroup() || kind == Kind.ROLLING_RESTART && group >= 0 ? ":" + group : "");
        }
    }

    /**
     * @param text the schedule in the syntax of the class comment.
     * @return the schedule.
     * @throws IllegalArgumentException naming the step that does not parse.
     */
    static FaultSchedule parse(final String text)
    {
        final List<Step> steps = new ArrayList<>();
        if (text.isBlank())
        {
            return new FaultSchedule(steps);
        }
        for (final String raw : text.split(",", -1))
        {
            final String item = raw.strip();
            final int colon = item.indexOf(':');
            final String name = colon < 0 ? item : item.substring(0, colon);
            Kind kind = null;
            for (final Kind k : Kind.values())
            {
                if (k.cliName().equals(name))
                {
                    kind = k;
                }
            }
            if (kind == null)
            {
                throw new IllegalArgumentException("step '" + item + "': unknown kind '" + name + "'; expected one of " +
                    "kill-leader[:G], kill-follower[:G], kill-client, pause-leader[:G], isolate:N:SECONDS, " +
                    "isolate-one-way:N:SECONDS, isolate-from-clients:N:SECONDS, flap:N:SECONDS[:PERIOD], restart-replica:N[:SECONDS], wipe-replica:N[:SECONDS], " +
                    "restart-all, kill-all, rolling-restart[:G] (N: a replica id, leader-G or follower-G)");
            }
            final String argument = colon < 0 ? null : item.substring(colon + 1);
            if (kind.isTimed())
            {
                steps.add(isolation(item, kind, argument));
                continue;
            }
            int group = kind == Kind.ROLLING_RESTART ? ALL_GROUPS : 0;
            if (argument != null)
            {
                if (!kind.hasGroup() && kind != Kind.ROLLING_RESTART)
                {
                    throw new IllegalArgumentException("step '" + item + "': " + name + " takes no " +
                        (kind.isWholeCluster() ? "argument" : "group"));
                }
                try
                {
                    group = Integer.parseInt(argument);
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException("step '" + item + "': group '" + argument + "' is not a number", ex);
                }
            }
            steps.add(new Step(kind, group));
        }
        return new FaultSchedule(List.copyOf(steps));
    }

    /** @return an isolation step from {@code TARGET:SECONDS} (a flap also {@code TARGET:SECONDS:PERIOD}), or why it does not parse. */
    private static Step isolation(final String item, final Kind kind, final String argument)
    {
        String[] parts = argument == null ? new String[0] : argument.split(":", -1);
        final boolean flap = kind == Kind.FLAP;
        if (kind.isReplicaRestart() && parts.length == 1)
        {
            parts = new String[] {parts[0], Long.toString(DEFAULT_RESTART_DELAY.toSeconds())};
        }
        if (parts.length != 2 && !(flap && parts.length == 3))
        {
            throw new IllegalArgumentException("step '" + item + "': " + kind.cliName() + " needs a replica and a " +
                "duration: " + kind.cliName() + ":N:SECONDS" + (flap ? "[:PERIOD]" : "") +
                " (N: a replica id, leader-G or follower-G)");
        }
        Target target = Target.REPLICA;
        int group = 0;
        int replicaId = -1;
        final String who = parts[0];
        try
        {
            if (who.startsWith("leader-"))
            {
                target = Target.LEADER;
                group = Integer.parseInt(who.substring("leader-".length()));
            }
            else if (who.startsWith("follower-"))
            {
                target = Target.FOLLOWER;
                group = Integer.parseInt(who.substring("follower-".length()));
            }
            else
            {
                replicaId = Integer.parseInt(who);
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("step '" + item + "': replica '" + who + "' is not a number, " +
                "leader-G or follower-G", ex);
        }
        final long seconds;
        try
        {
            seconds = Long.parseLong(parts[1]);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("step '" + item + "': seconds '" + parts[1] + "' is not a whole number", ex);
        }
        if (seconds < 1 || seconds > MAX_ISOLATION.toSeconds())
        {
            throw new IllegalArgumentException("step '" + item + "': seconds must be in 1.." + MAX_ISOLATION.toSeconds() +
                ", got " + seconds);
        }
        Duration period = Duration.ZERO;
        if (flap)
        {
            period = parts.length == 3 ? parsePeriod(item, parts[2]) : DEFAULT_FLAP_PERIOD;
            if (period.compareTo(Duration.ofMillis(100)) < 0 || period.compareTo(Duration.ofSeconds(seconds)) > 0)
            {
                throw new IllegalArgumentException("step '" + item + "': the period must be in 100ms.." + seconds +
                    "s (the flap's length), got " + formatPeriod(period));
            }
        }
        return new Step(kind, group, replicaId, Duration.ofSeconds(seconds), target, period);
    }

    /** @return a flap period: whole seconds, or a number with {@code ms} or {@code s}. */
    private static Duration parsePeriod(final String item, final String text)
    {
        try
        {
            if (text.endsWith("ms"))
            {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            return Duration.ofSeconds(Long.parseLong(text.endsWith("s") ? text.substring(0, text.length() - 1) : text));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("step '" + item + "': period '" + text + "' is not a duration " +
                "(whole seconds, or e.g. 500ms or 2s)", ex);
        }
    }

    private static String formatPeriod(final Duration period)
    {
        return period.toMillis() % 1000 == 0 ? Long.toString(period.toSeconds()) : period.toMillis() + "ms";
    }

    /**
     * Checks the schedule against a cluster whose replica ids are {@code 0..n-1}, group by group in
     * ascending order (as in {@code config/local.yaml}).
     *
     * @param groupSizes replicas per group, indexed by group id.
     * @param clients    bank client processes.
     * @throws IllegalArgumentException naming the step that cannot run.
     */
    void validate(final int[] groupSizes, final int clients)
    {
        final Map<Integer, Integer> groupByReplicaId = new HashMap<>();
        int id = 0;
        for (int g = 0; g < groupSizes.length; g++)
        {
            for (int i = 0; i < groupSizes[g]; i++)
            {
                groupByReplicaId.put(id++, g);
            }
        }
        validate(groupSizes, groupByReplicaId, clients);
    }

    /**
     * Checks the schedule against a cluster.
     *
     * @param groupSizes       replicas per group, indexed by group id.
     * @param groupByReplicaId the group of each replica id.
     * @param clients          bank client processes.
     * @throws IllegalArgumentException naming the step that cannot run.
     */
    void validate(final int[] groupSizes, final Map<Integer, Integer> groupByReplicaId, final int clients)
    {
        final int[] down = new int[groupSizes.length];
        int clientsKilled = 0;
        for (final Step step : steps)
        {
            if (step.kind().isWholeCluster())
            {
                continue;
            }
            if (step.kind().isTimed() && step.target() != Target.REPLICA)
            {
                requireGroup(step, groupSizes);
                final int[] during = down.clone();
                countDown(step, step.group(), groupSizes, during);
                continue;
            }
            if (step.kind().isTimed())
            {
                final Integer group = groupByReplicaId.get(step.replicaId());
                if (group == null)
                {
                    throw new IllegalArgumentException("step " + step + ": the cluster has no replica " + step.replicaId() +
                        " (replicas " + new java.util.TreeSet<>(groupByReplicaId.keySet()) + ")");
                }
                // a cut heals before the next step: it takes its replica down only while it lasts
                final int[] during = down.clone();
                countDown(step, group, groupSizes, during);
                continue;
            }
            if (step.kind() == Kind.ROLLING_RESTART)
            {
                if (step.group() != ALL_GROUPS)
                {
                    requireGroup(step, groupSizes);
                }
                // one replica of a group down at a time, and only while it restarts
                for (int g = 0; g < groupSizes.length; g++)
                {
                    if (step.group() == ALL_GROUPS || step.group() == g)
                    {
                        countDown(step, g, groupSizes, down.clone());
                    }
                }
                continue;
            }
            if (step.kind() == Kind.KILL_CLIENT)
            {
                if (++clientsKilled >= clients)
                {
                    throw new IllegalArgumentException("step " + step + " would kill the last of the " + clients +
                        " bank clients; run more with --clients");
                }
                continue;
            }
            requireGroup(step, groupSizes);
            countDown(step, step.group(), groupSizes, down);
        }
    }

    /** Refuses a step whose group the cluster does not have. */
    private static void requireGroup(final Step step, final int[] groupSizes)
    {
        if (step.group() < 0 || step.group() >= groupSizes.length)
        {
            throw new IllegalArgumentException("step " + step + ": the cluster has groups 0.." + (groupSizes.length - 1));
        }
    }

    /**
     * @param config the cluster.
     * @return its replicas per group, indexed by group id (the {@code groupSizes} of {@link #validate}).
     */
    static int[] groupSizes(final io.ramcast.txn.config.ClusterConfig config)
    {
        return java.util.stream.IntStream.range(0, config.partitionCount()).map(p -> config.replicas(p).size()).toArray();
    }

    /** Counts one more replica of {@code group} down; refuses more than the minority it survives. */
    private static void countDown(final Step step, final int group, final int[] groupSizes, final int[] down)
    {
        final int tolerated = (groupSizes[group] - 1) / 2;
        if (++down[group] > tolerated)
        {
            throw new IllegalArgumentException("step " + step + " would take down " + down[group] + " of the " +
                groupSizes[group] + " replicas of group " + group + ", more than the minority (" +
                tolerated + ") it survives");
        }
    }

    /** @return whether a step cuts links, so the run needs a {@link LinkCutter}. */
    boolean needsLinkCutter()
    {
        return steps.stream().anyMatch(st -> st.kind().isIsolation());
    }

    /**
     * @return the ids of the replicas an isolation step names by id (they may stay behind after the
     *         heal); the leaders and followers a step names by role are known only when it runs.
     */
    java.util.Set<Integer> isolatedReplicaIds()
    {
        return steps.stream().filter(st -> st.kind().isIsolation() && st.target() == Target.REPLICA).map(Step::replicaId)
            .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    /** @return the total time the timed steps (isolations, restarts) keep a replica out. */
    Duration isolationTime()
    {
        return steps.stream().filter(st -> st.kind().isTimed()).map(Step::duration).reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * @return how many times the isolation steps cut links: one per isolation, one per down phase
     *         of a flap ({@code ceil(duration / (2 * period))}).
     */
    int cuts()
    {
        return (int)steps.stream().filter(st -> st.kind().isIsolation()).mapToLong(st -> st.kind() != Kind.FLAP ? 1 :
            (st.duration().toNanos() + 2 * st.period().toNanos() - 1) / (2 * st.period().toNanos())).sum();
    }

    /** @return the number of whole-cluster steps (restart-all, kill-all): each replaces the bank clients. */
    int restarts()
    {
        return (int)steps.stream().filter(st -> st.kind().isWholeCluster()).count();
    }

    /** @return the number of kill-all steps: each replaces the bank clients and the controller. */
    int killAlls()
    {
        return (int)steps.stream().filter(st -> st.kind() == Kind.KILL_ALL).count();
    }

    /** @return the number of single-replica restarts ({@code restart-replica} and {@code wipe-replica}). */
    int replicaRestarts()
    {
        return (int)steps.stream().filter(st -> st.kind().isReplicaRestart()).count();
    }

    /**
     * @param groupSizes replicas per group, indexed by group id.
     * @return how many replica restarts the rolling restarts make: every replica for one of the
     *         whole cluster, the group's for one of a group.
     */
    long rollingRestartReplicas(final int[] groupSizes)
    {
        final int all = java.util.Arrays.stream(groupSizes).sum();
        return steps.stream().filter(st -> st.kind() == Kind.ROLLING_RESTART)
            .mapToLong(st -> st.group() == ALL_GROUPS ? all : groupSizes[st.group()]).sum();
    }

    /** @return the number of steps that kill a client. */
    int clientKills()
    {
        return (int)steps.stream().filter(s -> s.kind() == Kind.KILL_CLIENT).count();
    }

    @Override
    public String toString()
    {
        return steps.isEmpty() ? "(no faults)" : String.join(",", steps.stream().map(Step::toString).toList());
    }
}
