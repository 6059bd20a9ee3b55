package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.ServerProcess;
import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.RamcastClient;
import io.ramcast.multicast.fabric.TcpFabric;
import io.ramcast.multicast.fabric.TcpFabricOptions;
import org.agrona.concurrent.Agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A benchmark deployment over the {@code tcp} fabric on loopback: one child JVM per server
 * ({@code ramcast multicast-server}, see {@link MulticastServerCommand}), the clients in this JVM,
 * each with its own {@link TcpFabric}, their agents sharing one thread.
 *
 * <p>Children are started with the JVM running this code ({@code java.home}), the configured class
 * path (by default this JVM's, which works from the shaded jar and from tests alike) and
 * {@code --exit-on-stdin-eof}. Their stdout and stderr go to {@code server-<id>.out} and
 * {@code server-<id>.err} in {@code <delivery-log>/processes/}, or in a temporary directory that is
 * deleted after a clean run and kept (and named in the error) after a failed one.
 *
 * <p>No child outlives the benchmark: {@link #stop()} sends SIGTERM (the child's shutdown hook
 * closes its server, flushing its delivery log) and kills what has not exited in
 * {@link #STOP_TIMEOUT}; {@link #close()} kills whatever still runs; a JVM shutdown hook kills the
 * children if this JVM is stopped while they run; and a child whose stdin closes (this JVM died)
 * exits by itself.
 */
final class TcpBenchCluster implements BenchCluster
{
    /** Time all servers get to print READY after being started. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** Time all servers get to exit after SIGTERM before they are killed. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final BenchSettings settings;
    private final Path processDir;
    private final boolean temporaryProcessDir;
    private final List<ServerProcess> servers = new ArrayList<>();
    private final List<RamcastClient> clients = new ArrayList<>();
    private final Thread shutdownHook;
    private AgentGroup clientAgents;
    private boolean clientsClosed;
    private boolean closed;
    private boolean stoppedCleanly;

    /** This run's secrets: its servers and clients authenticate with them. */
    private final BenchSecrets secrets;

    private TcpBenchCluster(final BenchSettings settings, final Path processDir, final boolean temporaryProcessDir)
    {
        this.settings = settings;
        this.processDir = processDir;
        this.temporaryProcessDir = temporaryProcessDir;
        this.shutdownHook = new Thread(this::killServers, "bench-kill-servers");
        this.secrets = BenchSecrets.random();
    }

    /**
     * Starts every server process, waits until all are ready, then builds and starts the clients.
     *
     * @param settings the run's parameters.
     * @return the running cluster.
     * @throws BenchFailureException if a server does not become ready in {@link #STARTUP_TIMEOUT}.
     * @throws InterruptedException  if interrupted while waiting; every child is killed.
     */
    static TcpBenchCluster start(final BenchSettings settings) throws InterruptedException
    {
        final Path dir;
        final boolean temporary = settings.deliveryLog() == null;
        try
        {
            dir = temporary ? Files.createTempDirectory("ramcast-bench-") :
                Files.createDirectories(settings.deliveryLog().resolve("processes"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the directory for server process output", ex);
        }
        final TcpBenchCluster cluster = new TcpBenchCluster(settings, dir, temporary);
        try
        {
            cluster.startServers();
            cluster.startClients();
            return cluster;
        }
        catch (final InterruptedException | RuntimeException | Error ex)
        {
            cluster.close();
            throw ex;
        }
    }

    private void startServers() throws InterruptedException
    {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        for (final int id : settings.topology().servers())
        {
            final ServerProcess server = ServerProcess.start(id, serverCommand(id), secrets.environment(),
                processDir.resolve("server-" + id + ".out"), processDir.resolve("server-" + id + ".err"));
            synchronized (servers)
            {
                servers.add(server);
            }
        }
        final long deadlineNs = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        for (final ServerProcess server : servers)
        {
            server.awaitReady(deadlineNs);
        }
    }

    /**
     * @param id a server id.
     * @return the command line of that server's child process.
     */
    List<String> serverCommand(final int id)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ServerProcess.REQUIRED_JVM_OPTIONS);
        command.addAll(settings.serverJvmOptions());
        command.add("-cp");
        command.add(settings.serverClasspath());
        command.add(RamcastCli.class.getName());
        command.add(MulticastServerCommand.NAME);
        command.add("--id");
        command.add(Integer.toString(id));
        command.addAll(settings.childArgs());
        command.add("--base-port");
        command.add(Integer.toString(settings.basePort()));
        command.add("--idle");
        command.add(settings.idle().cliName());
        if (settings.deliveryLog() != null)
        {
            command.add("--delivery-log");
            command.add(settings.deliveryLog().toAbsolutePath().toString());
        }
        command.add("--exit-on-stdin-eof");
        return command;
    }

    private void startClients()
    {
        final GroupTopology topology = settings.topology();
        final Map<Integer, InetSocketAddress> addresses = LoopbackAddresses.of(topology, settings.basePort());
        final List<Agent> agents = new ArrayList<>();
        for (final int id : topology.clients())
        {
            final RamcastClient client = RamcastClient.builder()
                .topology(topology)
                .options(settings.options())
                .fabric(new TcpFabric(id, addresses, TcpFabricOptions.builder().credentials(secrets.client()).build()))
                .deliveryLog(settings.deliveryLog())
                .build();
            clients.add(client);
            agents.add(client.agent());
        }
        clientAgents = new AgentGroup("ramcast-clients", agents, settings.idle().newStrategy(null));
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
        for (final ServerProcess server : servers)
        {
            if (!server.isAlive())
            {
                throw new BenchFailureException("server " + server.id() + " exited (" + server.exitDescription() + ")" +
                    "; see " + server.stderrFile() + " and " + server.stdoutFile());
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
        if (clientAgents != null && clientAgents.error() != null)
        {
            throw new BenchFailureException("agent thread " + clientAgents.threadName() + " stopped: " +
                clientAgents.error(), clientAgents.error());
        }
    }

    @Override
    public void awaitQuiet(final long expectedDeliveries) throws InterruptedException
    {
        // The servers' counts are only known when they exit, so this is a plain quiet period.
        Thread.sleep(settings.quietPeriod().toMillis());
        checkHealthy();
    }

    @Override
    public long[] stop()
    {
        closeClients();
        final long[] delivered = new long[servers.size()];
        final List<String> problems = new ArrayList<>();
        for (final ServerProcess server : servers)
        {
            server.requestStop();
        }
        final long deadlineNs = System.nanoTime() + STOP_TIMEOUT.toNanos();
        try
        {
            for (int i = 0; i < servers.size(); i++)
            {
                final ServerProcess server = servers.get(i);
                if (!server.awaitExit(deadlineNs))
                {
                    problems.add("server " + server.id() + " did not exit within " +
                        DurationConverter.format(STOP_TIMEOUT) + " of SIGTERM and was killed");
                }
                delivered[i] = server.deliveredCount();
                if (delivered[i] < 0)
                {
                    problems.add("server " + server.id() + " did not report its deliveries (" +
                        server.exitDescription() + "; see " + server.stderrFile() + ")");
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            problems.add("interrupted while stopping the servers");
        }
        if (!problems.isEmpty())
        {
            close();
            throw new BenchFailureException("stopping the servers failed: " + String.join("; ", problems) +
                "; process output in " + processDir);
        }
        stoppedCleanly = true;
        close();
        return delivered;
    }

    private void closeClients()
    {
        if (clientsClosed)
        {
            return;
        }
        clientsClosed = true;
        if (clientAgents != null)
        {
            clientAgents.close();
        }
        for (final RamcastClient client : clients)
        {
            client.close();
        }
    }

    private void killServers()
    {
        synchronized (servers)
        {
            for (final ServerProcess server : servers)
            {
                server.kill();
            }
        }
    }

    @Override
    public String describeForStall()
    {
        final StringBuilder sb = new StringBuilder();
        for (final RamcastClient client : clients)
        {
            sb.append("  ").append(ProtocolStateReader.describe(client::describe)).append('\n');
        }
        sb.append("  servers run in child processes; their output is in ").append(processDir).append('\n');
        return sb.toString();
    }

    @Override
    public String logLocation()
    {
        return processDir.toString();
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            closeClients();
        }
        finally
        {
            killServers();
            for (final ServerProcess server : servers)
            {
                try
                {
                    server.awaitExit(System.nanoTime() + STOP_TIMEOUT.toNanos());
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            removeShutdownHook();
            if (stoppedCleanly && temporaryProcessDir)
            {
                deleteRecursively(processDir);
            }
        }
    }

    private void removeShutdownHook()
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ex)
        {
            // The JVM is already shutting down; the hook runs and kills what is left, which is harmless.
        }
    }

    private static void deleteRecursively(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete the temporary directory " + dir, ex);
        }
    }
}
