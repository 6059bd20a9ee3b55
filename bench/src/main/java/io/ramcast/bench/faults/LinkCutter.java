package io.ramcast.bench.faults;

import io.ramcast.bench.process.ProcessOwner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts and heals TCP links between the processes of one cluster on loopback, with iptables, so
 * that a process-level test can partition replicas from each other and from their clients.
 *
 * <p><b>How.</b> Every replica process runs under a uid of its own and the clients under another
 * (see {@link io.ramcast.bench.process.ReplicaOwners}); a port alone would not do, since outgoing connections use
 * ephemeral ports and a reconnect gets a new one. {@link #install} creates a chain
 * {@code RAMCAST-<pid>-<n>} (this JVM's pid, a sequence number), jumps to it from the top of
 * {@code OUTPUT}, and fills it with one marking rule per endpoint: a packet on loopback to or from
 * the cluster's port range, sent by a socket of that endpoint's uid, sets the endpoint's bit in
 * its connection's conntrack mark (for clients: a packet to the range). A cut appends a
 * {@code DROP} for the connections that carry both endpoints' bits, with the sender's uid when
 * only one direction is cut (the rule layout is drawn on {@link CutRules}). Nothing outside the
 * chain and its one jump is ever added or removed; {@link #close()} flushes and deletes both, a
 * JVM shutdown hook does the same if the caller does not, and {@link #cleanupStale()} removes
 * chains left by a run that was killed (owner pid no longer alive).
 *
 * <p><b>What the processes see.</b> A dropped packet vanishes: no reset, no ICMP error, so nothing
 * fails at once. On a link cut both ways a new connection hangs in connect (the SYN gets through,
 * the SYN-ACK does not) until the connector's timeout; on an established connection writes
 * succeed until the socket's send buffer is full and then block, reads see nothing, and the
 * kernel retransmits with exponential back-off until it gives up ({@code tcp_retries2}, about
 * 15 minutes, then {@code ETIMEDOUT}). A process therefore notices a cut through its own timeouts
 * (RamCast: heartbeat silence for {@code timeouts.failureTimeoutMs}; the client: its request and
 * connect timeouts), never through a connection reset. After a heal, new connections work at once,
 * while an established one resumes at the sender's next retransmission, which may be seconds
 * (back-off up to 120 s) after a long cut.
 *
 * <p><b>One way.</b> TCP needs packets both ways, so a one-way cut acts on connections as follows,
 * for "what A sends is dropped": no new connection between A and B gets established in either
 * direction (A's SYN-ACK or A's final handshake ACK is dropped); on a connection established
 * before the cut, B's bytes still reach A's application (up to B's send window: A's
 * acknowledgements are dropped, so B then stalls, retransmitting), and A's bytes never reach B.
 *
 * <p><b>Clients.</b> Client connections are told apart by the uid of the client's socket on
 * packets towards the cluster's ports. The clients may run as separate processes under their own
 * uid, or in the test JVM itself: pass {@code clientUid} 0 when that JVM runs as root. Marking by
 * root's uid is safe here because only packets towards the cluster's port range are marked and a
 * drop needs a replica's bit as well, which only a replica's own process sets; every process of
 * that uid talking to the cluster counts as a client.
 *
 * <p><b>Threading.</b> Thread-safe (methods synchronize); each call runs a few iptables commands
 * and blocks until they finish (tens of milliseconds each, at most
 * {@link Iptables#COMMAND_TIMEOUT}). A cut or heal is idempotent. Errors are
 * {@link LinkCutterException}s naming the command and its output; the rules then are as the
 * commands that succeeded left them, and {@link #close()} still removes everything.
 */
public final class LinkCutter implements AutoCloseable
{
    /** The endpoint id that stands for every client of the cluster. */
    public static final int CLIENTS = -1;
    /** Every chain a cutter creates starts with this. */
    static final String CHAIN_PREFIX = "RAMCAST-";
    /** Chain names of cutters and of the backend probe; group 1 is the owning JVM's pid. */
    private static final Pattern CHAIN_NAME = Pattern.compile("RAMCAST-(?:PROBE-)?(\\d+)(?:-\\d+)?");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Iptables iptables;
    private final CutRules rules;
    private final String chain;
    private final Set<CutRules.Link> cut = new HashSet<>();
    private final Set<List<String>> installedDrops = new HashSet<>();
    private final Thread shutdownHook;
    private boolean closed;

    private LinkCutter(final Iptables iptables, final CutRules rules, final String chain)
    {
        this.iptables = iptables;
        this.rules = rules;
        this.chain = chain;
        this.shutdownHook = new Thread(this::removeFromShutdownHook, "link-cutter-cleanup-" + chain);
    }

    /**
     * Checks what cutting links needs: Linux, root, a working iptables backend, {@code setpriv}.
     *
     * @return why links cannot be cut here, or empty if they can (tests skip with this reason).
     */
    public static Optional<String> unavailableReason()
    {
        try
        {
            Iptables.detect();
        }
        catch (final LinkCutterException ex)
        {
            return Optional.of(ex.getMessage());
        }
        return ProcessOwner.setprivMissingReason();
    }

    /**
     * Installs the marking rules of a cluster; nothing is cut yet.
     *
     * @param portLo         lowest port of the cluster (inclusive): every replica listens in
     *                       {@code portLo..portHi}.
     * @param portHi         highest port of the cluster (inclusive).
     * @param replicaUidById each replica id and the uid its process runs under (distinct, not root).
     * @param clientUid      the uid of the clients' processes (0 for clients inside a root JVM).
     * @return the installed cutter; close it to remove every rule.
     * @throws IllegalArgumentException if the ports or uids are not usable (see {@link CutRules}).
     * @throws LinkCutterException      if not root, iptables does not work or a rule is refused
     *                                  (what was installed is removed again).
     */
    public static LinkCutter install(
        final int portLo, final int portHi, final Map<Integer, Integer> replicaUidById, final int clientUid)
    {
        final CutRules rules = new CutRules(portLo, portHi, replicaUidById, clientUid);
        final Iptables iptables = Iptables.detect();
        final String chain = CHAIN_PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.getAndIncrement();
        final LinkCutter cutter = new LinkCutter(iptables, rules, chain);
        iptables.runOrThrow(List.of("-N", chain));
        Runtime.getRuntime().addShutdownHook(cutter.shutdownHook);
        try
        {
            for (final List<String> rule : rules.markRules())
            {
                cutter.append(rule);
            }
            iptables.runOrThrow(List.of("-I", "OUTPUT", "1", "-j", chain));
            return cutter;
        }
        catch (final RuntimeException ex)
        {
            try
            {
                cutter.close();
            }
            catch (final LinkCutterException closeFailure)
            {
                ex.addSuppressed(closeFailure);
            }
            throw ex;
        }
    }

    /** @return the name of this cutter's iptables chain. */
    public String chain()
    {
        return chain;
    }

    /** @return the iptables executable in use ({@code iptables-nft} or {@code iptables-legacy}). */
    public String backend()
    {
        return iptables.executable();
    }

    /**
     * Cuts a replica off from every other replica and from the clients, both ways.
     *
     * @param replicaId the replica.
     * @throws IllegalArgumentException if it is not a replica of this cutter.
     * @throws LinkCutterException      if iptables fails.
     */
    public synchronized void isolate(final int replicaId)
    {
        final Set<CutRules.Link> next = new HashSet<>(cut);
        for (final int other : others(replicaId))
        {
            next.add(new CutRules.Link(replicaId, other));
            next.add(new CutRules.Link(other, replicaId));
        }
        apply(next);
    }

    /**
     * Drops what a replica sends to every other replica and to the clients; what they send to it
     * still arrives (see the class comment for what that means for TCP).
     *
     * @param replicaId the replica.
     * @throws IllegalArgumentException if it is not a replica of this cutter.
     * @throws LinkCutterException      if iptables fails.
     */
    public synchronized void isolateSending(final int replicaId)
    {
        final Set<CutRules.Link> next = new HashSet<>(cut);
        for (final int other : others(replicaId))
        {
            next.add(new CutRules.Link(replicaId, other));
        }
        apply(next);
    }

    /**
     * Drops what every other replica and the clients send to a replica; what it sends still
     * arrives (see the class comment for what that means for TCP).
     *
     * @param replicaId the replica.
     * @throws IllegalArgumentException if it is not a replica of this cutter.
     * @throws LinkCutterException      if iptables fails.
     */
    public synchronized void isolateReceiving(final int replicaId)
    {
        final Set<CutRules.Link> next = new HashSet<>(cut);
        for (final int other : others(replicaId))
        {
            next.add(new CutRules.Link(other, replicaId));
        }
        apply(next);
    }

    /**
     * Cuts a replica off from the clients only, both ways; the replicas still reach it.
     *
     * @param replicaId the replica.
     * @throws IllegalArgumentException if it is not a replica of this cutter.
     * @throws LinkCutterException      if iptables fails.
     */
    public synchronized void isolateFromClients(final int replicaId)
    {
        cut(replicaId, CLIENTS);
    }

    /**
     * Cuts one link both ways.
     *
     * @param a a replica id or {@link #CLIENTS}.
     * @param b another one.
     * @throws IllegalArgumentException if either is unknown or they are the same.
     * @throws LinkCutterException      if iptables fails.
     */
    public synchronized void cut(final int a, final int b)
    {
        final Set<CutRules.Link> next = new HashSet<>(cut);
        next.add(new CutRules.Link(a, b));
        next.add(new CutRules.Link(b, a));
        apply(next);
    }

    /**
     * Drops what {@code from} sends to {@code to}; the other direction is left as it is.
     *
     * @param from a replica id or {@link #CLIENTS}: the sender whose packets are dropped.
     * @param to   another one.
     * @throws IllegalArgumentException if either is unknown or they are the same.
     * @throws LinkCutterException      if iptables fails.
     */
    public synchronized void cutOneWay(final int from, final int to)
    {
        final Set<CutRules.Link> next = new HashSet<>(cut);
        next.add(new CutRules.Link(from, to));
        apply(next);
    }

    /**
     * Heals one link, both ways.
     *
     * @param a a replica id or {@link #CLIENTS}.
     * @param b another one.
     * @throws IllegalArgumentException if either is unknown.
     * @throws LinkCutterException      if iptables fails.
     */
    public synchronized void heal(final int a, final int b)
    {
        rules.markBit(a);
        rules.markBit(b);
        final Set<CutRules.Link> next = new HashSet<>(cut);
        next.remove(new CutRules.Link(a, b));
        next.remove(new CutRules.Link(b, a));
        apply(next);
    }

    /**
     * Heals every link of one endpoint, both ways.
     *
     * @param endpoint a replica id or {@link #CLIENTS}.
     * @throws IllegalArgumentException if it is unknown.
     * @throws LinkCutterException      if iptables fails.
     */
    public synchronized void heal(final int endpoint)
    {
        rules.markBit(endpoint);
        final Set<CutRules.Link> next = new HashSet<>(cut);
        next.removeIf(link -> link.from() == endpoint || link.to() == endpoint);
        apply(next);
    }

    /**
     * Heals every link; the marking rules stay, so later cuts act at once.
     *
     * @throws LinkCutterException if iptables fails.
     */
    public synchronized void healAll()
    {
        apply(Set.of());
    }

    /**
     * @return the cut links as {@code from->to} pairs ({@link #CLIENTS} printed as {@code clients}),
     *         sorted; empty when everything is healed.
     */
    public synchronized List<String> describeCuts()
    {
        return cut.stream()
            .sorted((x, y) -> x.from() != y.from() ? Integer.compare(x.from(), y.from()) : Integer.compare(x.to(), y.to()))
            .map(link -> name(link.from()) + "->" + name(link.to())).toList();
    }

    /**
     * Reads how many packets the current cuts dropped: the packet counters of the drop rules now
     * installed (a heal deletes rules, and their counts with them), so read it before healing.
     *
     * @return packets dropped by the links cut now, since each was cut.
     * @throws LinkCutterException if iptables fails or prints counters this method cannot read.
     */
    public synchronized long droppedPackets()
    {
        long dropped = 0;
        for (final String line : iptables.runOrThrow(List.of("-L", chain, "-v", "-n", "-x")).lines().toList())
        {
            // "    pkts      bytes target     prot opt in     out     source               destination"
            final String[] columns = line.trim().split("\\s+");
            if (columns.length > 2 && columns[2].equals("DROP"))
            {
                try
                {
                    dropped += Long.parseLong(columns[0]);
                }
                catch (final NumberFormatException ex)
                {
                    throw new LinkCutterException("unexpected counter line from " + iptables.executable() + ": " + line, ex);
                }
            }
        }
        return dropped;
    }

    private static String name(final int endpoint)
    {
        return endpoint == CLIENTS ? "clients" : Integer.toString(endpoint);
    }

    private List<Integer> others(final int replicaId)
    {
        if (replicaId == CLIENTS)
        {
            throw new IllegalArgumentException("isolate takes a replica id, not the clients (" + CLIENTS + ")");
        }
        rules.markBit(replicaId);
        return rules.endpoints().stream().filter(e -> e != replicaId).toList();
    }

    /** Moves the installed drop rules to those of {@code next}: adds the new ones first, then deletes the old. */
    private void apply(final Set<CutRules.Link> next)
    {
        if (closed)
        {
            throw new IllegalStateException("link cutter " + chain + " is closed");
        }
        final Set<List<String>> wanted = rules.dropRules(next);
        for (final List<String> rule : wanted)
        {
            if (!installedDrops.contains(rule))
            {
                append(rule);
                installedDrops.add(rule);
            }
        }
        // Deleting only after adding: a link that stays cut never has a moment without its rule.
        for (final List<String> rule : new ArrayList<>(installedDrops))
        {
            if (!wanted.contains(rule))
            {
                final List<String> args = new ArrayList<>(List.of("-D", chain));
                args.addAll(rule);
                iptables.runOrThrow(args);
                installedDrops.remove(rule);
            }
        }
        cut.clear();
        cut.addAll(next);
    }

    private void append(final List<String> rule)
    {
        final List<String> args = new ArrayList<>(List.of("-A", chain));
        args.addAll(rule);
        iptables.runOrThrow(args);
    }

    /**
     * Removes the jump from {@code OUTPUT} and the chain with all its rules; every link is whole
     * again. Idempotent.
     *
     * @throws LinkCutterException if a rule could not be removed (the message says which; the
     *                             rest was still attempted).
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        cut.clear();
        installedDrops.clear();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is shutting down: this call may come from the hook itself
        }
        final String failure = removeChain(iptables, chain);
        if (failure != null)
        {
            throw new LinkCutterException(failure);
        }
    }

    private void removeFromShutdownHook()
    {
        try
        {
            close();
        }
        catch (final LinkCutterException ex)
        {
            System.err.println("link cutter: cleanup at JVM exit failed: " + ex.getMessage());
        }
    }

    /**
     * Removes chains that cutters of dead JVMs left behind (killed before their shutdown hook ran):
     * every chain named {@code RAMCAST-<pid>-<n>} or {@code RAMCAST-PROBE-<pid>} whose pid is not a
     * live process, with its jumps from {@code OUTPUT}. Chains of live processes are left alone (a
     * recycled pid keeps a stale chain until that process exits too).
     *
     * @return the names of the chains removed.
     * @throws LinkCutterException if not root, iptables does not work, or removing a chain failed
     *                             (the others are still attempted).
     */
    public static List<String> cleanupStale()
    {
        final Iptables iptables = Iptables.detect();
        final List<String> removed = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        for (final String line : iptables.listRules())
        {
            if (!line.startsWith("-N " + CHAIN_PREFIX))
            {
                continue;
            }
            final String name = line.substring("-N ".length()).trim();
            final Matcher m = CHAIN_NAME.matcher(name);
            if (!m.matches())
            {
                continue;
            }
            final long ownerPid = Long.parseLong(m.group(1));
            if (ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false))
            {
                continue;
            }
            final String failure = removeChain(iptables, name);
            if (failure == null)
            {
                removed.add(name);
            }
            else
            {
                failures.add(failure);
            }
        }
        if (!failures.isEmpty())
        {
            throw new LinkCutterException("stale chains not removed: " + String.join("; ", failures));
        }
        return removed;
    }

    /** @return null if the chain and every jump to it from OUTPUT are gone, else what failed. */
    private static String removeChain(final Iptables iptables, final String chain)
    {
        final List<String> failures = new ArrayList<>();
        // a chain can be jumped to more than once only if someone copied the rule; remove them all
        final long jumps = iptables.listRules().stream().filter(line -> line.equals("-A OUTPUT -j " + chain)).count();
        for (int i = 0; i < jumps; i++)
        {
            final Iptables.Result result = iptables.run(List.of("-D", "OUTPUT", "-j", chain));
            if (result.exitCode() != 0)
            {
                failures.add("-D OUTPUT -j " + chain + ": " + result.output().trim());
            }
        }
        for (final List<String> step : List.of(List.of("-F", chain), List.of("-X", chain)))
        {
            final Iptables.Result result = iptables.run(step);
            if (result.exitCode() != 0)
            {
                failures.add(String.join(" ", step) + ": " + result.output().trim());
            }
        }
        return failures.isEmpty() ? null : iptables.executable() + " " + String.join("; ", failures);
    }
}
