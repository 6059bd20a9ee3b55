package io.ramcast.multicast;

import io.ramcast.check.multicast.MulticastChecker;
import io.ramcast.check.multicast.MulticastHistory;
import io.ramcast.multicast.deliverylog.DeliveryLogWriter;
import io.ramcast.multicast.fabric.FaultInjectingFabric;
import io.ramcast.multicast.fabric.LocalFabricHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client id used again by a new process: the session handshake resumes every group's ring, and
 * what the earlier process left half-written reaches every destination by relay (Task 10).
 */
class ClientRestartTest
{
    @TempDir
    Path logDir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldResumeRingsAndSequencesWhenAClientIdIsReused() throws Exception
    {
        final GroupTopology topology = GroupTopology.uniform(3, 3, 1);
        final MulticastOptions options = MulticastOptions.builder().ringSlots(8).clientWindow(4).build();
        final LocalFabricHub hub = new LocalFabricHub();
        DeliveryLogWriter.writeTopology(logDir, AbstractClusterTest.groupMembers(topology), List.of());
        final List<RamcastServer> servers = new ArrayList<>();
        try
        {
            for (final int s : topology.servers())
            {
                servers.add(RamcastServer.builder().topology(topology).options(options).fabric(hub.endpoint(s))
                    .deliveryHandler(d -> { }).deliveryLog(logDir).build().start());
            }
            final Random random = new Random(5);
            final long[] perGroup = new long[topology.groupCount()];
            for (int run = 0; run < 3; run++)
            {
                try (RamcastClient client = RamcastClient.builder().topology(topology).options(options)
                    .fabric(hub.endpoint(9)).deliveryLog(logDir).build().start())
                {
                    // a member slow to answer on a loaded machine may be left out of the session's
                    // start; the client writes it once it answers, so only the session must be ready
                    client.awaitConnected(Duration.ofSeconds(10));
                    assertThat(client.sessionReady()).as("session of run %d", run).isTrue();
                    final List<CompletableFuture<Long>> sent = new ArrayList<>();
                    for (int i = 0; i < 30; i++)
                    {
                        final int[] groups = AbstractClusterTest.randomGroups(random, 3);
                        for (final int g : groups)
                        {
                            perGroup[g]++;
                        }
                        sent.add(client.multicast(new byte[] {(byte)i}, groups));
                    }
                    CompletableFuture.allOf(sent.toArray(CompletableFuture<?>[]::new)).get(20, TimeUnit.SECONDS);
                }
            }
            // a multicast completes at a majority: wait until every member delivered its group's share
            Await.until(() -> servers.stream().allMatch(s -> s.failure() == null) &&
                topology.servers().length == servers.size() &&
                java.util.stream.IntStream.range(0, servers.size()).allMatch(i ->
                    servers.get(i).deliveredCount() == perGroup[topology.groupOf(topology.servers()[i])]),
                Duration.ofSeconds(20), "every member delivered every message of its group");
        }
        finally
        {
            for (final RamcastServer s : servers)
            {
                s.close();
            }
        }
        final var result = new MulticastChecker().check(MulticastHistory.load(logDir), true);
        assertThat(result.isValid()).as(result.summary()).isTrue();
        assertThat(result.stats().messageCount()).as("three runs of one client id, message ids never reused").isEqualTo(90);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRelayTheHalfWrittenMulticastOfTheEarlierProcessAndResume()
    {
        final GroupTopology topology = GroupTopology.uniform(1, 3, 1);
        try (ClusterSimulation sim = new ClusterSimulation(3, topology, SimulationTest.smallOptions(4), 0, 1, 0))
        {
            final int client = 3;
            sim.startSessions();
            sim.clients[client].submit(new ClientProtocol.Request(new byte[] {1}, new int[] {0}, null));
            for (int i = 0; i < 50; i++)
            {
                sim.step();
            }
            // the earlier process writes its next message to member 0 only, then dies
            sim.fabrics[client].pauseLink(1);
            sim.fabrics[client].pauseLink(2);
            sim.clients[client].submit(new ClientProtocol.Request(new byte[] {2}, new int[] {0}, null));
            sim.stepProcess(client);
            sim.clock.advance(1_000);
            sim.fabrics[client].doWork();
            sim.fabrics[client].close();
            for (int i = 0; i < 20; i++)
            {
                for (final int s : topology.servers())
                {
                    sim.stepProcess(s);
                }
            }
            assertThat(sim.deliveredBy.get(1)).as("member 1 never got the second message").hasSize(1);

            final FaultInjectingFabric fresh = new FaultInjectingFabric(sim.hub.endpoint(client), new Random(1), sim.clock);
            final List<Long> sent = new ArrayList<>();
            final ClientProtocol restarted = new ClientProtocol(topology, sim.options, fresh, new ClientProtocol.Listener()
            {
                @Override
                public void onSent(final ClientProtocol.Request r)
                {
                    sent.add(r.messageId);
                }

                @Override
                public void onComplete(final ClientProtocol.Request r)
                {
                }
            }, 5000);
            fresh.start();
            restarted.submit(new ClientProtocol.Request(new byte[] {3}, new int[] {0}, null));
            for (int i = 0; i < 5_000 && sim.deliveredBy.stream().limit(3).anyMatch(d -> d.size() < 3); i++)
            {
                sim.clock.advance(1_000);
                fresh.doWork();
                restarted.doWork(sim.clock.nanoTime());
                for (final int s : topology.servers())
                {
                    sim.stepProcess(s);
                }
            }
            assertThat(restarted.sessionReady()).isTrue();
            assertThat(sent).hasSize(1);
            assertThat(MessageIds.sequence(sent.get(0))).as("numbered after every sequence a member saw").isEqualTo(3);
            for (final int s : topology.servers())
            {
                assertThat(sim.deliveredBy.get(s)).as("server %d delivers the relayed message, then the new one", s)
                    .hasSize(3).isEqualTo(sim.deliveredBy.get(0));
            }
            fresh.close();
        }
    }
}
