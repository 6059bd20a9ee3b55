package io.ramcast.multicast;

import io.ramcast.multicast.deliverylog.DeliveryLogWriter;
import io.ramcast.multicast.fabric.Fabric;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A RamCast server process: a member of one group that delivers, in the agreed order, every
 * message multicast to its group.
 *
 * <p>Build with {@link #builder()}; {@link Builder#build()} registers the process's memory with the
 * fabric and starts the fabric. Then either {@link #start()} runs the protocol agent on its own
 * thread, or {@link #agent()} hands the agent to a runner of the caller's choosing (for example a
 * composite agent that runs several in-JVM processes on one thread). Deliveries reach the
 * {@link DeliveryHandler} on the agent thread.
 *
 * <p>Threading: the getters are safe from any thread; {@link #close()} stops the agent, then
 * closes the delivery log and the fabric.
 */
public final class RamcastServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RamcastServer.class);

    private final Fabric fabric;
    private final ServerProtocol protocol;
    private final ProtocolAgent agent;
    private final IdleStrategy idleStrategy;
    /** How much of a reopened delivery log's end is read back (lines of deliveries handed over again). */
    private static final int TAIL_BYTES = 8 << 20;
    private final DeliveryLogWriter deliveryLog;
    private final AcceptorJournal journal;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final GroupTopology topology;
    private final MulticastOptions options;
    private final Mailboxes mailboxes;
    private final ManyToOneConcurrentArrayQueue<Outgoing> outgoing;
    /** Client ordinals below this are let in; the rest of the laid-out rows wait ({@link #serveClients}). */
    private volatile int servedClients;
    private AgentRunner runner;
    /** Agent thread only. */
    private long lastLogFlushNs;

    private RamcastServer(final Builder b)
    {
        fabric = Objects.requireNonNull(b.fabric, "fabric");
        final GroupTopology topology = Objects.requireNonNull(b.topology, "topology");
        final DeliveryHandler userHandler = Objects.requireNonNull(b.handler, "deliveryHandler");
        idleStrategy = b.idleStrategy != null ? b.idleStrategy : new FabricIdleStrategy(fabric);
        deliveryLog = openLog(b.deliveryLogDir, fabric.selfId(), false);
        final EpochNanoClock logClock = b.deliveryLogClock;
        // A server with a journal survives kill -9: its delivery log is then written through (flushed
        // at every delivery), so it holds everything handed over, and a delivery handed over again
        // after a restart is not logged twice.
        final boolean writeThrough = b.journal != null && b.journal != AcceptorJournal.none();
        // What the log already holds of the deliveries a restart hands over again (the newest lines):
        // one the journal recorded just before a kill -9 and the log did not is logged now.
        final java.util.Set<String> loggedBefore = deliveryLog != null && writeThrough ?
            tailMessageIds(deliveryLog) : java.util.Set.of();
        final DeliveryHandler handler = new DeliveryHandler()
        {
            @Override
            public void onDelivery(final Delivery d)
            {
                if (deliveryLog != null)
                {
                    appendLog(deliveryLog, d.messageId(), d.destinations(),
                        logClock != null ? logClock.nanoTime() / 1_000 : DeliveryLogWriter.NO_TIME);
                    if (writeThrough)
                    {
                        flushLog(deliveryLog);
                    }
                }
                delivered.incrementAndGet();
                userHandler.onDelivery(d);
            }

            @Override
            public void onRedelivery(final Delivery d)
            {
                if (deliveryLog != null && writeThrough && !loggedBefore.contains(
                    MessageIds.sender(d.messageId()) + ":" + MessageIds.sequence(d.messageId())))
                {
                    appendLog(deliveryLog, d.messageId(), d.destinations(),
                        logClock != null ? logClock.nanoTime() / 1_000 : DeliveryLogWriter.NO_TIME);
                    flushLog(deliveryLog);
                }
                userHandler.onRedelivery(d);
            }
        };
        final ErrorHandler errorHandler = ex ->
        {
            errors.incrementAndGet();
            LOG.warn("server {}: {}", fabric.selfId(), ex.getMessage());
        };
        journal = b.journal != null ? b.journal : AcceptorJournal.none();
        protocol = new ServerProtocol(topology, b.options, fabric, handler, errorHandler,
            b.voteStore != null ? b.voteStore : VoteStore.inMemory(), b.minimumClock, journal,
            b.appliedDeliveries != null ? b.appliedDeliveries : AppliedDeliveries.ALL, b.baseline);
        this.topology = topology;
        this.options = b.options;
        mailboxes = new Mailboxes(topology, b.options, fabric, b.messageHandler);
        protocol.onNewClientIncarnation(mailboxes::resetReceiver);
        outgoing = new ManyToOneConcurrentArrayQueue<>(OUTGOING_QUEUE_CAPACITY);
        servedClients = b.servedClients < 0 ? topology.clientCount() : b.servedClients;
        if (servedClients > topology.clientCount())
        {
            throw new IllegalArgumentException("servedClients=" + servedClients + " exceeds the " +
                topology.clientCount() + " clients the topology lays out");
        }
        fabric.clientAdmission(this::clientRefusal);
        fabric.start();
        agent = new ProtocolAgent("ramcast-server-" + fabric.selfId(), fabric, b.clock, this::doWork, () ->
        {
            if (deliveryLog != null)
            {
                flushLog(deliveryLog);
            }
        });
    }

    private static java.util.Set<String> tailMessageIds(final DeliveryLogWriter log)
    {
        try
        {
            return log.tailMessageIds(TAIL_BYTES);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + log.file(), ex);
        }
    }

    static void appendLog(
        final DeliveryLogWriter log, final long messageId, final int[] destinations, final long timeMicros)
    {
        try
        {
            log.append(MessageIds.sender(messageId), MessageIds.sequence(messageId), destinations, timeMicros);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot append to " + log.file(), ex);
        }
    }

    static void closeLog(final DeliveryLogWriter log)
    {
        if (log == null)
        {
            return;
        }
        try
        {
            log.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot close " + log.file(), ex);
        }
    }

    /**
     * How often a process hands its buffered delivery or multicast log lines to the operating system
     * while it runs, so that a process killed with SIGKILL loses at most this much of its log's tail.
     */
    static final long LOG_FLUSH_INTERVAL_NS = 50_000_000L;

    /**
     * Flushes {@code log} if it exists and {@link #LOG_FLUSH_INTERVAL_NS} passed since
     * {@code lastFlushNs}.
     *
     * @return the time of the last flush after this call.
     */
    static long flushLogPeriodically(final DeliveryLogWriter log, final long nowNs, final long lastFlushNs)
    {
        if (log == null || nowNs - lastFlushNs < LOG_FLUSH_INTERVAL_NS)
        {
            return lastFlushNs;
        }
        flushLog(log);
        return nowNs;
    }

    static void flushLog(final DeliveryLogWriter log)
    {
        try
        {
            log.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot flush " + log.file(), ex);
        }
    }

    static DeliveryLogWriter openLog(final Path dir, final int processId, final boolean client)
    {
        if (dir == null)
        {
            return null;
        }
        try
        {
            return client ? DeliveryLogWriter.openMulticastLog(dir, processId) : DeliveryLogWriter.openDeliveryLog(dir, processId);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the delivery log of process " + processId + " in " + dir, ex);
        }
    }

    /** Messages that other threads asked to send, waiting for the agent. */
    static final int OUTGOING_QUEUE_CAPACITY = 16 * 1024;

    private record Outgoing(int peerId, byte[] message)
    {
    }

    private int doWork(final long nowNs)
    {
        final int drained = outgoing.drain(o -> mailboxes.send(o.peerId(), o.message()), OUTGOING_QUEUE_CAPACITY);
        final int work = drained + protocol.doWork(nowNs) + mailboxes.doWork();
        lastLogFlushNs = flushLogPeriodically(deliveryLog, nowNs, lastLogFlushNs);
        return work;
    }

    /**
     * Sends a point-to-point message to any process of the topology (a client or a server), over
     * the fabric, after every message this server sent to that process before. Delivery is reliable
     * while both processes live; it is not ordered with respect to multicasts.
     *
     * @param peerId  receiver's process id.
     * @param message the bytes; must not be modified after the call.
     * @return false if the outgoing queue is full (back-pressure: try again later); true if queued.
     * @throws IllegalArgumentException for an unknown receiver or a message over
     *                                  {@link MulticastOptions#maxMailboxMessageBytes()}.
     */
    public boolean send(final int peerId, final byte[] message)
    {
        Mailboxes.validate(topology, options, peerId, message);
        if (!outgoing.offer(new Outgoing(peerId, message)))
        {
            return false;
        }
        fabric.wakeup();
        return true;
    }

    /** @return a builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Runs the protocol agent on a new thread named after the process.
     *
     * @return this.
     * @throws IllegalStateException if already started.
     */
    public synchronized RamcastServer start()
    {
        if (runner != null)
        {
            throw new IllegalStateException("server " + fabric.selfId() + " already started");
        }
        runner = new AgentRunner(idleStrategy, ex -> { }, (AtomicCounter)null, agent);
        AgentRunner.startOnThread(runner);
        return this;
    }

    /**
     * The agent, for callers that run it themselves instead of calling {@link #start()}.
     *
     * @return the agent.
     */
    public Agent agent()
    {
        return agent;
    }

    /** @return the process id. */
    public int processId()
    {
        return fabric.selfId();
    }

    /**
     * @return the process this server currently takes for the leader of its own group (itself when
     *         it leads); safe from any thread.
     */
    public int leaderId()
    {
        return protocol.leaderView();
    }

    /**
     * @return the ballot this server currently follows or leads in, as (round, leader id) packed
     *         by {@code round << 16 | leader}; safe from any thread.
     */
    public long ballot()
    {
        return protocol.ballotView();
    }

    /**
     * @return how many ballots this server adopted as follower or leader since it started (every
     *         leader change of its group it took part in, its own elections included); safe from
     *         any thread.
     */
    public long ballotChanges()
    {
        return protocol.ballotChangesView();
    }

    /**
     * @return how many deliveries this server knows it still has to catch up with its group (it
     *         restarted or was cut off): 0 when caught up, -1 when its group no longer holds what
     *         it missed (it needs a state transfer), {@link Long#MAX_VALUE} after a restart until it
     *         knows; safe from any thread.
     */
    public long catchUpBehind()
    {
        return protocol.catchUpBehindView();
    }

    /**
     * Before a clean stop: if this server leads its group, it stops proposing and asks another
     * member to campaign at once, then waits until a new leader is known (ServerProtocol
     * {@code requestHandOver}); either way it campaigns no more. Call it, then {@link #close()}.
     * Waits at most {@code timeout}; a group whose majority is not reachable elects after its
     * failure timeout, as after a crash.
     *
     * @param timeout how long to wait for the new leader.
     * @return the new leader's id, or -1 if this server did not lead or no new leader was known in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    public int handOverLeadership(final java.time.Duration timeout) throws InterruptedException
    {
        final int self = protocol.selfId();
        final boolean led = protocol.leaderView() == self;
        protocol.requestHandOver();
        fabric.wakeup();
        if (!led)
        {
            return -1;
        }
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadlineNs < 0)
        {
            final int leader = protocol.leaderView();
            if (leader != self)
            {
                return leader;
            }
            if (agent.failure() != null)
            {
                return -1;
            }
            Thread.sleep(2);
        }
        return -1;
    }

    /**
     * Sets what is told, per delivery, how long ordering the message took here: from this server
     * taking its body (from a client's ring, a relay or a catch-up) to its delivery, in ns, on the
     * agent thread (must be cheap). Messages held since before a restart are not reported.
     *
     * @param observer the observer.
     */
    public void orderingObserver(final java.util.function.LongConsumer observer)
    {
        protocol.orderingObserver(observer);
    }

    /**
     * @return the deliveries this server still holds to catch a lagging member of its group up;
     *         a member further behind needs a snapshot (any thread).
     */
    public long catchUpWindow()
    {
        return protocol.catchUpWindowView();
    }

    /** @return messages delivered so far. */
    public long deliveredCount()
    {
        return delivered.get();
    }

    /** @return client records refused so far (malformed or duplicate). */
    public long errorCount()
    {
        return errors.get();
    }

    /** @return the error that stopped the agent, or null while it runs normally. */
    public Throwable failure()
    {
        return agent.failure();
    }

    /**
     * A one-line description of the protocol state, for diagnostics (stall reports). Read from
     * another thread while the agent runs it is a racy, best-effort snapshot and may throw.
     *
     * @return the description.
     */
    public String describe()
    {
        return protocol.describe() + " " + mailboxes.describe();
    }

    /**
     * Stops the agent (if started here), flushes the delivery log, closes the fabric and the
     * acceptor journal. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (runner != null)
        {
            runner.close();
            runner = null;
        }
        try
        {
            closeLog(deliveryLog);
        }
        finally
        {
            try
            {
                fabric.close();
            }
            finally
            {
                journal.close();
            }
        }
    }

    /**
     * Why a client id is not let in, or null if it is: ids outside the topology, and ordinals at or
     * above {@link #servedClients()}.
     */
    private String clientRefusal(final int processId)
    {
        final int ordinal = topology.clientOrdinalOf(processId);
        final int[] clients = topology.clients();
        final String range = 0 == clients.length ? "none" : clients[0] + ".." + clients[clients.length - 1];
        if (ordinal < 0)
        {
            return "client id " + processId + " is not among the client ids " + range + " this server lays out";
        }
        final int served = servedClients;
        if (ordinal >= served)
        {
            return "client id " + processId + " is laid out here but not served yet: this server serves " +
                (0 == served ? "no client ids" : "client ids " + clients[0] + ".." + clients[served - 1]) + " of " +
                range + " until every server lays out more and the cluster is told to serve them";
        }
        return null;
    }

    /** @return how many client ids (the first of the topology's clients) are let in. */
    public int servedClients()
    {
        return servedClients;
    }

    /**
     * Lets in more client ids: the first {@code count} of the topology's clients. Only a server whose
     * every peer lays out at least that many clients may do so (a message of a client reaches every
     * member of its destination groups, and each keeps a ring row and ack cells per client); the
     * caller ensures it (the replica does once its cluster agreed, in its order, to serve them).
     * Never lowers the count.
     *
     * @param count the new count.
     * @throws IllegalArgumentException if the topology lays out fewer clients.
     */
    public void serveClients(final int count)
    {
        if (count > topology.clientCount())
        {
            throw new IllegalArgumentException("cannot serve " + count + " client ids: this server lays out " +
                topology.clientCount());
        }
        synchronized (this)
        {
            if (count > servedClients)
            {
                LOG.info("server {}: serving {} client ids (was {})", fabric.selfId(), count, servedClients);
                servedClients = count;
            }
        }
    }

    /** Builder; not thread-safe. The shared settings are documented on their setters. */
    public static final class Builder extends ProcessBuilder<Builder>
    {
        private int servedClients = -1;
        private DeliveryHandler handler;
        private VoteStore voteStore;
        private long minimumClock;
        private AcceptorJournal journal;
        private AppliedDeliveries appliedDeliveries;
        private ControlMessages.Mark baseline = ControlMessages.Mark.NONE;

        private Builder()
        {
        }

        /**
         * @param voteStore where the server keeps its ballots and clock ceiling across restarts
         *                  (default: in memory, i.e. a restart forgets them; a replica with a data
         *                  directory passes a {@link FileVoteStore}).
         * @return this.
         */
        public Builder voteStore(final VoteStore voteStore)
        {
            this.voteStore = voteStore;
            return this;
        }

        /**
         * @param minimumClock the server's clock starts at least at this timestamp (a replica passes
         *                     the last timestamp its store applied); default 0.
         * @return this.
         */
        public Builder minimumClock(final long minimumClock)
        {
            this.minimumClock = minimumClock;
            return this;
        }

        /**
         * @param journal where the server keeps its acceptor state across restarts (default: none, a
         *                restart forgets it; a replica passes a {@link FileAcceptorJournal}). The server
         *                replays it when built and closes it when closed.
         * @return this.
         */
        public Builder journal(final AcceptorJournal journal)
        {
            this.journal = journal;
            return this;
        }

        /**
         * @param applied how far the delivery handler has made deliveries durable (default: each one
         *                once the handler returns); a replica that applies on another thread passes its
         *                store's applied position, so that the journal keeps what the store lacks.
         * @return this.
         */
        public Builder appliedDeliveries(final AppliedDeliveries applied)
        {
            this.appliedDeliveries = applied;
            return this;
        }

        /**
         * Tells a server whose journal is empty that its application already holds every delivery
         * of its group up to this final timestamp and message (a store rebuilt from a snapshot of
         * another member): it continues its deliveries right after it, caught up from its group,
         * and never hands over a message ordered at or below it. Ignored when the journal holds
         * records (they say where the server stands). Default: none.
         *
         * @param finalValue the last delivery's final timestamp value.
         * @param finalGroup the group that gave that timestamp.
         * @param messageId  the last delivery's message id.
         * @return this.
         */
        public Builder deliveredUpTo(final long finalValue, final int finalGroup, final long messageId)
        {
            this.baseline = new ControlMessages.Mark(finalValue, finalGroup, messageId);
            return this;
        }

        @Override
        Builder self()
        {
            return this;
        }

        /**
         * @param handler receives deliveries on the agent thread.
         * @return this.
         */
        public Builder deliveryHandler(final DeliveryHandler handler)
        {
            this.handler = handler;
            return this;
        }

        /**
         * @param count how many client ids, the first of the topology's clients, the server lets in
         *              from the start (default: every one it lays out); {@link #serveClients} raises it.
         * @return this.
         */
        public Builder servedClients(final int count)
        {
            if (count < 0)
            {
                throw new IllegalArgumentException("servedClients=" + count + " must not be negative");
            }
            this.servedClients = count;
            return this;
        }

        /**
         * @return the server, its fabric started, its agent not yet running.
         */
        public RamcastServer build()
        {
            return new RamcastServer(this);
        }
    }
}
