package io.ramcast.bench.multicast;

import io.ramcast.multicast.GroupTopology;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Command-line options that describe a uniform deployment, shared by the benchmark and the server
 * processes it starts (which must agree on it): {@code --groups G --replicas R --clients C} gives
 * servers {@code 0..G*R-1}, group g being {@code g*R..g*R+R-1}, and clients numbered after them
 * ({@link GroupTopology#uniform}).
 */
final class TopologyOptions
{
    @Option(names = "--groups", paramLabel = "G", defaultValue = "3",
        description = "Number of replica groups (default: ${DEFAULT-VALUE}).")
    int groups;

    @Option(names = "--replicas", paramLabel = "R", defaultValue = "3",
        description = "Servers per group, odd (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--clients", paramLabel = "C", defaultValue = "4",
        description = "Client processes (default: ${DEFAULT-VALUE}).")
    int clients;

    /**
     * @return the topology.
     * @throws IllegalArgumentException naming the option and the rule.
     */
    GroupTopology toTopology()
    {
        positive("--groups", groups);
        positive("--replicas", replicas);
        positive("--clients", clients);
        if ((long)groups * replicas + clients > GroupTopology.MAX_PROCESS_ID)
        {
            throw new IllegalArgumentException("--groups × --replicas + --clients = " +
                ((long)groups * replicas + clients) + " processes; at most " + GroupTopology.MAX_PROCESS_ID);
        }
        if (replicas % 2 == 0)
        {
            throw new IllegalArgumentException("--replicas=" + replicas + " must be odd (2f+1)");
        }
        return GroupTopology.uniform(groups, replicas, clients);
    }

    /** @return the arguments that reproduce these options on a child's command line. */
    List<String> toArgs()
    {
        return List.of("--groups", Integer.toString(groups), "--replicas", Integer.toString(replicas),
            "--clients", Integer.toString(clients));
    }

    /**
     * @param topology a topology.
     * @return group id to its members, as {@code topology.txt} of a delivery log wants it.
     */
    static Map<Integer, List<Integer>> groupMembers(final GroupTopology topology)
    {
        final Map<Integer, List<Integer>> members = new TreeMap<>();
        for (int g = 0; g < topology.groupCount(); g++)
        {
            final List<Integer> ids = new ArrayList<>();
            for (final int p : topology.members(g))
            {
                ids.add(p);
            }
            members.put(g, ids);
        }
        return members;
    }

    private static void positive(final String name, final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(name + "=" + value + " must be at least 1");
        }
    }
}
