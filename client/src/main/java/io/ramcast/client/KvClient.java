package io.ramcast.client;

import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.MulticastOptions;
import io.ramcast.multicast.RamcastClient;
import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.multicast.fabric.TcpFabric;
import io.ramcast.multicast.fabric.rdma.RdmaFabric;
import io.ramcast.txn.Destinations;
import io.ramcast.txn.ExecutionLimits;
import io.ramcast.txn.KeyValue;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Limits;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.config.Timeouts;
import io.ramcast.txn.wire.TxnCodec;
import io.ramcast.txn.wire.TxnReply;
import io.ramcast.txn.wire.TxnRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embeddable client of RamCast KV: runs transactions against a partitioned, replicated cluster.
 *
 * <pre>{@code
 * try (KvClient kv = KvClient.connect(ClusterConfig.load(Path.of("cluster.yaml")), 100))
 * {
 *     kv.put(key, value);
 *     TxnOutcome outcome = kv.execute(Transaction.builder().get(a).increment(b, 1).build());
 * }
 * }</pre>
 *
 * <h2>What a call does</h2>
 * A transaction is checked against the cluster's limits, routed to the partitions owning its keys,
 * given a request id and atomically multicast with RamCast to exactly those partitions. Every
 * replica of every involved partition executes it in the agreed order and answers; the client
 * completes the transaction once it holds one answer from <em>every</em> involved partition (the
 * first from each; later replicas' answers are ignored). Its {@link TxnOutcome} is
 * {@linkplain TxnOutcome.Committed committed}, {@linkplain TxnOutcome.NotCommitted definitely not
 * committed}, or {@linkplain TxnOutcome.Unknown unknown}: no outcome within the request timeout,
 * connection lost, client closed. Answers arriving after that are ignored.
 *
 * <h2>Errors</h2>
 * <ul>
 *   <li>Refused before sending, thrown by the call itself (sync and async): a key, value, scan,
 *       key count or encoded size over the limits is a {@link LimitExceededException} (an
 *       {@link IllegalArgumentException}) naming the limit; a scan spanning several partitions or a
 *       settled or foreign request id is an {@link IllegalArgumentException}; a closed client
 *       throws {@link IllegalStateException}.</li>
 *   <li>{@link #execute}/{@link #executeAsync} report outcomes as values, never as exceptions
 *       (but see the two cases below). The conveniences ({@link #get}, {@link #put}, ...) throw,
 *       or complete their futures exceptionally with: {@link NotCommittedException} (reason and detail),
 *       {@link UnknownProcedureException} (a {@code NotCommittedException} for an unregistered
 *       procedure) and {@link UnknownOutcomeException} (carries the request id to retry with).
 *       {@link #compareAndSet} returns false when its condition failed.</li>
 *   <li>Partitions disagreeing on the outcome would be a bug in the replicas: the future completes
 *       exceptionally with an {@link IllegalStateException} naming both answers.</li>
 *   <li>A request that waited for a lost session (below) until its timeout, without being sent:
 *       the future completes exceptionally, and the synchronous calls throw, with
 *       {@link ClusterUnreachableException}.</li>
 * </ul>
 *
 * <h2>Losing the cluster and reconnecting</h2>
 * The client keeps one session with the cluster. It is lost when a majority of some partition
 * becomes unreachable (their connections were lost, e.g. while every replica restarts; one
 * replica of three down does not end it). The client then logs {@code client C: lost partition P
 * (replicas ... unreachable); reconnecting}, completes every transaction waiting for its outcome
 * as {@linkplain TxnOutcome.Unknown unknown} (retrying with the same request id stays safe), and
 * reconnects by itself: once a majority of every partition is reachable again it starts a new
 * session as a new incarnation of the same client id (see {@link RamcastClient}) and logs
 * {@code client C: reconnected (incarnation N)}. Transactions issued meanwhile wait (a synchronous
 * call blocks; an async one queues, see below) and are sent once the session is back; if it is not
 * back within the request timeout, nothing is sent and they fail with
 * {@link ClusterUnreachableException}. The client stays usable throughout; only {@link #close()}
 * ends it.
 *
 * <h2>Request ids and retries</h2>
 * Request ids are strictly increasing per client and start at {@code currentTimeMillis() * 10^6},
 * so a restarted client does not reuse its previous incarnation's ids as long as it averaged fewer
 * than a million transactions per millisecond and the wall clock did not go back. Replicas remember
 * the outcome of each (client id, request id) and answer a retry from that memory, so an
 * {@link TxnOutcome.Unknown} outcome can be resolved by {@link #executeAsync(long, Transaction)}
 * with the same id and the same transaction: it reports the original outcome instead of executing
 * twice.
 *
 * <p>Each request carries a watermark, {@code settledBelow}: the smallest request id this client
 * may still send again, i.e. the minimum over the ids in flight and the ids whose outcome is
 * unknown and still retryable (the next id when there is none). Replicas forget remembered outcomes
 * below it. An unknown id stays retryable for {@value #UNKNOWN_RETENTION_REQUEST_TIMEOUTS} request
 * timeouts and among the {@value #UNKNOWN_RETENTION_COUNT} most recent unknown ids; after that, or
 * once its outcome is definite, it is settled and a retry with it is refused with an
 * {@link IllegalArgumentException} (a retry could then execute twice). Retrying an id while its
 * previous attempt is still in flight throws {@link IllegalStateException}.
 *
 * <h2>Threading and blocking</h2>
 * Thread-safe: any number of threads may have transactions in flight. {@code execute*Async} and
 * the {@code *Async} conveniences never block: while the session is lost (see above) or the
 * client's window of {@link MulticastOptions#clientWindow()} transactions in flight is full, their
 * transactions queue in call order, at most {@value #DEFERRED_PER_WINDOW_SLOT} per window slot
 * (plus the one being sent), and the client's sender thread sends them as room appears; one more
 * call is refused at once with {@link ClientBusyException} (nothing sent). A queued transaction
 * that finds no room within the request timeout is not sent and its outcome is {@code Unknown}
 * (retry is safe); a refusal found on the sender thread (a settled retry id, say) completes its
 * future exceptionally instead of being thrown. The synchronous methods wait for room themselves,
 * at most the request timeout, and then for the outcome, at most about the request timeout. Futures complete on one dedicated daemon thread of this client, never on the RamCast
 * agent thread: dependent stages should be short and must not wait for other transactions of this
 * client (use the {@code *Async} variants there; synchronous calls from that thread are refused
 * with {@link IllegalStateException}). An interrupted synchronous caller gets an {@code Unknown}
 * outcome (or {@link UnknownOutcomeException}) with its interrupt status set.
 *
 * <p>Units: durations as {@link Duration}; sizes in bytes. Keys compare as unsigned bytes.
 */
public final class KvClient implements AutoCloseable
{
    /** Most unknown request ids kept retryable. */
    public static final int UNKNOWN_RETENTION_COUNT = 4096;
    /** How long an unknown request id stays retryable, in request timeouts. */
    public static final int UNKNOWN_RETENTION_REQUEST_TIMEOUTS = 10;
    /** Request ids start at {@code currentTimeMillis()} times this, taken once the client holds its id. */
    static final long REQUEST_IDS_PER_MILLISECOND = 1_000_000L;
    /** The first request id the last client of this JVM took ({@link #firstRequestId}). */
    private static final java.util.concurrent.atomic.AtomicLong LAST_FIRST_REQUEST_ID =
        new java.util.concurrent.atomic.AtomicLong();
    /** Longest period of the timeout sweep ({@link #timeoutSweepNs}). */
    static final long MAX_TIMEOUT_SWEEP_MS = 100;
    /**
     * Async calls that find the window full (or the session down) queue, at most this many per
     * window slot; one more is refused with {@link ClientBusyException}.
     */
    public static final int DEFERRED_PER_WINDOW_SLOT = 4;
    /** How long {@link #close()} waits for the completer thread to finish pending callbacks. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** While connecting, how often a refusal of the client id is looked for. */
    private static final long CONNECT_POLL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Passes a lease makes over the client range before it says every id is held. */
    private static final int LEASE_PASSES = 3;
    /** The random pause before a lease's next pass, from (inclusive) and to (exclusive), in milliseconds. */
    private static final long LEASE_PASS_PAUSE_MIN_MS = 20;
    private static final long LEASE_PASS_PAUSE_MAX_MS = 120;

    private static final Logger LOG = LoggerFactory.getLogger(KvClient.class);
    private static final String CLOSED = "client closed";

    private final int clientId;
    private final ClusterConfig config;
    private final GroupTopology topology;
    private final MulticastOptions options;
    private final Partitioner partitioner;
    private final Limits limits;
    private final ExecutionLimits executionLimits;
    private final long requestTimeoutNs;
    /** Back-off between the attempts of {@link #run}: {@code timeouts.retryBackoffMinMs} doubling to max. */
    private final long retryBackoffMinNs;
    private final long retryBackoffMaxNs;
    private final java.util.concurrent.atomic.AtomicLong runRetries = new java.util.concurrent.atomic.AtomicLong();
    private final TxnCodec codec = new TxnCodec();
    private final RequestTracker tracker;
    private final ConcurrentHashMap<Long, Attempt> pending = new ConcurrentHashMap<>();
    private final Semaphore window;
    /** Async submissions that could not be sent at once, in order; the sender thread sends them. */
    private final java.util.concurrent.ArrayBlockingQueue<Deferred> deferred;
    private final Thread sender;
    private final ThreadPoolExecutor completer;
    private final ScheduledThreadPoolExecutor timer;
    private final RamcastClient ramcast;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong ignoredReplies = new AtomicLong();
    private final AtomicLong malformedReplies = new AtomicLong();
    private volatile Thread completerThread;

    /** One attempt of one request id: created by the caller, completed by whoever claims it. */
    /** An async submission waiting for the session or a window slot. */
    private record Deferred(Attempt attempt, RequestTracker.Ticket ticket, byte[] payload, int[] partitions,
        long deadlineNs)
    {
    }

    private static final class Attempt
    {
        final long requestId;
        final int[] partitions;
        final CompletableFuture<TxnOutcome> future = new CompletableFuture<>();
        /** Fed on the RamCast agent thread; its progress is read by a timeout (it synchronizes). */
        final ReplyCollector replies;
        /**
         * Whether the outcome completes the future on the RamCast agent thread: only for the
         * synchronous calls, whose future is never handed out, so no caller's stage can run there.
         */
        final boolean completeOnAgent;
        /** When the outcome counts as unknown; the sweep checks it. */
        volatile long deadlineNs = Long.MAX_VALUE;

        Attempt(final long requestId, final int[] partitions, final int[] resultPartitions, final boolean completeOnAgent)
        {
            this.requestId = requestId;
            this.partitions = partitions;
            this.replies = new ReplyCollector(requestId, partitions, resultPartitions);
            this.completeOnAgent = completeOnAgent;
        }
    }

    private KvClient(final Builder b)
    {
        config = b.config;
        topology = required(b.topology != null ? b.topology : config != null ? config.toTopology() : null,
            "topology (set config(...) or topology(...))");
        options = b.options != null ? b.options : config != null ? config.toMulticastOptions() : MulticastOptions.defaults();
        partitioner = required(b.partitioner != null ? b.partitioner : config != null ? config.partitioner() : null,
            "partitioner (set config(...) or partitioner(...))");
        limits = b.limits != null ? b.limits : config != null ? config.limits() : new Limits(
            Limits.DEFAULT_MAX_KEY_BYTES, Limits.DEFAULT_MAX_VALUE_BYTES, Limits.DEFAULT_MAX_TRANSACTION_BYTES,
            Limits.DEFAULT_MAX_KEYS_PER_TRANSACTION, Limits.DEFAULT_MAX_SCAN_ENTRIES);
        final Duration requestTimeout = positive("requestTimeout", b.requestTimeout != null ? b.requestTimeout :
            Duration.ofMillis(config != null ? config.timeouts().requestTimeoutMs() : Timeouts.DEFAULT_REQUEST_TIMEOUT_MS));
        final Duration connectTimeout = positive("connectTimeout", b.connectTimeout != null ? b.connectTimeout :
            Duration.ofMillis(config != null ? config.timeouts().connectTimeoutMs() : Timeouts.DEFAULT_CONNECT_TIMEOUT_MS));
        clientId = resolveClientId(b, config, topology);
        if (partitioner.partitionCount() != topology.groupCount())
        {
            throw new IllegalArgumentException("partitioner has " + partitioner.partitionCount() +
                " partitions but the topology has " + topology.groupCount() + " groups; partition p is group p");
        }
        executionLimits = new ExecutionLimits(limits.maxKeyBytes(), limits.maxValueBytes(),
            limits.maxKeysPerTransaction(), limits.maxScanEntries());
        if (limits.maxTransactionBytes() <= 0)
        {
            throw new IllegalArgumentException("limits.maxTransactionBytes=" + limits.maxTransactionBytes() +
                " must be positive");
        }
        requestTimeoutNs = requestTimeout.toNanos();
        retryBackoffMinNs = TimeUnit.MILLISECONDS.toNanos(config != null ? config.timeouts().retryBackoffMinMs() :
            Timeouts.DEFAULT_RETRY_BACKOFF_MIN_MS);
        retryBackoffMaxNs = Math.max(retryBackoffMinNs, TimeUnit.MILLISECONDS.toNanos(config != null ?
            config.timeouts().retryBackoffMaxMs() : Timeouts.DEFAULT_RETRY_BACKOFF_MAX_MS));
        tracker = new RequestTracker(System.currentTimeMillis() * REQUEST_IDS_PER_MILLISECOND, UNKNOWN_RETENTION_COUNT,
            Math.multiplyExact(requestTimeoutNs, (long)UNKNOWN_RETENTION_REQUEST_TIMEOUTS));
        window = new Semaphore(options.clientWindow());
        deferred = new java.util.concurrent.ArrayBlockingQueue<>(DEFERRED_PER_WINDOW_SLOT * options.clientWindow());
        final Fabric fabric = b.fabric != null ? b.fabric : configuredFabric(config, clientId);

        completer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r ->
        {
            final Thread t = daemon(r, "completer");
            completerThread = t;
            return t;
        });
        completer.prestartCoreThread();
        sender = daemon(this::sendDeferred, "sender");
        sender.start();
        timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "timer"));
        final long sweepNs = timeoutSweepNs(requestTimeoutNs);
        timer.scheduleAtFixedRate(this::sweepTimeouts, sweepNs, sweepNs, TimeUnit.NANOSECONDS);
        try
        {
            ramcast = RamcastClient.builder().topology(topology).options(options).fabric(fabric)
                .deliveryLog(b.deliveryLogDir)
                .messageHandler(this::onReply)
                .sessionListener(new RamcastClient.SessionListener()
                {
                    @Override
                    public void onSessionLost(final int group, final int[] unreachable)
                    {
                        KvClient.this.onSessionLost(group, unreachable);
                    }

                    @Override
                    public void onReconnected(final long incarnation)
                    {
                        LOG.info("client {}: reconnected (incarnation {})", clientId, incarnation);
                    }
                })
                .build();
        }
        catch (final RuntimeException ex)
        {
            timer.shutdownNow();
            completer.shutdownNow();
            fabric.close();
            throw ex;
        }
        ramcast.start();
        final int[] unreachable;
        try
        {
            unreachable = awaitConnected(fabric, connectTimeout, b.leasing);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("client " + clientId + " was interrupted while connecting to the cluster", ex);
        }
        if (!ramcast.sessionReady())
        {
            final Fabric.Refusal refusal = idRefusal(fabric);
            close();
            if (refusal != null && refusal.reason() == Fabric.Refusal.Reason.CLIENT_ID_NOT_SERVED)
            {
                throw new ClientIdNotServedException(clientId, refusal.message());
            }
            if (refusal != null)
            {
                throw new ClientIdInUseException(clientId, refusal.message());
            }
            throw new ClusterUnreachableException(clientId, unreachable, addresses(config, unreachable),
                connectTimeout.toMillis());
        }
        tracker.startAt(firstRequestId());
        if (unreachable.length > 0)
        {
            LOG.warn("client {}: connected without replicas {} ({}); a majority of every partition answered, so " +
                "transactions proceed", clientId, java.util.Arrays.toString(unreachable), addresses(config, unreachable));
        }
    }

    /**
     * The first request id of a client that now holds its id: replicas remember outcomes by client
     * id and request id, so a process that holds an id after another (a restart, or a lease of a
     * freed id) must never reuse the ids its predecessor sent. Taken from the clock once the id is
     * held (the predecessor stopped holding it before, so its ids began at an earlier millisecond and
     * it sent fewer than {@link #REQUEST_IDS_PER_MILLISECOND} per millisecond since), and at least
     * {@link #REQUEST_IDS_PER_MILLISECOND} above the last one this JVM took, for two clients of one
     * JVM that hold an id one after the other within a millisecond. Not taken at construction: a
     * client built while another held its id, and let in only once that one closed, would otherwise
     * start at its predecessor's first id.
     */
    private static long firstRequestId()
    {
        final long now = System.currentTimeMillis() * REQUEST_IDS_PER_MILLISECOND;
        return LAST_FIRST_REQUEST_ID.accumulateAndGet(now, (last, clock) ->
            Math.max(clock, last + REQUEST_IDS_PER_MILLISECOND));
    }

    /**
     * Waits until the session is ready or the timeout passes; while leasing, also until so many
     * replicas of a partition refuse the id (held by another live process, or not served) that no
     * majority of it can let this client in. Refusals by fewer do not end the wait: two processes
     * that took one id at once reach each replica in either order, and the one a majority let in
     * keeps the id (the others let it in once the loser closed) while the loser takes another.
     *
     * @return the servers still unreachable.
     */
    private int[] awaitConnected(final Fabric fabric, final Duration timeout, final boolean leasing)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        long leftNs = timeout.toNanos();
        while (!ramcast.awaitSession(Math.min(leftNs, CONNECT_POLL_NS)) && (leftNs = deadlineNs - System.nanoTime()) > 0)
        {
            if (leasing && refusedByAMajority(fabric))
            {
                break;
            }
        }
        return ramcast.unreachableServers();
    }

    /** @return whether more than a minority of some partition's replicas refused this client's id. */
    private boolean refusedByAMajority(final Fabric fabric)
    {
        for (int g = 0; g < topology.groupCount(); g++)
        {
            int refused = 0;
            for (final int server : topology.members(g))
            {
                if (fabric.refusal(server) != null)
                {
                    refused++;
                }
            }
            if (refused > topology.groupSize(g) - topology.quorum(g))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return a server's refusal of this client's id: held by another live process (first), or not
     *         served; null if none refused it.
     */
    private Fabric.Refusal idRefusal(final Fabric fabric)
    {
        Fabric.Refusal notServed = null;
        for (final int server : topology.servers())
        {
            final Fabric.Refusal refusal = fabric.refusal(server);
            if (refusal != null && refusal.reason() == Fabric.Refusal.Reason.CLIENT_ID_IN_USE)
            {
                return refusal;
            }
            if (refusal != null && refusal.reason() == Fabric.Refusal.Reason.CLIENT_ID_NOT_SERVED && notServed == null)
            {
                notServed = refusal;
            }
        }
        return notServed;
    }

    /**
     * Connects to the cluster a config file describes with a client id of the config's range that
     * no live process holds (leased: tried in random order from the range, each id that a majority
     * of some partition refuses skipped at once, the range tried up to three times when processes
     * lease at once), over its tcp or rdma fabric, and waits until every replica is reachable (at
     * most {@code timeouts.connectTimeoutMs} per id tried). The id is free again once this client closes
     * or dies (over tcp after {@code timeouts.clientFailureTimeoutMs} of silence; over rdma once its
     * connections are closed, which its kernel does when the process ends); {@link #clientId()} says
     * which it got. Replicas tell a live holder from a new process by its (authenticated, with the
     * cluster's secrets) incarnation.
     *
     * @param config the cluster config.
     * @return the connected client.
     * @throws ClientIdInUseException      if every id of the range is held by a live process.
     * @throws ClusterUnreachableException if a majority of some partition stays unreachable.
     * @throws IllegalArgumentException    as for {@link #connect(ClusterConfig, int)}.
     * @throws IllegalStateException       as for {@link #connect(ClusterConfig, int)}.
     */
    public static KvClient connect(final ClusterConfig config)
    {
        return builder().config(Objects.requireNonNull(config, "config")).build();
    }

    /**
     * Connects to the cluster a config file describes, over its tcp or rdma fabric, and waits until every
     * replica is reachable (at most {@code timeouts.connectTimeoutMs}).
     *
     * @param config   the cluster config.
     * @param clientId this client's process id, in the config's client range; no two live clients
     *                 may share one.
     * @return the connected client.
     * @throws IllegalArgumentException     if the id is not a client id of the config, or the config's
     *                                      fabric is local (which needs
     *                                      {@code builder().config(config).fabric(hub.endpoint(id))}).
     * @throws io.ramcast.multicast.fabric.rdma.RdmaUnavailableException if the fabric is rdma and this
     *                                      host lacks libdisni or an RDMA device.
     * @throws IllegalStateException        if the JVM lacks {@link io.ramcast.multicast.JvmSupport#REQUIRED_OPTION},
     *                                      or the fabric is rdma and DiSNI is not on the class path.
     * @throws ClusterUnreachableException if a majority of some partition stays unreachable; the
     *                                     client is closed.
     * @throws ClientIdInUseException      if the replicas keep refusing the id because another live
     *                                     process holds it; the client is closed.
     */
    public static KvClient connect(final ClusterConfig config, final int clientId)
    {
        return builder().config(Objects.requireNonNull(config, "config")).clientId(clientId).build();
    }

    /** @return a builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return this client's process id. */
    public int clientId()
    {
        return clientId;
    }

    /**
     * Runs a transaction.
     *
     * @param transaction the transaction.
     * @return a future of its outcome, completed within about the request timeout, on the client's
     *         completer thread; exceptionally only with {@link IllegalStateException} if partitions
     *         disagree (a bug), with {@link ResultsTooLargeException} if it committed but a
     *         partition could not send its results, or with {@link ClusterUnreachableException} if
     *         the client's session was lost and did not come back within the request timeout
     *         (nothing was sent).
     * @throws LimitExceededException   if it exceeds a limit; nothing is sent.
     * @throws IllegalArgumentException if a scan spans several partitions; nothing is sent.
     * @throws IllegalStateException    if the client is closed or its multicast agent stopped.
     */
    public CompletableFuture<TxnOutcome> executeAsync(final Transaction transaction)
    {
        return submit(transaction, 0, false, false).future;
    }

    /**
     * Retries a transaction whose outcome was {@link TxnOutcome.Unknown}, with the same request id.
     * The replicas answer from their memory if an earlier attempt executed, so it executes at most
     * once; the outcome is the original one.
     *
     * @param requestId   the request id of the unknown outcome.
     * @param transaction the same transaction as the original attempt.
     * @return a future of its outcome, as for {@link #executeAsync(Transaction)}.
     * @throws IllegalArgumentException if the id is settled (its outcome was definite, or it has been
     *                                  unknown beyond the retry window), was never issued by this
     *                                  client, or the transaction goes to other partitions than the
     *                                  original; or as for {@link #executeAsync(Transaction)}.
     * @throws IllegalStateException    if an attempt with that id is still in flight, or the client
     *                                  is closed.
     */
    public CompletableFuture<TxnOutcome> executeAsync(final long requestId, final Transaction transaction)
    {
        return submit(transaction, requestId, true, false).future;
    }

    /**
     * Runs a transaction and waits for its outcome (at most about the request timeout).
     *
     * @param transaction the transaction.
     * @return its outcome; {@link TxnOutcome.Unknown} if the caller was interrupted (interrupt status set).
     * @throws IllegalStateException       if partitions disagree (a bug), or as for {@link #executeAsync(Transaction)}.
     * @throws ResultsTooLargeException    if it committed but a partition could not send its results.
     * @throws ClusterUnreachableException if the client's session was lost and did not come back within the
     *                                     request timeout; nothing was sent.
     */
    public TxnOutcome execute(final Transaction transaction)
    {
        refuseOnCompleterThread();
        return await(submit(transaction, 0, false, true));
    }

    /**
     * Retries a transaction with the request id of its unknown outcome and waits for the outcome.
     *
     * @param requestId   the request id of the unknown outcome.
     * @param transaction the same transaction.
     * @return its outcome.
     * @throws IllegalArgumentException as for {@link #executeAsync(long, Transaction)}.
     * @throws IllegalStateException    as for {@link #executeAsync(long, Transaction)}, or if partitions disagree.
     * @throws ClusterUnreachableException as for {@link #execute(Transaction)}.
     */
    public TxnOutcome execute(final long requestId, final Transaction transaction)
    {
        refuseOnCompleterThread();
        return await(submit(transaction, requestId, true, true));
    }

    /**
     * Runs a transaction to a definite outcome, as FoundationDB's {@code run} does: an
     * {@link TxnOutcome.Unknown} outcome (a lost reply, a timeout, a leader change, the session
     * lost) is retried with the same request id, so the transaction executes at most once, after a
     * back-off of {@code timeouts.retryBackoffMinMs} doubling up to {@code retryBackoffMaxMs}, until it
     * committed or did not, or the deadline of {@link #defaultRunDeadline()} passed.
     *
     * @param transaction the transaction.
     * @return {@link TxnOutcome.Committed} or {@link TxnOutcome.NotCommitted}; {@link TxnOutcome.Unknown}
     *         only if the deadline passed or the caller was interrupted (interrupt status set).
     * @throws IllegalStateException as for {@link #execute(Transaction)}.
     */
    public TxnOutcome run(final Transaction transaction)
    {
        return run(transaction, defaultRunDeadline());
    }

    /**
     * As {@link #run(Transaction)}, giving up after {@code deadline}: no attempt starts after it, and
     * the one under way when it passes is still awaited (at most the request timeout).
     *
     * @param transaction the transaction.
     * @param deadline    how long to keep retrying; at most {@link #defaultRunDeadline()}, beyond
     *                    which an unknown request id is no longer retryable.
     * @return as for {@link #run(Transaction)}.
     * @throws IllegalArgumentException if the deadline is not positive or exceeds {@link #defaultRunDeadline()}.
     */
    public TxnOutcome run(final Transaction transaction, final Duration deadline)
    {
        Objects.requireNonNull(transaction, "transaction");
        final long deadlineNs = deadline.toNanos();
        if (deadlineNs <= 0 || deadlineNs > defaultRunDeadline().toNanos())
        {
            throw new IllegalArgumentException("deadline " + deadline + " must be positive and at most " +
                defaultRunDeadline() + " (an unknown request id stays retryable that long)");
        }
        refuseOnCompleterThread();
        final long startNs = System.nanoTime();
        long backoffNs = retryBackoffMinNs;
        long requestId = 0;
        TxnOutcome outcome = null;
        while (true)
        {
            try
            {
                outcome = 0 == requestId ? execute(transaction) : execute(requestId, transaction);
            }
            catch (final ClusterUnreachableException ex)
            {
                // nothing was sent this time: the session is down; retry as before
                outcome = null == outcome ? new TxnOutcome.Unknown(requestId, ex.getMessage()) : outcome;
            }
            if (!(outcome instanceof TxnOutcome.Unknown unknown) || Thread.currentThread().isInterrupted())
            {
                return outcome;
            }
            if (0 != unknown.requestId())
            {
                requestId = unknown.requestId();
            }
            final long remainingNs = startNs + deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                return outcome;
            }
            LOG.debug("client {}: request {} unknown ({}); retrying in {} ms", clientId, requestId, unknown.cause(),
                backoffNs / 1_000_000);
            try
            {
                TimeUnit.NANOSECONDS.sleep(Math.min(backoffNs, remainingNs));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return outcome;
            }
            backoffNs = Math.min(retryBackoffMaxNs, 2 * backoffNs);
            runRetries.incrementAndGet();
        }
    }

    /**
     * @return the slots of the client's window in use now: transactions handed to the ordering
     *         layer whose multicast has not completed yet (a slot is freed when the message is
     *         delivered, which may be a moment after its outcome reached the caller); at most the
     *         window ({@code buffers.clientWindow}). For monitoring; safe from any thread.
     */
    public int windowInUse()
    {
        return Math.max(0, options.clientWindow() - window.availablePermits());
    }

    /** @return how many times {@link #run} has retried an unknown outcome so far, over all calls. */
    public long runRetries()
    {
        return runRetries.get();
    }

    /**
     * @return how long {@link #run(Transaction)} retries at most: the time an unknown request id
     *         stays retryable less one request timeout, {@value #UNKNOWN_RETENTION_REQUEST_TIMEOUTS}
     *         - 1 request timeouts.
     */
    public Duration defaultRunDeadline()
    {
        return Duration.ofNanos((UNKNOWN_RETENTION_REQUEST_TIMEOUTS - 1) * requestTimeoutNs);
    }

    /**
     * @param key the key.
     * @return its value, or null if absent.
     * @throws NotCommittedException   if it did not commit (e.g. a limit enforced by the replicas).
     * @throws UnknownOutcomeException if the outcome is unknown.
     */
    public byte[] get(final byte[] key)
    {
        return valueOf(execute(getTransaction(key)));
    }

    /**
     * Reads a counter that {@link #increment} maintains (8 bytes, big-endian).
     *
     * @param key the key.
     * @return its value; 0 if the key is absent.
     * @throws IllegalStateException   if the key holds a value that is not a counter.
     * @throws NotCommittedException   as for {@link #get(byte[])}.
     * @throws UnknownOutcomeException as for {@link #get(byte[])}.
     */
    public long counter(final byte[] key)
    {
        final byte[] value = get(key);
        if (null == value)
        {
            return 0;
        }
        if (Long.BYTES != value.length)
        {
            throw new IllegalStateException("key " + io.ramcast.txn.Printable.of(key) + " holds " + value.length + " bytes, not a " +
                "counter (8 bytes, big-endian, as increment writes)");
        }
        return java.nio.ByteBuffer.wrap(value).getLong();
    }

    /**
     * {@link #get(byte[])} with the key and value as UTF-8 text.
     *
     * @param key the key.
     * @return its value decoded as UTF-8 (malformed bytes replaced), or null if absent.
     */
    public String getString(final String key)
    {
        final byte[] value = get(utf8(key));
        return null == value ? null : new String(value, StandardCharsets.UTF_8);
    }

    /**
     * {@link #put(byte[], byte[])} with the key and value as UTF-8 text.
     *
     * @param key   the key.
     * @param value its new value.
     */
    public void put(final String key, final String value)
    {
        put(utf8(key), utf8(value));
    }

    /**
     * {@link #delete(byte[])} with the key as UTF-8 text.
     *
     * @param key the key.
     */
    public void delete(final String key)
    {
        delete(utf8(key));
    }

    /**
     * {@link #increment(byte[], long)} with the key as UTF-8 text.
     *
     * @param key   the key.
     * @param delta what to add.
     * @return the counter's new value.
     */
    public long increment(final String key, final long delta)
    {
        return increment(utf8(key), delta);
    }

    /**
     * {@link #counter(byte[])} with the key as UTF-8 text.
     *
     * @param key the key.
     * @return the counter's value; 0 if absent.
     */
    public long counter(final String key)
    {
        return counter(utf8(key));
    }

    private static byte[] utf8(final String text)
    {
        return Objects.requireNonNull(text, "key and value must not be null").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param key the key.
     * @return a future of its value (null if absent); fails as {@link #get(byte[])} throws.
     */
    public CompletableFuture<byte[]> getAsync(final byte[] key)
    {
        return executeAsync(getTransaction(key)).thenApply(KvClient::valueOf);
    }

    /**
     * @param key   the key.
     * @param value its new value.
     * @throws NotCommittedException   if it did not commit.
     * @throws UnknownOutcomeException if the outcome is unknown.
     */
    public void put(final byte[] key, final byte[] value)
    {
        nothingOf(execute(Transaction.builder().put(key, value).build()));
    }

    /**
     * @param key   the key.
     * @param value its new value.
     * @return a future completed when it committed; fails as {@link #put} throws.
     */
    public CompletableFuture<Void> putAsync(final byte[] key, final byte[] value)
    {
        return executeAsync(Transaction.builder().put(key, value).build()).thenApply(KvClient::nothingOf);
    }

    /**
     * @param key the key to remove (absent is fine).
     * @throws NotCommittedException   if it did not commit.
     * @throws UnknownOutcomeException if the outcome is unknown.
     */
    public void delete(final byte[] key)
    {
        nothingOf(execute(Transaction.builder().delete(key).build()));
    }

    /**
     * @param key the key to remove.
     * @return a future completed when it committed; fails as {@link #delete} throws.
     */
    public CompletableFuture<Void> deleteAsync(final byte[] key)
    {
        return executeAsync(Transaction.builder().delete(key).build()).thenApply(KvClient::nothingOf);
    }

    /**
     * Sets {@code key} to {@code newValue} if it holds {@code expected}.
     *
     * @param key      the key.
     * @param expected the value it must hold; null: it must be absent.
     * @param newValue the value to set; null: delete it.
     * @return true if set, false if the key held something else.
     * @throws NotCommittedException   if it did not commit for another reason.
     * @throws UnknownOutcomeException if the outcome is unknown.
     */
    public boolean compareAndSet(final byte[] key, final byte[] expected, final byte[] newValue)
    {
        return conditionOf(execute(Transaction.builder().compareAndSet(key, expected, newValue).build()));
    }

    /**
     * @param key      the key.
     * @param expected the value it must hold; null: absent.
     * @param newValue the value to set; null: delete.
     * @return a future of whether it was set; fails as {@link #compareAndSet} throws.
     */
    public CompletableFuture<Boolean> compareAndSetAsync(final byte[] key, final byte[] expected, final byte[] newValue)
    {
        return executeAsync(Transaction.builder().compareAndSet(key, expected, newValue).build())
            .thenApply(KvClient::conditionOf);
    }

    /**
     * Adds to an 8-byte big-endian counter (absent counts as 0).
     *
     * @param key   the counter's key.
     * @param delta the amount to add.
     * @return the counter's new value.
     * @throws NotCommittedException   if it did not commit ({@link ReasonCode#COUNTER_OVERFLOW} if the sum
     *                                 does not fit a signed 64-bit counter: nothing is written).
     * @throws UnknownOutcomeException if the outcome is unknown.
     */
    public long increment(final byte[] key, final long delta)
    {
        return counterOf(execute(Transaction.builder().increment(key, delta).build()));
    }

    /**
     * @param key   the counter's key.
     * @param delta the amount to add.
     * @return a future of the new value; fails as {@link #increment} throws.
     */
    public CompletableFuture<Long> incrementAsync(final byte[] key, final long delta)
    {
        return executeAsync(Transaction.builder().increment(key, delta).build()).thenApply(KvClient::counterOf);
    }

    /**
     * Reads the entries with {@code start <= key < endExclusive}, ascending; the range must lie in
     * one partition.
     *
     * @param start        the first key.
     * @param endExclusive the bound; null: none.
     * @param limit        most entries, positive and at most {@code limits.maxScanEntries}.
     * @return the entries.
     * @throws IllegalArgumentException if the range spans several partitions; nothing is sent.
     * @throws NotCommittedException    if it did not commit.
     * @throws UnknownOutcomeException  if the outcome is unknown.
     */
    public List<KeyValue> scan(final byte[] start, final byte[] endExclusive, final int limit)
    {
        return entriesOf(execute(Transaction.builder().scan(start, endExclusive, limit).build()));
    }

    /**
     * @param start        the first key.
     * @param endExclusive the bound; null: none.
     * @param limit        most entries.
     * @return a future of the entries; fails as {@link #scan} throws.
     */
    public CompletableFuture<List<KeyValue>> scanAsync(final byte[] start, final byte[] endExclusive, final int limit)
    {
        return executeAsync(Transaction.builder().scan(start, endExclusive, limit).build()).thenApply(KvClient::entriesOf);
    }

    /**
     * Calls a procedure registered on the replicas.
     *
     * @param procedure its registered name.
     * @param arguments its arguments (null: none).
     * @param readKeys  every key it may read.
     * @param writeKeys every key it may write.
     * @return what it returned.
     * @throws UnknownProcedureException if no procedure of that name is registered.
     * @throws NotCommittedException     if it aborted or did not commit for another reason.
     * @throws UnknownOutcomeException   if the outcome is unknown.
     */
    public byte[] call(final String procedure, final byte[] arguments, final List<byte[]> readKeys,
        final List<byte[]> writeKeys)
    {
        return outputOf(execute(procedureTransaction(procedure, arguments, readKeys, writeKeys)));
    }

    /**
     * @param procedure its registered name.
     * @param arguments its arguments (null: none).
     * @param readKeys  every key it may read.
     * @param writeKeys every key it may write.
     * @return a future of what it returned; fails as {@link #call} throws.
     */
    public CompletableFuture<byte[]> callAsync(final String procedure, final byte[] arguments,
        final List<byte[]> readKeys, final List<byte[]> writeKeys)
    {
        return executeAsync(procedureTransaction(procedure, arguments, readKeys, writeKeys)).thenApply(KvClient::outputOf);
    }

    /**
     * Closes the client: every transaction still waiting completes with {@link TxnOutcome.Unknown}
     * ("client closed"), the multicast client stops and its connections close, the client's threads
     * end. Idempotent; safe from any thread, including a completion callback. Waits at most a few
     * seconds for callbacks already running on the completer thread.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        window.release(options.clientWindow()); // wake callers waiting for room; they find the client closed
        sender.interrupt();
        try
        {
            ramcast.close();
        }
        finally
        {
            timer.shutdownNow();
            if (Thread.currentThread() == completerThread)
            {
                failAllPending(CLOSED);
                completer.shutdown();
            }
            else
            {
                enqueue(() -> failAllPending(CLOSED));
                completer.shutdown();
                try
                {
                    if (!completer.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    {
                        LOG.warn("client {}: completion callbacks still running {} after close", clientId, CLOSE_WAIT);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                failAllPending(CLOSED); // whatever a stuck callback or an interrupt left behind
            }
        }
    }

    /* ------------------------------------------------------------------ sending */

    /**
     * @param waiting whether the caller waits for the outcome itself ({@link #await}) and never
     *                hands out the future: then the outcome completes it on the RamCast agent thread,
     *                saving a hand-off through the completer thread.
     */
    private Attempt submit(final Transaction transaction, final long retryId, final boolean retry, final boolean waiting)
    {
        Objects.requireNonNull(transaction, "transaction");
        final int[] partitions = route(transaction);
        ensureOpen();
        final long startNs = System.nanoTime();
        final RequestTracker.Ticket ticket =
            retry ? tracker.beginRetry(retryId, partitions, startNs) : tracker.beginNew(partitions, startNs);
        final byte[] payload;
        try
        {
            payload = codec.encode(new TxnRequest(clientId, ticket.requestId(), ticket.settledBelow(), partitions,
                transaction));
            checkEncodedSize(payload.length, partitions.length);
        }
        catch (final RuntimeException ex)
        {
            tracker.abandon(ticket, System.nanoTime());
            throw ex;
        }
        // per operation, the partition whose reply carries its result; a procedure's is in every reply
        final Attempt attempt = new Attempt(ticket.requestId(), partitions,
            transaction.isProcedure() ? null : Destinations.resultPartitions(transaction, partitioner), waiting);
        final long deadlineNs = startNs + requestTimeoutNs;
        if (!waiting)
        {
            if (deferred.isEmpty() && ramcast.sessionReady() && window.tryAcquire())
            {
                return sendAcquired(attempt, ticket, payload, partitions, deadlineNs);
            }
            if (!deferred.offer(new Deferred(attempt, ticket, payload, partitions, deadlineNs)))
            {
                tracker.abandon(ticket, System.nanoTime());
                throw new ClientBusyException("client " + clientId + ": " + deferred.size() + " transactions already " +
                    "wait for room in the window of " + options.clientWindow() + " (or for the session), the most " +
                    "an async call may queue; nothing sent: slow down, or wait for outcomes");
            }
            return attempt;
        }
        return sendWhenPossible(attempt, ticket, payload, partitions, deadlineNs);
    }

    /**
     * Waits (at most until {@code deadlineNs}) for the session and a window slot, then sends: on
     * the caller's thread for the synchronous calls, on the sender thread for deferred async ones.
     */
    private Attempt sendWhenPossible(final Attempt attempt, final RequestTracker.Ticket ticket, final byte[] payload,
        final int[] partitions, final long deadlineNs)
    {
        if (!ramcast.sessionReady() && !awaitSession(attempt, ticket, deadlineNs))
        {
            return attempt;
        }
        try
        {
            if (!window.tryAcquire(deadlineNs - System.nanoTime(), TimeUnit.NANOSECONDS))
            {
                return unsent(attempt, "not sent: the client's window of " + options.clientWindow() +
                    " transactions in flight stayed full for the request timeout of " + requestTimeoutNs / 1_000_000 +
                    " ms (the cluster is slow or a replica is down)");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return unsent(attempt, "interrupted while waiting for room in the client's window; not sent");
        }
        return sendAcquired(attempt, ticket, payload, partitions, deadlineNs);
    }

    /** Sends an attempt that holds a window slot. */
    private Attempt sendAcquired(final Attempt attempt, final RequestTracker.Ticket ticket, final byte[] payload,
        final int[] partitions, final long deadlineNs)
    {
        attempt.deadlineNs = deadlineNs;
        pending.put(attempt.requestId, attempt);
        if (closed.get())
        {
            window.release();
            pending.remove(attempt.requestId, attempt);
            tracker.abandon(ticket, System.nanoTime());
            throw closedException();
        }
        final CompletableFuture<Long> delivered;
        try
        {
            delivered = ramcast.multicast(payload, partitions);
        }
        catch (final InterruptedException ex)
        {
            // RamCast's window never makes us wait (ours is no larger and is released after it), but
            // its semaphore refuses an already interrupted thread before sending anything.
            window.release();
            pending.remove(attempt.requestId, attempt);
            Thread.currentThread().interrupt();
            return unsent(attempt, "interrupted while handing the transaction to the multicast client; not sent");
        }
        catch (final RuntimeException ex)
        {
            window.release();
            pending.remove(attempt.requestId, attempt);
            tracker.abandon(ticket, System.nanoTime());
            throw closed.get() ? closedException() : ex;
        }
        delivered.whenComplete((messageId, failure) ->
        {
            window.release();
            if (failure != null)
            {
                enqueue(() -> onSendFailed(attempt, failure));
            }
        });
        if (closed.get())
        {
            unknownIfClaimed(attempt, CLOSED); // closed meanwhile; close() may have drained before we registered
        }
        return attempt;
    }

    private int[] route(final Transaction transaction)
    {
        final String problem = executionLimits.check(transaction);
        if (problem != null)
        {
            throw new LimitExceededException("transaction refused before sending: " + problem + " (" +
                limitName(problem) + ")");
        }
        return Destinations.of(transaction, partitioner);
    }

    private String limitName(final String problem)
    {
        if (problem.startsWith("key"))
        {
            return "limits.maxKeyBytes=" + limits.maxKeyBytes();
        }
        if (problem.startsWith("value"))
        {
            return "limits.maxValueBytes=" + limits.maxValueBytes();
        }
        if (problem.startsWith("scan"))
        {
            return "limits.maxScanEntries=" + limits.maxScanEntries();
        }
        if (problem.startsWith("transaction declares"))
        {
            return "limits.maxKeysPerTransaction=" + limits.maxKeysPerTransaction();
        }
        return "limits: maxKeyBytes=" + limits.maxKeyBytes() + ", maxValueBytes=" + limits.maxValueBytes() +
            ", maxKeysPerTransaction=" + limits.maxKeysPerTransaction() + ", maxScanEntries=" + limits.maxScanEntries();
    }

    private void checkEncodedSize(final int sizeBytes, final int partitionCount)
    {
        if (sizeBytes > limits.maxTransactionBytes())
        {
            throw new LimitExceededException("transaction refused before sending: it encodes to " + sizeBytes +
                " bytes, over limits.maxTransactionBytes=" + limits.maxTransactionBytes());
        }
        final int roomBytes = options.maxPayloadBytes(partitionCount);
        if (sizeBytes > roomBytes)
        {
            throw new LimitExceededException("transaction refused before sending: it encodes to " + sizeBytes +
                " bytes, but a multicast slot (buffers.slotSizeBytes=" + options.slotSizeBytes() + ") holds at most " +
                roomBytes + " bytes for a transaction to " + partitionCount +
                (partitionCount == 1 ? " partition" : " partitions"));
        }
    }

    /**
     * The session is lost: waits for the reconnection until the request's deadline. If it does not
     * come, nothing is sent and the attempt fails with {@link ClusterUnreachableException}.
     *
     * @return whether to go on sending; false when the attempt is already completed.
     */
    private boolean awaitSession(final Attempt attempt, final RequestTracker.Ticket ticket, final long deadlineNs)
    {
        final boolean ready;
        try
        {
            ready = ramcast.awaitSession(deadlineNs - System.nanoTime());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            unsent(attempt, "interrupted while waiting for the client to reconnect to the cluster; not sent");
            return false;
        }
        if (ready || ramcast.sessionState() == RamcastClient.SessionState.CLOSED)
        {
            return true; // sent, or refused by the stopped multicast client with its reason
        }
        tracker.abandon(ticket, System.nanoTime());
        ensureOpen();
        final int[] unreachable = ramcast.unreachableServers();
        attempt.future.completeExceptionally(ClusterUnreachableException.notReconnected(clientId, attempt.requestId,
            unreachable, addresses(config, unreachable), requestTimeoutNs / 1_000_000));
        return false;
    }

    /**
     * On the RamCast agent thread: the session is lost, so the outcome of every attempt waiting now
     * is unknown (its reply may never come: the new session restarts the replicas' reply streams).
     */
    private void onSessionLost(final int partition, final int[] unreachable)
    {
        final String replicas = Arrays.toString(unreachable).replaceAll("[\\[\\]]", "");
        LOG.warn("client {}: lost partition {} (replicas {} unreachable); reconnecting", clientId, partition, replicas);
        final List<Attempt> lost = List.copyOf(pending.values());
        final String cause = "client " + clientId + " lost partition " + partition + " (replicas " + replicas +
            " unreachable) before the outcome arrived; it may or may not have committed: retry with the same " +
            "request id once the client reconnected";
        enqueue(() ->
        {
            for (final Attempt attempt : lost)
            {
                unknownIfClaimed(attempt, cause);
            }
        });
    }

    /**
     * The sender thread: sends the deferred async submissions in order, each waiting for the session
     * and a window slot until its request deadline, as a synchronous call would on its own thread.
     */
    private void sendDeferred()
    {
        while (!closed.get())
        {
            final Deferred next;
            try
            {
                next = deferred.take();
            }
            catch (final InterruptedException ex)
            {
                break; // closing
            }
            try
            {
                sendWhenPossible(next.attempt(), next.ticket(), next.payload(), next.partitions(), next.deadlineNs());
            }
            catch (final RuntimeException ex)
            {
                next.attempt().future.completeExceptionally(ex);
            }
        }
        Deferred left;
        while ((left = deferred.poll()) != null)
        {
            unsent(left.attempt(), CLOSED + "; not sent");
        }
    }

    /** Nothing was handed to RamCast for this attempt; it still reports Unknown so that a retry stays possible. */
    private Attempt unsent(final Attempt attempt, final String cause)
    {
        tracker.unknown(attempt.requestId, System.nanoTime());
        attempt.future.complete(new TxnOutcome.Unknown(attempt.requestId, cause));
        return attempt;
    }

    private void ensureOpen()
    {
        if (closed.get())
        {
            throw closedException();
        }
    }

    private IllegalStateException closedException()
    {
        return new IllegalStateException("client " + clientId + " is closed");
    }

    /* ------------------------------------------------------------------ completing */

    private void enqueue(final Runnable task)
    {
        try
        {
            completer.execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            // closed: close() completes every attempt still pending itself
        }
    }

    /**
     * On the RamCast agent thread: gathers a reply. Duplicates (the other replicas of an answered
     * partition) end here; a complete outcome wakes a synchronous caller directly and goes through
     * the completer thread for a future that was handed out.
     */
    private void onReply(final int senderId, final byte[] message)
    {
        final TxnReply reply;
        try
        {
            reply = codec.decode(message, TxnReply.class);
        }
        catch (final IllegalArgumentException ex)
        {
            malformed(senderId, ex.getMessage());
            return;
        }
        final int senderPartition = topology.groupOf(senderId);
        if (senderPartition != reply.partition())
        {
            malformed(senderId, "a replica of partition " + senderPartition + " answered request " + reply.requestId() +
                " for partition " + reply.partition());
            return;
        }
        if (reply.committed() == (reply.reason() != null))
        {
            malformed(senderId, "request " + reply.requestId() + " answered committed=" + reply.committed() +
                " with reason " + reply.reason());
            return;
        }
        final Attempt attempt = pending.get(reply.requestId());
        if (attempt == null)
        {
            ignoredReplies.incrementAndGet(); // late (after a timeout) or after completion
            return;
        }
        switch (attempt.replies.onReply(reply))
        {
            case WAITING ->
            {
            }
            case DUPLICATE -> ignoredReplies.incrementAndGet();
            case NOT_INVOLVED -> malformed(senderId, "answered request " + reply.requestId() + " for partition " +
                reply.partition() + ", which is not among its destinations " + Arrays.toString(attempt.partitions));
            case COMPLETE ->
            {
                if (claim(attempt))
                {
                    tracker.settle(attempt.requestId);
                    final TxnOutcome outcome;
                    try
                    {
                        outcome = attempt.replies.outcome();
                    }
                    catch (final ResultsTooLargeException ex)
                    {
                        LOG.warn("client {}: {}", clientId, ex.getMessage());
                        enqueue(() -> attempt.future.completeExceptionally(ex));
                        return;
                    }
                    if (attempt.completeOnAgent)
                    {
                        attempt.future.complete(outcome); // wakes the waiting caller; no stage of a caller runs here
                    }
                    else
                    {
                        enqueue(() -> attempt.future.complete(outcome));
                    }
                }
            }
            case DISAGREEMENT ->
            {
                if (claim(attempt))
                {
                    tracker.settle(attempt.requestId);
                    final IllegalStateException error = attempt.replies.disagreement();
                    LOG.error("client {}: {}", clientId, error.getMessage());
                    enqueue(() -> attempt.future.completeExceptionally(error));
                }
            }
            default -> throw new IllegalStateException("unhandled reply status");
        }
    }

    private void onTimeout(final Attempt attempt)
    {
        unknownIfClaimed(attempt, "no outcome within the request timeout of " + requestTimeoutNs / 1_000_000 + " ms (" +
            attempt.replies.progress() + ")");
    }

    private void onSendFailed(final Attempt attempt, final Throwable failure)
    {
        unknownIfClaimed(attempt, closed.get() ? CLOSED :
            "the multicast client stopped before the transaction was confirmed delivered: " + failure.getMessage());
    }

    /** Safe from any thread: claiming through the pending map decides who completes an attempt. */
    private void failAllPending(final String cause)
    {
        for (final Attempt attempt : pending.values())
        {
            unknownIfClaimed(attempt, cause);
        }
    }

    private void unknownIfClaimed(final Attempt attempt, final String cause)
    {
        if (claim(attempt))
        {
            tracker.unknown(attempt.requestId, System.nanoTime());
            attempt.future.complete(new TxnOutcome.Unknown(attempt.requestId, cause));
        }
    }

    private boolean claim(final Attempt attempt)
    {
        return pending.remove(attempt.requestId, attempt);
    }

    /**
     * On the timer thread: attempts past their deadline become unknown (on the completer thread).
     * One periodic sweep instead of a timer task per attempt: scheduling and cancelling a task per
     * transaction woke the timer thread twice per transaction.
     */
    private void sweepTimeouts()
    {
        final long nowNs = System.nanoTime();
        for (final Attempt attempt : pending.values())
        {
            if (nowNs - attempt.deadlineNs >= 0)
            {
                attempt.deadlineNs = Long.MAX_VALUE; // queued once
                enqueue(() -> onTimeout(attempt));
            }
        }
    }

    /**
     * How often {@link #sweepTimeouts()} runs: a tenth of the request timeout, between 1 ms and
     * {@value #MAX_TIMEOUT_SWEEP_MS} ms, so an outcome becomes unknown at most that late.
     */
    static long timeoutSweepNs(final long requestTimeoutNs)
    {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1),
            Math.min(TimeUnit.MILLISECONDS.toNanos(MAX_TIMEOUT_SWEEP_MS), requestTimeoutNs / 10));
    }

    private void malformed(final int senderId, final String problem)
    {
        if (malformedReplies.incrementAndGet() == 1)
        {
            LOG.warn("client {}: dropped a malformed reply from process {}: {} (further ones are logged at debug level " +
                "and counted)", clientId, senderId, problem);
        }
        else
        {
            LOG.debug("client {}: dropped a malformed reply from process {}: {}", clientId, senderId, problem);
        }
    }

    /* ------------------------------------------------------------------ synchronous waiting */

    private void refuseOnCompleterThread()
    {
        if (Thread.currentThread() == completerThread)
        {
            throw new IllegalStateException("a synchronous call from a completion callback of client " + clientId +
                " would wait for the thread that must complete it; use the *Async variant");
        }
    }

    private TxnOutcome await(final Attempt attempt)
    {
        try
        {
            return attempt.future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new TxnOutcome.Unknown(attempt.requestId, "interrupted while waiting for the outcome; " +
                "the transaction is still in flight and may commit");
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof ResultsTooLargeException tooLarge)
            {
                throw new ResultsTooLargeException(tooLarge);
            }
            if (cause instanceof IllegalStateException)
            {
                throw new IllegalStateException(cause.getMessage(), cause);
            }
            if (cause instanceof ClusterUnreachableException unreachable)
            {
                throw unreachable;
            }
            throw new IllegalStateException("transaction " + attempt.requestId + " failed: " + cause, cause);
        }
    }

    /* ------------------------------------------------------------------ conveniences */

    private static Transaction getTransaction(final byte[] key)
    {
        return Transaction.builder().get(key).build();
    }

    private static Transaction procedureTransaction(final String procedure, final byte[] arguments,
        final List<byte[]> readKeys, final List<byte[]> writeKeys)
    {
        return Transaction.procedure(procedure, arguments)
            .reads(readKeys.toArray(new byte[0][]))
            .writes(writeKeys.toArray(new byte[0][]))
            .build();
    }

    private static <R extends Result> R single(final TxnOutcome outcome, final Class<R> type)
    {
        final List<Result> results = outcome.resultsOrThrow();
        if (results.size() != 1 || !type.isInstance(results.get(0)))
        {
            throw new IllegalStateException("transaction " + outcome.requestId() + " committed with results " + results +
                " where one " + type.getSimpleName() + " was expected");
        }
        return type.cast(results.get(0));
    }

    private static byte[] valueOf(final TxnOutcome outcome)
    {
        return single(outcome, Result.Value.class).value();
    }

    private static Void nothingOf(final TxnOutcome outcome)
    {
        outcome.resultsOrThrow();
        return null;
    }

    private static boolean conditionOf(final TxnOutcome outcome)
    {
        if (outcome instanceof TxnOutcome.NotCommitted n && n.reason() == ReasonCode.CONDITION_FAILED)
        {
            return false;
        }
        outcome.resultsOrThrow();
        return true;
    }

    private static long counterOf(final TxnOutcome outcome)
    {
        return single(outcome, Result.Counter.class).value();
    }

    private static List<KeyValue> entriesOf(final TxnOutcome outcome)
    {
        return single(outcome, Result.Entries.class).entries();
    }

    private static byte[] outputOf(final TxnOutcome outcome)
    {
        return single(outcome, Result.Output.class).bytes();
    }

    /* ------------------------------------------------------------------ diagnostics, for tests */

    /** @return replies ignored: later replicas of an answered partition, or after completion or timeout. */
    long ignoredReplyCount()
    {
        return ignoredReplies.get();
    }

    /** @return replies dropped as malformed. */
    long malformedReplyCount()
    {
        return malformedReplies.get();
    }

    /** @return the watermark the next request would carry. */
    long settledBelow()
    {
        return tracker.settledBelow(System.nanoTime());
    }

    /** @return attempts waiting for their outcome. */
    int pendingCount()
    {
        return pending.size();
    }

    /* ------------------------------------------------------------------ construction helpers */

    private Thread daemon(final Runnable r, final String role)
    {
        final Thread t = new Thread(r, "ramcast-kv-client-" + clientId + "-" + role);
        t.setDaemon(true);
        return t;
    }

    private static <T> T required(final T value, final String what)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("missing " + what);
        }
        return value;
    }

    private static Duration positive(final String name, final Duration d)
    {
        if (d.isNegative() || d.isZero())
        {
            throw new IllegalArgumentException(name + "=" + d + " must be positive");
        }
        return d;
    }

    private static int resolveClientId(final Builder b, final ClusterConfig config, final GroupTopology topology)
    {
        final Integer id = b.clientId != null ? b.clientId : b.fabric != null ? Integer.valueOf(b.fabric.selfId()) : null;
        if (id == null)
        {
            throw new IllegalArgumentException("missing clientId (set clientId(...))");
        }
        if (b.fabric != null && b.fabric.selfId() != id)
        {
            throw new IllegalArgumentException("clientId=" + id + " but the fabric endpoint is process " + b.fabric.selfId());
        }
        if (config != null && !config.isClientId(id))
        {
            throw new IllegalArgumentException("client id " + id + " is not in the client range " + config.clientIds() +
                " of cluster '" + config.clusterName() + "' (clients.firstId and clients.count in " + config.source() + ")");
        }
        if (!topology.isClient(id))
        {
            throw new IllegalArgumentException("client id " + id + " is not a client of the topology; its clients are " +
                Arrays.toString(topology.clients()));
        }
        return id;
    }

    private static Fabric configuredFabric(final ClusterConfig config, final int clientId)
    {
        if (config == null)
        {
            throw new IllegalArgumentException("missing fabric (set fabric(...), or config(...) with fabric tcp)");
        }
        return switch (config.fabric())
        {
            case TCP -> new TcpFabric(clientId, config.listenAddresses(),
                config.toTcpFabricOptions(config.clientCredentials(FabricCredentials.newIncarnation())));
            case LOCAL -> throw new IllegalArgumentException("fabric 'local' in " + config.source() + " joins the " +
                "processes of one JVM through a shared LocalFabricHub, which a client cannot connect to; use fabric " +
                "tcp, or in that JVM KvClient.builder().config(config).fabric(hub.endpoint(clientId))");
            case RDMA -> rdmaFabric(config, clientId);
        };
    }

    private static Fabric rdmaFabric(final ClusterConfig config, final int clientId)
    {
        try
        {
            return RdmaFabric.open(clientId, config.listenAddresses(),
                config.toRdmaFabricOptions(config.clientCredentials(FabricCredentials.newIncarnation())));
        }
        catch (final NoClassDefFoundError ex)
        {
            throw new IllegalStateException("fabric 'rdma' in " + config.source() + " needs DiSNI on the class path: " +
                "add the dependency com.ibm.disni:disni:2.1 (the client leaves it out for tcp users)", ex);
        }
    }

    private static Map<Integer, String> addresses(final ClusterConfig config, final int[] ids)
    {
        final Map<Integer, String> addresses = new TreeMap<>();
        if (config != null)
        {
            for (final int id : ids)
            {
                if (config.isReplicaId(id))
                {
                    final ReplicaConfig replica = config.replica(id);
                    addresses.put(id, replica.host() + ":" + replica.port());
                }
            }
        }
        return addresses;
    }

    /**
     * Builds a {@link KvClient}: either from a cluster config ({@link #config}) or from explicit
     * parts; an explicit part overrides the config's. Not thread-safe.
     */
    public static final class Builder
    {
        private ClusterConfig config;
        private GroupTopology topology;
        private MulticastOptions options;
        private Partitioner partitioner;
        private Limits limits;
        private Integer clientId;
        private Fabric fabric;
        private Duration requestTimeout;
        private Duration connectTimeout;
        private Path deliveryLogDir;
        /** Set while {@link #build} tries leased ids: a refused id is given up at once. */
        private boolean leasing;

        private Builder()
        {
        }

        /**
         * @param config the cluster config: topology, multicast options, partitioner, limits, timeouts
         *               and, unless {@link #fabric} is set, a tcp fabric to its listen addresses.
         * @return this.
         */
        public Builder config(final ClusterConfig config)
        {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @param topology the groups (partition p is group p) and clients.
         * @return this.
         */
        public Builder topology(final GroupTopology topology)
        {
            this.topology = Objects.requireNonNull(topology, "topology");
            return this;
        }

        /**
         * @param options the multicast options, identical at every process (default: RamCast's defaults).
         * @return this.
         */
        public Builder options(final MulticastOptions options)
        {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * @param partitioner the cluster's key-to-partition mapping.
         * @return this.
         */
        public Builder partitioner(final Partitioner partitioner)
        {
            this.partitioner = Objects.requireNonNull(partitioner, "partitioner");
            return this;
        }

        /**
         * @param limits the limits checked before sending (default: the config's, else the defaults of {@link Limits}).
         * @return this.
         */
        public Builder limits(final Limits limits)
        {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * @param clientId this client's process id (default: the fabric endpoint's id; with a
         *                 config and no fabric, an id leased from the config's client range, see
         *                 {@link KvClient#connect(ClusterConfig)}).
         * @return this.
         */
        public Builder clientId(final int clientId)
        {
            this.clientId = clientId;
            return this;
        }

        /**
         * @param fabric this client's fabric endpoint, not started (e.g. {@code hub.endpoint(id)} for
         *               an in-JVM cluster); overrides the config's fabric. The client owns it from
         *               {@link #build()} on.
         * @return this.
         */
        public Builder fabric(final Fabric fabric)
        {
            this.fabric = Objects.requireNonNull(fabric, "fabric");
            return this;
        }

        /**
         * @param timeout how long a transaction may take, window wait included, before its outcome is
         *                unknown (default: the config's {@code timeouts.requestTimeoutMs}, else 5 s).
         * @return this.
         */
        public Builder requestTimeout(final Duration timeout)
        {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param timeout how long {@link #build()} waits for every replica to be reachable (default: the
         *                config's {@code timeouts.connectTimeoutMs}, else 5 s).
         * @return this.
         */
        public Builder connectTimeout(final Duration timeout)
        {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param dir if not null, the client appends one line per multicast it issues to
         *            {@code dir/<clientId>.sent}, for the multicast checker (see
         *            {@code io.ramcast.check.multicast.MulticastHistory}); default none.
         * @return this.
         */
        public Builder deliveryLog(final Path dir)
        {
            this.deliveryLogDir = dir;
            return this;
        }

        /**
         * Validates the settings, starts the client and waits until every replica is reachable, or
         * until a majority of every partition is and the others stayed silent past the failure
         * timeout (they are logged and written no more).
         *
         * @return the connected client.
         * @throws IllegalArgumentException     naming a missing or invalid setting; nothing was started.
         * @throws ClusterUnreachableException if a majority of some partition stays unreachable for the
         *                                     connect timeout; the client is closed.
         */
        public KvClient build()
        {
            io.ramcast.multicast.JvmSupport.requireUnsafeAccess();
            if (clientId != null || fabric != null || config == null)
            {
                return new KvClient(this);
            }
            return lease();
        }

        /**
         * Tries the ids of the config's client range from a random one on, skipping held ones, in
         * up to three passes ({@code LEASE_PASSES}) a short random pause apart: processes that lease at
         * once can each be refused an id by part of a partition (each replica lets in whichever
         * reached it first) and all leave it, so an id found held in one pass may be free in the next.
         */
        private KvClient lease()
        {
            final int[] ids = config.clientIds().toArray();
            final java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            int notServed = 0;
            String notServedReason = null;
            try
            {
                leasing = true;
                for (int pass = 0; pass < LEASE_PASSES; pass++)
                {
                    if (pass > 0)
                    {
                        sleepBeforePass(random.nextLong(LEASE_PASS_PAUSE_MIN_MS, LEASE_PASS_PAUSE_MAX_MS));
                    }
                    final int start = random.nextInt(ids.length);
                    notServed = 0;
                    for (int i = 0; i < ids.length; i++)
                    {
                        clientId = ids[(start + i) % ids.length];
                        try
                        {
                            return new KvClient(this);
                        }
                        catch (final ClientIdInUseException held)
                        {
                            LOG.debug("client id {} is held by a live process; trying another", clientId);
                        }
                        catch (final ClientIdNotServedException refused)
                        {
                            notServed++;
                            notServedReason = refused.getMessage();
                            LOG.debug("client id {} is not served; trying another", clientId);
                        }
                    }
                }
            }
            finally
            {
                leasing = false;
                clientId = null;
            }
            throw new ClientIdInUseException(-1, "every client id of the range " + config.clientIds() + " of cluster '" +
                config.clusterName() + "' is held by a live process" + (0 == notServed ? "" : " or not served (" +
                notServed + " not served, e.g. " + notServedReason + ")") + "; stop a client, or raise clients.count " +
                "in " + config.source() + ": restart each replica with it, one at a time, then bin/ramcast clients " +
                "--config " + config.source() + " --serve");
        }

        private static void sleepBeforePass(final long millis)
        {
            try
            {
                Thread.sleep(millis);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while leasing a client id", ex);
            }
        }
    }
}
