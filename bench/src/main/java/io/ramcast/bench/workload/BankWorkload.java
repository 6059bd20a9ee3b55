package io.ramcast.bench.workload;

import io.ramcast.check.history.EventType;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.check.history.OpFunction;
import io.ramcast.check.history.OpValue;
import io.ramcast.client.ClusterUnreachableException;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bank workload: accounts spread over the partitions, transfers between accounts on
 * different partitions (the {@link BankProcedures#TRANSFER} procedure), and reads of every account
 * as one multi-partition transaction. Under strict serializability every read sees exactly the
 * initial total and no balance is negative; {@code BankChecker} verifies that from the history.
 *
 * <p>Threads: {@link #run} drives {@code threads} closed-loop worker threads, each its own
 * "process" in the history, sharing one thread-safe {@link KvClient}. Bounded in time and count.
 */
public final class BankWorkload
{
    private static final String PREFIX = "bank/account/";

    private final KvClient client;
    private final Partitioner partitioner;
    private final int accounts;
    private final long initialBalance;

    /** What a run did. */
    public record RunStats(long transfersOk, long transfersFailed, long transfersUnknown, long readsOk, long readsUnknown)
    {
    }

    /**
     * @param client         the client.
     * @param partitioner    the cluster's partitioner (to pick accounts on different partitions).
     * @param accounts       number of accounts, at least 2.
     * @param initialBalance each account's starting balance.
     */
    public BankWorkload(final KvClient client, final Partitioner partitioner, final int accounts, final long initialBalance)
    {
        if (accounts < 2)
        {
            throw new IllegalArgumentException("the bank needs at least 2 accounts, got " + accounts);
        }
        this.client = client;
        this.partitioner = partitioner;
        this.accounts = accounts;
        this.initialBalance = initialBalance;
    }

    /** @return the total every read must see. */
    public long total()
    {
        return accounts * initialBalance;
    }

    /** @return account ids. */
    public List<Integer> accountIds()
    {
        final List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < accounts; i++)
        {
            ids.add(i);
        }
        return ids;
    }

    static byte[] accountKey(final int account)
    {
        return (PREFIX + account).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] encode(final long balance)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(balance).array();
    }

    static long balance(final byte[] value)
    {
        if (value == null || value.length != Long.BYTES)
        {
            throw new IllegalStateException("account holds " + (value == null ? "nothing" : value.length + " bytes") +
                "; load the bank data set first");
        }
        return ByteBuffer.wrap(value).getLong();
    }

    /**
     * Creates every account with the initial balance, in one transaction.
     *
     * @throws IllegalStateException if the transaction does not commit.
     */
    public void load()
    {
        final Transaction.Builder t = Transaction.builder();
        for (int i = 0; i < accounts; i++)
        {
            t.put(accountKey(i), encode(initialBalance));
        }
        final TxnOutcome outcome = client.execute(t.build());
        if (!(outcome instanceof TxnOutcome.Committed))
        {
            throw new IllegalStateException("loading the bank accounts did not commit: " + outcome);
        }
    }

    /**
     * Reads every account, trying again while the outcome is unknown or the cluster unreachable (a
     * read changes nothing, so trying again is safe), at most {@code attempts} times.
     *
     * @param attempts reads to try at most, at least 1.
     * @return every account's balance.
     * @throws IllegalStateException       if the last attempt did not commit.
     * @throws ClusterUnreachableException if the last attempt was not sent.
     */
    public Map<Integer, Long> readAll(final int attempts)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return readAll();
            }
            catch (final IllegalStateException | ClusterUnreachableException ex)
            {
                if (attempt >= attempts)
                {
                    throw ex;
                }
            }
        }
    }

    /**
     * Reads every account in one transaction.
     *
     * @return account → balance.
     * @throws IllegalStateException if the read does not commit.
     */
    public Map<Integer, Long> readAll()
    {
        final TxnOutcome outcome = client.execute(readAllTransaction());
        if (!(outcome instanceof TxnOutcome.Committed committed))
        {
            throw new IllegalStateException("reading every account did not commit: " + outcome);
        }
        return balances(committed);
    }

    private Transaction readAllTransaction()
    {
        final Transaction.Builder t = Transaction.builder();
        for (int i = 0; i < accounts; i++)
        {
            t.get(accountKey(i));
        }
        return t.build();
    }

    private Map<Integer, Long> balances(final TxnOutcome.Committed committed)
    {
        final Map<Integer, Long> balances = new TreeMap<>();
        for (int i = 0; i < accounts; i++)
        {
            balances.put(i, balance(((Result.Value)committed.results().get(i)).value()));
        }
        return balances;
    }

    /**
     * Runs transfers and reads from {@code threads} workers until {@code duration} passes or
     * {@code maxOperations} operations were issued, recording every operation in {@code history}.
     *
     * @param threads       worker threads (history processes 0..threads-1).
     * @param duration      how long to run at most.
     * @param maxOperations operations to issue at most (all workers together).
     * @param readFraction  share of operations that read every account, in [0, 1].
     * @param seed          seed of the random choices.
     * @param history       where events go (thread-safe), or null.
     * @return counts by outcome.
     * @throws InterruptedException if interrupted while waiting for the workers.
     */
    public RunStats run(
        final int threads, final Duration duration, final long maxOperations, final double readFraction, final long seed,
        final HistoryWriter history) throws InterruptedException
    {
        return run(threads, duration, new AtomicLong(), maxOperations, readFraction, seed, history);
    }

    /**
     * As {@link #run(int, Duration, long, double, long, HistoryWriter)}, with a run that another
     * thread may lengthen while it goes on.
     *
     * @param threads       worker threads (history processes 0..threads-1).
     * @param duration      how long to run at most, plus {@code extensionNs}.
     * @param extensionNs   nanoseconds added to the run, read by the workers before each operation.
     * @param maxOperations operations to issue at most (all workers together).
     * @param readFraction  share of operations that read every account, in [0, 1].
     * @param seed          seed of the random choices.
     * @param history       where events go (thread-safe), or null.
     * @return counts by outcome.
     * @throws InterruptedException if interrupted while waiting for the workers.
     */
    public RunStats run(
        final int threads, final Duration duration, final AtomicLong extensionNs, final long maxOperations,
        final double readFraction, final long seed, final HistoryWriter history) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        final AtomicLong issued = new AtomicLong();
        final AtomicLong[] counts = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
        final List<Thread> workers = new ArrayList<>();
        final List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int w = 0; w < threads; w++)
        {
            final int process = w;
            final Random random = new Random(seed * 1_000_003L + w);
            final Thread t = new Thread(() ->
            {
                try
                {
                    while (System.nanoTime() - startNs < duration.toNanos() + extensionNs.get() &&
                        issued.incrementAndGet() <= maxOperations)
                    {
                        if (random.nextDouble() < readFraction)
                        {
                            read(process, history, counts);
                        }
                        else
                        {
                            transfer(process, random, history, counts);
                        }
                    }
                }
                catch (final RuntimeException | Error ex)
                {
                    errors.add(ex);
                }
            }, "bank-worker-" + w);
            workers.add(t);
            t.start();
        }
        for (final Thread t : workers)
        {
            t.join();
        }
        if (!errors.isEmpty())
        {
            final IllegalStateException ex = new IllegalStateException("bank worker failed: " + errors.get(0), errors.get(0));
            errors.stream().skip(1).forEach(ex::addSuppressed);
            throw ex;
        }
        return new RunStats(counts[0].get(), counts[1].get(), counts[2].get(), counts[3].get(), counts[4].get());
    }

    private void transfer(final int process, final Random random, final HistoryWriter history, final AtomicLong[] counts)
    {
        final int from = random.nextInt(accounts);
        int to = random.nextInt(accounts);
        for (int tries = 0; tries < 32 && (to == from ||
            partitioner.partitionOf(accountKey(to)) == partitioner.partitionOf(accountKey(from)) &&
            partitioner.partitionCount() > 1); tries++)
        {
            to = random.nextInt(accounts);
        }
        if (to == from)
        {
            to = (from + 1) % accounts;
        }
        final long amount = 1 + random.nextInt((int)Math.max(1, Math.min(Integer.MAX_VALUE, initialBalance / 2)));
        final OpValue.Transfer value = new OpValue.Transfer(from, to, amount);
        HistoryWriter.record(history, HistoryEvent.invoke(process, OpFunction.TRANSFER, value, System.nanoTime()));
        final byte[] args = ByteBuffer.allocate(16).putInt(from).putInt(to).putLong(amount).array();
        final TxnOutcome outcome;
        try
        {
            outcome = client.execute(Transaction.procedure(BankProcedures.TRANSFER, args)
                .reads(accountKey(from), accountKey(to)).writes(accountKey(from), accountKey(to)).build());
        }
        catch (final ClusterUnreachableException ex)
        {
            // the client lost the cluster and did not get it back within the request timeout: not sent
            counts[1].incrementAndGet();
            HistoryWriter.record(history, HistoryEvent.complete(process, EventType.FAIL, OpFunction.TRANSFER, value,
                System.nanoTime()));
            return;
        }
        final EventType type;
        if (outcome instanceof TxnOutcome.Committed)
        {
            type = EventType.OK;
            counts[0].incrementAndGet();
        }
        else if (outcome instanceof TxnOutcome.NotCommitted)
        {
            type = EventType.FAIL;
            counts[1].incrementAndGet();
        }
        else
        {
            type = EventType.INFO;
            counts[2].incrementAndGet();
        }
        HistoryWriter.record(history, HistoryEvent.complete(process, type, OpFunction.TRANSFER, value, System.nanoTime()));
    }

    private void read(final int process, final HistoryWriter history, final AtomicLong[] counts)
    {
        HistoryWriter.record(history, HistoryEvent.invoke(process, OpFunction.READ, null, System.nanoTime()));
        final TxnOutcome outcome;
        try
        {
            outcome = client.execute(readAllTransaction());
        }
        catch (final ClusterUnreachableException ex)
        {
            HistoryWriter.record(history, HistoryEvent.complete(process, EventType.FAIL, OpFunction.READ, null,
                System.nanoTime())); // not sent
            return;
        }
        if (outcome instanceof TxnOutcome.Committed committed)
        {
            counts[3].incrementAndGet();
            HistoryWriter.record(history, HistoryEvent.complete(process, EventType.OK, OpFunction.READ,
                OpValue.Balances.of(balances(committed)), System.nanoTime()));
        }
        else if (outcome instanceof TxnOutcome.NotCommitted no)
        {
            throw new IllegalStateException("a read of every account did not commit: " + no);
        }
        else
        {
            counts[4].incrementAndGet();
            HistoryWriter.record(history, HistoryEvent.complete(process, EventType.INFO, OpFunction.READ, null, System.nanoTime()));
        }
    }
}
