package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.RamcastClient;
import io.ramcast.multicast.RamcastServer;
import io.ramcast.multicast.fabric.LocalFabricHub;
import org.agrona.concurrent.Agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Every server and client of a benchmark in this JVM over the {@code local} fabric.
 *
 * <p>Threads: all server agents share one thread ({@code ramcast-servers}) and all client agents a
 * second one ({@code ramcast-clients}), each an {@link AgentGroup} with the chosen idle strategy,
 * so a 2-core machine is not asked to spin thirteen threads. Errors: the first agent error stops
 * its group's thread and is reported by {@link #checkHealthy()}.
 */
final class LocalBenchCluster implements BenchCluster
{
    private final BenchSettings settings;
    private final List<RamcastServer> servers = new ArrayList<>();
    private final List<RamcastClient> clients = new ArrayList<>();
    private AgentGroup serverAgents;
    private AgentGroup clientAgents;
    private boolean stopped;

    private LocalBenchCluster(final BenchSettings settings)
    {
        this.settings = settings;
    }

    /**
     * Builds every process and starts the two agent threads.
     *
     * @param settings the run's parameters.
     * @return the running cluster.
     */
    static LocalBenchCluster start(final BenchSettings settings)
    {
        final LocalBenchCluster cluster = new LocalBenchCluster(settings);
        try
        {
            cluster.startProcesses();
            return cluster;
        }
        catch (final RuntimeException | Error ex)
        {
            cluster.close();
            throw ex;
        }
    }

    private void startProcesses()
    {
        final GroupTopology topology = settings.topology();
        final LocalFabricHub hub = new LocalFabricHub();
        final List<Agent> serverAgentList = new ArrayList<>();
        for (final int id : topology.servers())
        {
            final RamcastServer server = RamcastServer.builder()
                .topology(topology)
                .options(settings.options())
                .fabric(hub.endpoint(id))
                .deliveryHandler(d -> { })
                .deliveryLog(settings.deliveryLog())
                .build();
            servers.add(server);
            serverAgentList.add(server.agent());
        }
        final List<Agent> clientAgentList = new ArrayList<>();
        for (final int id : topology.clients())
        {
            final RamcastClient client = RamcastClient.builder()
                .topology(topology)
                .options(settings.options())
                .fabric(hub.endpoint(id))
                .deliveryLog(settings.deliveryLog())
                .build();
            clients.add(client);
            clientAgentList.add(client.agent());
        }
        serverAgents = new AgentGroup("ramcast-servers", serverAgentList, settings.idle().newStrategy(null));
        clientAgents = new AgentGroup("ramcast-clients", clientAgentList, settings.idle().newStrategy(null));
        serverAgents.start();
        clientAgents.start();
    }

    @Override
    public List<RamcastClient> clients()
    {
        return clients;
    }

    @Override
    public void checkHealthy()
    {
        for (final RamcastServer server : servers)
        {
            if (server.failure() != null)
            {
                throw new BenchFailureException("server " + server.processId() + " stopped: " + server.failure(),
                    server.failure());
            }
        }
        for (final RamcastClient client : clients)
        {
            if (client.failure() != null)
            {
                throw new BenchFailureException("client " + client.processId() + " stopped: " + client.failure(),
                    client.failure());
            }
        }
        for (final AgentGroup group : List.of(serverAgents, clientAgents))
        {
            if (group.error() != null)
            {
                throw new BenchFailureException("agent thread " + group.threadName() + " stopped: " + group.error(),
                    group.error());
            }
        }
    }

    @Override
    public void awaitQuiet(final long expectedDeliveries) throws InterruptedException
    {
        // Futures complete once a majority of every destination group delivered; the rest follow
        // within a few duty cycles. The bound only keeps a miscount from hanging the run.
        final long deadlineNs = System.nanoTime() + settings.quietPeriod().toNanos();
        while (deliveredTotal() < expectedDeliveries && System.nanoTime() < deadlineNs)
        {
            checkHealthy();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            if (Thread.interrupted())
            {
                throw new InterruptedException("interrupted while waiting for deliveries");
            }
        }
    }

    private long deliveredTotal()
    {
        long n = 0;
        for (final RamcastServer server : servers)
        {
            n += server.deliveredCount();
        }
        return n;
    }

    @Override
    public long[] stop()
    {
        stopAgents();
        final long[] delivered = new long[servers.size()];
        for (int i = 0; i < servers.size(); i++)
        {
            delivered[i] = servers.get(i).deliveredCount();
        }
        close();
        return delivered;
    }

    private void stopAgents()
    {
        // Clients first, so servers are not told of dead peers while still taking messages.
        if (clientAgents != null)
        {
            clientAgents.close();
        }
        if (serverAgents != null)
        {
            serverAgents.close();
        }
    }

    @Override
    public String describeForStall()
    {
        final StringBuilder sb = new StringBuilder();
        for (final RamcastServer server : servers)
        {
            sb.append("  server ").append(server.processId()).append(" delivered=").append(server.deliveredCount())
                .append(": ").append(ProtocolStateReader.describe(server::describe)).append('\n');
        }
        for (final RamcastClient client : clients)
        {
            sb.append("  ").append(ProtocolStateReader.describe(client::describe)).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String logLocation()
    {
        return settings.deliveryLog() == null ? null : settings.deliveryLog().toString();
    }

    @Override
    public void close()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        stopAgents();
        RuntimeException first = null;
        for (final AutoCloseable process : concat())
        {
            try
            {
                process.close();
            }
            catch (final Exception ex)
            {
                if (first == null)
                {
                    first = new BenchFailureException("closing a process failed: " + ex, ex);
                }
                else
                {
                    first.addSuppressed(ex);
                }
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    private List<AutoCloseable> concat()
    {
        final List<AutoCloseable> all = new ArrayList<>(clients);
        all.addAll(servers);
        return all;
    }
}
