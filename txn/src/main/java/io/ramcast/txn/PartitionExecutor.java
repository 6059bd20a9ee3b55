package io.ramcast.txn;

import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.Keys;
import io.ramcast.txn.store.PartitionStore;
import io.ramcast.txn.store.StoreBatch;
import io.ramcast.txn.wire.ReadExchange;
import io.ramcast.txn.wire.TxnCodec;
import io.ramcast.txn.wire.TxnReply;
import io.ramcast.txn.wire.TxnRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Executes the transactions one replica delivers, in delivery order, against its partition
 * (DESIGN.md, "Transactions"): read the local part of the read set; for a multi-partition
 * transaction exchange reads with the other involved partitions (every partition sends its reads
 * to every replica of the others; the first copy from each partition suffices, replicas being
 * deterministic); compute the outcome, identically at every partition; apply only the local writes,
 * atomically with the delivery position and the remembered outcome; answer the client.
 *
 * <p>No waiting cycle is possible: every involved partition delivers the same transactions in the
 * same relative order, so the transaction a partition waits on is at the head of every involved
 * partition's queue once their earlier transactions are done.
 *
 * <p>Duplicates: the outcome of each (client, request id) is remembered in the store's meta
 * keyspace, in the same batch as the writes; a retry delivered later is answered from it without
 * executing again. A client's {@code settledBelow} watermark lets replicas forget outcomes the
 * client will never ask for again; since every request carries it, every partition forgets the
 * same entries at the same point of the order.
 *
 * <p>A plain object driven by {@link #doWork()} on the replica's executor thread; deliveries and
 * exchange messages are handed in with {@link #onDelivery} and {@link #onExchange} on that thread.
 *
 * <p>Errors: only the deterministic failures of a transaction become a definite "not committed",
 * because every replica of every involved partition computes them identically: a compare-and-set
 * that finds another value ({@link ReasonCode#CONDITION_FAILED}), {@link ProcedureContext.Abort}
 * ({@link ReasonCode#PROCEDURE_ABORTED}), {@link InvalidTransactionException}
 * ({@link ReasonCode#INVALID}), limits, unknown procedures and wrong destinations. Any other exception
 * while a transaction executes (a bug in the op path or in a procedure) propagates out of
 * {@link #doWork()} as an {@link IllegalStateException} naming the transaction's request id, client
 * and applied mark, with nothing of that transaction applied or answered; so does a
 * {@link io.ramcast.txn.store.StoreException}. Either way the replica must stop (fail-stop) and the
 * executor must not be used again.
 */
public final class PartitionExecutor
{
    /** Where the executor's messages go; implementations queue them and must not block. */
    public interface Output
    {
        /**
         * @param partition a partition.
         * @param message   bytes for every replica of that partition.
         */
        void toPartition(int partition, byte[] message);

        /**
         * @param clientId a client process id.
         * @param message  bytes for it.
         */
        void toClient(int clientId, byte[] message);
    }

    private static final Logger LOG = LoggerFactory.getLogger(PartitionExecutor.class);
    private static final byte DEDUP_PREFIX = 0x01;
    /** Meta keys of the reads this replica sent for a transaction: prefix, message id. */
    private static final byte EXCHANGE_PREFIX = 0x02;
    /** Reads sent for this many of the latest multi-partition transactions are kept, to send again. */
    static final int KEPT_EXCHANGES = 8192;
    /** A replica waiting this long for another partition's reads asks for them (and again as often). */
    static final long EXCHANGE_REQUEST_AFTER_NS = 500_000_000L;
    /** A kept exchange's value: the transaction's position (timestamp, group; the key holds its id), then the bytes sent. */
    private static final int KEPT_HEADER_BYTES = 8 + 4;
    private static final int RECENT_EXCHANGES = 1 << 16;
    /** Room for fields that differ between partitions' copies of a reply (the partition varint). */
    private static final int MESSAGE_MARGIN_BYTES = 16;

    private final int partition;
    private final Partitioner partitioner;
    private final PartitionStore store;
    private final ProcedureRegistry procedures;
    private final ExecutionLimits limits;
    private final TxnCodec codec;
    private final Output output;
    private final int maxMessageBytes;

    private final ArrayDeque<Delivered> queue = new ArrayDeque<>();
    private final Map<Long, Map<Integer, ReadExchange>> exchanges = new HashMap<>();
    private final LinkedHashSet<Long> recentlyExchanged = new LinkedHashSet<>();
    /** Message ids whose sent reads are kept in the store, oldest first (at most {@link #KEPT_EXCHANGES}). */
    private final java.util.ArrayDeque<Long> keptExchanges = new java.util.ArrayDeque<>();
    /**
     * Per client id: the request ids whose outcomes the store remembers (its dedup keys), so that
     * forgetting the settled ones costs one step per id forgotten. It was a prefix scan of the
     * client's dedup keys in the store for every transaction, over the tombstones of every key
     * deleted before: a cost that grew with every transaction the client ever sent (issue 12).
     * Rebuilt from the store at start; changed only with the batches that change the store.
     */
    private final Map<Integer, java.util.TreeSet<Long>> rememberedIds = new HashMap<>();
    /** The reads the current transaction sent, kept with its writes. */
    private byte[] exchangeToKeep;
    private long pendingSinceNs;
    private long lastRequestNs;
    /** The pending transaction's missing reads were asked for. */
    private boolean pendingAsked;
    /**
     * The last multi-partition transaction's reads had to be asked for (this replica executes
     * transactions the other partitions applied long ago: it restarted or catches up), so the next
     * one's are asked for at once instead of after {@link #EXCHANGE_REQUEST_AFTER_NS}.
     */
    private boolean catchingUp;
    private long exchangeRequestsSent;
    private long exchangesSentAgain;
    private Pending pending;
    /* written by the executor thread only; volatile so monitoring threads may read them */
    private volatile AppliedMark lastApplied;
    private volatile long executed;
    private long duplicates;
    private long malformed;

    private record Delivered(long messageId, byte[] payload, AppliedMark mark)
    {
    }

    /** A transaction at the head of the queue, waiting for other partitions' reads. */
    private record Pending(Delivered delivered, TxnRequest request, int[] partitions, int[] awaited,
        ReadExchange local)
    {
    }

    /**
     * @param partition   this replica's partition.
     * @param partitioner the cluster's partitioner.
     * @param store       this replica's store.
     * @param procedures  registered procedures.
     * @param limits      limits to enforce.
     * @param codec       message codec.
     * @param output      where exchange messages and replies go.
     * @param maxMessageBytes largest exchange message or reply the transport carries; a transaction
     *                    whose reads or results are larger does not commit (LIMIT_EXCEEDED).
     */
    public PartitionExecutor(
        final int partition,
        final Partitioner partitioner,
        final PartitionStore store,
        final ProcedureRegistry procedures,
        final ExecutionLimits limits,
        final TxnCodec codec,
        final Output output,
        final int maxMessageBytes)
    {
        this.maxMessageBytes = maxMessageBytes - MESSAGE_MARGIN_BYTES;
        this.partition = partition;
        this.partitioner = partitioner;
        this.store = store;
        this.procedures = procedures;
        this.limits = limits;
        this.codec = codec;
        this.output = output;
        this.lastApplied = store.lastApplied();
        loadKeptExchanges();
        store.scanMeta(new byte[] {DEDUP_PREFIX}, (k, v) ->
        {
            if (k.length == 13)
            {
                final ByteBuffer b = ByteBuffer.wrap(k);
                rememberedIds.computeIfAbsent(b.getInt(1), c -> new java.util.TreeSet<>()).add(b.getLong(5));
            }
        });
    }

    /** Rebuilds the order of the kept reads from the store: by the applied position kept with each. */
    private void loadKeptExchanges()
    {
        final List<long[]> kept = new ArrayList<>();
        store.scanMeta(new byte[] {EXCHANGE_PREFIX}, (k, v) ->
        {
            if (k.length == 9 && v.length >= KEPT_HEADER_BYTES)
            {
                final ByteBuffer b = ByteBuffer.wrap(v);
                kept.add(new long[] {b.getLong(), b.getInt(), ByteBuffer.wrap(k, 1, 8).getLong()});
            }
        });
        kept.sort((x, y) -> new AppliedMark(x[0], (int)x[1], x[2]).compareTo(new AppliedMark(y[0], (int)y[1], y[2])));
        kept.forEach(x -> keptExchanges.addLast(x[2]));
    }

    static byte[] exchangeKey(final long messageId)
    {
        return ByteBuffer.allocate(9).put(EXCHANGE_PREFIX).putLong(messageId).array();
    }

    /**
     * Queues a delivered transaction.
     *
     * @param messageId      RamCast message id.
     * @param payload        the encoded {@link TxnRequest}.
     * @param finalTimestamp its final timestamp.
     * @param finalGroup     the group that gave the final timestamp.
     */
    public void onDelivery(final long messageId, final byte[] payload, final long finalTimestamp, final int finalGroup)
    {
        queue.addLast(new Delivered(messageId, payload, new AppliedMark(finalTimestamp, finalGroup, messageId)));
    }

    /**
     * Takes another partition's reads for a transaction (before or after its delivery here).
     *
     * @param message an encoded {@link ReadExchange}.
     */
    public void onExchange(final byte[] message)
    {
        final Object decoded;
        try
        {
            decoded = codec.decode(message);
        }
        catch (final IllegalArgumentException ex)
        {
            malformed++;
            LOG.error("partition {}: dropping a malformed exchange message: {}", partition, ex.getMessage());
            return;
        }
        if (decoded instanceof io.ramcast.txn.wire.ExchangeRequest r)
        {
            sendAgain(r);
            return;
        }
        if (!(decoded instanceof ReadExchange x))
        {
            malformed++;
            LOG.error("partition {}: dropping a {} where reads of another partition were expected", partition,
                decoded.getClass().getSimpleName());
            return;
        }
        if (recentlyExchanged.contains(x.messageId()))
        {
            return; // a later replica's copy of reads already used
        }
        exchanges.computeIfAbsent(x.messageId(), id -> new HashMap<>()).putIfAbsent(x.fromPartition(), x);
    }

    /** Another partition's replica waits for this partition's reads of a transaction applied here: sends them again. */
    private void sendAgain(final io.ramcast.txn.wire.ExchangeRequest r)
    {
        final byte[] kept = store.getMeta(exchangeKey(r.messageId()));
        if (kept == null)
        {
            return; // not executed here yet (its reads go out when it is), or kept no longer
        }
        exchangesSentAgain++;
        output.toPartition(r.fromPartition(), Arrays.copyOfRange(kept, KEPT_HEADER_BYTES, kept.length));
    }

    /** @return reads sent again on another partition's request (after its restart). */
    public long exchangesSentAgain()
    {
        return exchangesSentAgain;
    }

    /** @return requests for other partitions' reads this replica sent while waiting for them. */
    public long exchangeRequestsSent()
    {
        return exchangeRequestsSent;
    }

    /** @return the position of the last applied delivery (safe from any thread). */
    public AppliedMark lastApplied()
    {
        return lastApplied;
    }

    /** @return transactions executed (committed or not); safe from any thread. */
    public long executedCount()
    {
        return executed;
    }

    /** @return retries answered from remembered outcomes. */
    public long duplicateCount()
    {
        return duplicates;
    }

    /** @return deliveries or exchange messages that could not be decoded. */
    public long malformedCount()
    {
        return malformed;
    }

    /** @return delivered transactions not yet executed (the head may be waiting for reads). */
    public int queuedCount()
    {
        return queue.size();
    }

    /** @return whether the head transaction waits for reads from other partitions. */
    public boolean isWaitingForReads()
    {
        return pending != null;
    }

    /**
     * Executes queued transactions in order until the head must wait for other partitions' reads.
     *
     * @return transactions executed.
     * @throws IllegalStateException a transaction's execution threw something other than a
     *                               deterministic abort (a bug); the replica must stop.
     * @throws io.ramcast.txn.store.StoreException if the store fails; the replica must stop.
     */
    public int doWork()
    {
        int work = 0;
        while (true)
        {
            if (pending != null)
            {
                if (!tryFinishPending())
                {
                    return work;
                }
                work++;
                continue;
            }
            final Delivered d = queue.pollFirst();
            if (d == null)
            {
                return work;
            }
            if (start(d))
            {
                work++;
            }
        }
    }

    /** @return true if the transaction was finished, false if it now waits for reads. */
    private boolean start(final Delivered d)
    {
        final int sinceApplied = d.mark().compareTo(lastApplied);
        if (sinceApplied <= 0)
        {
            if (sinceApplied == 0)
            {
                // the very delivery the store last applied (same timestamp, group and message id):
                // handed over again after a restart, provably a duplicate
                duplicates++;
                LOG.info("partition {}: delivery {} was applied before; skipped", partition, d.mark());
                return true;
            }
            throw new IllegalStateException("partition " + partition + ": delivery of message " +
                io.ramcast.multicast.MessageIds.toString(d.messageId()) + " at " + d.mark() + " comes after the last applied " +
                lastApplied + " in delivery order but is ordered before it; this replica cannot prove it a " +
                "duplicate, and applying or skipping it could break atomicity or order. Stopping (fail-stop).");
        }
        final TxnRequest request;
        try
        {
            request = codec.decode(d.payload(), TxnRequest.class);
        }
        catch (final IllegalArgumentException ex)
        {
            malformed++;
            LOG.error("partition {}: delivered message {} is not a transaction: {}", partition, d.messageId(),
                ex.getMessage());
            apply(new StoreBatch(d.mark()));
            return true;
        }
        final byte[] remembered = store.getMeta(dedupKey(request.clientId(), request.requestId()));
        if (remembered != null)
        {
            duplicates++;
            finish(d, request, remembered, null);
            return true;
        }
        final Transaction t = request.transaction();
        final String problem = limits.check(t);
        if (problem != null)
        {
            finish(d, request, notCommitted(request, ReasonCode.LIMIT_EXCEEDED, problem), null);
            return true;
        }
        final int[] partitions;
        try
        {
            partitions = Destinations.of(t, partitioner);
        }
        catch (final IllegalArgumentException ex)
        {
            finish(d, request, notCommitted(request, ReasonCode.INVALID, ex.getMessage()), null);
            return true;
        }
        if (!Arrays.equals(partitions, request.partitions()))
        {
            finish(d, request, notCommitted(request, ReasonCode.INVALID, "sent to partitions " +
                Arrays.toString(request.partitions()) + " but its keys belong to " + Arrays.toString(partitions)),
                null);
            return true;
        }
        ReadExchange local = readLocally(d.messageId(), t);
        final int[] awaited = partitions.length > 1 ? partitionsWithReads(t, partitions) : new int[0];
        if (partitions.length > 1 && (!local.reads().isEmpty() || !local.scans().isEmpty()))
        {
            byte[] message = codec.encode(local);
            if (message.length > maxMessageBytes)
            {
                local = new ReadExchange(d.messageId(), partition, List.of(), List.of(), true);
                message = codec.encode(local);
            }
            for (final int p : partitions)
            {
                if (p != partition)
                {
                    output.toPartition(p, message);
                }
            }
            exchangeToKeep = message;
        }
        pending = new Pending(d, request, partitions, awaited, local);
        pendingSinceNs = System.nanoTime();
        lastRequestNs = pendingSinceNs;
        pendingAsked = false;
        return tryFinishPending();
    }

    private boolean tryFinishPending()
    {
        final Pending p = pending;
        final long id = p.delivered().messageId();
        final Map<Integer, ReadExchange> received = exchanges.getOrDefault(id, Map.of());
        for (final int q : p.awaited())
        {
            if (!received.containsKey(q))
            {
                requestMissingReads(p, received);
                return false;
            }
        }
        pending = null;
        if (p.awaited().length > 0)
        {
            catchingUp = pendingAsked; // its reads had to be asked for: so will the next one's, probably
            exchanges.remove(id);
            recentlyExchanged.add(id);
            if (recentlyExchanged.size() > RECENT_EXCHANGES)
            {
                final Long eldest = recentlyExchanged.iterator().next();
                recentlyExchanged.remove(eldest);
            }
        }
        final List<ReadExchange> all = new ArrayList<>();
        all.add(p.local());
        for (final int q : p.awaited())
        {
            all.add(received.get(q));
        }
        for (final ReadExchange x : all)
        {
            if (x.oversize())
            {
                finish(p.delivered(), p.request(), notCommitted(p.request(), ReasonCode.LIMIT_EXCEEDED,
                    "the reads of partition " + x.fromPartition() + " exceed the message limit of " + maxMessageBytes +
                    " bytes"), null);
                return true;
            }
        }
        final Computation c = computeOrFailStop(p.delivered(), p.request(), all);
        finish(p.delivered(), p.request(), c.reply(), c.writes());
        return true;
    }

    /**
     * Waiting long for another partition's reads: that partition may have applied the transaction
     * before this replica restarted and will not read for it again; ask it to send its kept reads.
     */
    private void requestMissingReads(final Pending p, final Map<Integer, ReadExchange> received)
    {
        final long now = System.nanoTime();
        final boolean eager = catchingUp && !pendingAsked;
        if (!eager && now - lastRequestNs < EXCHANGE_REQUEST_AFTER_NS)
        {
            return;
        }
        lastRequestNs = now;
        pendingAsked = true;
        final byte[] request = codec.encode(new io.ramcast.txn.wire.ExchangeRequest(p.delivered().messageId(), partition));
        for (final int q : p.awaited())
        {
            if (!received.containsKey(q))
            {
                output.toPartition(q, request);
                exchangeRequestsSent++;
            }
        }
        if (eager)
        {
            LOG.debug("partition {}: catching up: asked at once for the reads of transaction {}", partition,
                p.delivered().mark());
            return;
        }
        LOG.info("partition {}: transaction {} has waited {} ms for the reads of partitions {}; asked for them",
            partition, p.delivered().mark(), (now - pendingSinceNs) / 1_000_000,
            Arrays.stream(p.awaited()).filter(q -> !received.containsKey(q)).boxed().toList());
    }

    private int[] partitionsWithReads(final Transaction t, final int[] partitions)
    {
        final boolean[] reads = new boolean[partitioner.partitionCount()];
        for (final byte[] k : t.readKeys())
        {
            reads[partitioner.partitionOf(k)] = true;
        }
        for (final Op.Scan s : t.scans())
        {
            reads[Destinations.scanPartition(s, partitioner)] = true;
        }
        return Arrays.stream(partitions).filter(q -> q != partition && reads[q]).toArray();
    }

    private ReadExchange readLocally(final long messageId, final Transaction t)
    {
        final List<KeyValue> reads = new ArrayList<>();
        for (final byte[] k : t.readKeys())
        {
            if (partitioner.partitionOf(k) == partition)
            {
                reads.add(new KeyValue(k, store.get(k)));
            }
        }
        final List<ReadExchange.ScanRead> scans = new ArrayList<>();
        final List<Op.Scan> all = t.scans();
        for (int i = 0; i < all.size(); i++)
        {
            final Op.Scan s = all.get(i);
            if (Destinations.scanPartition(s, partitioner) == partition)
            {
                final List<KeyValue> entries = new ArrayList<>();
                store.scan(s.key(), s.endExclusive(), s.limit(), (k, v) -> entries.add(new KeyValue(k, v)));
                scans.add(new ReadExchange.ScanRead(i, entries));
            }
        }
        return new ReadExchange(messageId, partition, reads, scans, false);
    }

    private record Computation(byte[] reply, TreeMap<ByteKey, byte[]> writes)
    {
    }

    /**
     * Runs {@link #compute}; an exception that is not one of its deterministic aborts is a bug, which
     * no other replica is known to share, so it must stop this replica rather than become an outcome.
     */
    private Computation computeOrFailStop(final Delivered d, final TxnRequest request, final List<ReadExchange> reads)
    {
        try
        {
            return compute(request, reads);
        }
        catch (final RuntimeException ex)
        {
            final Transaction t = request.transaction();
            throw new IllegalStateException("partition " + partition + ": request " + request.requestId() +
                " of client " + request.clientId() + " (message " + d.messageId() + ", mark " + d.mark() + ", " +
                (t.isProcedure() ? "procedure " + t.procedureName() : t.ops().size() + " operations") +
                ") threw " + ex + " while executing; that is a bug, not a deterministic abort, so the executor " +
                "stops (fail-stop) with nothing of it applied or answered", ex);
        }
    }

    /**
     * Runs the transaction's logic over all reads; identical at every involved partition.
     *
     * @return the reply (committed, or not committed for a deterministic reason) and the writes.
     * @throws RuntimeException anything but the deterministic aborts it turns into replies: a bug.
     */
    private Computation compute(final TxnRequest request, final List<ReadExchange> reads)
    {
        final Transaction t = request.transaction();
        final View view = new View(t);
        final Map<Integer, List<KeyValue>> scans = new HashMap<>();
        for (final ReadExchange x : reads)
        {
            for (final KeyValue kv : x.reads())
            {
                view.load(kv.key(), kv.value());
            }
            for (final ReadExchange.ScanRead s : x.scans())
            {
                scans.put(s.scanIndex(), s.entries());
            }
        }
        final List<Result> results = new ArrayList<>();
        try
        {
            if (t.isProcedure())
            {
                final Procedure procedure = procedures.find(t.procedureName());
                if (procedure == null)
                {
                    return new Computation(notCommitted(request, ReasonCode.UNKNOWN_PROCEDURE,
                        "unknown procedure " + t.procedureName() + "; registered: " + procedures.names()), null);
                }
                final byte[] out = procedure.execute(view.context(t.procedureArguments()));
                results.add(new Result.Output(out == null ? new byte[0] : out));
            }
            else
            {
                int scanIndex = 0;
                for (final Op op : t.ops())
                {
                    results.add(view.apply(op, scans, scanIndex));
                    if (op instanceof Op.Scan)
                    {
                        scanIndex++;
                    }
                }
            }
        }
        catch (final ProcedureContext.Abort abort)
        {
            return new Computation(notCommitted(request, ReasonCode.PROCEDURE_ABORTED, abort.getMessage()), null);
        }
        catch (final ConditionFailed failed)
        {
            return new Computation(notCommitted(request, ReasonCode.CONDITION_FAILED, failed.getMessage()), null);
        }
        catch (final InvalidTransactionException invalid)
        {
            return new Computation(notCommitted(request, ReasonCode.INVALID, invalid.getMessage()), null);
        }
        for (final byte[] value : view.writes.values())
        {
            final String problem = limits.value(value);
            if (problem != null)
            {
                return new Computation(notCommitted(request, ReasonCode.LIMIT_EXCEEDED, problem), null);
            }
        }
        final byte[] reply = codec.encode(new TxnReply(request.requestId(), partition, true, null, "", results));
        if (reply.length > maxMessageBytes)
        {
            return new Computation(notCommitted(request, ReasonCode.LIMIT_EXCEEDED, "the results of " + reply.length +
                " bytes exceed the message limit of " + maxMessageBytes + " bytes"), null);
        }
        return new Computation(reply, view.writes);
    }

    private void finish(
        final Delivered d, final TxnRequest request, final byte[] reply, final TreeMap<ByteKey, byte[]> writes)
    {
        final StoreBatch batch = new StoreBatch(d.mark());
        if (writes != null)
        {
            for (final Map.Entry<ByteKey, byte[]> w : writes.entrySet())
            {
                final byte[] key = w.getKey().bytes();
                if (partitioner.partitionOf(key) == partition)
                {
                    if (w.getValue() == null)
                    {
                        batch.delete(key);
                    }
                    else
                    {
                        batch.put(key, w.getValue());
                    }
                }
            }
        }
        forgetSettled(batch, request.clientId(), request.settledBelow());
        batch.putMeta(dedupKey(request.clientId(), request.requestId()), reply);
        rememberedIds.computeIfAbsent(request.clientId(), c -> new java.util.TreeSet<>()).add(request.requestId());
        if (exchangeToKeep != null)
        {
            // the reads sent for it, with its position, to send again to a replica that restarts
            // behind this one (same batch: kept exactly when the transaction is applied)
            batch.putMeta(exchangeKey(d.messageId()), ByteBuffer.allocate(KEPT_HEADER_BYTES + exchangeToKeep.length)
                .putLong(d.mark().timestamp()).putInt(d.mark().group()).put(exchangeToKeep).array());
            keptExchanges.addLast(d.messageId());
            if (keptExchanges.size() > KEPT_EXCHANGES)
            {
                batch.deleteMeta(exchangeKey(keptExchanges.pollFirst()));
            }
            exchangeToKeep = null;
        }
        apply(batch);
        executed = executed + 1; // single writer
        output.toClient(request.clientId(), reply);
    }

    private void apply(final StoreBatch batch)
    {
        store.apply(batch);
        lastApplied = batch.mark();
    }

    /** Deletes the remembered outcomes of the client's requests below its settled watermark. */
    private void forgetSettled(final StoreBatch batch, final int clientId, final long settledBelow)
    {
        final java.util.TreeSet<Long> ids = rememberedIds.get(clientId);
        while (ids != null && !ids.isEmpty() && ids.first() < settledBelow)
        {
            batch.deleteMeta(dedupKey(clientId, ids.pollFirst()));
        }
    }

    static byte[] dedupKey(final int clientId, final long requestId)
    {
        return ByteBuffer.allocate(13).put(DEDUP_PREFIX).putInt(clientId).putLong(requestId).array();
    }

    private byte[] notCommitted(final TxnRequest request, final ReasonCode reason, final String detail)
    {
        return codec.encode(new TxnReply(request.requestId(), partition, false, reason, detail, List.of()));
    }

    /** A byte[] usable as a map key (unsigned lexicographic order). */
    record ByteKey(byte[] bytes) implements Comparable<ByteKey>
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof ByteKey other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }

        @Override
        public int compareTo(final ByteKey o)
        {
            return Keys.compare(bytes, o.bytes);
        }

        @Override
        public String toString()
        {
            return Keys.toString(bytes);
        }
    }

    private static final class ConditionFailed extends RuntimeException
    {
        ConditionFailed(final String message)
        {
            super(message, null, false, false);
        }
    }

    /** The transaction's view of its declared keys: the reads, then its own writes on top. */
    private static final class View
    {
        private final Map<ByteKey, byte[]> values = new HashMap<>();
        private final java.util.Set<ByteKey> readable = new java.util.HashSet<>();
        private final java.util.Set<ByteKey> writable = new java.util.HashSet<>();
        final TreeMap<ByteKey, byte[]> writes = new TreeMap<>();

        View(final Transaction t)
        {
            t.readKeys().forEach(k -> readable.add(new ByteKey(k)));
            t.writeKeys().forEach(k -> writable.add(new ByteKey(k)));
        }

        void load(final byte[] key, final byte[] value)
        {
            values.put(new ByteKey(key), value);
        }

        byte[] read(final byte[] key)
        {
            final ByteKey k = new ByteKey(key);
            if (!readable.contains(k) && !writes.containsKey(k))
            {
                throw new InvalidTransactionException("key " + k + " is not in the transaction's read set");
            }
            return values.get(k);
        }

        void write(final byte[] key, final byte[] value)
        {
            final ByteKey k = new ByteKey(key);
            if (!writable.contains(k))
            {
                throw new InvalidTransactionException("key " + k + " is not in the transaction's write set");
            }
            values.put(k, value);
            writes.put(k, value);
        }

        Result apply(final Op op, final Map<Integer, List<KeyValue>> scans, final int scanIndex)
        {
            if (op instanceof Op.Get g)
            {
                return new Result.Value(read(g.key()));
            }
            if (op instanceof Op.Put p)
            {
                write(p.key(), p.value());
                return new Result.None();
            }
            if (op instanceof Op.Delete d)
            {
                write(d.key(), null);
                return new Result.None();
            }
            if (op instanceof Op.CompareAndSet c)
            {
                final byte[] current = read(c.key());
                if (!Arrays.equals(current, c.expected()))
                {
                    throw new ConditionFailed("compare-and-set failed on key " + new ByteKey(c.key()));
                }
                write(c.key(), c.newValue());
                return new Result.None();
            }
            if (op instanceof Op.Increment i)
            {
                final byte[] current = read(i.key());
                if (current != null && current.length != Long.BYTES)
                {
                    throw new InvalidTransactionException("key " + new ByteKey(i.key()) + " holds " + current.length +
                        " bytes, not an 8-byte counter");
                }
                final long next = (current == null ? 0 : ByteBuffer.wrap(current).getLong()) + i.delta();
                write(i.key(), ByteBuffer.allocate(Long.BYTES).putLong(next).array());
                return new Result.Counter(next);
            }
            if (op instanceof Op.Scan)
            {
                return new Result.Entries(scans.getOrDefault(scanIndex, List.of()));
            }
            throw new InvalidTransactionException("unknown operation " + op);
        }

        ProcedureContext context(final byte[] arguments)
        {
            return new ProcedureContext()
            {
                @Override
                public byte[] arguments()
                {
                    return arguments;
                }

                @Override
                public byte[] read(final byte[] key)
                {
                    return View.this.read(key);
                }

                @Override
                public void write(final byte[] key, final byte[] value)
                {
                    if (value == null)
                    {
                        throw new InvalidTransactionException("the procedure wrote null to key " + new ByteKey(key) +
                            "; a value must not be null (delete removes a key)");
                    }
                    View.this.write(key, value);
                }

                @Override
                public void delete(final byte[] key)
                {
                    View.this.write(key, null);
                }
            };
        }
    }
}
