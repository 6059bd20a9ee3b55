package io.ramcast.check.multicast;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * A history held as plain mutable lists, so that a test can break it on purpose before building
 * it. {@link #valid} generates a correct one: a global total order of random multicasts to random
 * destination subsets, projected onto every destination process.
 */
final class GeneratedHistory
{
    /** One log line. */
    record Line(MessageId id, int[] dst)
    {
    }

    static final int REPLICAS = 3;
    static final int FIRST_CLIENT = 100;

    final TreeMap<Integer, int[]> groups = new TreeMap<>();
    final TreeMap<Integer, List<Line>> deliveries = new TreeMap<>();
    final TreeMap<Integer, List<Line>> multicasts = new TreeMap<>();
    final TreeSet<Integer> crashed = new TreeSet<>();

    /**
     * @param seed       random seed.
     * @param groupCount number of groups, of {@link #REPLICAS} replicas each (group g has processes
     *                   3g, 3g+1, 3g+2).
     * @param clients    number of clients (ids from {@link #FIRST_CLIENT}).
     * @param messages   number of multicasts, each delivered by every member of its destination.
     */
    static GeneratedHistory valid(final long seed, final int groupCount, final int clients, final int messages)
    {
        final Random random = new Random(seed);
        final GeneratedHistory history = new GeneratedHistory();
        for (int g = 0; g < groupCount; g++)
        {
            final int[] members = new int[REPLICAS];
            for (int r = 0; r < REPLICAS; r++)
            {
                members[r] = g * REPLICAS + r;
                history.deliveries.put(members[r], new ArrayList<>());
            }
            history.groups.put(g, members);
        }
        final long[] nextSeq = new long[clients];
        for (int c = 0; c < clients; c++)
        {
            history.multicasts.put(FIRST_CLIENT + c, new ArrayList<>());
        }
        for (int k = 0; k < messages; k++)
        {
            final int c = random.nextInt(clients);
            final MessageId id = MessageId.of(FIRST_CLIENT + c, ++nextSeq[c]);
            final int mask = 1 + random.nextInt((1 << groupCount) - 1);
            final int[] dst = IntStream.range(0, groupCount)
                .filter((g) -> (mask & (1 << g)) != 0).toArray();
            final Line line = new Line(id, dst);
            history.multicasts.get(FIRST_CLIENT + c).add(line);
            for (final int g : dst)
            {
                for (final int pid : history.groups.get(g))
                {
                    history.deliveries.get(pid).add(line);
                }
            }
        }
        return history;
    }

    /** Crashes a random replica after a random prefix of its deliveries. Returns its id. */
    int crashRandomReplicaMidway(final Random random)
    {
        final List<Integer> servers = new ArrayList<>(deliveries.keySet());
        final int pid = servers.get(random.nextInt(servers.size()));
        truncate(pid, random.nextInt(deliveries.get(pid).size() + 1));
        crashed.add(pid);
        return pid;
    }

    void truncate(final int pid, final int keep)
    {
        final List<Line> log = deliveries.get(pid);
        log.subList(keep, log.size()).clear();
    }

    MulticastHistory build()
    {
        final MulticastHistory.Builder builder = MulticastHistory.builder();
        groups.forEach(builder::group);
        crashed.forEach(builder::crashed);
        deliveries.forEach((pid, log) -> log.forEach((l) -> builder.recordDelivery(pid, l.id(), l.dst())));
        multicasts.forEach((pid, log) -> log.forEach((l) -> builder.recordMulticast(pid, l.id(), l.dst())));
        return builder.build();
    }
}
