package io.ramcast.multicast;

import io.ramcast.check.CheckResult;
import io.ramcast.check.multicast.MulticastAnomaly;
import io.ramcast.check.multicast.MulticastAnomalyType;
import io.ramcast.check.multicast.MulticastHistoryStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The role transitions of one group {0, 1, 2} seen from outside: what every member's role, ballot
 * and views say after a leader change, and a candidate that cannot reach a majority.
 */
class LeaderChangeTest
{
    private static final int CLIENT = 3;

    private static ClusterSimulation cluster()
    {
        final MulticastOptions options = SimulationTest.smallOptionsBuilder(4)
            .heartbeatIntervalMillis(1).failureTimeoutMillis(5).build();
        return new ClusterSimulation(11, GroupTopology.uniform(1, 3, 1), options, 0, 1, 0);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldMakeTheNextMemberLeaderAndTheOtherItsFollowerInOneHigherBallot()
    {
        try (ClusterSimulation sim = cluster())
        {
            sim.startSessions();
            sim.clients[CLIENT].submit(new ClientProtocol.Request(new byte[] {1}, new int[] {0}, null));
            for (int i = 0; i < 200; i++)
            {
                sim.step();
            }
            assertThat(sim.servers[0].mode()).isEqualTo(ServerProtocol.Mode.LEADER);
            assertThat(sim.servers[2].ballotView()).isEqualTo(Ballots.of(1, 0));

            sim.crash(0, true);
            for (int i = 0; i < 20_000 && sim.leaderOf(0) < 0; i++)
            {
                sim.step();
            }
            for (int i = 0; i < 200; i++)
            {
                sim.step();
            }

            final long ballot = Ballots.of(2, 1);
            assertThat(sim.servers[1].mode()).isEqualTo(ServerProtocol.Mode.LEADER);
            assertThat(sim.servers[2].mode()).isEqualTo(ServerProtocol.Mode.FOLLOWER);
            for (final int m : new int[] {1, 2})
            {
                assertThat(sim.servers[m].ballot()).as("ballot of " + m).isEqualTo(ballot);
                assertThat(sim.servers[m].ballotView()).as("ballot view of " + m).isEqualTo(ballot);
                assertThat(sim.servers[m].leaderView()).as("leader view of " + m).isEqualTo(1);
                assertThat(sim.servers[m].ballotChangesView()).as("leader changes seen by " + m).isEqualTo(1);
            }

            sim.clients[CLIENT].submit(new ClientProtocol.Request(new byte[] {2}, new int[] {0}, null));
            sim.runToCompletion(20_000);
            sim.settle(200, 20_000);
            assertThat(sim.deliveredBy.get(2)).hasSize(2).isEqualTo(sim.deliveredBy.get(1));
            final CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> result = sim.check(true);
            assertThat(result.isValid()).as(result.summary()).isTrue();
        }
    }

    /**
     * A leader that stops cleanly hands over: its successor campaigns at once, well within one
     * failure timeout (nobody suspects anyone), the old leader follows the new ballot and never
     * campaigns again, and what was delivered before and after is one order at every member.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldHandLeadershipOverWithoutWaitingForAFailureTimeout()
    {
        try (ClusterSimulation sim = cluster())
        {
            sim.startSessions();
            sim.clients[CLIENT].submit(new ClientProtocol.Request(new byte[] {1}, new int[] {0}, null));
            sim.runToCompletion(20_000);
            assertThat(sim.servers[0].mode()).isEqualTo(ServerProtocol.Mode.LEADER);

            sim.servers[0].requestHandOver();
            final long startNs = sim.clock.nanoTime();
            int steps = 0;
            while (sim.servers[1].mode() != ServerProtocol.Mode.LEADER && steps < 20_000)
            {
                sim.step();
                steps++;
            }
            final long tookNs = sim.clock.nanoTime() - startNs;
            assertThat(sim.servers[1].mode()).as("the next member leads").isEqualTo(ServerProtocol.Mode.LEADER);
            assertThat(tookNs).as("elected in %d steps, %d us: before anyone could suspect the old leader", steps,
                tookNs / 1000).isLessThan(TimeUnit.MILLISECONDS.toNanos(5));
            for (int i = 0; i < 200; i++)
            {
                sim.step();
            }
            final long ballot = Ballots.of(2, 1);
            for (final int m : new int[] {0, 1, 2})
            {
                assertThat(sim.servers[m].ballot()).as("ballot of " + m).isEqualTo(ballot);
                assertThat(sim.servers[m].leaderView()).as("leader view of " + m).isEqualTo(1);
            }
            assertThat(sim.servers[0].mode()).isEqualTo(ServerProtocol.Mode.FOLLOWER);

            sim.clients[CLIENT].submit(new ClientProtocol.Request(new byte[] {2}, new int[] {0}, null));
            sim.runToCompletion(20_000);
            sim.settle(200, 20_000);
            assertThat(sim.deliveredBy.get(1)).hasSize(2).isEqualTo(sim.deliveredBy.get(0))
                .isEqualTo(sim.deliveredBy.get(2));
            final CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> result = sim.check(true);
            assertThat(result.isValid()).as(result.summary()).isTrue();

            // the new leader crashes: the member that handed over (it is stopping) does not campaign, the third does
            sim.crash(1, true);
            for (int i = 0; i < 50_000 && sim.servers[2].mode() != ServerProtocol.Mode.LEADER; i++)
            {
                sim.step();
                assertThat(sim.servers[0].mode()).as("the member that handed over never campaigns")
                    .isEqualTo(ServerProtocol.Mode.FOLLOWER);
            }
            assertThat(sim.servers[2].mode()).isEqualTo(ServerProtocol.Mode.LEADER);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldNotCampaignWhileItCannotHearAMajority()
    {
        try (ClusterSimulation sim = cluster())
        {
            sim.startSessions();
            sim.crash(0, true);
            sim.crash(2, true);

            for (int i = 0; i < 50_000; i++)
            {
                sim.step();
                assertThat(sim.servers[1].ballot()).as("pre-vote: no ballot raised without a majority (step %d)", i)
                    .isEqualTo(Ballots.of(1, 0));
            }
            assertThat(sim.servers[1].mode()).isEqualTo(ServerProtocol.Mode.FOLLOWER);
            assertThat(sim.servers[1].leaderView()).as("still names the last leader it knew").isZero();
        }
    }
}
