package io.ramcast.txn;

import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.Keys;
import io.ramcast.txn.store.PartitionStore;
import io.ramcast.txn.store.StoreBatch;
import io.ramcast.txn.wire.ExchangeRequest;
import io.ramcast.txn.wire.ReadExchange;
import io.ramcast.txn.wire.ReadsGone;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Executes the transactions one replica delivers against its partition, with results identical to
 * executing them one by one in delivery order (DESIGN.md, "Transactions"): read the local part of
 * the read set; for a multi-partition transaction exchange reads with the other involved partitions
 * where the outcome needs them (a sending partition sends its reads to every replica of the others;
 * the first copy from each partition suffices, replicas being deterministic); compute the outcome,
 * identically at every partition; apply only the local writes, atomically with the delivery
 * position and the remembered outcome; answer the client.
 *
 * <p><b>Which partitions send their reads.</b> A procedure may compute anything from anything it
 * reads, so for a procedure call every partition with reads sends them, and so does it for an
 * operation list whose results could exceed a reply (a partition's own check of its reply size
 * could not decide the outcome alone). Any other operation list needs only the reads that decide
 * whether it commits: those of the keys of its compare-and-sets and increments. Gets, puts and
 * deletes always succeed, and a put writes what the transaction carries, so only the partitions
 * owning a compare-and-set or increment key send their reads; a transaction of gets, puts, deletes
 * and scans exchanges nothing. Each partition then answers with the results of its own operations
 * (the others' are placeholders), and the client takes each operation's result from the reply of
 * the partition owning its key ({@code KvClient}). The rule depends on the transaction and the
 * limits alone, so every replica of every partition applies the same one.
 *
 * <p><b>Group commit.</b> Everything {@link #doWork()} finds ready goes into one store batch with
 * one write (and with {@code fsync} durability one sync); the replies of the group leave only after
 * that write returned, so nothing is acknowledged before it is as durable as the store is
 * configured to make it. Transactions of a group read the writes of earlier ones from the group's
 * overlay; a scan first writes the group out. With {@link #deferStoreSync} the sync leaves the
 * group's path: the write returns once it would survive a crash of the process, the replies leave,
 * and another thread syncs the store ({@link #syncStore()}) and moves {@link #durableMark()}, the
 * mark the ordering layer keeps every later delivery for; what survives a power loss is then the
 * synced store plus the deliveries above its mark, executed again.
 *
 * <p><b>Read-only transactions</b> (an empty write set, so identical at every partition) touch no
 * disk: no remembered outcome (running one again has no effect, and a retry is answered from a
 * later point of the order, still inside the client's call), no applied mark of their own. The
 * in-memory {@link #lastApplied()} covers them; the store's mark ({@link #durableMark()}), which
 * the ordering layer asks before it forgets a delivery, lags until the next write or at most
 * {@link #MARK_WRITE_INTERVAL_NS}. After a restart the lagging deliveries come again and are
 * executed again; a multi-partition one every other partition passed long ago is skipped on their
 * {@link ReadsGone} answer.
 *
 * <p><b>Overlapped execution.</b> A multi-partition transaction waiting for other partitions' reads
 * does not hold up later transactions whose keys it does not share: up to {@code maxWaiting} such
 * transactions wait at once while later independent ones start (their local reads, their exchange)
 * and finish. A later transaction starts only if its reads and writes are disjoint from every
 * waiting transaction's writes, its writes disjoint from their reads, neither has scans, and it is
 * not a retry of a waiting request nor settles one; so it reads exactly what it would have read
 * after the waiting ones, and they read nothing it writes. The store's mark moves only over a
 * prefix of the delivery order whose transactions all finished; a transaction finished after a
 * waiting one is written with its remembered outcome, so after a restart it is answered from that
 * outcome, and the waiting one, run again, reads the same values (nothing written meanwhile is in
 * its read set). With {@code maxWaiting == 1} execution is strictly sequential.
 *
 * <p><b>Checkpoints</b> ({@link Transaction#checkpoint}) are barriers: one starts only when no
 * transaction waits, so every earlier delivery has finished; it writes the group out with the mark
 * of the delivery before it, hands that point to the {@link Checkpoints} hook (which takes a
 * RocksDB checkpoint of the store), and only then do later transactions start. The store seen by
 * the hook holds exactly the deliveries before the checkpoint. Its outcome is remembered like a
 * writer's, so a retry is answered without a second checkpoint, and it commits at every replica
 * whether or not the hook kept anything (the outcome must be identical everywhere).
 *
 * <p>No waiting cycle is possible: every involved partition delivers the same transactions in the
 * same relative order, and each partition always starts its earliest unstarted transaction once no
 * earlier one conflicts with it, so every transaction's reads are eventually sent by every partition.
 *
 * <p>Duplicates: the outcome of each (client, request id) of a transaction that writes is
 * remembered in the store's meta keyspace, in the same batch as the writes; a retry delivered later
 * is answered from it without executing again. A client's {@code settledBelow} watermark lets
 * replicas forget outcomes the client will never ask for again (the client never retries below it).
 *
 * <p>A plain object driven by {@link #doWork()} on the replica's executor thread; deliveries and
 * exchange messages are handed in with {@link #onDelivery} and {@link #onExchange} on that thread.
 *
 * <p>Errors: only the deterministic failures of a transaction become a definite "not committed",
 * because every replica of every involved partition computes them identically: a compare-and-set
 * that finds another value ({@link ReasonCode#CONDITION_FAILED}), an increment that would overflow
 * its counter ({@link ReasonCode#COUNTER_OVERFLOW}), {@link ProcedureContext.Abort}
 * ({@link ReasonCode#PROCEDURE_ABORTED}), {@link InvalidTransactionException}
 * ({@link ReasonCode#INVALID}), limits, unknown procedures and wrong destinations. Any other exception
 * while a transaction executes (a bug in the op path or in a procedure) propagates out of
 * {@link #doWork()} as an {@link IllegalStateException} naming the transaction's request id, client
 * and applied mark, with nothing of that transaction (or of its group) applied or answered; so does a
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

    /**
     * What a monitoring layer (metrics) is told of the executor's work, on the executor thread:
     * implementations must be cheap and must not block.
     */
    public interface Observer
    {
        /** Observes nothing. */
        Observer NONE = new Observer()
        {
        };

        /**
         * A transaction finished at this replica.
         *
         * @param sinceDeliveryNs from its delivery by RamCast to its outcome (waiting in the queue,
         *                        for remote reads and executing); its reply leaves with its group.
         */
        default void onExecuted(final long sinceDeliveryNs)
        {
        }

        /**
         * A group of transactions was written to the store as one batch.
         *
         * @param writeNs      how long the write took (with {@code fsync} durability, the sync too).
         * @param transactions how many transactions it holds (0: only the applied mark moved).
         */
        default void onGroupWritten(final long writeNs, final int transactions)
        {
        }
    }

    /**
     * Told on the executor thread, at each {@link Transaction#serveClients}, how many client ids the
     * cluster now serves; lets them in.
     */
    @FunctionalInterface
    public interface ClientsServed
    {
        /** Does nothing (a store without a replica around it). */
        ClientsServed NONE = count -> { };

        /**
         * @param count client ids the cluster serves from now on (never less than before).
         * @throws IllegalStateException if this replica cannot serve them (it lays out fewer): the
         *                               executor stops, as for any failure while executing.
         */
        void serve(int count);
    }

    /**
     * Keeps the store as it is at a {@link Transaction#checkpoint}, on the executor thread while
     * later transactions wait: should take little time (a RocksDB checkpoint: a memtable flush and
     * hard links) and leave slow work (hashing the files) for later.
     */
    @FunctionalInterface
    public interface Checkpoints
    {
        /** Keeps nothing (a replica that serves no snapshots). */
        Checkpoints NONE = (id, mark) -> LOG.info("checkpoint {} at {}: this replica serves no snapshots " +
            "(no transferPort), so it keeps none", Long.toUnsignedString(id, 16), mark);

        /**
         * The store holds every delivery up to and including {@code mark} and nothing after.
         *
         * @param checkpointId the transaction's {@link Transaction#checkpointId()}.
         * @param mark         the store's applied mark (the delivery just before the checkpoint).
         * @throws RuntimeException if nothing could be kept; logged, the outcome does not change.
         */
        void take(long checkpointId, AppliedMark mark);
    }

    private static final Logger LOG = LoggerFactory.getLogger(PartitionExecutor.class);
    private static final byte DEDUP_PREFIX = 0x01;
    /** Meta keys of the reads this replica sent for a transaction: prefix, message id. */
    private static final byte EXCHANGE_PREFIX = 0x02;
    /** Meta key of the client ids the cluster serves ({@link Transaction#serveClients}): an int. */
    private static final byte[] SERVED_CLIENTS_KEY = {0x03};
    /** Reads sent for this many of the latest multi-partition transactions are kept, to send again. */
    static final int KEPT_EXCHANGES = 8192;
    /** At most this many bytes of read-only transactions' sent reads are kept in memory. */
    static final long KEPT_READ_ONLY_BYTES = 16L << 20;
    /** A replica waiting this long for another partition's reads asks for them (and again as often). */
    static final long EXCHANGE_REQUEST_AFTER_NS = 500_000_000L;
    /** Read-only transactions move the store's mark at most this often when nothing else writes. */
    static final long MARK_WRITE_INTERVAL_NS = 200_000_000L;
    /** Default for the transactions that may wait for other partitions' reads at once. */
    public static final int DEFAULT_MAX_WAITING = 64;
    /** A group is written once it holds this many transactions... */
    static final int MAX_GROUP_TRANSACTIONS = 1024;
    /** ... or about this many bytes of changes and replies. */
    static final long MAX_GROUP_BYTES = 8L << 20;
    /** Started transactions not yet behind the applied mark (finished or waiting), at most. */
    static final int MAX_STARTED = 4096;
    /** A kept exchange's value: the transaction's position (timestamp, group; the key holds its id), then the bytes sent. */
    private static final int KEPT_HEADER_BYTES = 8 + 4;
    private static final int RECENT_EXCHANGES = 1 << 16;
    /** Room for fields that differ between partitions' copies of a reply (the partition varint). */
    private static final int MESSAGE_MARGIN_BYTES = 16;
    /** An overlay entry for a key the group deletes. */
    private static final byte[] DELETED = new byte[0];
    private static final int[] NO_PARTITIONS = new int[0];
    /** Upper bound on an encoded reply without its results (ids, flags, empty detail, list size). */
    private static final long REPLY_HEADER_BOUND = 64;
    /** Upper bound on the encoding of one result, or of one scanned entry, besides its bytes. */
    private static final long RESULT_OVERHEAD_BOUND = 16;

    private final int partition;
    private final Partitioner partitioner;
    private final PartitionStore store;
    private final ProcedureRegistry procedures;
    private final ExecutionLimits limits;
    private final TxnCodec codec;
    private final Output output;
    private final int maxMessageBytes;
    private final int maxWaiting;
    private long exchangeRequestAfterNs = EXCHANGE_REQUEST_AFTER_NS;

    private final ArrayDeque<Delivered> queue = new ArrayDeque<>();
    private final Map<Long, Map<Integer, ReadExchange>> exchanges = new HashMap<>();
    /** Per message id: the partitions that answered {@link ReadsGone}. */
    private final Map<Long, Set<Integer>> gone = new HashMap<>();
    private final LinkedHashSet<Long> recentlyExchanged = new LinkedHashSet<>();
    /** Message ids whose sent reads are kept in the store, oldest first (at most {@link #KEPT_EXCHANGES}). */
    private final ArrayDeque<Long> keptExchanges = new ArrayDeque<>();
    /** Reads sent for read-only transactions, kept in memory only (oldest first, bounded in bytes). */
    private final LinkedHashMap<Long, byte[]> keptReadOnly = new LinkedHashMap<>();
    private long keptReadOnlyBytes;
    /**
     * Per client id: the request ids whose outcomes the store remembers (its dedup keys), so that
     * forgetting the settled ones costs one step per id forgotten. It was a prefix scan of the
     * client's dedup keys in the store for every transaction, over the tombstones of every key
     * deleted before: a cost that grew with every transaction the client ever sent (issue 12).
     * Rebuilt from the store at start; changed only with the batches that change the store.
     */
    private final Map<Integer, TreeSet<Long>> rememberedIds = new HashMap<>();
    /** Per client id: remembered request ids of transactions finished beyond the applied mark. */
    private final Map<Integer, Set<Long>> unretiredIds = new HashMap<>();
    /** Read keys of read-only transactions finished beyond the applied mark, with their counts. */
    private final Map<ByteKey, Integer> pinnedReads = new HashMap<>();

    /** Started transactions in delivery order, until they and every earlier one finished. */
    private final ArrayDeque<Started> started = new ArrayDeque<>();
    /** The started transactions waiting for other partitions' reads, in delivery order. */
    private final List<Started> waiting = new ArrayList<>();
    /** The queue's head, decoded, when it could not start yet. */
    private Started blockedHead;
    /** The position of the last delivery taken from the queue. */
    private AppliedMark lastTaken;

    /* the group: changes not yet written, what they change (for reads within the group), replies */
    private final List<StoreBatch.Change> groupChanges = new ArrayList<>();
    private final Map<ByteKey, byte[]> overlayData = new HashMap<>();
    private final Map<ByteKey, byte[]> overlayMeta = new HashMap<>();
    private final List<Reply> groupReplies = new ArrayList<>();
    private int groupTransactions;
    private long groupBytes;
    private long lastMarkWriteNs;

    /**
     * The last multi-partition transaction's reads had to be asked for (this replica executes
     * transactions the other partitions applied long ago: it restarted or catches up), so the next
     * one's are asked for at once instead of after {@link #EXCHANGE_REQUEST_AFTER_NS}.
     */
    private boolean catchingUp;
    private long exchangeRequestsSent;
    private long exchangesSentAgain;
    /* written by the executor thread only; volatile so monitoring threads may read them */
    private volatile AppliedMark lastApplied;
    private volatile AppliedMark durableMark;
    /** The mark of the last group written, synced or not; {@link #durableMark} with eager syncs. */
    private volatile AppliedMark writtenMark;
    /** Non-null once {@link #deferStoreSync} was called: runs after each unsynced group write. */
    private volatile Runnable unsyncedWritten;
    private final Object syncLock = new Object();
    private volatile long executed;
    private volatile long groupsWritten;
    private long duplicates;
    /** Transactions not committed, by {@link ReasonCode} ordinal; written by the executor thread. */
    private final AtomicLongArray notCommitted = new AtomicLongArray(ReasonCode.values().length);
    private volatile Observer observer = Observer.NONE;
    private volatile Checkpoints checkpoints = Checkpoints.NONE;
    private volatile ClientsServed clientsServed = ClientsServed.NONE;
    private long malformed;
    private long readOnlySkipped;

    /** @param atNs when RamCast delivered it ({@link System#nanoTime()}). */
    private record Delivered(long messageId, byte[] payload, AppliedMark mark, long atNs)
    {
    }

    private record Reply(int clientId, byte[] bytes)
    {
    }

    /** A transaction taken from the queue, until it and every earlier one finished. */
    private static final class Started
    {
        final Delivered delivered;
        /** null: not a transaction (malformed), finished at once. */
        final TxnRequest request;
        final boolean readOnly;
        boolean done;
        int[] awaited = NO_PARTITIONS;
        /** Only the reads deciding the outcome are exchanged; the reply carries this partition's results. */
        boolean ownResultsOnly;
        ReadExchange local;
        /** The reads sent for it to the other partitions, or null. */
        byte[] sent;
        /* conflict footprint, filled only for a transaction that waits */
        Set<ByteKey> reads;
        Set<ByteKey> writes;
        long sinceNs;
        long lastRequestNs;
        boolean asked;
        boolean reportedGone;
        /** Finished beyond the applied mark with its outcome remembered (see {@link #unretiredIds}). */
        boolean holdsOutcome;
        /** Finished beyond the applied mark, read-only (see {@link #pinnedReads}). */
        boolean pinsReads;

        Started(final Delivered delivered, final TxnRequest request)
        {
            this.delivered = delivered;
            this.request = request;
            this.readOnly = request != null && request.transaction().writeKeys().isEmpty() &&
                !request.transaction().isAdministrative();
        }

        /** @return whether it may start only after every earlier transaction (and nothing may start beside it). */
        boolean isBarrier()
        {
            return request == null || !request.transaction().scans().isEmpty() ||
                request.transaction().isAdministrative();
        }
    }

    /**
     * An executor that lets up to {@link #DEFAULT_MAX_WAITING} transactions wait for reads at once.
     *
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
        this(partition, partitioner, store, procedures, limits, codec, output, maxMessageBytes, DEFAULT_MAX_WAITING);
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
     * @param maxWaiting  transactions that may wait for other partitions' reads at once, at least 1
     *                    (1: strictly sequential execution).
     */
    public PartitionExecutor(
        final int partition,
        final Partitioner partitioner,
        final PartitionStore store,
        final ProcedureRegistry procedures,
        final ExecutionLimits limits,
        final TxnCodec codec,
        final Output output,
        final int maxMessageBytes,
        final int maxWaiting)
    {
        if (maxWaiting < 1)
        {
            throw new IllegalArgumentException("maxWaiting must be at least 1, was " + maxWaiting);
        }
        this.maxMessageBytes = maxMessageBytes - MESSAGE_MARGIN_BYTES;
        this.maxWaiting = maxWaiting;
        this.partition = partition;
        this.partitioner = partitioner;
        this.store = store;
        this.procedures = procedures;
        this.limits = limits;
        this.codec = codec;
        this.output = output;
        this.lastApplied = store.lastApplied();
        this.durableMark = lastApplied;
        this.writtenMark = lastApplied;
        this.lastTaken = lastApplied;
        this.lastMarkWriteNs = System.nanoTime();
        loadKeptExchanges();
        store.scanMeta(new byte[] {DEDUP_PREFIX}, (k, v) ->
        {
            if (k.length == 13)
            {
                final ByteBuffer b = ByteBuffer.wrap(k);
                rememberedIds.computeIfAbsent(b.getInt(1), c -> new TreeSet<>()).add(b.getLong(5));
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
        queue.addLast(new Delivered(messageId, payload, new AppliedMark(finalTimestamp, finalGroup, messageId),
            System.nanoTime()));
    }

    /**
     * Takes another partition's reads for a transaction (before or after its delivery here), or a
     * request for this partition's reads, or an answer that they are gone.
     *
     * @param message an encoded {@link ReadExchange}, {@link ExchangeRequest} or {@link ReadsGone}.
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
        if (decoded instanceof ExchangeRequest r)
        {
            sendAgain(r);
            return;
        }
        if (decoded instanceof ReadsGone g)
        {
            if (!recentlyExchanged.contains(g.messageId()))
            {
                gone.computeIfAbsent(g.messageId(), id -> new HashSet<>()).add(g.fromPartition());
            }
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

    /** Another partition's replica waits for this partition's reads of a transaction: sends them again if they are known. */
    private void sendAgain(final ExchangeRequest r)
    {
        final byte[] reads = sentReads(r.messageId());
        if (reads != null)
        {
            exchangesSentAgain++;
            output.toPartition(r.fromPartition(), reads);
            return;
        }
        if (lastApplied.compareTo(new AppliedMark(r.timestamp(), r.group(), r.messageId())) >= 0)
        {
            // executed here, its reads no longer kept (a read-only transaction's are kept in memory only)
            output.toPartition(r.fromPartition(), codec.encode(new ReadsGone(r.messageId(), partition)));
        }
        // otherwise not executed here yet: its reads go out when it is
    }

    /** @return the reads this replica sent for the transaction, if it still has them. */
    private byte[] sentReads(final long messageId)
    {
        final byte[] readOnly = keptReadOnly.get(messageId);
        if (readOnly != null)
        {
            return readOnly;
        }
        for (final Started s : started)
        {
            if (s.delivered.messageId() == messageId)
            {
                return s.sent;
            }
        }
        final byte[] kept = readMeta(exchangeKey(messageId));
        return kept == null ? null : Arrays.copyOfRange(kept, KEPT_HEADER_BYTES, kept.length);
    }

    /** For tests: how long a transaction waits for reads before they are asked for (default {@link #EXCHANGE_REQUEST_AFTER_NS}). */
    void requestReadsAfter(final long nanos)
    {
        exchangeRequestAfterNs = nanos;
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

    /**
     * @return the position up to which every delivery was executed and answered (read-only ones
     *         included, which the store's mark may not cover yet); safe from any thread.
     */
    public AppliedMark lastApplied()
    {
        return lastApplied;
    }

    /**
     * @return the position the store holds every delivery up to: what a restart starts from and
     *         what the ordering layer may forget; at most {@link #lastApplied()}; safe from any thread.
     */
    public AppliedMark durableMark()
    {
        return durableMark;
    }

    /**
     * @return the mark of the last group written to the store: what a crash of this process alone
     *         restarts from; at least {@link #durableMark()}, which it equals unless the store's
     *         syncs are deferred ({@link #deferStoreSync}); safe from any thread.
     */
    public AppliedMark writtenMark()
    {
        return writtenMark;
    }

    /**
     * From now on, groups are written without waiting for the store's sync
     * ({@link PartitionStore#applyUnsynced}) and their replies leave at once; {@link #durableMark()}
     * then moves only through {@link #syncStore()}, which another thread calls. Sound only where
     * every delivery the store has not synced can be delivered again after a power loss: the
     * acceptor journal, forced before a replica sends anything, keeps every delivery above the
     * durable mark (ARCHITECTURE.md, "Deferred store syncs"). Set before the executor runs.
     *
     * @param written runs on the executor's thread after each such write (to wake the syncing
     *                thread); must not block.
     */
    public void deferStoreSync(final Runnable written)
    {
        this.unsyncedWritten = Objects.requireNonNull(written, "written");
    }

    /**
     * Syncs the store and moves {@link #durableMark()} to what was written before the sync began.
     * Any thread; concurrent with the executor's writes.
     *
     * @return the durable mark afterwards.
     * @throws io.ramcast.txn.store.StoreException if the sync fails; the replica must stop.
     */
    public AppliedMark syncStore()
    {
        synchronized (syncLock)
        {
            final AppliedMark written = writtenMark;
            store.sync();
            if (written.compareTo(durableMark) > 0)
            {
                durableMark = written;
            }
            return durableMark;
        }
    }

    /** @return transactions executed (committed or not); safe from any thread. */
    public long executedCount()
    {
        return executed;
    }

    /**
     * @param reason why.
     * @return transactions this replica executed that did not commit for that reason (each
     *         involved partition counts the same ones); safe from any thread.
     */
    public long notCommittedCount(final ReasonCode reason)
    {
        return notCommitted.get(reason.ordinal());
    }

    /**
     * Sets what is told of the executor's work (metrics); any thread, takes effect at once.
     *
     * @param observer the observer, not null ({@link Observer#NONE} for none).
     */
    public void observer(final Observer observer)
    {
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /**
     * @param checkpoints what keeps the store at each checkpoint transaction (default
     *                    {@link Checkpoints#NONE}); set before the executor runs.
     */
    public void checkpoints(final Checkpoints checkpoints)
    {
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
    }

    /**
     * @param clientsServed what lets clients in at each serve-clients transaction (default
     *                      {@link ClientsServed#NONE}); set before the executor runs.
     */
    public void clientsServed(final ClientsServed clientsServed)
    {
        this.clientsServed = Objects.requireNonNull(clientsServed, "clientsServed");
    }

    /** @return store batches written (each a group of transactions); safe from any thread. */
    public long groupsWritten()
    {
        return groupsWritten;
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

    /** @return read-only transactions run again after a restart and skipped because the other partitions passed them. */
    public long readOnlySkippedCount()
    {
        return readOnlySkipped;
    }

    /** @return delivered transactions not yet started. */
    public int queuedCount()
    {
        return queue.size() + (blockedHead == null ? 0 : 1);
    }

    /** @return whether a transaction waits for reads from other partitions. */
    public boolean isWaitingForReads()
    {
        return !waiting.isEmpty();
    }

    /**
     * At a clean stop: writes the store's mark over the read-only transactions it does not cover
     * yet, so that a restart does not run them again. Not after a failure (the executor is not used
     * again then).
     *
     * @throws io.ramcast.txn.store.StoreException if the store fails.
     */
    public void writeMark()
    {
        writeGroup(true);
    }

    /** @return how many transactions wait for reads from other partitions now. */
    public int waitingCount()
    {
        return waiting.size();
    }

    /**
     * Finishes the waiting transactions whose reads arrived, starts every queued transaction that
     * can start, and writes the group (answering its clients once it is written).
     *
     * @return transactions executed.
     * @throws IllegalStateException a transaction's execution threw something other than a
     *                               deterministic abort (a bug); the replica must stop.
     * @throws io.ramcast.txn.store.StoreException if the store fails; the replica must stop.
     */
    public int doWork()
    {
        int work = 0;
        boolean progress = true;
        while (progress)
        {
            progress = false;
            for (int i = 0; i < waiting.size(); i++)
            {
                final Started s = waiting.get(i);
                if (tryFinish(s))
                {
                    waiting.remove(i--);
                    work++;
                    progress = true;
                }
            }
            retire();
            while (waiting.size() < maxWaiting && started.size() < MAX_STARTED)
            {
                if (groupTransactions >= MAX_GROUP_TRANSACTIONS || groupBytes >= MAX_GROUP_BYTES)
                {
                    writeGroup();
                }
                final Started s = takeHead();
                if (s == null)
                {
                    break;
                }
                if (!waiting.isEmpty() && conflictsWithWaiting(s))
                {
                    blockedHead = s;
                    break;
                }
                blockedHead = null;
                started.addLast(s);
                progress = true;
                if (start(s))
                {
                    work++;
                }
                else
                {
                    waiting.add(s);
                }
            }
            retire();
        }
        for (final Started s : waiting)
        {
            requestMissingReads(s);
        }
        writeGroup();
        return work;
    }

    /** @return the queue's head, decoded (and checked against the order), or null if none. */
    private Started takeHead()
    {
        if (blockedHead != null)
        {
            return blockedHead;
        }
        while (true)
        {
            final Delivered d = queue.pollFirst();
            if (d == null)
            {
                return null;
            }
            final int sinceTaken = d.mark().compareTo(lastTaken);
            if (sinceTaken <= 0)
            {
                if (sinceTaken == 0)
                {
                    // the very delivery the store last applied (same timestamp, group and message id):
                    // handed over again after a restart, provably a duplicate
                    duplicates++;
                    LOG.info("partition {}: delivery {} was applied before; skipped", partition, d.mark());
                    continue;
                }
                throw new IllegalStateException("partition " + partition + ": delivery of message " +
                    io.ramcast.multicast.MessageIds.toString(d.messageId()) + " at " + d.mark() + " comes after " +
                    (lastTaken.equals(lastApplied) ? "the last applied " : "the last started ") + lastTaken + " in delivery order but is ordered before it; this replica cannot prove it a " +
                    "duplicate, and applying or skipping it could break atomicity or order. Stopping (fail-stop).");
            }
            lastTaken = d.mark();
            TxnRequest request = null;
            try
            {
                request = codec.decode(d.payload(), TxnRequest.class);
            }
            catch (final IllegalArgumentException ex)
            {
                malformed++;
                LOG.error("partition {}: delivered message {} is not a transaction: {}", partition, d.messageId(),
                    ex.getMessage());
            }
            return new Started(d, request);
        }
    }

    /**
     * Whether {@code s} could read or write differently than after the waiting transactions (see
     * the class comment for the rule).
     */
    private boolean conflictsWithWaiting(final Started s)
    {
        if (s.isBarrier())
        {
            return true;
        }
        final TxnRequest r = s.request;
        final List<ByteKey> reads = r.transaction().readKeys().stream().map(ByteKey::new).toList();
        final List<ByteKey> writes = r.transaction().writeKeys().stream().map(ByteKey::new).toList();
        for (final ByteKey k : writes)
        {
            if (pinnedReads.containsKey(k))
            {
                return true;
            }
        }
        for (final Started w : waiting)
        {
            if (w.isBarrier() || w.request.clientId() == r.clientId() &&
                (w.request.requestId() == r.requestId() || r.settledBelow() > w.request.requestId()))
            {
                return true;
            }
            for (final ByteKey k : reads)
            {
                if (w.writes.contains(k))
                {
                    return true;
                }
            }
            for (final ByteKey k : writes)
            {
                if (w.writes.contains(k) || w.reads.contains(k))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /** Moves the applied mark over the finished prefix of the started transactions. */
    private void retire()
    {
        while (!started.isEmpty() && started.peekFirst().done)
        {
            final Started s = started.pollFirst();
            lastApplied = s.delivered.mark();
            if (s.holdsOutcome)
            {
                unretiredIds.get(s.request.clientId()).remove(s.request.requestId());
            }
            if (s.pinsReads)
            {
                for (final byte[] k : s.request.transaction().readKeys())
                {
                    pinnedReads.computeIfPresent(new ByteKey(k), (key, n) -> n == 1 ? null : n - 1);
                }
            }
        }
    }

    /** @return true if the transaction was finished, false if it now waits for reads. */
    private boolean start(final Started s)
    {
        final TxnRequest request = s.request;
        if (request == null)
        {
            s.done = true; // not a transaction: nothing to apply, nobody to answer
            return true;
        }
        final byte[] remembered = s.readOnly ? null : readMeta(dedupKey(request.clientId(), request.requestId()));
        if (remembered != null)
        {
            duplicates++;
            finish(s, remembered, null);
            return true;
        }
        final Transaction t = request.transaction();
        final String problem = limits.check(t);
        if (problem != null)
        {
            finish(s, notCommitted(request, ReasonCode.LIMIT_EXCEEDED, problem), null);
            return true;
        }
        final int[] partitions;
        try
        {
            partitions = Destinations.of(t, partitioner);
        }
        catch (final IllegalArgumentException ex)
        {
            finish(s, notCommitted(request, ReasonCode.INVALID, ex.getMessage()), null);
            return true;
        }
        if (!Arrays.equals(partitions, request.partitions()))
        {
            finish(s, notCommitted(request, ReasonCode.INVALID, "sent to partitions " +
                Arrays.toString(request.partitions()) + " but its keys belong to " + Arrays.toString(partitions)),
                null);
            return true;
        }
        if (t.isCheckpoint())
        {
            takeCheckpoint(s);
            return true;
        }
        if (t.isServeClients())
        {
            serveClients(s);
            return true;
        }
        if (!t.scans().isEmpty() && !overlayData.isEmpty())
        {
            writeGroup(); // a scan reads the store as it is after every earlier transaction
        }
        ReadExchange local = readLocally(s.delivered.messageId(), t);
        s.ownResultsOnly = partitions.length > 1 && onlyDecidingReadsSent(t);
        final boolean[] senders = partitions.length > 1 ? exchangeSenders(t, s.ownResultsOnly) : null;
        s.awaited = senders == null ? NO_PARTITIONS :
            Arrays.stream(partitions).filter(q -> q != partition && senders[q]).toArray();
        if (senders != null && senders[partition])
        {
            byte[] message = codec.encode(local);
            if (message.length > maxMessageBytes)
            {
                local = new ReadExchange(s.delivered.messageId(), partition, List.of(), List.of(), true);
                message = codec.encode(local);
            }
            for (final int p : partitions)
            {
                if (p != partition)
                {
                    output.toPartition(p, message);
                }
            }
            s.sent = message;
        }
        s.local = local;
        if (s.awaited.length == 0 || tryFinish(s))
        {
            if (s.awaited.length == 0)
            {
                complete(s, List.of(local));
            }
            return true;
        }
        s.reads = new HashSet<>();
        s.writes = new HashSet<>();
        t.readKeys().forEach(k -> s.reads.add(new ByteKey(k)));
        t.writeKeys().forEach(k -> s.writes.add(new ByteKey(k)));
        s.sinceNs = System.nanoTime();
        s.lastRequestNs = s.sinceNs;
        return false;
    }

    /**
     * A checkpoint: nothing waits (it is a barrier), so every earlier delivery finished; written out
     * with its mark, the store is the cut the hook keeps.
     */
    private void takeCheckpoint(final Started s)
    {
        writeGroup(true);
        final long id = s.request.transaction().checkpointId();
        final AppliedMark mark = writtenMark;
        final long startNs = System.nanoTime();
        try
        {
            checkpoints.take(id, mark);
            LOG.info("partition {}: checkpoint {} kept at {} in {} ms", partition, Long.toUnsignedString(id, 16),
                mark, (System.nanoTime() - startNs) / 1_000_000);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("partition {}: checkpoint {} at {} could not be kept at this replica: {}", partition,
                Long.toUnsignedString(id, 16), mark, ex.toString());
        }
        finish(s, codec.encode(new TxnReply(s.request.requestId(), partition, true, null, "", List.of())), null);
    }

    /**
     * A {@link Transaction#serveClients}: the count goes into the store with this delivery's batch
     * (never lowered), and the hook lets the clients in at once (a restart before the batch is
     * durable runs the delivery again, and the hook is idempotent).
     */
    private void serveClients(final Started s)
    {
        final int requested = s.request.transaction().servedClients();
        final byte[] stored = readMeta(SERVED_CLIENTS_KEY);
        final int before = null == stored ? 0 : ByteBuffer.wrap(stored).getInt();
        final int served = Math.max(before, requested);
        if (served != before)
        {
            groupPut(true, SERVED_CLIENTS_KEY, ByteBuffer.allocate(Integer.BYTES).putInt(served).array());
        }
        LOG.info("partition {}: the cluster serves {} client ids (was {}, asked {})", partition, served, before,
            requested);
        clientsServed.serve(served);
        finish(s, codec.encode(new TxnReply(s.request.requestId(), partition, true, null, "", List.of())), null);
    }

    /**
     * @param store a partition store.
     * @return how many client ids the cluster serves as the store recorded it
     *         ({@link Transaction#serveClients}, {@link #recordServedClients}), or -1 if it never did.
     */
    public static int servedClients(final PartitionStore store)
    {
        final byte[] stored = store.getMeta(SERVED_CLIENTS_KEY);
        return null == stored ? -1 : ByteBuffer.wrap(stored).getInt();
    }

    /**
     * Records the client ids a new store's cluster serves (its configuration's count), at the mark
     * the store has, outside any delivery; later raises come through {@link Transaction#serveClients}.
     *
     * @param store a partition store that has no count yet.
     * @param count the count.
     */
    public static void recordServedClients(final PartitionStore store, final int count)
    {
        store.apply(new StoreBatch(store.lastApplied()).putMeta(SERVED_CLIENTS_KEY,
            ByteBuffer.allocate(Integer.BYTES).putInt(count).array()));
    }

    /** @return true if the waiting transaction has every read it needs and is now finished. */
    private boolean tryFinish(final Started s)
    {
        final long id = s.delivered.messageId();
        final Map<Integer, ReadExchange> received = exchanges.getOrDefault(id, Map.of());
        for (final int q : s.awaited)
        {
            if (!received.containsKey(q))
            {
                final Set<Integer> goneFrom = gone.get(id);
                if (goneFrom != null && goneFrom.contains(q))
                {
                    return passedElsewhere(s, q);
                }
                return false;
            }
        }
        catchingUp = s.asked; // its reads had to be asked for: so will the next one's, probably
        forgetExchange(id);
        final List<ReadExchange> all = new ArrayList<>();
        all.add(s.local);
        for (final int q : s.awaited)
        {
            all.add(received.get(q));
        }
        complete(s, all);
        return true;
    }

    private void forgetExchange(final long id)
    {
        exchanges.remove(id);
        gone.remove(id);
        recentlyExchanged.add(id);
        if (recentlyExchanged.size() > RECENT_EXCHANGES)
        {
            final Long eldest = recentlyExchanged.iterator().next();
            recentlyExchanged.remove(eldest);
        }
    }

    /**
     * Partition {@code q} executed the transaction long ago and keeps its reads no longer: a
     * read-only transaction run again after a restart has no effect anywhere and is skipped; one
     * that writes cannot be finished here.
     */
    private boolean passedElsewhere(final Started s, final int q)
    {
        if (s.readOnly)
        {
            readOnlySkipped++;
            LOG.debug("partition {}: read-only transaction {} run again after a restart; partition {} passed it " +
                "long ago, skipped", partition, s.delivered.mark(), q);
            forgetExchange(s.delivered.messageId());
            s.done = true;
            return true;
        }
        if (!s.reportedGone)
        {
            s.reportedGone = true;
            LOG.error("partition {}: transaction {} (request {} of client {}) needs the reads of partition {}, which " +
                "executed it so long ago that it keeps them no longer; this replica is too far behind to finish it " +
                "and must be rebuilt from a peer (bin/ramcast replica --rebuild)", partition, s.delivered.mark(),
                s.request.requestId(), s.request.clientId(), q);
        }
        return false;
    }

    /** Computes the outcome over all reads and adds it to the group. */
    private void complete(final Started s, final List<ReadExchange> all)
    {
        for (final ReadExchange x : all)
        {
            if (x.oversize())
            {
                finish(s, notCommitted(s.request, ReasonCode.LIMIT_EXCEEDED, "the reads of partition " +
                    x.fromPartition() + " exceed the message limit of " + maxMessageBytes + " bytes"), null);
                return;
            }
        }
        final Computation c = computeOrFailStop(s.delivered, s.request, all, s.ownResultsOnly);
        finish(s, c.reply(), c.writes());
    }

    /**
     * Waiting long for another partition's reads: that partition may have applied the transaction
     * before this replica restarted and will not read for it again; ask it to send its kept reads.
     */
    private void requestMissingReads(final Started s)
    {
        final long now = System.nanoTime();
        final boolean eager = catchingUp && !s.asked;
        if (!eager && now - s.lastRequestNs < exchangeRequestAfterNs)
        {
            return;
        }
        final Map<Integer, ReadExchange> received = exchanges.getOrDefault(s.delivered.messageId(), Map.of());
        s.lastRequestNs = now;
        s.asked = true;
        final AppliedMark mark = s.delivered.mark();
        final byte[] request = codec.encode(new ExchangeRequest(s.delivered.messageId(), partition, mark.timestamp(),
            mark.group()));
        for (final int q : s.awaited)
        {
            if (!received.containsKey(q))
            {
                output.toPartition(q, request);
                exchangeRequestsSent++;
            }
        }
        if (eager)
        {
            LOG.debug("partition {}: catching up: asked at once for the reads of transaction {}", partition, mark);
            return;
        }
        LOG.info("partition {}: transaction {} has waited {} ms for the reads of partitions {}; asked for them",
            partition, mark, (now - s.sinceNs) / 1_000_000,
            Arrays.stream(s.awaited).filter(q -> !received.containsKey(q)).boxed().toList());
    }

    /** A data key's value as the group left it, or as the store holds it. */
    private byte[] readData(final byte[] key)
    {
        final byte[] v = overlayData.get(new ByteKey(key));
        if (v != null)
        {
            return v == DELETED ? null : v;
        }
        return store.get(key);
    }

    /** A meta key's value as the group left it, or as the store holds it. */
    private byte[] readMeta(final byte[] key)
    {
        final byte[] v = overlayMeta.get(new ByteKey(key));
        if (v != null)
        {
            return v == DELETED ? null : v;
        }
        return store.getMeta(key);
    }

    private void groupPut(final boolean meta, final byte[] key, final byte[] value)
    {
        groupChanges.add(new StoreBatch.Change(meta, key, value));
        (meta ? overlayMeta : overlayData).put(new ByteKey(key), value == null ? DELETED : value);
        groupBytes += key.length + (value == null ? 0 : value.length) + 16;
    }

    /**
     * Writes the group in one batch with the applied mark, then sends its replies; with nothing to
     * write, moves the store's mark over read-only transactions now and then.
     */
    private void writeGroup()
    {
        writeGroup(false);
    }

    /** @param markNow write the store's mark over read-only transactions now, not only every interval. */
    private void writeGroup(final boolean markNow)
    {
        retire(); // the mark as far as it can go: what is written may otherwise outrun it (see pinnedReads)
        final long now = System.nanoTime();
        final AppliedMark mark = lastApplied;
        if (!groupChanges.isEmpty() ||
            mark.compareTo(writtenMark) > 0 && (markNow || now - lastMarkWriteNs >= MARK_WRITE_INTERVAL_NS))
        {
            final StoreBatch batch = new StoreBatch(mark);
            for (final StoreBatch.Change c : groupChanges)
            {
                batch.add(c);
            }
            final long writeStartNs = System.nanoTime();
            final Runnable deferred = unsyncedWritten;
            if (deferred == null)
            {
                store.apply(batch);
            }
            else
            {
                store.applyUnsynced(batch);
            }
            observer.onGroupWritten(System.nanoTime() - writeStartNs, groupTransactions);
            writtenMark = mark;
            if (deferred == null)
            {
                durableMark = mark;
            }
            else
            {
                deferred.run();
            }
            lastMarkWriteNs = now;
            groupsWritten++;
            groupChanges.clear();
            overlayData.clear();
            overlayMeta.clear();
        }
        for (final Reply r : groupReplies)
        {
            output.toClient(r.clientId(), r.bytes());
        }
        groupReplies.clear();
        groupTransactions = 0;
        groupBytes = 0;
    }

    /**
     * The partitions that send their reads for a multi-partition transaction (see the class
     * comment): with {@code decidingOnly}, those owning a compare-and-set or increment key; otherwise
     * every partition with reads.
     *
     * @return indexed by partition id.
     */
    private boolean[] exchangeSenders(final Transaction t, final boolean decidingOnly)
    {
        final boolean[] senders = new boolean[partitioner.partitionCount()];
        if (decidingOnly)
        {
            for (final Op op : t.ops())
            {
                if (op instanceof Op.CompareAndSet || op instanceof Op.Increment)
                {
                    senders[partitioner.partitionOf(op.key())] = true;
                }
            }
            return senders;
        }
        for (final byte[] k : t.readKeys())
        {
            senders[partitioner.partitionOf(k)] = true;
        }
        for (final Op.Scan s : t.scans())
        {
            senders[Destinations.scanPartition(s, partitioner)] = true;
        }
        return senders;
    }

    /**
     * Whether only the reads deciding the outcome are exchanged and each partition answers with its
     * own results: an operation list whose results, with every value and scan at the limits'
     * largest, fit a reply.
     */
    private boolean onlyDecidingReadsSent(final Transaction t)
    {
        if (t.isProcedure())
        {
            return false;
        }
        long bound = REPLY_HEADER_BOUND;
        for (final Op op : t.ops())
        {
            bound += RESULT_OVERHEAD_BOUND;
            if (op instanceof Op.Get)
            {
                bound += limits.maxValueBytes();
            }
            else if (op instanceof Op.Scan scan)
            {
                bound += (long) Math.min(scan.limit(), limits.maxScanEntries()) *
                    (RESULT_OVERHEAD_BOUND + limits.maxKeyBytes() + limits.maxValueBytes());
            }
        }
        return bound <= maxMessageBytes;
    }


    private ReadExchange readLocally(final long messageId, final Transaction t)
    {
        final List<KeyValue> reads = new ArrayList<>();
        for (final byte[] k : t.readKeys())
        {
            if (partitioner.partitionOf(k) == partition)
            {
                reads.add(new KeyValue(k, readData(k)));
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
    private Computation computeOrFailStop(final Delivered d, final TxnRequest request, final List<ReadExchange> reads,
        final boolean ownResultsOnly)
    {
        try
        {
            return compute(request, reads, ownResultsOnly);
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
     * Runs the transaction's logic over the reads it was given; the outcome is identical at every
     * involved partition.
     *
     * @param ownResultsOnly the partitions answer with their own results (see the class comment):
     *                       results that would still exceed a reply (values stored before the limit
     *                       was lowered) do not change the outcome, the reply then carries none.
     * @return the reply (committed, or not committed for a deterministic reason) and the writes.
     * @throws RuntimeException anything but the deterministic aborts it turns into replies: a bug.
     */
    private Computation compute(final TxnRequest request, final List<ReadExchange> reads, final boolean ownResultsOnly)
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
        catch (final Refused refused)
        {
            return new Computation(notCommitted(request, refused.reason, refused.getMessage()), null);
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
        if (reply.length > maxMessageBytes && ownResultsOnly)
        {
            return new Computation(codec.encode(new TxnReply(request.requestId(), partition, true, null,
                "committed, but the results of partition " + partition + " (" + reply.length + " bytes) exceed the " +
                "message limit of " + maxMessageBytes + " bytes; read these keys in smaller transactions", List.of())),
                view.writes);
        }
        if (reply.length > maxMessageBytes)
        {
            return new Computation(notCommitted(request, ReasonCode.LIMIT_EXCEEDED, "the results of " + reply.length +
                " bytes exceed the message limit of " + maxMessageBytes + " bytes"), null);
        }
        return new Computation(reply, view.writes);
    }


    /** Adds a finished transaction's writes, remembered outcome and kept reads to the group; its reply leaves with the group. */
    private void finish(final Started s, final byte[] reply, final TreeMap<ByteKey, byte[]> writes)
    {
        final TxnRequest request = s.request;
        if (writes != null)
        {
            for (final Map.Entry<ByteKey, byte[]> w : writes.entrySet())
            {
                final byte[] key = w.getKey().bytes();
                if (partitioner.partitionOf(key) == partition)
                {
                    groupPut(false, key, w.getValue());
                }
            }
        }
        // finished while an earlier transaction waits: beyond the mark the store will hold with it
        final boolean beyondMark = started.peekFirst() != s;
        final long messageId = s.delivered.messageId();
        if (!s.readOnly)
        {
            forgetSettled(request.clientId(), request.settledBelow());
            groupPut(true, dedupKey(request.clientId(), request.requestId()), reply);
            rememberedIds.computeIfAbsent(request.clientId(), c -> new TreeSet<>()).add(request.requestId());
            if (beyondMark)
            {
                // run again after a restart, it must find its outcome: not forgotten before it is behind the mark
                unretiredIds.computeIfAbsent(request.clientId(), c -> new HashSet<>()).add(request.requestId());
                s.holdsOutcome = true;
            }
            if (s.sent != null)
            {
                // the reads sent for it, with its position, to send again to a replica that restarts
                // behind this one (same batch: kept exactly when the transaction is applied)
                groupPut(true, exchangeKey(messageId), ByteBuffer.allocate(KEPT_HEADER_BYTES + s.sent.length)
                    .putLong(s.delivered.mark().timestamp()).putInt(s.delivered.mark().group()).put(s.sent).array());
                keptExchanges.addLast(messageId);
                if (keptExchanges.size() > KEPT_EXCHANGES)
                {
                    groupPut(true, exchangeKey(keptExchanges.pollFirst()), null);
                }
            }
        }
        else
        {
            if (s.sent != null)
            {
                keepReadOnly(messageId, s.sent);
            }
            if (beyondMark)
            {
                // run again after a restart, it must read what it read now: no later write to its reads
                // may start before it is behind the mark
                for (final byte[] k : request.transaction().readKeys())
                {
                    pinnedReads.merge(new ByteKey(k), 1, Integer::sum);
                }
                s.pinsReads = true;
            }
        }
        groupReplies.add(new Reply(request.clientId(), reply));
        groupBytes += reply.length;
        groupTransactions++;
        executed = executed + 1; // single writer
        s.done = true;
        observer.onExecuted(System.nanoTime() - s.delivered.atNs());
    }

    private void keepReadOnly(final long messageId, final byte[] sent)
    {
        keptReadOnly.put(messageId, sent);
        keptReadOnlyBytes += sent.length;
        while (keptReadOnlyBytes > KEPT_READ_ONLY_BYTES || keptReadOnly.size() > KEPT_EXCHANGES)
        {
            final var eldest = keptReadOnly.entrySet().iterator();
            keptReadOnlyBytes -= eldest.next().getValue().length;
            eldest.remove();
        }
    }

    /** Deletes the remembered outcomes of the client's requests below its settled watermark. */
    private void forgetSettled(final int clientId, final long settledBelow)
    {
        final TreeSet<Long> ids = rememberedIds.get(clientId);
        final Set<Long> held = unretiredIds.get(clientId);
        while (ids != null && !ids.isEmpty() && ids.first() < settledBelow)
        {
            if (held != null && held.contains(ids.first()))
            {
                return; // the rest later, once that transaction is behind the mark
            }
            groupPut(true, dedupKey(clientId, ids.pollFirst()), null);
        }
    }

    static byte[] dedupKey(final int clientId, final long requestId)
    {
        return ByteBuffer.allocate(13).put(DEDUP_PREFIX).putInt(clientId).putLong(requestId).array();
    }

    private byte[] notCommitted(final TxnRequest request, final ReasonCode reason, final String detail)
    {
        notCommitted.lazySet(reason.ordinal(), notCommitted.get(reason.ordinal()) + 1); // single writer
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

    /** An operation found data that refuses it (a failed condition, an overflowing counter): not committed. */
    private static final class Refused extends RuntimeException
    {
        final ReasonCode reason;

        Refused(final ReasonCode reason, final String message)
        {
            super(message, null, false, false);
            this.reason = reason;
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
                    throw new Refused(ReasonCode.CONDITION_FAILED, "compare-and-set failed on key " + new ByteKey(c.key()));
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
                final long value = current == null ? 0 : ByteBuffer.wrap(current).getLong();
                final long next;
                try
                {
                    next = Math.addExact(value, i.delta());
                }
                catch (final ArithmeticException ex)
                {
                    throw new Refused(ReasonCode.COUNTER_OVERFLOW, "incrementing key " + new ByteKey(i.key()) +
                        " holding " + value + " by " + i.delta() + " overflows a 64-bit counter");
                }
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
