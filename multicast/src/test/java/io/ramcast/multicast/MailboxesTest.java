package io.ramcast.multicast;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.FaultInjectingFabric;
import io.ramcast.multicast.fabric.LocalFabricHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MailboxesTest
{
    private static final MulticastOptions SMALL = MulticastOptions.builder().mailboxBytes(4096).slotSizeBytes(512).build();

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryMessageInOrderAcrossWrapAroundAndBackPressure()
    {
        for (long seed = 1; seed <= 20; seed++)
        {
            runSeed(seed);
        }
    }

    private static void runSeed(final long seed)
    {
        final GroupTopology topology = GroupTopology.uniform(2, 1, 1);
        final int serverA = 0;
        final int serverB = 1;
        final int client = 2;
        final Random random = new Random(seed);
        final SimClock clock = new SimClock();
        final LocalFabricHub hub = new LocalFabricHub();
        final Fabric[] fabrics = new Fabric[3];
        final Mailboxes[] mailboxes = new Mailboxes[3];
        final List<List<byte[]>> received = new ArrayList<>();
        for (int p = 0; p < 3; p++)
        {
            final FaultInjectingFabric f = new FaultInjectingFabric(hub.endpoint(p), new Random(random.nextLong()), clock);
            f.defaultLinkDelay(0, 50_000);
            fabrics[p] = f;
            final List<byte[]> sink = new ArrayList<>();
            received.add(sink);
            mailboxes[p] = new Mailboxes(topology, SMALL, f, (sender, message) ->
            {
                assertThat(sender).isEqualTo(serverA);
                sink.add(message);
            });
        }
        for (final Fabric f : fabrics)
        {
            f.start();
        }
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++)
        {
            final byte[] m = new byte[random.nextInt(SMALL.maxMailboxMessageBytes() + 1)];
            random.nextBytes(m);
            sent.add(m);
            mailboxes[serverA].send(client, m);
            mailboxes[serverA].send(serverB, m);
        }
        for (int step = 0; step < 200_000 && (received.get(client).size() < 300 || received.get(serverB).size() < 300); step++)
        {
            clock.advance(1_000 + random.nextInt(10_000));
            for (int p = 0; p < 3; p++)
            {
                fabrics[p].doWork();
                mailboxes[p].doWork();
            }
        }
        for (final int receiver : new int[] {client, serverB})
        {
            final List<byte[]> got = received.get(receiver);
            assertThat(got).as("seed %d receiver %d", seed, receiver).hasSize(300);
            for (int i = 0; i < 300; i++)
            {
                assertThat(got.get(i)).as("seed %d message %d", seed, i).isEqualTo(sent.get(i));
            }
        }
        assertThat(mailboxes[serverA].backlogCount()).isZero();
        for (final Fabric f : fabrics)
        {
            f.close();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReachARestartedClientUnderTheSameId() throws Exception
    {
        final GroupTopology topology = GroupTopology.uniform(1, 1, 1);
        final LocalFabricHub hub = new LocalFabricHub();
        try (RamcastServer server = RamcastServer.builder().topology(topology).options(SMALL).fabric(hub.endpoint(0))
            .deliveryHandler(d -> { }).build().start())
        {
            for (int run = 0; run < 3; run++)
            {
                final ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
                try (RamcastClient client = RamcastClient.builder().topology(topology).options(SMALL)
                    .fabric(hub.endpoint(1)).messageHandler((sender, m) -> got.add(new String(m))).build().start())
                {
                    assertThat(client.awaitConnected(Duration.ofSeconds(10))).isEmpty();
                    for (int i = 0; i < 200; i++)
                    {
                        assertThat(server.send(1, ("run" + run + "-" + i).getBytes())).isTrue();
                    }
                    Await.until(() -> got.size() == 200, Duration.ofSeconds(10), "run " + run + ": 200 messages arrive");
                    assertThat(got.peek()).isEqualTo("run" + run + "-0");
                }
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldSendThroughTheServerFacadeAndRefuseBadMessages() throws Exception
    {
        final GroupTopology topology = GroupTopology.uniform(1, 1, 1);
        final LocalFabricHub hub = new LocalFabricHub();
        final ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        try (RamcastServer server = RamcastServer.builder().topology(topology).options(SMALL).fabric(hub.endpoint(0))
                .deliveryHandler(d -> { }).build().start();
            RamcastClient client = RamcastClient.builder().topology(topology).options(SMALL).fabric(hub.endpoint(1))
                .messageHandler((sender, m) -> got.add(sender + ":" + new String(m))).build().start())
        {
            assertThat(client.awaitConnected(Duration.ofSeconds(10))).isEmpty();
            for (int i = 0; i < 100; i++)
            {
                assertThat(server.send(1, ("m" + i).getBytes())).isTrue();
            }
            Await.until(() -> got.size() == 100, Duration.ofSeconds(10), "100 messages arrive");
            assertThat(got).first().isEqualTo("0:m0");
            assertThat(got.stream().toList().get(99)).isEqualTo("0:m99");

            assertThatThrownBy(() -> server.send(7, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown process 7");
            assertThatThrownBy(() -> server.send(1, new byte[SMALL.maxMailboxMessageBytes() + 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit");
            assertThat(Arrays.asList(client.processId())).containsExactly(1);
        }
    }
}
