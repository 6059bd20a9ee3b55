package io.ramcast.multicast;

import io.ramcast.multicast.deliverylog.DeliveryLogWriter;
import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.spi.ReconnectBackoff;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A RamCast client process: atomically multicasts payloads to sets of groups.
 *
 * <p>{@link #multicast(byte[], int...)} validates its arguments in the caller's thread (nothing is
 * sent if it throws), waits while the client's window of in-flight messages is full, and returns a
 * future that completes with the message id once a majority of every destination group has
 * delivered the message (from then on every correct destination delivers it, uniform agreement;
 * the others catch up). Messages from one client are written in call order.
 *
 * <h2>Sessions and reconnection</h2>
 * The client talks to the servers in a <em>session</em>: a handshake under an incarnation number
 * (HELLO), answered by every server with where this client's rings stand. The session is lost
 * when fewer than a majority of some group are still written by it: their connections were lost
 * (for example every server was restarted) or they fell too far behind. Then the client tells its
 * {@link SessionListener} once, fails every multicast not yet complete (it may or may not be
 * delivered) and, once a majority of every group is connected again (and every server is, or
 * {@link #RECONNECT_GRACE_FAILURE_TIMEOUTS} failure timeouts passed), starts a new session under a
 * new, larger incarnation of the same client id, exactly as a restarted client process would;
 * a handshake that does not complete within {@link #HANDSHAKE_TIMEOUT_FAILURE_TIMEOUTS} failure
 * timeouts is tried again under another incarnation, with exponential back-off from
 * {@value #RECONNECT_BACKOFF_MIN_MS} ms to {@value #RECONNECT_BACKOFF_MAX_MS} ms. Multicasts
 * submitted meanwhile wait and are sent in the new session. A single server lost while a majority
 * of its group remains does not end the session; it is no longer written in it.
 *
 * <p>Threading: {@link #multicast} is safe from any number of threads. Futures complete on the
 * client's agent thread: dependent stages must not block (use the {@code *Async} variants to move
 * work elsewhere).
 */
public final class RamcastClient implements AutoCloseable
{
    /** How long a lost session waits for every server to be connected, once a majority of each group is. */
    public static final int RECONNECT_GRACE_FAILURE_TIMEOUTS = 2;
    /** How long a new session's handshake may take before it is tried again under another incarnation. */
    public static final int HANDSHAKE_TIMEOUT_FAILURE_TIMEOUTS = 4;
    /** First back-off between two handshakes of lost sessions. */
    public static final long RECONNECT_BACKOFF_MIN_MS = 100;
    /** Largest back-off between two handshakes of lost sessions. */
    public static final long RECONNECT_BACKOFF_MAX_MS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(RamcastClient.class);
    private static final long NONE = Long.MIN_VALUE;
    /** The last incarnation handed out in this JVM, so that every later one is larger. */
    private static final AtomicLong LAST_INCARNATION = new AtomicLong();

    /** Where the client's session stands. */
    public enum SessionState
    {
        /** The first handshake is in progress. */
        CONNECTING,
        /** The session is established: multicasts are sent and complete. */
        READY,
        /** The session was lost; waiting for a majority of every group to be reachable again. */
        LOST,
        /** A new session's handshake is in progress, under a new incarnation. */
        RECONNECTING,
        /** The client was closed or its agent stopped. */
        CLOSED
    }

    /**
     * Told when the session is lost and when a new one is established; called on the agent
     * thread, so it must return quickly, must not block and must not throw (an exception stops the
     * client, fail-stop).
     */
    public interface SessionListener
    {
        /**
         * The session was lost; multicasts not yet complete are failed right after this returns.
         *
         * @param group       a group of which fewer than a majority are still written.
         * @param unreachable that group's servers given up or without a connection.
         */
        void onSessionLost(int group, int[] unreachable);

        /**
         * A new session is established: multicasts are sent again.
         *
         * @param incarnation the new session's incarnation.
         */
        void onReconnected(long incarnation);
    }

    private final GroupTopology topology;
    private final MulticastOptions options;
    private final Fabric fabric;
    private final ClientProtocol protocol;
    private final Mailboxes mailboxes;
    private final ProtocolAgent agent;
    private final IdleStrategy idleStrategy;
    private final DeliveryLogWriter sentLog;
    private final Semaphore window;
    private final ManyToOneConcurrentArrayQueue<ClientProtocol.Request> submissions;
    private AgentRunner runner;
    /** Agent thread only. */
    private long lastLogFlushNs;
    private volatile boolean closed;
    private volatile boolean stopped;
    private final SessionListener sessionListener;
    private final Object stateLock = new Object();
    private volatile SessionState state = SessionState.CONNECTING;
    /** How long a drained session waits for the replies to its last messages before it is renewed. */
    private static final long RENEW_GRACE_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** When a session due for renewal was first seen with nothing in flight; {@link #NONE} if not. */
    private long drainedSinceNs = NONE;
    /** Agent thread only: when to try the next handshake of a lost session. */
    private final ReconnectBackoff reconnectBackoff;
    private final long graceNs;
    private final long handshakeTimeoutNs;
    /** Agent thread only: since when a majority of every group is connected while LOST, or NONE. */
    private long majorityReachableSinceNs = NONE;
    /** Agent thread only: when the current RECONNECTING handshake started. */
    private long handshakeStartNs;

    private RamcastClient(final Builder b)
    {
        topology = Objects.requireNonNull(b.topology, "topology");
        options = b.options;
        fabric = Objects.requireNonNull(b.fabric, "fabric");
        idleStrategy = b.idleStrategy != null ? b.idleStrategy : new FabricIdleStrategy(fabric);
        window = new Semaphore(options.clientWindow());
        submissions = new ManyToOneConcurrentArrayQueue<>(Math.max(2, options.clientWindow()));
        sentLog = RamcastServer.openLog(b.deliveryLogDir, fabric.selfId(), true);
        protocol = new ClientProtocol(topology, options, fabric, new ClientProtocol.Listener()
        {
            @Override
            public void onSent(final ClientProtocol.Request request)
            {
                if (sentLog != null)
                {
                    RamcastServer.appendLog(sentLog, request.messageId, request.destinations, DeliveryLogWriter.NO_TIME);
                }
            }

            @Override
            public void onComplete(final ClientProtocol.Request request)
            {
                window.release();
                @SuppressWarnings("unchecked")
                final CompletableFuture<Long> future = (CompletableFuture<Long>)request.attachment;
                future.complete(request.messageId);
            }
        }, b.incarnation != 0 ? b.incarnation : newIncarnation(0));
        sessionListener = b.sessionListener != null ? b.sessionListener : new LoggingSessionListener(fabric.selfId());
        final long failureTimeoutNs = TimeUnit.MILLISECONDS.toNanos(options.failureTimeoutMillis());
        graceNs = RECONNECT_GRACE_FAILURE_TIMEOUTS * failureTimeoutNs;
        handshakeTimeoutNs = HANDSHAKE_TIMEOUT_FAILURE_TIMEOUTS * failureTimeoutNs;
        reconnectBackoff = new ReconnectBackoff(TimeUnit.MILLISECONDS.toNanos(RECONNECT_BACKOFF_MIN_MS),
            TimeUnit.MILLISECONDS.toNanos(RECONNECT_BACKOFF_MAX_MS), ReconnectBackoff.DEFAULT_JITTER_FRACTION,
            new SplittableRandom());
        mailboxes = new Mailboxes(topology, options, fabric, b.messageHandler);
        fabric.start();
        agent = new ProtocolAgent("ramcast-client-" + fabric.selfId(), fabric, b.clock, this::doWork, this::onAgentClose);
    }

    /**
     * A fresh incarnation: wall-clock milliseconds times 1024 plus random low bits, and above both
     * {@code previous} and every incarnation handed out before in this JVM. So incarnations grow
     * strictly across the sessions of one process, and across restarts of the process as long as
     * the wall clock does not go back and no process averages 1024 sessions per millisecond. (The
     * servers only need each session's incarnation to differ from the one before it: they take any
     * change of the HELLO word for a new incarnation.)
     *
     * @param previous an incarnation the result must exceed (0: none).
     * @return the incarnation.
     */
    static long newIncarnation(final long previous)
    {
        final long fromClock =
            (System.currentTimeMillis() << 10) | java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 10);
        return LAST_INCARNATION.updateAndGet(last -> Math.max(Math.max(last, previous) + 1, fromClock));
    }

    /** On the agent thread as it stops: no request will complete any more, so fail them all. */
    private void onAgentClose()
    {
        synchronized (submissions)
        {
            stopped = true;
        }
        final Throwable failure = agent.failure();
        final String reason = "client " + fabric.selfId() + (failure != null ? " stopped: " + failure : " closed") +
            "; the message may or may not be delivered";
        submissions.drain(protocol::submit);
        protocol.abandonAll(r ->
        {
            @SuppressWarnings("unchecked")
            final CompletableFuture<Long> future = (CompletableFuture<Long>)r.attachment;
            future.completeExceptionally(new IllegalStateException(reason, failure));
        });
        window.release(options.clientWindow());
        state(SessionState.CLOSED);
        if (sentLog != null)
        {
            RamcastServer.flushLog(sentLog);
        }
    }

    private int doWork(final long nowNs)
    {
        final int drained = submissions.drain(protocol::submit);
        final int work = drained + protocol.doWork(nowNs) + mailboxes.doWork() + session(nowNs);
        lastLogFlushNs = RamcastServer.flushLogPeriodically(sentLog, nowNs, lastLogFlushNs);
        return work;
    }

    /** The session's transitions, after the protocol's duty cycle. */
    private int session(final long nowNs)
    {
        switch (state)
        {
            case CONNECTING:
                if (protocol.sessionReady())
                {
                    state(SessionState.READY);
                    return 1;
                }
                return 0;
            case READY:
                if (protocol.lostGroup() >= 0)
                {
                    onSessionLost(nowNs);
                    return 1;
                }
                return renewIfDrained(nowNs);
            case RECONNECTING:
                if (protocol.sessionReady())
                {
                    onReconnected();
                    return 1;
                }
                if (nowNs - handshakeStartNs > handshakeTimeoutNs)
                {
                    LOG.debug("client {}: the handshake of incarnation {} did not complete within {} ms ({}); " +
                        "trying again", fabric.selfId(), protocol.incarnation(), handshakeTimeoutNs / 1_000_000,
                        protocol.describe());
                    reconnectBackoff.onFailure(nowNs);
                    majorityReachableSinceNs = NONE;
                    state(SessionState.LOST);
                    return 1;
                }
                return 0;
            case LOST:
                if (protocol.lostGroup() < 0 && protocol.sessionReady())
                {
                    onReconnected(); // a handshake given up on completed after all: its session is as good
                    return 1;
                }
                return tryReconnect(nowNs);
            default:
                return 0;
        }
    }

    /**
     * A member this session gave up (its connection was lost) is connected again; the protocol has
     * stopped sending new messages. Once nothing is in flight, and replies to what completed had
     * {@link #RENEW_GRACE_NS} to arrive, a new session starts under a new incarnation: every member
     * answers its handshake and is written again, the restarted one included (it skips the ring
     * positions it missed). The mailboxes are not restarted: they follow the servers' new ring
     * sessions by themselves.
     */
    private int renewIfDrained(final long nowNs)
    {
        if (!protocol.renewDue())
        {
            drainedSinceNs = NONE;
            return 0;
        }
        if (protocol.inflightCount() > 0)
        {
            drainedSinceNs = NONE;
            return 0;
        }
        if (drainedSinceNs == NONE)
        {
            drainedSinceNs = nowNs;
        }
        if (nowNs - drainedSinceNs < RENEW_GRACE_NS)
        {
            return 0;
        }
        drainedSinceNs = NONE;
        final long incarnation = newIncarnation(protocol.incarnation());
        protocol.restartSession(incarnation);
        handshakeStartNs = nowNs;
        state(SessionState.RECONNECTING);
        LOG.info("client {}: renewing its session (incarnation {}) so that every server is written again",
            fabric.selfId(), incarnation);
        return 1;
    }

    private void onReconnected()
    {
        reconnectBackoff.onSuccess();
        sessionListener.onReconnected(protocol.incarnation()); // told before callers see it ready
        state(SessionState.READY);
    }

    /** Fails what the lost session cannot complete any more and waits to reconnect. */
    private void onSessionLost(final long nowNs)
    {
        state(SessionState.LOST);
        sessionListener.onSessionLost(protocol.lostGroup(), protocol.lostServers());
        final String reason = "client " + fabric.selfId() + " lost its session (a majority of group " +
            protocol.lostGroup() + " is unreachable); the message may or may not be delivered";
        final int[] abandoned = new int[1];
        protocol.abandonAll(r ->
        {
            abandoned[0]++;
            @SuppressWarnings("unchecked")
            final CompletableFuture<Long> future = (CompletableFuture<Long>)r.attachment;
            future.completeExceptionally(new IllegalStateException(reason));
        });
        window.release(abandoned[0]);
        majorityReachableSinceNs = NONE;
        reconnectBackoff.attemptNow(nowNs);
    }

    /**
     * A new session once a majority of every group is connected and every server is, or the grace
     * period passed; no sooner than the back-off allows.
     */
    private int tryReconnect(final long nowNs)
    {
        if (protocol.unreachableGroup() >= 0)
        {
            majorityReachableSinceNs = NONE;
            return 0;
        }
        if (majorityReachableSinceNs == NONE)
        {
            majorityReachableSinceNs = nowNs;
        }
        if (!reconnectBackoff.isDue(nowNs) || !protocol.allReachable() && nowNs - majorityReachableSinceNs < graceNs)
        {
            return 0;
        }
        final long incarnation = newIncarnation(protocol.incarnation());
        mailboxes.restartReading(); // before the servers see the new incarnation and restart their rings to us
        protocol.restartSession(incarnation);
        handshakeStartNs = nowNs;
        state(SessionState.RECONNECTING);
        LOG.debug("client {}: handshake of incarnation {} started", fabric.selfId(), incarnation);
        return 1;
    }

    private void state(final SessionState newState)
    {
        synchronized (stateLock)
        {
            state = newState;
            stateLock.notifyAll();
        }
    }

    /** @return a builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Multicasts {@code payload} to {@code groups}.
     *
     * @param payload the bytes to order; copied before the write, so the caller may reuse the array
     *                once the future completes (not before).
     * @param groups  destination group ids: at least one, each known, no duplicates.
     * @return a future completed with the message id once a majority of every destination group
     *         delivered it;
     *         completed exceptionally with {@link IllegalStateException} if the client stops or
     *         its session is lost first (then the message may or may not be delivered).
     * @throws IllegalArgumentException for an empty, unknown or duplicate destination, or a payload
     *                                  over {@link MulticastOptions#maxPayloadBytes(int)}.
     * @throws IllegalStateException    if the client is closed or its agent stopped.
     * @throws InterruptedException     if interrupted while waiting for room in the window.
     */
    public CompletableFuture<Long> multicast(final byte[] payload, final int... groups) throws InterruptedException
    {
        final int[] destinations = ClientProtocol.validate(topology, options, payload, groups);
        ensureRunning();
        window.acquire();
        final CompletableFuture<Long> future = new CompletableFuture<>();
        final ClientProtocol.Request request = new ClientProtocol.Request(payload, destinations, future);
        synchronized (submissions)
        {
            // under the lock that onAgentClose takes to set stopped: a request is either refused here
            // or drained and failed there, never left behind
            if (stopped)
            {
                window.release();
                ensureRunning();
                throw new IllegalStateException("client " + fabric.selfId() + " stopped");
            }
            if (!submissions.offer(request))
            {
                window.release();
                throw new IllegalStateException("submission queue full; more submissions than window permits");
            }
        }
        fabric.wakeup();
        return future;
    }

    private void ensureRunning()
    {
        if (closed)
        {
            throw new IllegalStateException("client " + fabric.selfId() + " is closed");
        }
        final Throwable failure = agent.failure();
        if (failure != null)
        {
            throw new IllegalStateException("client " + fabric.selfId() + " stopped: " + failure, failure);
        }
    }

    /**
     * Runs the client's agent on its own thread.
     *
     * @return this.
     */
    public synchronized RamcastClient start()
    {
        if (runner != null)
        {
            throw new IllegalStateException("client " + fabric.selfId() + " already started");
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

    /**
     * Waits until this client can write to every server, or until its session started without
     * some (a majority of every group answered and the others stayed silent for the failure
     * timeout or are known down), or until the timeout passes.
     *
     * @param timeout how long to wait at most.
     * @return the ids of the servers still unreachable (empty when all are connected).
     * @throws InterruptedException if interrupted while waiting.
     */
    public int[] awaitConnected(final java.time.Duration timeout) throws InterruptedException
    {
        awaitSession(timeout.toNanos());
        return protocol.unconnectedServers();
    }

    /**
     * Waits until the session is {@link SessionState#READY} (at once if it is), the client stops, or
     * the timeout passes.
     *
     * @param timeoutNs how long to wait at most, in nanoseconds.
     * @return whether the session is ready.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitSession(final long timeoutNs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        synchronized (stateLock)
        {
            long leftNs;
            while (state != SessionState.READY && state != SessionState.CLOSED && !closed &&
                (leftNs = deadlineNs - System.nanoTime()) > 0)
            {
                TimeUnit.NANOSECONDS.timedWait(stateLock, leftNs);
            }
            return state == SessionState.READY && !closed;
        }
    }

    /**
     * @return whether the session is ready: its handshake completed with a majority of every group
     *         and it is not lost, so multicasts are sent and can complete; safe from any thread.
     */
    public boolean sessionReady()
    {
        return state == SessionState.READY;
    }

    /** @return where the session stands; safe from any thread. */
    public SessionState sessionState()
    {
        return state;
    }

    /**
     * @return the ids of the servers this client has no working session with now (not connected,
     *         or not answered the current handshake), as of the last check; safe from any thread.
     */
    public int[] unreachableServers()
    {
        return protocol.unconnectedServers();
    }

    /** @return the process id. */
    public int processId()
    {
        return fabric.selfId();
    }

    /** @return the error that stopped the agent, or null. */
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
        return protocol.describe();
    }

    /** Stops the agent (if started here), flushes the sent log and closes the fabric. Idempotent. */
    @Override
    public synchronized void close()
    {
        closed = true;
        synchronized (stateLock)
        {
            stateLock.notifyAll(); // callers waiting for the session find the client closed
        }
        if (runner != null)
        {
            runner.close();
            runner = null;
        }
        try
        {
            RamcastServer.closeLog(sentLog);
        }
        finally
        {
            fabric.close();
        }
    }

    /** The default {@link SessionListener}: one log line per loss and per reconnection. */
    private record LoggingSessionListener(int clientId) implements SessionListener
    {
        @Override
        public void onSessionLost(final int group, final int[] unreachable)
        {
            LOG.warn("client {}: lost group {} (servers {} unreachable); reconnecting", clientId, group,
                Arrays.toString(unreachable).replaceAll("[\\[\\]]", ""));
        }

        @Override
        public void onReconnected(final long incarnation)
        {
            LOG.info("client {}: reconnected (incarnation {})", clientId, incarnation);
        }
    }

    /** Builder; not thread-safe. The shared settings are documented on their setters. */
    public static final class Builder extends ProcessBuilder<Builder>
    {
        private long incarnation;
        private SessionListener sessionListener;

        private Builder()
        {
        }

        @Override
        Builder self()
        {
            return this;
        }

        /**
         * @param incarnation identifies this run of the client id; must grow with every restart of the
         *                    id (default: derived from the wall clock). For tests.
         * @return this.
         */
        public Builder incarnation(final long incarnation)
        {
            this.incarnation = incarnation;
            return this;
        }

        /**
         * @param listener told when the session is lost and when a new one is established (default:
         *                 one WARN line for a loss and one INFO line for a reconnection).
         * @return this.
         */
        public Builder sessionListener(final SessionListener listener)
        {
            this.sessionListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** @return the client, its fabric started, its agent not yet running. */
        public RamcastClient build()
        {
            return new RamcastClient(this);
        }
    }
}
