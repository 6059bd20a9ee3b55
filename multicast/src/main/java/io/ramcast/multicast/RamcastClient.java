package io.ramcast.multicast;

import io.ramcast.multicast.deliverylog.DeliveryLogWriter;
import io.ramcast.multicast.fabric.Fabric;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * A RamCast client process: atomically multicasts payloads to sets of groups.
 *
 * <p>{@link #multicast(byte[], int...)} validates its arguments in the caller's thread (nothing is
 * sent if it throws), waits while the client's window of in-flight messages is full, and returns a
 * future that completes with the message id once a majority of every destination group has
 * delivered the message (from then on every correct destination delivers it, uniform agreement;
 * the others catch up). Messages from one client are written in call order.
 *
 * <p>Threading: {@link #multicast} is safe from any number of threads. Futures complete on the
 * client's agent thread: dependent stages must not block (use the {@code *Async} variants to move
 * work elsewhere).
 */
public final class RamcastClient implements AutoCloseable
{
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

    private RamcastClient(final Builder b)
    {
        topology = Objects.requireNonNull(b.topology, "topology");
        options = b.options;
        fabric = Objects.requireNonNull(b.fabric, "fabric");
        idleStrategy = b.idleStrategy;
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
        }, b.incarnation != 0 ? b.incarnation : newIncarnation());
        mailboxes = new Mailboxes(topology, options, fabric, b.messageHandler);
        fabric.start();
        agent = new ProtocolAgent("ramcast-client-" + fabric.selfId(), fabric, b.clock, this::doWork, this::onAgentClose);
    }

    /**
     * A fresh incarnation for this process: later than any earlier process with the same client id
     * (wall-clock milliseconds) and distinct from one started in the same millisecond (random low bits).
     */
    static long newIncarnation()
    {
        return (System.currentTimeMillis() << 10) | java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 10);
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
        if (sentLog != null)
        {
            RamcastServer.flushLog(sentLog);
        }
    }

    private int doWork(final long nowNs)
    {
        final int drained = submissions.drain(protocol::submit);
        final int work = drained + protocol.doWork(nowNs) + mailboxes.doWork();
        lastLogFlushNs = RamcastServer.flushLogPeriodically(sentLog, nowNs, lastLogFlushNs);
        return work;
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
     *         completed exceptionally with {@link IllegalStateException} if the client stops first
     *         (then the message may or may not be delivered).
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
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        int[] missing = protocol.unconnectedServers();
        while (missing.length > 0 && !protocol.sessionReady() && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(5);
            missing = protocol.unconnectedServers();
        }
        return missing;
    }

    /**
     * @return whether the session handshake completed: a majority of every group answered, so
     *         multicasts can complete; safe from any thread.
     */
    public boolean sessionReady()
    {
        return protocol.sessionReady();
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

    /** Builder; not thread-safe. The shared settings are documented on their setters. */
    public static final class Builder extends ProcessBuilder<Builder>
    {
        private long incarnation;

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

        /** @return the client, its fabric started, its agent not yet running. */
        public RamcastClient build()
        {
            return new RamcastClient(this);
        }
    }
}
