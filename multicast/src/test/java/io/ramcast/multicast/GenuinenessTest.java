package io.ramcast.multicast;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** RamCast is genuine (§A.5): only the sender and the destination groups take part in a message. */
class GenuinenessTest
{
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldLeaveGroupsOutsideEveryDestinationSetUntouched()
    {
        final GroupTopology topology = GroupTopology.uniform(4, 3, 2);
        try (ClusterSimulation sim = new ClusterSimulation(11, topology, SimulationTest.smallOptions(4), 0, 3, 50_000))
        {
            final int[][] destinationSets = {{0}, {1}, {0, 1}, {1, 2}, {0, 2}, {0, 1, 2}};
            for (int round = 0; round < 5; round++)
            {
                for (final int[] dst : destinationSets)
                {
                    final int client = topology.clients()[round % 2];
                    sim.clients[client].submit(new ClientProtocol.Request(new byte[] {(byte)round}, dst, null));
                    sim.issued++;
                }
            }
            sim.runToCompletion(100_000);

            for (final int s : topology.members(3))
            {
                assertThat(sim.servers[s].regionsUntouched()).as("server %d of group 3", s).isTrue();
            }
            for (final int g : new int[] {0, 1, 2})
            {
                for (final int s : topology.members(g))
                {
                    assertThat(sim.servers[s].regionsUntouched()).as("server %d of group %d", s, g).isFalse();
                }
            }
            final var result = sim.check(true);
            assertThat(result.isValid()).as(result.summary()).isTrue();
            assertThat(result.stats().messageCount()).isEqualTo(30);
        }
    }
}
