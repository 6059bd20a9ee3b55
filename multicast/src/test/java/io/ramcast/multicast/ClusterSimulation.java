package io.ramcast.multicast;

import io.ramcast.check.CheckResult;
import io.ramcast.check.multicast.MessageId;
import io.ramcast.check.multicast.MulticastAnomaly;
import io.ramcast.check.multicast.MulticastAnomalyType;
import io.ramcast.check.multicast.MulticastChecker;
import io.ramcast.check.multicast.MulticastHistory;
import io.ramcast.check.multicast.MulticastHistoryStats;
import io.ramcast.multicast.fabric.FaultInjectingFabric;
import io.ramcast.multicast.fabric.LocalFabricHub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A whole RamCast cluster stepped in one thread by a seeded scheduler (TESTING.md tier T2).
 *
 * <p>Every process has a {@link FaultInjectingFabric} over the local fabric, with random per-link
 * delays, so the visibility of writes is reordered across links while each link keeps issue
 * order. Each step advances the simulated clock, lets the fabrics release due writes and steps
 * every process's protocol in a random order. Deliveries and multicasts are recorded into a
 * {@link MulticastHistory} for the checker. Everything random derives from the seed.
 */
final class ClusterSimulation implements AutoCloseable
{
    final long seed;
    final GroupTopology topology;
    final MulticastOptions options;
    final Random random;
    final SimClock clock = new SimClock();
    final LocalFabricHub hub = new LocalFabricHub();
    final FaultInjectingFabric[] fabrics;
    final ServerProtocol[] servers;
    final ClientProtocol[] clients;
    final MulticastHistory.Builder history = MulticastHistory.builder();
    final List<List<Long>> deliveredBy = new ArrayList<>();
    /** Per process: its deliveries in delivery order, with their final timestamps. */
    final List<List<Delivery>> deliveriesBy = new ArrayList<>();
    final long[] remainingToIssue;
    final int[] processOrder;
    long completed;
    long issued;
    final boolean[] crashed;
    final boolean[] paused;
    final long[] issuedBy;
    final long[] completedBy;
    long lastDeliveryStep;
    /** Per process: writes into a peer's leader-stream region that the peer refused (revoked permission). */
    final long[] rejectedStreamWrites;
    long steps;
    private final int maxDestinations;
    private final long maxLinkDelayNs;
    private final VoteStore[] voteStoreOf;
    private final AcceptorJournal[] journalOf;
    /** Incarnations handed to clients that renew their session (above every one used before). */
    private long nextIncarnation;
    /** Client sessions renewed because a server they gave up came back. */
    long renewals;
    /** Servers started again from a peer's snapshot ({@link #rebuildServer}). */
    long rebuilds;
    private final java.util.function.IntFunction<AcceptorJournal> journals;
    private double tornFraction;

    ClusterSimulation(
        final long seed, final GroupTopology topology, final MulticastOptions options, final long messagesPerClient,
        final int maxDestinations, final long maxLinkDelayNs)
    {
        this(seed, topology, options, messagesPerClient, maxDestinations, maxLinkDelayNs, s -> VoteStore.inMemory());
    }

    /**
     * @param voteStores each server's vote store: stores that already hold votes make the servers
     *                   start as restarted processes (a new incarnation with its saved ballots and
     *                   clock ceiling, nothing else).
     */
    ClusterSimulation(
        final long seed, final GroupTopology topology, final MulticastOptions options, final long messagesPerClient,
        final int maxDestinations, final long maxLinkDelayNs, final java.util.function.IntFunction<VoteStore> voteStores)
    {
        this(seed, topology, options, messagesPerClient, maxDestinations, maxLinkDelayNs, voteStores,
            s -> AcceptorJournal.none(), s -> AppliedDeliveries.ALL, 1000);
    }

    /** A multicast a client sent: for a history that spans several simulations (restarts). */
    record Sent(int client, long messageId, int[] destinations)
    {
    }

    /** Every multicast sent, in order. */
    final List<Sent> sent = new ArrayList<>();

    /**
     * @param journals          each server's acceptor journal: journals that hold records make the
     *                          servers replay them (a restart with their acceptor state).
     * @param applied           each server's application progress (what a restarted server hands over again).
     * @param incarnationBase   client c starts incarnation {@code incarnationBase + c} (a later simulation
     *                          of the same clients must use a higher base: new incarnations).
     */
    ClusterSimulation(
        final long seed, final GroupTopology topology, final MulticastOptions options, final long messagesPerClient,
        final int maxDestinations, final long maxLinkDelayNs, final java.util.function.IntFunction<VoteStore> voteStores,
        final java.util.function.IntFunction<AcceptorJournal> journals,
        final java.util.function.IntFunction<AppliedDeliveries> applied, final long incarnationBase)
    {
        this.seed = seed;
        this.journals = journals;
        this.topology = topology;
        this.options = options;
        this.random = new Random(seed);
        this.maxDestinations = maxDestinations;
        this.maxLinkDelayNs = maxLinkDelayNs;
        this.nextIncarnation = incarnationBase + 1_000_000;
        final int maxId = ServerProtocol.maxProcessId(topology);
        voteStoreOf = new VoteStore[maxId + 1];
        journalOf = new AcceptorJournal[maxId + 1];
        fabrics = new FaultInjectingFabric[maxId + 1];
        servers = new ServerProtocol[maxId + 1];
        clients = new ClientProtocol[maxId + 1];
        for (int p = 0; p <= maxId; p++)
        {
            deliveredBy.add(new ArrayList<>());
            deliveriesBy.add(new ArrayList<>());
        }
        for (int g = 0; g < topology.groupCount(); g++)
        {
            history.group(g, topology.members(g));
        }
        final List<Integer> all = new ArrayList<>();
        for (final int s : topology.servers())
        {
            all.add(s);
        }
        for (final int c : topology.clients())
        {
            all.add(c);
        }
        processOrder = all.stream().mapToInt(Integer::intValue).toArray();
        for (final int p : processOrder)
        {
            fabrics[p] = newFabric(p);
        }
        for (final int s : topology.servers())
        {
            voteStoreOf[s] = voteStores.apply(s);
            journalOf[s] = journals.apply(s);
            servers[s] = newServer(s, applied.apply(s));
        }
        remainingToIssue = new long[maxId + 1];
        crashed = new boolean[maxId + 1];
        rejectedStreamWrites = new long[maxId + 1];
        paused = new boolean[maxId + 1];
        issuedBy = new long[maxId + 1];
        completedBy = new long[maxId + 1];
        for (final int c : topology.clients())
        {
            final int self = c;
            clients[c] = new ClientProtocol(topology, options, fabrics[c], new ClientProtocol.Listener()
            {
                @Override
                public void onSent(final ClientProtocol.Request r)
                {
                    history.recordMulticast(self, id(r.messageId), r.destinations);
                    sent.add(new Sent(self, r.messageId, r.destinations.clone()));
                }

                @Override
                public void onComplete(final ClientProtocol.Request r)
                {
                    completed++;
                    completedBy[self]++;
                }
            }, incarnationBase + c);
            remainingToIssue[c] = messagesPerClient;
        }
        for (final int p : processOrder)
        {
            startFabric(p);
        }
    }

    /**
     * Places this fraction of the writes of 16 bytes or more torn (last word first), on every
     * process's fabric now and on the fabrics of processes started later.
     *
     * @param fraction in [0, 1].
     */
    void tornWrites(final double fraction)
    {
        tornFraction = fraction;
        for (final FaultInjectingFabric f : fabrics)
        {
            if (f != null)
            {
                f.tornWrites(fraction);
            }
        }
    }

    /** @return writes placed torn so far by the current fabrics. */
    long tornWriteCount()
    {
        long torn = 0;
        for (final FaultInjectingFabric f : fabrics)
        {
            torn += f == null ? 0 : f.tornWriteCount();
        }
        return torn;
    }

    private FaultInjectingFabric newFabric(final int p)
    {
        final FaultInjectingFabric f = new FaultInjectingFabric(hub.endpoint(p), new Random(random.nextLong()), clock)
            .tornWrites(tornFraction);
        for (final int q : processOrder)
        {
            if (q != p)
            {
                final long max = 1 + (long)(random.nextDouble() * maxLinkDelayNs);
                f.linkDelay(q, 0, max);
            }
        }
        return f;
    }

    private ServerProtocol newServer(final int s, final AppliedDeliveries applied)
    {
        return newServer(s, applied, ControlMessages.Mark.NONE);
    }

    private ServerProtocol newServer(final int s, final AppliedDeliveries applied, final ControlMessages.Mark baseline)
    {
        final int self = s;
        return new ServerProtocol(topology, options, fabrics[s], d ->
        {
            deliveredBy.get(self).add(d.messageId());
            deliveriesBy.get(self).add(d);
            lastDeliveryStep = steps;
            history.recordDelivery(self, id(d.messageId()), d.destinations());
        }, ex -> { throw new AssertionError("server " + self + " reported " + ex, ex); }, voteStoreOf[s], 0,
            journalOf[s], applied, baseline);
    }

    private void startFabric(final int p)
    {
        final int self = p;
        fabrics[p].listener(new io.ramcast.multicast.fabric.FabricListener()
        {
            @Override
            public void onWriteRejected(final int peerId, final int regionId)
            {
                if (regionId == Layout.STREAM_REGION)
                {
                    rejectedStreamWrites[self]++;
                }
            }
        });
        fabrics[p].start();
    }

    /**
     * Kills server {@code s} for a restart (kill -9 with its connections lost): it takes no step
     * until {@link #restartServer}; unlike {@link #crash} it is not a crashed process for the
     * checker, since it comes back with its votes and journal and must deliver what its group does.
     */
    void killForRestart(final int s)
    {
        crashed[s] = true;
        fabrics[s].inner().close();
    }

    /**
     * Starts server {@code s} again after {@link #killForRestart}: a new process on a new fabric
     * endpoint under the same id, with the votes and acceptor journal of the one that died (its
     * application had applied everything it was handed).
     */
    void restartServer(final int s)
    {
        fabrics[s] = newFabric(s);
        servers[s] = newServer(s, AppliedDeliveries.ALL);
        startFabric(s);
        crashed[s] = false;
    }

    /**
     * Starts server {@code s} again after {@link #killForRestart} as a replica whose disk was wiped
     * and whose store was rebuilt from a snapshot of live member {@code peer}: no votes, an empty
     * journal, and an application that holds every delivery the peer made so far. Those deliveries
     * (after the ones {@code s} made itself, a prefix of the peer's by uniform prefix order) are
     * recorded as {@code s}'s, as the snapshot brings their effects; the server continues after the
     * peer's last delivery.
     */
    void rebuildServer(final int s, final int peer)
    {
        final List<Delivery> own = deliveriesBy.get(s);
        final List<Delivery> snapshot = deliveriesBy.get(peer);
        if (own.size() > snapshot.size() ||
            !own.stream().map(Delivery::messageId).toList().equals(
                snapshot.subList(0, own.size()).stream().map(Delivery::messageId).toList()))
        {
            throw new IllegalStateException("server " + s + " is not behind server " + peer + ": cannot rebuild from it");
        }
        for (int i = own.size(); i < snapshot.size(); i++)
        {
            final Delivery d = snapshot.get(i);
            deliveredBy.get(s).add(d.messageId());
            own.add(d);
            history.recordDelivery(s, id(d.messageId()), d.destinations());
        }
        final Delivery last = snapshot.isEmpty() ? null : snapshot.get(snapshot.size() - 1);
        restartWithBaseline(s, last == null ? ControlMessages.Mark.NONE :
            new ControlMessages.Mark(last.finalTimestamp(), last.finalGroup(), last.messageId()));
        rebuilds++;
    }

    /**
     * Starts server {@code s} again after {@link #killForRestart} with no votes, an empty journal
     * and an application that claims to hold every delivery up to {@code baseline} (a data
     * directory of another history when the mark is not one its group delivered).
     */
    void restartWithBaseline(final int s, final ControlMessages.Mark baseline)
    {
        voteStoreOf[s] = VoteStore.inMemory();
        journalOf[s] = journals.apply(s);
        fabrics[s] = newFabric(s);
        servers[s] = newServer(s, AppliedDeliveries.ALL, baseline);
        startFabric(s);
        crashed[s] = false;
    }

    /** Submits up to the window of new random multicasts for every client that has some left. */
    void topUpClients()
    {
        for (final int c : topology.clients())
        {
            final ClientProtocol client = clients[c];
            if (!crashed[c] && client.renewDue() && client.inflightCount() == 0)
            {
                client.restartSession(nextIncarnation++); // as RamcastClient does: a given-up server is back
                renewals++;
            }
            while (!crashed[c] && remainingToIssue[c] > 0 &&
                client.inflightCount() + client.waitingCount() < options.clientWindow())
            {
                remainingToIssue[c]--;
                issued++;
                issuedBy[c]++;
                client.submit(new ClientProtocol.Request(randomPayload(), randomDestinations(), null));
            }
        }
    }

    int[] randomDestinations()
    {
        final int k = 1 + random.nextInt(Math.min(maxDestinations, topology.groupCount()));
        final int[] groups = new int[topology.groupCount()];
        for (int g = 0; g < groups.length; g++)
        {
            groups[g] = g;
        }
        for (int i = groups.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = groups[i];
            groups[i] = groups[j];
            groups[j] = t;
        }
        final int[] dst = Arrays.copyOf(groups, k);
        Arrays.sort(dst);
        return dst;
    }

    byte[] randomPayload()
    {
        final byte[] payload = new byte[random.nextInt(40)];
        random.nextBytes(payload);
        return payload;
    }

    /** One scheduler step: advance time, then step every live process once, in a random order. */
    void step()
    {
        steps++;
        clock.advance(1_000 + random.nextInt(20_000));
        final int[] order = processOrder.clone();
        for (int i = order.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (final int p : order)
        {
            stepProcess(p);
        }
    }

    void stepProcess(final int p)
    {
        if (crashed[p] || paused[p])
        {
            return; // a crashed or paused process takes no step; writes it still holds never land
        }
        fabrics[p].doWork();
        if (servers[p] != null)
        {
            servers[p].doWork(clock.nanoTime());
        }
        else
        {
            clients[p].doWork(clock.nanoTime());
        }
    }

    /** Steps the cluster until every client completed its session handshake. */
    void startSessions()
    {
        for (int s = 0; s < 10_000; s++)
        {
            boolean ready = true;
            for (final int c : topology.clients())
            {
                ready &= clients[c].sessionReady();
            }
            if (ready)
            {
                return;
            }
            step();
        }
        throw new AssertionError("seed " + seed + ": client sessions not ready\n" + describe());
    }

    /** Runs until every live client's messages completed, within {@code maxSteps}. */
    void runToCompletion(final long maxSteps)
    {
        runToCompletion(maxSteps, () -> { });
    }

    /** Runs until every live client's messages completed, calling {@code beforeStep} before each step. */
    void runToCompletion(final long maxSteps, final Runnable beforeStep)
    {
        for (long s = 0; s < maxSteps; s++)
        {
            beforeStep.run();
            topUpClients();
            step();
            if (liveClientsDone())
            {
                return;
            }
        }
        throw new AssertionError("seed " + seed + ": not complete after " + maxSteps + " steps; issued=" + issued +
            " completed=" + completed + "\n" + describe());
    }

    private boolean liveClientsDone()
    {
        for (final int c : topology.clients())
        {
            if (!crashed[c] && (remainingToIssue[c] > 0 || clients[c].inflightCount() + clients[c].waitingCount() > 0))
            {
                return false;
            }
        }
        return true;
    }

    /** Steps until no process delivered anything for {@code quietSteps} steps (at most {@code maxSteps}). */
    void settle(final long quietSteps, final long maxSteps)
    {
        final long start = steps;
        lastDeliveryStep = steps;
        while (steps - lastDeliveryStep < quietSteps && steps - start < maxSteps)
        {
            step();
        }
    }

    /** Crash-stop: the process takes no further step; writes its fabric still holds are lost. */
    void crash(final int p, final boolean connectionLost)
    {
        if (!crashed[p])
        {
            crashed[p] = true;
            history.crashed(p);
            if (connectionLost)
            {
                fabrics[p].inner().close(); // peers see the connection go down, as after kill -9
            }
        }
    }

    /** Stops stepping the process (like SIGSTOP) until {@link #resume}. */
    void pause(final int p)
    {
        paused[p] = true;
    }

    void resume(final int p)
    {
        paused[p] = false;
    }

    /** @return the process the live majority of the group follows, or -1. */
    int leaderOf(final int group)
    {
        for (final int m : topology.members(group))
        {
            if (!crashed[m] && servers[m].isLeader())
            {
                return m;
            }
        }
        return -1;
    }

    CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> check(final boolean complete)
    {
        return new MulticastChecker().check(history.build(), complete);
    }

    static MessageId id(final long messageId)
    {
        return MessageId.of(MessageIds.sender(messageId), MessageIds.sequence(messageId));
    }

    String describe()
    {
        final StringBuilder sb = new StringBuilder();
        for (final int s : topology.servers())
        {
            sb.append("  ").append(crashed[s] ? "CRASHED " : paused[s] ? "PAUSED " : "").append(servers[s].describe())
                .append('\n').append("    pending:").append(servers[s].describePending()).append('\n');
        }
        for (final int c : topology.clients())
        {
            sb.append("  ").append(crashed[c] ? "CRASHED " : "").append(clients[c].describe()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close()
    {
        for (final int p : processOrder)
        {
            fabrics[p].close();
        }
    }
}
