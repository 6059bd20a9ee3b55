package io.ramcast.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole cluster restarted with its saved votes ({@link VoteStore}): every server is a new
 * incarnation that kept only its ballots and clock ceiling. No group may resume a ballot it used
 * before (its leader's stream is gone), and no timestamp delivered after the restart may be at or
 * below one delivered before it — the replicas' stores skip nothing and apply nothing out of order.
 */
class RestartVotesSimulationTest
{
    private static final GroupTopology TOPOLOGY = GroupTopology.uniform(3, 3, 4);

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldOrderEverythingAfterARestartAboveEverythingBeforeIt()
    {
        for (long seed = 1; seed <= 30; seed++)
        {
            runSeed(seed);
        }
    }

    private static void runSeed(final long seed)
    {
        final Map<Integer, VoteStore> votes = new HashMap<>();
        for (final int s : TOPOLOGY.servers())
        {
            votes.put(s, VoteStore.inMemory());
        }
        long maxBefore = Long.MIN_VALUE;
        final Map<Integer, Long> ballotsBefore = new HashMap<>();
        try (ClusterSimulation first = new ClusterSimulation(seed, TOPOLOGY, FaultSimulationTest.faultOptions(4), 12, 3,
            200_000, votes::get))
        {
            first.runToCompletion(100_000, () ->
            {
                if (first.completed >= 20 && !first.crashed[0])
                {
                    first.crash(0, seed % 2 == 0); // a leader change in group 0 before the restart
                }
            });
            first.settle(200, 20_000);
            assertThat(first.check(false).isValid()).as("seed %d before the restart", seed).isTrue();
            maxBefore = maxFinal(first);
            for (int g = 0; g < TOPOLOGY.groupCount(); g++)
            {
                ballotsBefore.put(g, votes.get(TOPOLOGY.members(g)[1]).load().ballot());
            }
        }
        assertThat(ballotsBefore.get(0)).as("seed %d: group 0 changed leader", seed).isGreaterThan(Ballots.of(1, 0));

        try (ClusterSimulation second = new ClusterSimulation(seed + 1000, TOPOLOGY,
            FaultSimulationTest.faultOptions(4), 12, 3, 200_000, votes::get))
        {
            second.runToCompletion(200_000);
            second.settle(200, 20_000);
            final var result = second.check(true);
            assertThat(result.isValid()).as("seed %d after the restart: %s", seed, result.summary()).isTrue();
            assertThat(second.completed).as("seed %d completions after the restart", seed).isEqualTo(4 * 12);
            for (final List<Delivery> deliveries : second.deliveriesBy)
            {
                for (final Delivery d : deliveries)
                {
                    assertThat(d.finalTimestamp()).as("seed %d: delivered after the restart at or below a timestamp " +
                        "delivered before it", seed).isGreaterThan(maxBefore);
                }
            }
            for (int g = 0; g < TOPOLOGY.groupCount(); g++)
            {
                final int leader = second.leaderOf(g);
                assertThat(leader).as("seed %d group %d has a leader", seed, g).isNotNegative();
                assertThat(second.servers[leader].ballotView()).as("seed %d group %d leads in a new ballot", seed, g)
                    .isGreaterThan(ballotsBefore.get(g));
            }
        }
    }

    private static long maxFinal(final ClusterSimulation sim)
    {
        long max = Long.MIN_VALUE;
        for (final List<Delivery> deliveries : sim.deliveriesBy)
        {
            for (final Delivery d : deliveries)
            {
                max = Math.max(max, d.finalTimestamp());
            }
        }
        return max;
    }
}
