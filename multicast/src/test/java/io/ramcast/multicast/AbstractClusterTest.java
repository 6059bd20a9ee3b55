package io.ramcast.multicast;

import io.ramcast.check.multicast.MulticastChecker;
import io.ramcast.check.multicast.MulticastHistory;
import io.ramcast.multicast.deliverylog.DeliveryLogWriter;
import io.ramcast.multicast.fabric.Fabric;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One scenario suite, written once and run over every fabric (STYLE: Ratis' {@code RaftBasicTests}):
 * real agents, 3 groups × 3 replicas, 4 clients pipelining random destination sets of 1..3 groups;
 * delivery logs written to disk and checked by the multicast checker.
 */
abstract class AbstractClusterTest
{
    @TempDir
    Path logDir;

    /** Creates the fabric endpoint of one process of the topology; not started. */
    abstract Fabric fabric(GroupTopology topology, int processId);

    /** Releases whatever the fabric factory holds. */
    void closeFabrics()
    {
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldDeliverInSameOrderAtAllReplicasWithPipeliningClients() throws Exception
    {
        final GroupTopology topology = GroupTopology.uniform(3, 3, 4);
        final MulticastOptions options = MulticastOptions.builder().ringSlots(16).clientWindow(8).build();
        final int messagesPerClient = 400;
        DeliveryLogWriter.writeTopology(logDir, groupMembers(topology), List.of());
        final AtomicLong expectedDeliveries = new AtomicLong();

        final List<RamcastServer> servers = new ArrayList<>();
        final List<RamcastClient> clients = new ArrayList<>();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AgentRunner serverRunner = null;
        AgentRunner clientRunner = null;
        try
        {
            for (final int s : topology.servers())
            {
                servers.add(RamcastServer.builder().topology(topology).options(options).fabric(fabric(topology, s))
                    .deliveryHandler(d -> { }).deliveryLog(logDir).build());
            }
            for (final int c : topology.clients())
            {
                clients.add(RamcastClient.builder().topology(topology).options(options).fabric(fabric(topology, c))
                    .deliveryLog(logDir).build());
            }
            serverRunner = new AgentRunner(new BackoffIdleStrategy(), failures::add, (AtomicCounter)null,
                new CompositeAgent(servers.stream().map(RamcastServer::agent).toList()));
            clientRunner = new AgentRunner(new BackoffIdleStrategy(), failures::add, (AtomicCounter)null,
                new CompositeAgent(clients.stream().map(RamcastClient::agent).toList()));
            AgentRunner.startOnThread(serverRunner);
            AgentRunner.startOnThread(clientRunner);

            final List<Thread> senders = new ArrayList<>();
            final ConcurrentLinkedQueue<CompletableFuture<Long>> all = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < clients.size(); i++)
            {
                final RamcastClient client = clients.get(i);
                final Random random = new Random(42 + i);
                final Thread t = new Thread(() ->
                {
                    try
                    {
                        for (int m = 0; m < messagesPerClient; m++)
                        {
                            final byte[] payload = new byte[random.nextInt(200)];
                            random.nextBytes(payload);
                            final int[] groups = randomGroups(random, topology.groupCount());
                            for (final int g : groups)
                            {
                                expectedDeliveries.addAndGet(topology.groupSize(g));
                            }
                            all.add(client.multicast(payload, groups));
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                    catch (final RuntimeException ex)
                    {
                        failures.add(ex);
                    }
                }, "sender-" + i);
                senders.add(t);
                t.start();
            }
            for (final Thread t : senders)
            {
                t.join(Duration.ofSeconds(90).toMillis());
                assertThat(t.isAlive()).as("sender %s finished; %s", t.getName(), describe(servers, clients)).isFalse();
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture<?>[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(all).hasSize(messagesPerClient * clients.size());
            try
            {
                Await.until(() -> totalDelivered(servers) == expectedDeliveries.get(), Duration.ofSeconds(30),
                    "every destination delivered every message");
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(ex.getMessage() + describe(servers, clients), ex);
            }
        }
        finally
        {
            if (clientRunner != null)
            {
                clientRunner.close();
            }
            if (serverRunner != null)
            {
                serverRunner.close();
            }
            for (final RamcastClient c : clients)
            {
                c.close();
            }
            for (final RamcastServer s : servers)
            {
                s.close();
            }
            closeFabrics();
        }
        assertThat(failures).isEmpty();
        for (final RamcastServer s : servers)
        {
            assertThat(s.failure()).isNull();
            assertThat(s.errorCount()).isZero();
        }
        final var result = new MulticastChecker().check(MulticastHistory.load(logDir), true);
        assertThat(result.isValid()).as(result.summary()).isTrue();
        assertThat(result.stats().messageCount()).isEqualTo(messagesPerClient * 4);
    }

    static Map<Integer, List<Integer>> groupMembers(final GroupTopology topology)
    {
        final Map<Integer, List<Integer>> map = new TreeMap<>();
        for (int g = 0; g < topology.groupCount(); g++)
        {
            map.put(g, Arrays.stream(topology.members(g)).boxed().toList());
        }
        return map;
    }

    static int[] randomGroups(final Random random, final int groupCount)
    {
        final List<Integer> groups = new ArrayList<>();
        for (int g = 0; g < groupCount; g++)
        {
            groups.add(g);
        }
        java.util.Collections.shuffle(groups, random);
        final int k = 1 + random.nextInt(groupCount);
        return groups.subList(0, k).stream().mapToInt(Integer::intValue).toArray();
    }

    private static long totalDelivered(final List<RamcastServer> servers)
    {
        return servers.stream().mapToLong(RamcastServer::deliveredCount).sum();
    }

    private static String describe(final List<RamcastServer> servers, final List<RamcastClient> clients)
    {
        final StringBuilder sb = new StringBuilder("\n");
        servers.forEach(s -> sb.append("  ").append(s.describe()).append('\n'));
        clients.forEach(c -> sb.append("  ").append(c.describe()).append('\n'));
        return sb.toString();
    }
}
