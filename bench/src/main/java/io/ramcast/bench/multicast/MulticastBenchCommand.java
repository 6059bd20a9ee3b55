package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.MulticastOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ramcast multicast-bench}: measures RamCast's throughput and latency with closed-loop
 * clients, over the {@code local} fabric (everything in this JVM) or the {@code tcp} fabric (one
 * child JVM per server on loopback), and optionally checks the delivery logs of the run.
 *
 * <p>Every argument is validated before anything starts; a bad one exits with
 * {@link RamcastCli#EXIT_USAGE} and a message naming the option and the rule. The run prints its
 * setup, then the result (see {@link BenchResult}); with {@code --delivery-log} the delivery logs
 * are checked with the history declared complete. Exit codes: {@link RamcastCli#EXIT_OK},
 * {@link RamcastCli#EXIT_CHECK_FAILED} (anomalies, or deliveries differing from what the
 * multicasts call for), {@link RamcastCli#EXIT_RUN_FAILED} (a process failed, a stall, a timeout,
 * an I/O error).
 */
@Command(
    name = "multicast-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Measure RamCast atomic multicast: closed-loop clients, each keeping --window multicasts in flight.",
        "Latency runs from the multicast call until the client sees the message complete: delivered by a " +
            "majority of every destination group (the remaining members may deliver it later)."
    })
public final class MulticastBenchCommand implements Callable<Integer>
{
    private static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--fabric", paramLabel = "KIND", defaultValue = "local",
        converter = MulticastBenchDeployment.Converter.class, completionCandidates = MulticastBenchDeployment.Candidates.class,
        description = "local: all processes in this JVM; tcp: one child JVM per server on 127.0.0.1 " +
            "(values: ${COMPLETION-CANDIDATES}; default: ${DEFAULT-VALUE}).")
    private MulticastBenchDeployment fabric;

    @Mixin
    private TopologyOptions topologyOptions;

    @Option(names = "--destinations", paramLabel = "K", defaultValue = "1",
        description = "Destination groups per multicast, or the largest number with --random-destinations " +
            "(default: ${DEFAULT-VALUE}).")
    private int destinations;

    @Option(names = "--random-destinations",
        description = "Each multicast goes to a uniformly random number 1..K of random groups.")
    private boolean randomDestinations;

    @Option(names = "--payload-bytes", paramLabel = "BYTES", defaultValue = "64",
        description = "Payload size (default: ${DEFAULT-VALUE}).")
    private int payloadBytes;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
        description = "Measured interval after the warm-up, e.g. 500ms, 10s, 2m (default: 10s).")
    private Duration duration;

    @Option(names = "--messages", paramLabel = "N",
        description = "Instead of --duration: measure N multicasts in all (shared by the clients) after the warm-up.")
    private Long messages;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "2s", converter = DurationConverter.class,
        description = "Time before measuring starts; nothing is recorded (default: ${DEFAULT-VALUE}).")
    private Duration warmup;

    @Option(names = "--delivery-log", paramLabel = "DIR",
        description = "Write delivery logs and topology.txt to DIR (which must hold no earlier logs), " +
            "then check them; a failed check exits with 1.")
    private Path deliveryLog;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the setup and result as JSON to FILE.")
    private Path jsonReport;

    @Option(names = "--seed", paramLabel = "SEED",
        description = "Seed of destination choices and payload bytes (default: random, printed).")
    private Long seed;

    @Option(names = "--idle", paramLabel = "KIND", defaultValue = "backoff",
        converter = IdleKind.Converter.class, completionCandidates = IdleKind.Candidates.class,
        description = "How agent threads wait when idle: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). " +
            "spin only with a core per agent thread.")
    private IdleKind idle;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "21000",
        description = "tcp: server N listens on 127.0.0.1:(PORT + N) (default: ${DEFAULT-VALUE}).")
    private int basePort;

    @Mixin
    private ProtocolOptions protocolOptions;

    @Option(names = "--stall-timeout", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
        description = "Fail if no multicast completes for this long while some are in flight (default: ${DEFAULT-VALUE}).")
    private Duration stallTimeout;

    @Option(names = "--quiet-period", paramLabel = "TIME", defaultValue = "500ms", converter = DurationConverter.class,
        description = "Wait after the last completion before the servers stop (default: ${DEFAULT-VALUE}).")
    private Duration quietPeriod;

    @Option(names = "--server-jvm-options", paramLabel = "OPTS", defaultValue = "-Xmx256m -XX:+UseSerialGC",
        description = "tcp: JVM options of each server process, space separated (default: ${DEFAULT-VALUE}).")
    private String serverJvmOptions;

    @Option(names = "--server-classpath", paramLabel = "PATH",
        description = "tcp: class path of the server processes (default: this JVM's class path).")
    private String serverClasspath;

    @Override
    public Integer call()
    {
        final BenchSettings settings = validate();
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        BenchResult.printSetup(settings, out);
        final BenchResult result;
        try
        {
            result = new MulticastBench(settings).run();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("multicast-bench interrupted; every process was stopped");
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final BenchFailureException ex)
        {
            err.println("multicast-bench FAILED (seed " + settings.seed() + "): " + ex.getMessage());
            if (ex.getCause() != null)
            {
                ex.getCause().printStackTrace(err);
            }
            err.flush();
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final RuntimeException | Error ex)
        {
            // The boundary of the command: report anything unexpected with its trace and a run-failed exit code.
            err.println("multicast-bench FAILED (seed " + settings.seed() + "): " + ex);
            ex.printStackTrace(err);
            err.flush();
            return RamcastCli.EXIT_RUN_FAILED;
        }
        result.print(out);
        if (jsonReport != null && !writeJson(result, err))
        {
            return RamcastCli.EXIT_RUN_FAILED;
        }
        if (!result.deliveriesMatch())
        {
            err.println("multicast-bench: the servers delivered " + result.deliveredTotal() + " messages, the " +
                "multicasts call for " + result.load().expectedDeliveries());
        }
        return result.passed() ? RamcastCli.EXIT_OK : RamcastCli.EXIT_CHECK_FAILED;
    }

    private boolean writeJson(final BenchResult result, final PrintWriter err)
    {
        try
        {
            final Path parent = jsonReport.toAbsolutePath().getParent();
            if (parent != null)
            {
                Files.createDirectories(parent);
            }
            Files.writeString(jsonReport, result.toJson() + "\n", StandardCharsets.UTF_8);
            return true;
        }
        catch (final IOException ex)
        {
            err.println("cannot write the JSON report " + jsonReport + ": " + ex);
            return false;
        }
    }

    /**
     * Checks every option and cross-option rule.
     *
     * @return the settings.
     * @throws CommandLine.ParameterException naming the option and the rule.
     */
    private BenchSettings validate()
    {
        try
        {
            return settings();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    private BenchSettings settings()
    {
        final GroupTopology topology = topologyOptions.toTopology();
        final MulticastOptions options;
        try
        {
            options = protocolOptions.toOptions();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("invalid multicast options: " + ex.getMessage(), ex);
        }
        if (destinations < 1 || destinations > topology.groupCount())
        {
            throw new IllegalArgumentException("--destinations=" + destinations + " must be in [1, " +
                topology.groupCount() + "] (the number of groups, --groups)");
        }
        final int maxPayload = options.maxPayloadBytes(destinations);
        if (payloadBytes < 0 || payloadBytes > maxPayload)
        {
            throw new IllegalArgumentException("--payload-bytes=" + payloadBytes + " must be in [0, " + maxPayload +
                "]: a slot of --slot-bytes=" + options.slotSizeBytes() + " holds at most " + maxPayload +
                " payload bytes for " + destinations + " destination group(s)");
        }
        if (duration != null && messages != null)
        {
            throw new IllegalArgumentException("give --duration or --messages, not both");
        }
        if (duration != null && duration.isZero())
        {
            throw new IllegalArgumentException("--duration=" + DurationConverter.format(duration) + " must be positive");
        }
        if (messages != null && messages < 1)
        {
            throw new IllegalArgumentException("--messages=" + messages + " must be at least 1");
        }
        positive("--stall-timeout", stallTimeout);
        if (fabric == MulticastBenchDeployment.TCP)
        {
            LoopbackAddresses.validate(topology, basePort);
        }
        if (deliveryLog != null)
        {
            checkDeliveryLogDir(deliveryLog);
        }
        final List<String> childArgs = Stream.concat(topologyOptions.toArgs().stream(), protocolOptions.toArgs().stream())
            .toList();
        return new BenchSettings(
            fabric,
            topology,
            options,
            childArgs,
            destinations,
            randomDestinations,
            payloadBytes,
            messages == null ? (duration == null ? DEFAULT_DURATION : duration) : null,
            messages == null ? 0 : messages,
            warmup,
            seed == null ? ThreadLocalRandom.current().nextLong() : seed,
            idle,
            basePort,
            deliveryLog == null ? null : deliveryLog.toAbsolutePath(),
            jsonReport,
            stallTimeout,
            quietPeriod,
            Arrays.stream(serverJvmOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList(),
            serverClasspath == null ? absoluteClasspath(System.getProperty("java.class.path")) : serverClasspath);
    }

    private static void positive(final String name, final Duration value)
    {
        if (value.isZero())
        {
            throw new IllegalArgumentException(name + "=" + DurationConverter.format(value) + " must be positive");
        }
    }

    /** Logs are appended to, so a directory with an earlier run's logs would mix two histories. */
    private static void checkDeliveryLogDir(final Path dir)
    {
        if (Files.exists(dir) && !Files.isDirectory(dir))
        {
            throw new IllegalArgumentException("--delivery-log=" + dir + " exists and is not a directory");
        }
        if (!Files.isDirectory(dir))
        {
            return;
        }
        try (Stream<Path> files = Files.list(dir))
        {
            final List<String> earlier = files.map(p -> p.getFileName().toString())
                .filter(n -> n.equals("topology.txt") || n.endsWith(".log") || n.endsWith(".sent"))
                .sorted()
                .limit(5)
                .collect(Collectors.toList());
            if (!earlier.isEmpty())
            {
                throw new IllegalArgumentException("--delivery-log=" + dir + " already holds logs (" +
                    String.join(", ", earlier) + (earlier.size() == 5 ? ", ..." : "") +
                    "); remove them or choose an empty directory");
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("--delivery-log=" + dir + " cannot be listed: " + ex, ex);
        }
    }

    private static String absoluteClasspath(final String classpath)
    {
        return Arrays.stream(classpath.split(File.pathSeparator))
            .filter(s -> !s.isEmpty())
            .map(s -> Path.of(s).toAbsolutePath().toString())
            .collect(Collectors.joining(File.pathSeparator));
    }
}
