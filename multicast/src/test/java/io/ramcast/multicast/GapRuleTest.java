package io.ramcast.multicast;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interleaving of ramcast-protocol.md §D.11 D-3, made deterministic: two clients to one group
 * {l, p, p2}; client c1's write to follower p is late. The leader proposes c1's message m1 before
 * c2's m2. Without the gap rule p would ack and deliver m2 alone while l and p2 deliver m1 first.
 * With H2 p reads the leader stream strictly in order and waits for m1's body.
 */
class GapRuleTest
{
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldNotLetSlowFollowerDeliverLaterMessageFirst()
    {
        final GroupTopology topology = GroupTopology.uniform(3, 3, 2);
        final int leader = 0;
        final int slowFollower = 1;
        final int follower = 2;
        final int c1 = 9;
        final int c2 = 10;
        try (ClusterSimulation sim = new ClusterSimulation(7, topology, SimulationTest.smallOptions(4), 0, 1, 0))
        {
            sim.startSessions();
            sim.fabrics[c1].pauseLink(slowFollower);

            sim.clients[c1].submit(new ClientProtocol.Request(new byte[] {1}, new int[] {0}, null));
            sim.stepProcess(c1);
            sim.clients[c2].submit(new ClientProtocol.Request(new byte[] {2}, new int[] {0}, null));
            sim.stepProcess(c2);
            for (int i = 0; i < 200; i++)
            {
                sim.step();
            }

            final List<Long> atLeader = sim.deliveredBy.get(leader);
            assertThat(atLeader).as("leader's deliveries").hasSize(2);
            assertThat(MessageIds.sender(atLeader.get(0))).as("leader proposed c1's message first").isEqualTo(c1);
            assertThat(sim.deliveredBy.get(follower)).as("the other follower acked both").isEqualTo(atLeader);
            assertThat(sim.deliveredBy.get(slowFollower)).as("slow follower must wait for m1's body").isEmpty();

            sim.fabrics[c1].resumeLink(slowFollower);
            for (int i = 0; i < 200; i++)
            {
                sim.step();
            }

            assertThat(sim.deliveredBy.get(slowFollower)).isEqualTo(atLeader);
            final var result = sim.check(true);
            assertThat(result.isValid()).as(result.summary()).isTrue();
        }
    }
}
