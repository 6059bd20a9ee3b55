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

    /**
     * Two servers over tcp; one restarts with fresh memory under the same id and address. Each
     * direction must work again: the survivor starts its ring to the new process over under a new
     * session (its position in the old ring means nothing there), and follows the new process's
     * ring from its start. Messages sent after the reconnection all arrive, in order; what was sent
     * while the peer was down is dropped, never delivered late or out of order.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldTalkAgainInBothDirectionsAfterAServerRestarts() throws Exception
    {
        final GroupTopology topology = GroupTopology.uniform(2, 1, 1);
        final java.net.InetSocketAddress addressA = io.ramcast.multicast.fabric.TcpFabricTestAccess.freeLoopbackAddress();
        final java.net.InetSocketAddress addressB = io.ramcast.multicast.fabric.TcpFabricTestAccess.freeLoopbackAddress();
        final java.util.Map<Integer, java.net.InetSocketAddress> addresses = java.util.Map.of(0, addressA, 1, addressB);
        final List<String> atA = new ArrayList<>();
        final Fabric fabricA = new io.ramcast.multicast.fabric.TcpFabric(0, addresses,
            io.ramcast.multicast.fabric.TcpFabricTestAccess.OPTIONS);
        final Mailboxes a = new Mailboxes(topology, SMALL, fabricA, (sender, m) -> atA.add(sender + ":" + new String(m)));
        fabricA.start();
        Fabric fabricB = new io.ramcast.multicast.fabric.TcpFabric(1, addresses,
            io.ramcast.multicast.fabric.TcpFabricTestAccess.OPTIONS);
        final List<String> atB = new ArrayList<>();
        Mailboxes b = new Mailboxes(topology, SMALL, fabricB, (sender, m) -> atB.add(sender + ":" + new String(m)));
        fabricB.start();
        try
        {
            for (int i = 0; i < 50; i++)
            {
                a.send(1, ("a" + i).getBytes());
                b.send(0, ("b" + i).getBytes());
            }
            final Fabric fb = fabricB;
            final Mailboxes mb = b;
            drive(() -> atA.size() == 50 && atB.size() == 50, "the first 50 each way", fabricA, a, fb, mb);

            fabricB.close(); // B restarts: its memory is gone
            drive(() -> a.peerDown(1), "A sees B down", fabricA, a);
            for (int i = 50; i < 60; i++)
            {
                a.send(1, ("a" + i).getBytes()); // to a dead peer: dropped
            }
            fabricB = new io.ramcast.multicast.fabric.TcpFabric(1, addresses,
                io.ramcast.multicast.fabric.TcpFabricTestAccess.OPTIONS);
            atB.clear();
            b = new Mailboxes(topology, SMALL, fabricB, (sender, m) -> atB.add(sender + ":" + new String(m)));
            fabricB.start();
            final Fabric fb2 = fabricB;
            final Mailboxes mb2 = b;
            drive(() -> !a.peerDown(1) && !mb2.peerDown(0), "A and the new B connected", fabricA, a, fb2, mb2);
            for (int i = 100; i < 400; i++)
            {
                a.send(1, ("a" + i).getBytes()); // several laps of the 4 KiB ring: credits of the new session
                b.send(0, ("B" + i).getBytes());
            }
            drive(() -> atA.size() == 350 && atB.size() == 300, "300 more each way", fabricA, a, fb2, mb2);

            final List<String> expectedAtB = new ArrayList<>();
            final List<String> expectedAtA = new ArrayList<>();
            for (int i = 0; i < 50; i++)
            {
                expectedAtA.add("1:b" + i);
            }
            for (int i = 100; i < 400; i++)
            {
                expectedAtB.add("0:a" + i);
                expectedAtA.add("1:B" + i);
            }
            assertThat(atB).as("the new B gets exactly what A sent after they reconnected, in order")
                .isEqualTo(expectedAtB);
            assertThat(atA).as("A gets the new B's messages after the old B's, in order").isEqualTo(expectedAtA);
            assertThat(a.sessionsStarted()).as("A started its ring to B over once").isEqualTo(1);
        }
        finally
        {
            fabricA.close();
            fabricB.close();
        }
    }

    private static void drive(final java.util.function.BooleanSupplier done, final String what, final Object... parts)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for: " + what + " (" + java.util.Arrays.stream(parts)
                    .filter(p -> p instanceof Mailboxes).map(p -> ((Mailboxes)p).describe() + " sessions=" +
                        ((Mailboxes)p).sessionsStarted()).toList() + ")");
            }
            for (final Object part : parts)
            {
                if (part instanceof Fabric f)
                {
                    f.doWork();
                }
                else
                {
                    ((Mailboxes)part).doWork();
                }
            }
            Thread.onSpinWait();
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
