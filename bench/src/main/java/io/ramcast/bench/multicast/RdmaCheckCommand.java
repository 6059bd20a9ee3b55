package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.multicast.fabric.rdma.RdmaCheck;
import io.ramcast.multicast.fabric.rdma.RdmaEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ramcast rdma-check --address IP [--port P] [--device NAME] ...}: the first run of the
 * {@code rdma} fabric on an RDMA host. It probes the host first ({@link RdmaEnvironment#probe}:
 * {@code libdisni}, the device, the JVM export, the locked-memory limit) and, if anything is
 * missing, prints each problem with its fix and opens nothing; otherwise it runs {@link RdmaCheck}
 * over DiSNI on the given address (two endpoints in this process) and prints its report.
 *
 * <p>Exit codes: {@link RamcastCli#EXIT_OK} every step passed; {@link RamcastCli#EXIT_USAGE} bad
 * arguments; {@link RamcastCli#EXIT_RUN_FAILED} the probe found a problem or a step failed.
 * Blocking, for seconds to a minute with the defaults; every wait is bounded.
 */
@Command(name = "rdma-check", mixinStandardHelpOptions = true,
    description = {"First run of the rdma fabric on an RDMA host: probe libdisni, the device, the JVM exports and",
        "the locked-memory limit (print each problem and its fix, open nothing, exit 3 if one fails), then start",
        "two endpoints on --address (process 0 listens on --port, process 1 connects to it, authenticated with",
        "random secrets) and run, each bounded and reported PASS or FAIL with its numbers:",
        "  1. handshake stress: --cycles connect/write/close cycles; time to READY min/median/max;",
        "  2. whole-write torture: self-validating writes of 8 B to --max-write-bytes, every byte checked;",
        "     writes/s, MiB/s, Gb/s;",
        "  3. revocation timing: time until the writer sees a revoked permission; nothing lands after;",
        "  4. failure detection: time until the owner reports a closed writer down, against the connect",
        "     timeout.",
        "The fabric's own log lines go to stderr (each handshake cycle's close is logged there as a peer down)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every step passed",
        "2:usage error (bad arguments)",
        "3:the host cannot run the rdma fabric (the probe says why and how to fix it), or a step failed"
    })
public final class RdmaCheckCommand implements Callable<Integer>
{
    /** The option of each {@link RdmaCheck.Config} field, to name it in a usage error. */
    private static final Map<String, String> OPTION_BY_FIELD = Map.of(
        "address", "--address",
        "port", "--port",
        "cycles", "--cycles",
        "maxWriteBytes", "--max-write-bytes",
        "tortureWrites", "--writes",
        "tortureDurationNs", "--duration",
        "timeoutNs", "--timeout",
        "landTimeoutNs", "--land-timeout",
        "connectTimeoutNs", "--connect-timeout");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--address", required = true, paramLabel = "IP",
        description = "The IPv4 address of the RDMA device's interface on this host (its IPoIB or RoCE address).")
    private String address;

    @Option(names = "--port", paramLabel = "P", defaultValue = "" + RdmaCheck.Config.DEFAULT_PORT,
        description = "The port process 0 listens on (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--device", paramLabel = "NAME",
        description = "The RDMA device that must be present, e.g. mlx5_0 (default: any).")
    private String device;

    @Option(names = "--cycles", paramLabel = "N", defaultValue = "" + RdmaCheck.Config.DEFAULT_CYCLES,
        description = "Connect/write/close cycles of the handshake stress (default: ${DEFAULT-VALUE}).")
    private int cycles;

    @Option(names = "--max-write-bytes", paramLabel = "N",
        defaultValue = "" + RdmaCheck.Config.DEFAULT_MAX_WRITE_BYTES,
        description = "The largest torture write, a multiple of 8, 64 to 1048576 (default: ${DEFAULT-VALUE}).")
    private int maxWriteBytes;

    @Option(names = "--writes", paramLabel = "N", defaultValue = "" + RdmaCheck.Config.DEFAULT_TORTURE_WRITES,
        description = "The torture stops after this many writes, once every planned size was written " +
            "(default: ${DEFAULT-VALUE}).")
    private int writes;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "5s", converter = DurationConverter.class,
        description = "The torture stops after this long, once every planned size was written " +
            "(default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
        description = "How long a step waits for a handle READY, a rejection or a peer down " +
            "(default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--land-timeout", paramLabel = "TIME", defaultValue = "1s", converter = DurationConverter.class,
        description = "How long a written record may take to land whole (default: ${DEFAULT-VALUE}).")
    private Duration landTimeout;

    @Option(names = "--connect-timeout", paramLabel = "TIME", defaultValue = "5s", converter = DurationConverter.class,
        description = "The endpoints' rdma connectTimeout, as in a cluster config (default: ${DEFAULT-VALUE}).")
    private Duration connectTimeout;

    @Option(names = "--seed", paramLabel = "N",
        description = "Seed of the torture's sizes and contents (default: random; the report prints it).")
    private Long seed;

    @Override
    public Integer call()
    {
        final RdmaCheck.Config config = config();
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final RdmaEnvironment.Report probe = RdmaEnvironment.probe(config.deviceName());
        if (!probe.isUsable())
        {
            err.println("rdma-check FAILED: this host or JVM cannot run the rdma fabric; nothing was opened. " +
                "Fix each problem, then run rdma-check again:");
            err.println(probe.describe());
            err.flush();
            return RamcastCli.EXIT_RUN_FAILED;
        }
        final RdmaCheck.Result result = RdmaCheck.overDisni(config).run();
        out.println(result.report());
        out.flush();
        return result.passed() ? RamcastCli.EXIT_OK : RamcastCli.EXIT_RUN_FAILED;
    }

    private RdmaCheck.Config config()
    {
        final InetAddress ip;
        try
        {
            ip = InetAddress.getByName(address.strip());
        }
        catch (final UnknownHostException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--address=" + address +
                " is not an address of this host's RDMA interface: " + ex.getMessage(), ex);
        }
        final RdmaCheck.Config.Builder builder = RdmaCheck.Config.builder(ip)
            .port(port)
            .deviceName(device)
            .cycles(cycles)
            .maxWriteBytes(maxWriteBytes)
            .tortureWrites(writes)
            .tortureDurationNs(duration.toNanos())
            .timeoutNs(timeout.toNanos())
            .landTimeoutNs(landTimeout.toNanos())
            .connectTimeoutNs(connectTimeout.toNanos());
        if (null != seed)
        {
            builder.seed(seed);
        }
        try
        {
            return builder.build();
        }
        catch (final IllegalArgumentException ex)
        {
            final String message = ex.getMessage();
            final int equals = message.indexOf('=');
            final String option = equals < 0 ? null : OPTION_BY_FIELD.get(message.substring(0, equals));
            throw new CommandLine.ParameterException(spec.commandLine(),
                null == option ? message : option + message.substring(equals), ex);
        }
    }
}
