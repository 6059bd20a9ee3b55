package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.ServerProcess;
import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.MulticastOptions;
import io.ramcast.multicast.RamcastServer;
import io.ramcast.multicast.fabric.TcpFabric;
import io.ramcast.multicast.fabric.TcpFabricOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ramcast multicast-server}: one RamCast server of a tcp deployment on loopback, as started
 * by {@code multicast-bench --fabric tcp} (which passes identical topology and option arguments to
 * every server and to its own clients). Connections are authenticated with the run's secrets, which
 * the parent hands down in the environment ({@link BenchSecrets}); without them the server does not
 * start.
 *
 * <p>Server {@code --id N} listens on {@code 127.0.0.1:(base-port + N)}. Once the server is built
 * and its agent runs, the command prints {@code READY <id>} on stdout. It then runs until the JVM
 * is asked to stop (SIGTERM, Ctrl-C): a shutdown hook closes the server, which flushes its delivery
 * log, and prints {@code DELIVERED <id> <count>}. With {@code --exit-on-stdin-eof} it also stops
 * when its stdin closes, which is how a parent that died unannounced takes its children with it.
 *
 * <p>Exit codes: as for every subcommand ({@link RamcastCli}); {@link RamcastCli#EXIT_RUN_FAILED}
 * if the server's agent stops with an error (fail-stop) or the server cannot start (port in use,
 * no secrets in the environment).
 */
@Command(
    name = MulticastServerCommand.NAME,
    mixinStandardHelpOptions = true,
    description = "Run one RamCast server over the tcp fabric on loopback (a child of multicast-bench --fabric tcp).")
public final class MulticastServerCommand implements Callable<Integer>
{
    /** The subcommand's name. */
    static final String NAME = "multicast-server";

    private static final Logger LOG = LoggerFactory.getLogger(MulticastServerCommand.class);
    private static final long HEALTH_POLL_MS = 100;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", paramLabel = "N", required = true,
        description = "This server's process id: 0..G*R-1, group g being g*R..g*R+R-1.")
    private int id;

    @Mixin
    private TopologyOptions topologyOptions;

    @Mixin
    private ProtocolOptions protocolOptions;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "21000",
        description = "Server N listens on 127.0.0.1:(PORT + N) (default: ${DEFAULT-VALUE}).")
    private int basePort;

    @Option(names = "--idle", paramLabel = "KIND", defaultValue = "backoff",
        converter = IdleKind.Converter.class, completionCandidates = IdleKind.Candidates.class,
        description = "How the agent waits when idle: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private IdleKind idle;

    @Option(names = "--delivery-log", paramLabel = "DIR",
        description = "Append every delivery to DIR/<id>.log.")
    private Path deliveryLog;

    @Option(names = "--exit-on-stdin-eof",
        description = "Stop when stdin closes (the parent that started this process is gone).")
    private boolean exitOnStdinEof;

    @Override
    public Integer call() throws InterruptedException
    {
        final GroupTopology topology;
        final MulticastOptions options;
        try
        {
            topology = topologyOptions.toTopology();
            options = protocolOptions.toOptions();
            LoopbackAddresses.validate(topology, basePort);
            if (!topology.isServer(id))
            {
                throw new IllegalArgumentException("--id=" + id + " is not a server; servers are 0.." +
                    (topology.serverCount() - 1));
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }

        final PrintWriter out = spec.commandLine().getOut();
        final RamcastServer server;
        try
        {
            final TcpFabric fabric = new TcpFabric(id, LoopbackAddresses.of(topology, basePort),
                TcpFabricOptions.builder().credentials(BenchSecrets.fromEnvironment(System::getenv).server()).build());
            server = RamcastServer.builder()
                .topology(topology)
                .options(options)
                .fabric(fabric)
                .deliveryHandler(d -> { })
                .idleStrategy(idle.newStrategy(fabric))
                .deliveryLog(deliveryLog)
                .build();
        }
        catch (final RuntimeException ex)
        {
            spec.commandLine().getErr().println("server " + id + " cannot start: " + ex);
            LOG.error("server {} cannot start", id, ex);
            return RamcastCli.EXIT_RUN_FAILED;
        }

        final CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                server.close();
                out.println(ServerProcess.DELIVERED + " " + id + " " + server.deliveredCount());
                out.flush();
            }
            finally
            {
                closed.countDown();
            }
        }, "server-" + id + "-shutdown"));
        server.start();
        if (exitOnStdinEof)
        {
            ServerProcess.exitWhenStdinCloses("server " + id);
        }
        out.println(ServerProcess.READY + " " + id);
        out.flush();
        LOG.info("server {} of group {} ready on port {}", id, topology.groupOf(id), basePort + id);

        while (!closed.await(HEALTH_POLL_MS, TimeUnit.MILLISECONDS))
        {
            final Throwable failure = server.failure();
            if (failure != null)
            {
                spec.commandLine().getErr().println("server " + id + " stopped: " + failure);
                return RamcastCli.EXIT_RUN_FAILED;
            }
        }
        return RamcastCli.EXIT_OK;
    }
}
