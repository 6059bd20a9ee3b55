package io.ramcast.bench.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The faults {@code ramcast faults} injects, in order, one every step interval.
 *
 * <p>Syntax: a comma-separated list of steps, each {@code kind[:group]}:
 * <ul>
 *   <li>{@code kill-leader[:G]}: SIGKILL the replica that leads group G (default 0);</li>
 *   <li>{@code kill-follower[:G]}: SIGKILL a replica of group G (default 0) that does not lead it;</li>
 *   <li>{@code kill-client}: SIGKILL one bank client process (never the last one);</li>
 *   <li>{@code pause-leader[:G]}: SIGSTOP the leader of group G (default 0) for the pause duration,
 *       then SIGCONT it.</li>
 * </ul>
 * An empty string is a schedule without faults. {@link #validate} refuses a schedule that would
 * take down a majority of a group (kills plus pauses above {@code (size - 1) / 2}) or every client.
 *
 * @param steps the steps, in order.
 */
record FaultSchedule(List<FaultSchedule.Step> steps)
{
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
        PAUSE_LEADER;

        /** @return the name in the schedule syntax, e.g. {@code kill-leader}. */
        String cliName()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** @return whether the step targets a group. */
        boolean hasGroup()
        {
            return this != KILL_CLIENT;
        }
    }

    /**
     * One step.
     *
     * @param kind  what it does.
     * @param group the group it targets; 0 for {@link Kind#KILL_CLIENT}.
     */
    record Step(Kind kind, int group)
    {
        @Override
        public String toString()
        {
            return kind.cliName() + (kind.hasGroup() ? ":" + group : "");
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
                    "kill-leader[:G], kill-follower[:G], kill-client, pause-leader[:G]");
            }
            int group = 0;
            if (colon >= 0)
            {
                if (!kind.hasGroup())
                {
                    throw new IllegalArgumentException("step '" + item + "': " + name + " takes no group");
                }
                try
                {
                    group = Integer.parseInt(item.substring(colon + 1));
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException("step '" + item + "': group '" + item.substring(colon + 1) +
                        "' is not a number", ex);
                }
            }
            steps.add(new Step(kind, group));
        }
        return new FaultSchedule(List.copyOf(steps));
    }

    /**
     * Checks the schedule against a cluster.
     *
     * @param groupSizes replicas per group, indexed by group id.
     * @param clients    bank client processes.
     * @throws IllegalArgumentException naming the step that cannot run.
     */
    void validate(final int[] groupSizes, final int clients)
    {
        final int[] down = new int[groupSizes.length];
        int clientsKilled = 0;
        for (final Step step : steps)
        {
            if (step.kind() == Kind.KILL_CLIENT)
            {
                if (++clientsKilled >= clients)
                {
                    throw new IllegalArgumentException("step " + step + " would kill the last of the " + clients +
                        " bank clients; run more with --clients");
                }
                continue;
            }
            if (step.group() < 0 || step.group() >= groupSizes.length)
            {
                throw new IllegalArgumentException("step " + step + ": the cluster has groups 0.." + (groupSizes.length - 1));
            }
            final int tolerated = (groupSizes[step.group()] - 1) / 2;
            if (++down[step.group()] > tolerated)
            {
                throw new IllegalArgumentException("step " + step + " would take down " + down[step.group()] + " of the " +
                    groupSizes[step.group()] + " replicas of group " + step.group() + ", more than the minority (" +
                    tolerated + ") it survives");
            }
        }
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
