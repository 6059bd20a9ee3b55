package io.ramcast.multicast;

import io.ramcast.multicast.fabric.TcpFabric;
import io.ramcast.multicast.fabric.TcpFabricOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One {@link RamcastClient} across a restart of every server, over the tcp fabric on loopback: the
 * session is lost once (listener told, multicasts not complete failed), a new incarnation starts
 * once a majority of every group is back, multicasts submitted meanwhile are sent in it, and
 * servers that come back after the new session started are written once they answer.
 */
class ClientReconnectTest
{
    private static final int CLIENT = 9;

    private final GroupTopology topology = GroupTopology.uniform(3, 3, 1);
    private final MulticastOptions options = MulticastOptions.builder().ringSlots(8).clientWindow(4).build();
    private final Map<Integer, InetSocketAddress> addresses = new HashMap<>();
    private final Map<Integer, RamcastServer> servers = new HashMap<>();

    @AfterEach
    void closeServers()
    {
        servers.values().forEach(RamcastServer::close);
        servers.clear();
    }

    @Test
    void shouldHandOutStrictlyIncreasingIncarnations()
    {
        long previous = 0;
        for (int i = 0; i < 10_000; i++)
        {
            final long next = RamcastClient.newIncarnation(i % 3 == 0 ? previous : 0);
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
        assertThat(RamcastClient.newIncarnation(Long.MAX_VALUE / 2)).isGreaterThan(Long.MAX_VALUE / 2);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldReconnectAsANewIncarnationAfterEveryServerRestarted() throws Exception
    {
        for (final int s : topology.servers())
        {
            addresses.put(s, freeLoopbackAddress());
        }
        for (final int s : topology.servers())
        {
            startServer(s);
        }
        final List<String> events = new CopyOnWriteArrayList<>();
        final RamcastClient.SessionListener listener = new RamcastClient.SessionListener()
        {
            @Override
            public void onSessionLost(final int group, final int[] unreachable)
            {
                events.add("lost " + group + " " + java.util.Arrays.toString(unreachable));
            }

            @Override
            public void onReconnected(final long incarnation)
            {
                events.add("reconnected " + incarnation);
            }
        };
        try (RamcastClient client = RamcastClient.builder().topology(topology).options(options)
            .fabric(new TcpFabric(CLIENT, addresses, TcpFabricOptions.defaults())).sessionListener(listener).build()
            .start())
        {
            assertThat(client.awaitConnected(Duration.ofSeconds(20))).isEmpty();
            final long firstIncarnation = incarnationOf(client);
            awaitAll(multicastToEveryGroup(client, 10));

            closeServers();
            // the agent sets the state, then tells the listener: wait for both
            Await.until(() -> client.sessionState() == RamcastClient.SessionState.LOST && !events.isEmpty(),
                Duration.ofSeconds(20), "the session is lost and the listener told");
            assertThat(events).hasSize(1).first().asString().startsWith("lost ");
            assertThat(client.sessionReady()).isFalse();

            // submitted while lost: waits, then goes out in the new session
            final CompletableFuture<Long> whileLost = client.multicast(new byte[] {42}, 0, 1, 2);

            // a majority of every group comes back: the client reconnects without the third members
            final List<Integer> late = new ArrayList<>();
            for (int g = 0; g < topology.groupCount(); g++)
            {
                final int[] members = topology.members(g);
                for (int i = 0; i < members.length - 1; i++)
                {
                    startServer(members[i]);
                }
                late.add(members[members.length - 1]);
            }
            Await.until(client::sessionReady, Duration.ofSeconds(30), "the client reconnected: " + client.describe());
            assertThat(events).hasSize(2);
            assertThat(events.get(1)).startsWith("reconnected ");
            assertThat(Long.parseLong(events.get(1).substring("reconnected ".length()))).isGreaterThan(firstIncarnation);
            assertThat(whileLost.get(20, TimeUnit.SECONDS)).isPositive();
            awaitAll(multicastToEveryGroup(client, 10));

            // the third members come back later: they get the HELLO again, answer, and are written
            for (final int s : late)
            {
                startServer(s);
            }
            Await.until(() -> client.unreachableServers().length == 0, Duration.ofSeconds(30),
                "every server answered the new session: " + client.describe());
            awaitAll(multicastToEveryGroup(client, 10));
            Await.until(() -> late.stream().allMatch(s -> servers.get(s).deliveredCount() > 0), Duration.ofSeconds(30),
                "the late servers deliver the client's messages");
            assertThat(events).as("no further loss").hasSize(2);
        }
        for (final RamcastServer s : servers.values())
        {
            assertThat(s.failure()).as("server %d", s.processId()).isNull();
        }
    }

    private void startServer(final int id)
    {
        servers.put(id, RamcastServer.builder().topology(topology).options(options)
            .fabric(new TcpFabric(id, addresses, TcpFabricOptions.defaults())).deliveryHandler(d -> { }).build().start());
    }

    private static long incarnationOf(final RamcastClient client)
    {
        final String d = client.describe();
        final int at = d.indexOf("incarnation ") + "incarnation ".length();
        return Long.parseLong(d.substring(at, d.indexOf(' ', at)));
    }

    private static List<CompletableFuture<Long>> multicastToEveryGroup(final RamcastClient client, final int count)
        throws InterruptedException
    {
        final List<CompletableFuture<Long>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            sent.add(client.multicast(new byte[] {(byte)i}, i % 3, (i + 1) % 3));
        }
        return sent;
    }

    private static void awaitAll(final List<CompletableFuture<Long>> sent) throws Exception
    {
        CompletableFuture.allOf(sent.toArray(CompletableFuture<?>[]::new)).get(20, TimeUnit.SECONDS);
    }

    private static InetSocketAddress freeLoopbackAddress()
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket socket = new ServerSocket(0, 1, loopback))
        {
            return new InetSocketAddress(loopback, socket.getLocalPort());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no free port on " + loopback, ex);
        }
    }
}
