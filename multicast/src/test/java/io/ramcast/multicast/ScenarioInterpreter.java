package io.ramcast.multicast;

import io.ramcast.check.CheckResult;
import io.ramcast.check.multicast.MulticastAnomaly;
import io.ramcast.check.multicast.MulticastAnomalyType;
import io.ramcast.check.multicast.MulticastHistoryStats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a protocol scenario ({@link ScenarioScript}) against a {@link ClusterSimulation} and
 * prints a canonical transcript: every verb either acts on the simulated cluster (and prints
 * {@code ok}) or prints part of its observable state — deliveries, ballots, client progress,
 * the multicast checker's verdict — never a time, an object hash or internal protocol state.
 *
 * <h2>Verbs</h2>
 * Processes are named {@code s<id>} (server by process id) and {@code c<k>} (the k-th client);
 * where a list of processes is taken, {@code g<n>} stands for every member of group n.
 * <pre>
 * topology groups=G replicas=R clients=C [seed=1] [ring-slots=8] [stream-records=16] [window=4]
 *          [heartbeat-ms=1] [failure-timeout-ms=5] [client-failure-timeout-ms=10] [retained=256]
 *     first command: a uniform cluster (GroupTopology.uniform) with zero link delays, whose
 *     client sessions are started; prints the members of each group and the clients
 * submit client=K dest=G[,H..] [id=LABEL]        queue a multicast at client K (not yet sent)
 * step [N] [process=P]                           N scheduler steps (default 1); with process=P,
 *                                                N duty cycles of P alone (none if P is crashed or
 *                                                paused), the clock standing still
 * run-until-quiet [quiet=200] [max=100000]       step until every live client has nothing in flight
 *                                                and nobody delivered for quiet steps; prints
 *                                                NOT QUIET and what is pending after max steps
 * run-until delivered=LABEL [process=P,..] [max=100000]
 *                                                step until the processes (default: every live
 *                                                destination member) delivered the message
 * run-until leader=P [max=100000]                step until server P leads its group; both forms
 *                                                print NOT REACHED after max steps
 * pause-link from=P to=Q[,..]  /  resume-link from=P to=Q[,..]
 *                                                hold P's writes to Q, issued before or after, / release them
 * delay from=P to=Q[,..] us=N                    writes P issues to Q from now on land after N µs
 * crash process=P[,..] [connection=lost|kept]    crash-stop; writes P still holds are lost; with
 *                                                connection=lost (default) peers see the connection drop
 * pause process=P[,..]  /  resume process=P[,..] stop stepping P (SIGSTOP) / step it again
 * deliveries [process=P,..] [ts=false]           per server: its deliveries in order (ts=true adds
 *                                                final timestamp value and group: m1@5/g0)
 * ballots                                        per group: each member's role and ballot (round,leader)
 * clients                                        per client: multicasts submitted, completed, pending
 * check [complete=true]                          the multicast checker over the whole history: VALID,
 *                                                or INVALID and its report
 * </pre>
 * A message is named by its {@code id=} label (default {@code m<n>}, n counting submits); a
 * delivered message no scenario submitted prints as {@code sender:sequence}.
 *
 * <p>Deterministic: everything random in the simulation derives from the topology's seed, and
 * every listing is in process, group or delivery order. Threading: one thread. Errors: a
 * malformed command throws {@link ScenarioException} naming the file and line; a protocol
 * failure inside the simulation (fail-stop, reported error) throws {@link AssertionError}
 * naming them too.
 */
final class ScenarioInterpreter implements AutoCloseable
{
    static final long DEFAULT_QUIET_STEPS = 200;
    static final long DEFAULT_MAX_STEPS = 100_000;
    static final List<String> VERBS = List.of("topology", "submit", "step", "run-until-quiet", "run-until",
        "pause-link", "resume-link", "delay", "crash", "pause", "resume", "deliveries", "ballots", "clients", "check");
    private static final List<String> OK = List.of("ok");

    private final String file;
    private ClusterSimulation sim;
    private final Map<String, ClientProtocol.Request> requestByLabel = new LinkedHashMap<>();
    private long[] submittedBy;

    /**
     * @param file the scenario file's name, for error messages.
     */
    ScenarioInterpreter(final String file)
    {
        this.file = file;
    }

    /**
     * Runs every command of a scenario in a fresh cluster.
     *
     * @param script the scenario.
     * @return the actual transcript: the script rendered with the outputs the commands printed.
     * @throws ScenarioException for a malformed command.
     * @throws AssertionError    if the protocol failed inside the simulation.
     */
    static String run(final ScenarioScript script)
    {
        final List<List<String>> outputs = new ArrayList<>();
        try (ScenarioInterpreter interpreter = new ScenarioInterpreter(script.name()))
        {
            for (final ScenarioScript.Command c : script.commands())
            {
                outputs.add(interpreter.execute(ScenarioCommand.parse(script.name(), c.lineNumber(), c.text())));
            }
        }
        return script.render(outputs);
    }

    /**
     * @param command one command.
     * @return its output lines, none blank.
     */
    List<String> execute(final ScenarioCommand command)
    {
        if (!VERBS.contains(command.verb()))
        {
            throw command.error("unknown verb; verbs are " + VERBS);
        }
        if (sim == null && !command.verb().equals("topology"))
        {
            throw command.error("the first command must be 'topology'");
        }
        try
        {
            return switch (command.verb())
            {
                case "topology" -> topology(command);
                case "submit" -> submit(command);
                case "step" -> step(command);
                case "run-until-quiet" -> runUntilQuiet(command);
                case "run-until" -> runUntil(command);
                case "pause-link" -> link(command, true);
                case "resume-link" -> link(command, false);
                case "delay" -> delay(command);
                case "crash" -> crash(command);
                case "pause" -> pause(command, true);
                case "resume" -> pause(command, false);
                case "deliveries" -> deliveries(command);
                case "ballots" -> ballots(command);
                case "clients" -> clients(command);
                case "check" -> check(command);
                default -> throw new IllegalStateException(command.verb());
            };
        }
        catch (final ScenarioException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            throw new AssertionError(file + ":" + command.lineNumber() + ": " + command.verb() + " failed: " + ex, ex);
        }
    }

    private List<String> topology(final ScenarioCommand command)
    {
        command.allow(0, "groups", "replicas", "clients", "seed", "ring-slots", "stream-records", "window",
            "heartbeat-ms", "failure-timeout-ms", "client-failure-timeout-ms", "retained");
        if (sim != null)
        {
            throw command.error("the cluster exists already; one topology per scenario");
        }
        final int groups = (int)command.integer("groups", 1, 64);
        final int replicas = (int)command.integer("replicas", 1, 15);
        final int clients = (int)command.integer("clients", 1, 64);
        final long seed = command.integer("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        final GroupTopology topology;
        final MulticastOptions options;
        try
        {
            topology = GroupTopology.uniform(groups, replicas, clients);
            options = SimulationTest.smallOptionsBuilder((int)command.integer("window", 4, 1, 1 << 16))
                .ringSlots((int)command.integer("ring-slots", 8, 1, 1 << 16))
                .streamRecords((int)command.integer("stream-records", 16, 1, 1 << 24))
                .heartbeatIntervalMillis((int)command.integer("heartbeat-ms", 1, 1, 10_000))
                .failureTimeoutMillis((int)command.integer("failure-timeout-ms", 5, 1, 600_000))
                .clientFailureTimeoutMillis((int)command.integer("client-failure-timeout-ms", 10, 1, 600_000))
                .retainedDeliveries((int)command.integer("retained", 256, 1, 1 << 24))
                .build();
        }
        catch (final IllegalArgumentException ex)
        {
            throw command.error(ex.getMessage());
        }
        sim = new ClusterSimulation(seed, topology, options, 0, 1, 0);
        submittedBy = new long[ServerProtocol.maxProcessId(topology) + 1];
        sim.startSessions();
        final List<String> out = new ArrayList<>();
        for (int g = 0; g < topology.groupCount(); g++)
        {
            final StringBuilder line = new StringBuilder("g").append(g).append(':');
            for (final int m : topology.members(g))
            {
                line.append(' ').append(name(m));
            }
            out.add(line.toString());
        }
        final StringBuilder line = new StringBuilder("clients:");
        for (final int c : topology.clients())
        {
            line.append(' ').append(name(c));
        }
        out.add(line.toString());
        return out;
    }

    private List<String> submit(final ScenarioCommand command)
    {
        command.allow(0, "client", "dest", "id");
        final String ref = command.string("client");
        final int client = process(command, ref.startsWith("c") ? ref : "c" + ref);
        if (sim.crashed[client])
        {
            throw command.error(name(client) + " has crashed");
        }
        final String label = command.string("id", "m" + (requestByLabel.size() + 1));
        if (!label.matches("[A-Za-z][A-Za-z0-9_.-]*"))
        {
            throw command.error("id '" + label + "' must be a letter followed by letters, digits, '_', '.' or '-'");
        }
        if (requestByLabel.containsKey(label))
        {
            throw command.error("id '" + label + "' used twice");
        }
        final List<String> items = command.list("dest");
        final int[] groups = new int[items.size()];
        for (int i = 0; i < groups.length; i++)
        {
            groups[i] = (int)command.toInteger("dest", items.get(i), 0, sim.topology.groupCount() - 1);
        }
        final byte[] payload = label.getBytes(StandardCharsets.US_ASCII);
        final int[] destinations;
        try
        {
            destinations = ClientProtocol.validate(sim.topology, sim.options, payload, groups);
        }
        catch (final IllegalArgumentException ex)
        {
            throw command.error(ex.getMessage());
        }
        final ClientProtocol.Request request = new ClientProtocol.Request(payload, destinations, label);
        sim.clients[client].submit(request);
        requestByLabel.put(label, request);
        submittedBy[client]++;
        return OK;
    }

    private List<String> step(final ScenarioCommand command)
    {
        command.allow(1, "process");
        final long n = command.positionalInteger(1, 1, DEFAULT_MAX_STEPS);
        if (command.has("process"))
        {
            final int p = process(command, command.string("process"));
            for (long i = 0; i < n; i++)
            {
                sim.stepProcess(p);
            }
        }
        else
        {
            for (long i = 0; i < n; i++)
            {
                sim.step();
            }
        }
        return OK;
    }

    private List<String> runUntilQuiet(final ScenarioCommand command)
    {
        command.allow(0, "quiet", "max");
        final long quietSteps = command.integer("quiet", DEFAULT_QUIET_STEPS, 1, DEFAULT_MAX_STEPS);
        final long maxSteps = command.integer("max", DEFAULT_MAX_STEPS, 1, 100 * DEFAULT_MAX_STEPS);
        final long start = sim.steps;
        while (sim.steps - Math.max(start, sim.lastDeliveryStep) < quietSteps || !clientsIdle())
        {
            if (sim.steps - start >= maxSteps)
            {
                return List.of("NOT QUIET after " + maxSteps + " steps: " + pendingSummary());
            }
            sim.step();
        }
        return OK;
    }

    private List<String> runUntil(final ScenarioCommand command)
    {
        command.allow(0, "delivered", "process", "leader", "max");
        final long maxSteps = command.integer("max", DEFAULT_MAX_STEPS, 1, 100 * DEFAULT_MAX_STEPS);
        if (command.has("delivered") == command.has("leader"))
        {
            throw command.error("give exactly one condition: delivered=LABEL or leader=P");
        }
        final java.util.function.BooleanSupplier reached;
        if (command.has("leader"))
        {
            if (command.has("process"))
            {
                throw command.error("'process' goes with delivered=, not with leader=");
            }
            final int p = server(command, command.string("leader"));
            reached = () -> !sim.crashed[p] && sim.servers[p].isLeader();
        }
        else
        {
            final ClientProtocol.Request request = request(command, command.string("delivered"));
            final List<Integer> targets = new ArrayList<>();
            if (command.has("process"))
            {
                for (final int p : processes(command, "process"))
                {
                    targets.add(server(command, name(p)));
                }
            }
            else
            {
                for (final int g : request.destinations)
                {
                    for (final int m : sim.topology.members(g))
                    {
                        if (!sim.crashed[m])
                        {
                            targets.add(m);
                        }
                    }
                }
            }
            reached = () -> request.messageId != 0 &&
                targets.stream().allMatch(p -> sim.deliveredBy.get(p).contains(request.messageId));
        }
        final long start = sim.steps;
        while (!reached.getAsBoolean())
        {
            if (sim.steps - start >= maxSteps)
            {
                return List.of("NOT REACHED after " + maxSteps + " steps");
            }
            sim.step();
        }
        return OK;
    }

    private List<String> link(final ScenarioCommand command, final boolean pause)
    {
        command.allow(0, "from", "to");
        final int from = process(command, command.string("from"));
        for (final int to : processes(command, "to"))
        {
            if (to == from)
            {
                throw command.error(name(from) + " has no link to itself");
            }
            if (pause)
            {
                sim.fabrics[from].pauseLink(to);
            }
            else
            {
                sim.fabrics[from].resumeLink(to);
            }
        }
        return OK;
    }

    private List<String> delay(final ScenarioCommand command)
    {
        command.allow(0, "from", "to", "us");
        final int from = process(command, command.string("from"));
        final long delayNs = command.integer("us", 0, 1_000_000) * 1_000;
        for (final int to : processes(command, "to"))
        {
            if (to == from)
            {
                throw command.error(name(from) + " has no link to itself");
            }
            sim.fabrics[from].linkDelay(to, delayNs, delayNs);
        }
        return OK;
    }

    private List<String> crash(final ScenarioCommand command)
    {
        command.allow(0, "process", "connection");
        final String connection = command.string("connection", "lost");
        if (!connection.equals("lost") && !connection.equals("kept"))
        {
            throw command.error("'connection' must be lost or kept, got '" + connection + "'");
        }
        for (final int p : processes(command, "process"))
        {
            sim.crash(p, connection.equals("lost"));
        }
        return OK;
    }

    private List<String> pause(final ScenarioCommand command, final boolean pause)
    {
        command.allow(0, "process");
        for (final int p : processes(command, "process"))
        {
            if (sim.crashed[p])
            {
                throw command.error(name(p) + " has crashed");
            }
            if (pause)
            {
                sim.pause(p);
            }
            else
            {
                sim.resume(p);
            }
        }
        return OK;
    }

    private List<String> deliveries(final ScenarioCommand command)
    {
        command.allow(0, "process", "ts");
        final boolean timestamps = command.bool("ts", false);
        final List<Integer> servers = new ArrayList<>();
        if (command.has("process"))
        {
            for (final int p : processes(command, "process"))
            {
                servers.add(server(command, name(p)));
            }
        }
        else
        {
            for (final int s : sim.topology.servers())
            {
                servers.add(s);
            }
        }
        final Map<Long, String> labels = labelsById();
        final List<String> out = new ArrayList<>();
        for (final int s : servers)
        {
            final StringBuilder line = new StringBuilder(name(s)).append(state(s)).append(':');
            final List<Delivery> delivered = sim.deliveriesBy.get(s);
            if (delivered.isEmpty())
            {
                line.append(" -");
            }
            for (final Delivery d : delivered)
            {
                line.append(' ').append(labels.getOrDefault(d.messageId(), MessageIds.toString(d.messageId())));
                if (timestamps)
                {
                    line.append('@').append(d.finalTimestamp()).append("/g").append(d.finalGroup());
                }
            }
            out.add(line.toString());
        }
        return out;
    }

    private List<String> ballots(final ScenarioCommand command)
    {
        command.allow(0);
        final List<String> out = new ArrayList<>();
        for (int g = 0; g < sim.topology.groupCount(); g++)
        {
            final StringBuilder line = new StringBuilder("g").append(g).append(':');
            for (final int m : sim.topology.members(g))
            {
                line.append(' ').append(name(m)).append('=');
                if (sim.crashed[m])
                {
                    line.append("crashed");
                    continue;
                }
                final ServerProtocol server = sim.servers[m];
                line.append(server.mode().name().toLowerCase()).append(Ballots.toString(server.ballot()));
                if (sim.paused[m])
                {
                    line.append(",paused");
                }
            }
            out.add(line.toString());
        }
        return out;
    }

    private List<String> clients(final ScenarioCommand command)
    {
        command.allow(0);
        final List<String> out = new ArrayList<>();
        for (final int c : sim.topology.clients())
        {
            final ClientProtocol client = sim.clients[c];
            out.add(name(c) + state(c) + ": submitted=" + submittedBy[c] + " completed=" + sim.completedBy[c] +
                " pending=" + (client.inflightCount() + client.waitingCount()));
        }
        return out;
    }

    private List<String> check(final ScenarioCommand command)
    {
        command.allow(0, "complete");
        final CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> result = sim.check(command.bool("complete", true));
        if (result.isValid())
        {
            return List.of("VALID");
        }
        final List<String> out = new ArrayList<>();
        out.add("INVALID");
        for (final String line : result.summary().split("\n"))
        {
            if (!line.isBlank())
            {
                out.add(line);
            }
        }
        return out;
    }

    /** @return the simulated cluster, or null before {@code topology}; for tests of the interpreter. */
    ClusterSimulation simulation()
    {
        return sim;
    }

    private boolean clientsIdle()
    {
        for (final int c : sim.topology.clients())
        {
            if (!sim.crashed[c] && sim.clients[c].inflightCount() + sim.clients[c].waitingCount() > 0)
            {
                return false;
            }
        }
        return true;
    }

    private String pendingSummary()
    {
        final StringBuilder sb = new StringBuilder();
        for (final int c : sim.topology.clients())
        {
            final int pending = sim.clients[c].inflightCount() + sim.clients[c].waitingCount();
            if (!sim.crashed[c] && pending > 0)
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(name(c)).append(" has ").append(pending)
                    .append(" multicast(s) not complete");
            }
        }
        return sb.length() == 0 ? "deliveries still happening" : sb.toString();
    }

    private Map<Long, String> labelsById()
    {
        final Map<Long, String> labels = new HashMap<>();
        requestByLabel.forEach((label, request) ->
        {
            if (request.messageId != 0)
            {
                labels.put(request.messageId, label);
            }
        });
        return labels;
    }

    private ClientProtocol.Request request(final ScenarioCommand command, final String label)
    {
        final ClientProtocol.Request request = requestByLabel.get(label);
        if (request == null)
        {
            throw command.error("no message '" + label + "' was submitted");
        }
        return request;
    }

    private String state(final int p)
    {
        return sim.crashed[p] ? " (crashed)" : sim.paused[p] ? " (paused)" : "";
    }

    private String name(final int p)
    {
        return sim.topology.isServer(p) ? "s" + p : "c" + sim.topology.clientOrdinalOf(p);
    }

    /** @return the process id of {@code s<id>} or {@code c<k>}. */
    private int process(final ScenarioCommand command, final String ref)
    {
        final GroupTopology topology = sim.topology;
        if (ref.matches("s[0-9]+"))
        {
            final long id = command.toInteger("server", ref.substring(1), 0, Integer.MAX_VALUE);
            if (id >= GroupTopology.MAX_PROCESS_ID || !topology.isServer((int)id))
            {
                throw command.error("no server " + ref + "; servers are s0..s" + (topology.serverCount() - 1));
            }
            return (int)id;
        }
        if (ref.matches("c[0-9]+"))
        {
            final long k = command.toInteger("client", ref.substring(1), 0, Integer.MAX_VALUE);
            if (k >= topology.clientCount())
            {
                throw command.error("no client " + ref + "; clients are c0..c" + (topology.clientCount() - 1));
            }
            return topology.clients()[(int)k];
        }
        throw command.error("'" + ref + "' is not a process; write s<server id> or c<client number>");
    }

    private int server(final ScenarioCommand command, final String ref)
    {
        final int p = process(command, ref);
        if (!sim.topology.isServer(p))
        {
            throw command.error(ref + " is not a server");
        }
        return p;
    }

    /** @return the processes of a list argument, {@code g<n>} expanded to the group's members, in the given order. */
    private List<Integer> processes(final ScenarioCommand command, final String key)
    {
        final List<Integer> out = new ArrayList<>();
        for (final String item : command.list(key))
        {
            if (item.matches("g[0-9]+"))
            {
                final int g = (int)command.toInteger("group", item.substring(1), 0, sim.topology.groupCount() - 1);
                for (final int m : sim.topology.members(g))
                {
                    out.add(m);
                }
            }
            else
            {
                out.add(process(command, item));
            }
        }
        return out;
    }

    @Override
    public void close()
    {
        if (sim != null)
        {
            sim.close();
        }
    }
}
