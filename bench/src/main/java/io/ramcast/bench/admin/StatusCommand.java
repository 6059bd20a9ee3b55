package io.ramcast.bench.admin;

import io.ramcast.bench.cli.ConfigFiles;
import io.ramcast.bench.cli.ConsoleLogging;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.multicast.Ballots;
import io.ramcast.storage.admin.ReplicaStatus;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ReplicaConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ramcast status --config FILE [--json] [--watch [SECONDS]]}: asks every replica of the
 * config, on its admin port, how it is, and prints one row per replica and one line per partition,
 * as {@code etcdctl endpoint status} and {@code fdbcli status} do.
 *
 * <p>A partition is healthy when a majority of its replicas answer that they are up and the leader
 * those replicas name (the one of the highest ballot) is itself up. Exit code 0 when every
 * partition is healthy, 1 when one is not (usable from health checks and scripts), 2 for bad
 * arguments. With {@code --watch} it prints again every interval until interrupted, exiting with
 * the last round's code.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Ask every replica of a cluster how it is: one row per replica, one line per partition.",
        "Replicas answer on the adminPort of their config entry."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every partition has a majority of its replicas up and an up leader",
        "1:some partition has not (a replica's answer says which)",
        "2:usage error (bad arguments or config)"
    })
public final class StatusCommand implements Callable<Integer>, ConsoleLogging.Quiet
{
    /** A partition is healthy. */
    static final int EXIT_HEALTHY = 0;
    /** Some partition is not healthy. */
    static final int EXIT_UNHEALTHY = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "The cluster config (default: config/local.yaml of this installation).")
    private Path configFile;

    @Option(names = "--json", description = "Print JSON: every replica's answer, every partition's health.")
    private boolean json;

    @Option(names = "--watch", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "2",
        description = "Print again every SECONDS (default 2) until interrupted.")
    private Integer watchSeconds;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "2000",
        description = "How long to wait for each replica's answer, in ms (default: ${DEFAULT-VALUE}).")
    private int timeoutMs;

    /**
     * A partition's health, from its replicas' answers.
     *
     * @param partition        the partition id.
     * @param replicas         replicas in the config.
     * @param up               replicas that answered up.
     * @param leader           the leader named by the up replica with the highest ballot, or -1.
     * @param ballot           that ballot, or "".
     * @param leaderUp         whether that leader answered up.
     * @param commitsPerSecond the leader's commit rate (the highest of the up replicas' if the leader did not answer).
     */
    record PartitionHealth(int partition, int replicas, int up, int leader, String ballot, boolean leaderUp,
        double commitsPerSecond)
    {
        boolean majority()
        {
            return up > replicas / 2;
        }

        boolean healthy()
        {
            return majority() && leaderUp;
        }
    }

    @Override
    public Integer call() throws InterruptedException
    {
        if (timeoutMs <= 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive, not " + timeoutMs);
        }
        if (watchSeconds != null && watchSeconds <= 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--watch must be positive, not " + watchSeconds);
        }
        final Path file = configFile != null ? configFile : LocalDeployment.defaultConfig();
        final ClusterConfig config = ConfigFiles.load(spec, file);
        final AdminClient client = new AdminClient(Duration.ofMillis(timeoutMs));
        final PrintWriter out = spec.commandLine().getOut();
        while (true)
        {
            final List<AdminClient.Answer> answers = client.ask(config.allReplicas());
            final List<PartitionHealth> health = health(config, answers);
            if (json)
            {
                out.println(toJson(config, answers, health));
            }
            else
            {
                if (watchSeconds != null)
                {
                    out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + "  " + config.clusterName() +
                        " (" + file + ")");
                }
                printTable(out, answers, health);
            }
            out.flush();
            final int code = health.stream().allMatch(PartitionHealth::healthy) ? EXIT_HEALTHY : EXIT_UNHEALTHY;
            if (watchSeconds == null)
            {
                return code;
            }
            out.println();
            Thread.sleep(watchSeconds * 1000L);
        }
    }

    static List<PartitionHealth> health(final ClusterConfig config, final List<AdminClient.Answer> answers)
    {
        final List<PartitionHealth> result = new ArrayList<>();
        for (int p = 0; p < config.partitionCount(); p++)
        {
            int replicas = 0;
            int up = 0;
            ReplicaStatus newest = null;
            for (final AdminClient.Answer a : answers)
            {
                if (a.replica().partition() != p)
                {
                    continue;
                }
                replicas++;
                final ReplicaStatus s = a.status();
                if (s != null && ReplicaStatus.UP.equals(s.state()))
                {
                    up++;
                    if (newest == null || ballotOrder(s.ballot()) > ballotOrder(newest.ballot()))
                    {
                        newest = s;
                    }
                }
            }
            final int leader = newest == null ? -1 : newest.leader();
            ReplicaStatus leaderStatus = null;
            double rate = 0;
            for (final AdminClient.Answer a : answers)
            {
                final ReplicaStatus s = a.status();
                if (s != null && a.replica().partition() == p)
                {
                    rate = Math.max(rate, s.commitsPerSecond());
                    if (s.id() == leader && ReplicaStatus.UP.equals(s.state()))
                    {
                        leaderStatus = s;
                    }
                }
            }
            result.add(new PartitionHealth(p, replicas, up, leader, newest == null ? "" : newest.ballot(),
                leaderStatus != null, leaderStatus != null ? leaderStatus.commitsPerSecond() : rate));
        }
        return result;
    }

    /** Orders ballots {@code <round>.<leader>} by round, then leader; one that does not parse comes first. */
    private static long ballotOrder(final String ballot)
    {
        try
        {
            return Ballots.parse(ballot);
        }
        catch (final IllegalArgumentException ex)
        {
            return Long.MIN_VALUE;
        }
    }

    private static void printTable(final PrintWriter out, final List<AdminClient.Answer> answers,
        final List<PartitionHealth> health)
    {
        final String[] header = {"REPLICA", "PARTITION", "STATE", "LEADER", "BALLOT", "EXECUTED", "APPLIED", "BEHIND",
            "PEERS", "CLIENTS", "DATA", "UPTIME", "VERSION"};
        final List<String[]> rows = new ArrayList<>();
        rows.add(header);
        for (final AdminClient.Answer a : answers)
        {
            final ReplicaConfig r = a.replica();
            final ReplicaStatus s = a.status();
            if (s == null)
            {
                rows.add(new String[] {Integer.toString(r.id()), Integer.toString(r.partition()), "down", "-", "-", "-",
                    "-", "-", "-", "-", "-", "-", a.problem()});
                continue;
            }
            rows.add(new String[] {Integer.toString(s.id()), Integer.toString(s.partition()), s.state(),
                Integer.toString(s.leader()) + (s.leader() == s.id() ? "*" : ""), s.ballot(), Long.toString(s.executed()),
                s.appliedMark(), behind(s.behind()), s.peers().size() + "", Integer.toString(s.clients()),
                bytes(s.dataBytes()), uptime(s.uptimeSeconds()), s.version()});
        }
        final int[] widths = new int[header.length];
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (final String[] row : rows)
        {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++)
            {
                line.append(i == row.length - 1 ? row[i] : String.format(Locale.ROOT, "%-" + widths[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.println();
        for (final PartitionHealth h : health)
        {
            out.println("partition " + h.partition() + ": " + h.up() + " of " + h.replicas() + " up" +
                (h.majority() ? " (majority)" : " (NO MAJORITY: it cannot commit)") +
                (h.leader() < 0 ? ", no leader known" : ", leader " + h.leader() + " (ballot " + h.ballot() + ")" +
                    (h.leaderUp() ? "" : " NOT UP")) +
                String.format(Locale.ROOT, ", %.1f commits/s", h.commitsPerSecond()) +
                (h.healthy() ? "" : "  UNHEALTHY"));
        }
    }

    private static String toJson(final ClusterConfig config, final List<AdminClient.Answer> answers,
        final List<PartitionHealth> health)
    {
        final Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster", config.clusterName());
        doc.put("healthy", health.stream().allMatch(PartitionHealth::healthy));
        final List<Map<String, Object>> partitions = new ArrayList<>();
        for (final PartitionHealth h : health)
        {
            final Map<String, Object> p = new LinkedHashMap<>();
            p.put("partition", h.partition());
            p.put("replicas", h.replicas());
            p.put("up", h.up());
            p.put("majority", h.majority());
            p.put("leader", h.leader());
            p.put("ballot", h.ballot());
            p.put("leaderUp", h.leaderUp());
            p.put("commitsPerSecond", h.commitsPerSecond());
            p.put("healthy", h.healthy());
            partitions.add(p);
        }
        doc.put("partitions", partitions);
        final List<Map<String, Object>> replicas = new ArrayList<>();
        for (final AdminClient.Answer a : answers)
        {
            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", a.replica().id());
            r.put("partition", a.replica().partition());
            r.put("reachable", a.status() != null);
            if (a.status() != null)
            {
                r.put("status", a.status());
            }
            else
            {
                r.put("problem", a.problem());
            }
            replicas.add(r);
        }
        doc.put("replicas", replicas);
        try
        {
            return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
        }
        catch (final com.fasterxml.jackson.core.JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String behind(final long behind)
    {
        return behind == Long.MAX_VALUE ? "?" : behind < 0 ? "stale" : Long.toString(behind);
    }

    static String bytes(final long bytes)
    {
        if (bytes < 0)
        {
            return "?";
        }
        if (bytes < 1024)
        {
            return bytes + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1)
        {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String uptime(final long seconds)
    {
        final Duration d = Duration.ofSeconds(seconds);
        if (d.toHours() > 0)
        {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + d.toSecondsPart() + "s" : d.toSeconds() + "s";
    }
}
