package io.ramcast.bench.workload;

import io.ramcast.check.history.EventType;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.check.history.MicroOp;
import io.ramcast.check.history.OpFunction;
import io.ramcast.check.history.OpValue;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Destinations;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The list-append workload (in the style of Elle): random transactions of append and read
 * micro-ops over a few keys spread over every partition, run as the
 * {@link ListAppendProcedures#TXN} procedure and recorded as {@code txn} operations, for
 * {@code ListAppendChecker} to search the history for serializability and real-time anomalies.
 *
 * <p>Keys and values as {@link ListAppendKeys} chooses them. The same transactions run from the
 * {@code bench} command as the {@code list-append} workload ({@link ListAppendBenchWorkload});
 * this class runs them on its own threads, for the end-to-end test that also counts
 * multi-partition commits.
 *
 * <p>Threads: {@link #run} drives closed-loop worker threads, each its own history process,
 * sharing one thread-safe {@link KvClient}. A worker records the invocation, executes, and records
 * ok (with the lists read), fail (definitely not committed) or info (unknown outcome; not retried).
 * Bounded in time and count; a worker error stops every worker and is thrown by {@code run}.
 */
public final class ListAppendWorkload
{
    /** Prefix of every key the workload touches. */
    public static final String KEY_PREFIX = ListAppendKeys.KEY_PREFIX;

    private final KvClient client;
    private final Partitioner partitioner;
    private final ListAppendKeys keys;

    /**
     * What a run did.
     *
     * @param ok               transactions that committed.
     * @param failed           transactions that definitely did not commit.
     * @param unknown          transactions of unknown outcome.
     * @param multiPartitionOk committed transactions that involved more than one partition.
     * @param appendsOk        append micro-ops of committed transactions.
     * @param readsOk          read micro-ops of committed transactions.
     * @param keysUsed         distinct keys the slots went through (at least one per slot).
     * @param failures         count by reason and detail of the transactions that did not commit,
     *                         in order of first occurrence (empty in a healthy run).
     */
    public record RunStats(long ok, long failed, long unknown, long multiPartitionOk, long appendsOk, long readsOk,
        int keysUsed, Map<String, Long> failures)
    {
        /**
         * Copies the failures.
         */
        public RunStats
        {
            failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        }
    }

    /** Counters shared by the workers. */
    private static final class Counters
    {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong unknown = new AtomicLong();
        final AtomicLong multiPartitionOk = new AtomicLong();
        final AtomicLong appendsOk = new AtomicLong();
        final AtomicLong readsOk = new AtomicLong();
        final Map<String, Long> failures = new LinkedHashMap<>();

        synchronized void failure(final TxnOutcome.NotCommitted outcome)
        {
            failures.merge(outcome.reason() + ": " + outcome.detail(), 1L, Long::sum);
        }

        synchronized Map<String, Long> failures()
        {
            return new LinkedHashMap<>(failures);
        }
    }

    /**
     * @param client        the client.
     * @param partitioner   the cluster's partitioner (to spread the keys over every partition).
     * @param keys          key slots, at least 1; at least the partition count to use every partition.
     * @param maxMicroOps   most micro-ops per transaction, in [1, {@value ListAppendProcedures#MAX_MICRO_OPS}].
     * @param maxListLength appends issued to one key before its slot moves to a fresh key, at least 1.
     * @throws IllegalArgumentException if a setting is out of range.
     */
    public ListAppendWorkload(
        final KvClient client, final Partitioner partitioner, final int keys, final int maxMicroOps, final int maxListLength)
    {
        this.client = client;
        this.partitioner = partitioner;
        this.keys = new ListAppendKeys(partitioner, KEY_PREFIX, keys, maxMicroOps, maxListLength);
    }

    /**
     * Runs random transactions from {@code threads} workers until {@code duration} passes or
     * {@code maxTransactions} were issued, recording every one in {@code history}.
     *
     * @param threads         worker threads (history processes 0..threads-1), at least 1.
     * @param duration        how long to run at most.
     * @param maxTransactions transactions to issue at most (all workers together).
     * @param seed            seed of the random choices (worker {@code w} uses {@code seed * 1000003 + w}).
     * @param history         where events go (thread-safe), or null.
     * @return counts by outcome.
     * @throws InterruptedException  if interrupted while waiting for the workers.
     * @throws IllegalStateException if a worker failed: an undecodable output, partitions disagreeing,
     *                               a refused transaction or a history write error.
     */
    public RunStats run(
        final int threads, final Duration duration, final long maxTransactions, final long seed,
        final HistoryWriter history) throws InterruptedException
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads=" + threads + " must be at least 1");
        }
        final long deadlineNs = System.nanoTime() + duration.toNanos();
        final AtomicLong issued = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final Counters counters = new Counters();
        final List<Thread> workers = new ArrayList<>();
        final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int w = 0; w < threads; w++)
        {
            final int process = w;
            final Random random = new Random(seed * 1_000_003L + w);
            final Thread t = new Thread(() ->
            {
                try
                {
                    while (!stop.get() && System.nanoTime() < deadlineNs && issued.incrementAndGet() <= maxTransactions)
                    {
                        transaction(process, random, history, counters);
                    }
                }
                catch (final RuntimeException | Error ex)
                {
                    errors.add(ex);
                    stop.set(true);
                }
            }, "listappend-worker-" + w);
            workers.add(t);
            t.start();
        }
        for (final Thread t : workers)
        {
            t.join();
        }
        if (!errors.isEmpty())
        {
            final IllegalStateException ex = new IllegalStateException("list-append worker failed: " + errors.get(0),
                errors.get(0));
            errors.stream().skip(1).forEach(ex::addSuppressed);
            throw ex;
        }
        return new RunStats(counters.ok.get(), counters.failed.get(), counters.unknown.get(),
            counters.multiPartitionOk.get(), counters.appendsOk.get(), counters.readsOk.get(), keys.keysUsed(),
            counters.failures());
    }

    private void transaction(final int process, final Random random, final HistoryWriter history, final Counters counters)
    {
        final List<MicroOp> ops = keys.randomMicroOps(random);
        final OpValue.Txn invoked = new OpValue.Txn(ops);
        final Transaction t = ListAppendKeys.transactionOf(ops);
        final boolean multiPartition = Destinations.of(t, partitioner).length > 1;
        HistoryWriter.record(history, HistoryEvent.invoke(process, OpFunction.TXN, invoked, System.nanoTime()));
        final TxnOutcome outcome = client.execute(t);
        if (outcome instanceof TxnOutcome.Committed committed)
        {
            final List<Result> results = committed.results();
            if (results.size() != 1 || !(results.get(0) instanceof Result.Output output))
            {
                throw new IllegalStateException("transaction " + outcome.requestId() + " " + ops +
                    " committed with results " + results + " where one procedure output was expected");
            }
            final List<MicroOp> completed = ListAppendProcedures.decodeOutput(ops, output.bytes());
            HistoryWriter.record(history, HistoryEvent.complete(process, EventType.OK, OpFunction.TXN, new OpValue.Txn(completed),
                System.nanoTime()));
            counters.ok.incrementAndGet();
            if (multiPartition)
            {
                counters.multiPartitionOk.incrementAndGet();
            }
            for (final MicroOp op : ops)
            {
                (op instanceof MicroOp.Append ? counters.appendsOk : counters.readsOk).incrementAndGet();
            }
        }
        else if (outcome instanceof TxnOutcome.NotCommitted notCommitted)
        {
            HistoryWriter.record(history, HistoryEvent.complete(process, EventType.FAIL, OpFunction.TXN, invoked, System.nanoTime()));
            counters.failed.incrementAndGet();
            counters.failure(notCommitted);
        }
        else
        {
            HistoryWriter.record(history, HistoryEvent.complete(process, EventType.INFO, OpFunction.TXN, invoked, System.nanoTime()));
            counters.unknown.incrementAndGet();
        }
    }
}
