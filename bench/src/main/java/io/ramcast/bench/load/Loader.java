package io.ramcast.bench.load;

import io.ramcast.bench.workload.BenchWorkload;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.client.KvClient;
import io.ramcast.client.LimitExceededException;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Transaction;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bulk-loads a workload's data set: runs every load transaction ({@code 0 .. n-1}) once to
 * commit, spread over the given clients, each keeping up to {@code window} transactions in flight
 * ({@link KvClient#executeAsync}).
 *
 * <p>Outcomes: committed counts; {@linkplain TxnOutcome.Unknown unknown} is retried with the same
 * request id, so it applies at most once, up to {@code maxAttempts} attempts in all; definitely
 * not committed, unknown after the last attempt, or an error fails the load
 * ({@link LoadFailedException}) after the transactions still in flight completed. Load
 * transactions are idempotent (see {@link BenchWorkload}), so running a load again, whole or after
 * a failure, leaves the same data set.
 *
 * <p>Threads: one feeder thread per client submits and handles outcomes (completion callbacks only
 * hand the outcome to it through a queue); the calling thread waits, updates the
 * {@link LoadProgress} and joins every feeder before returning, whatever happens. Nothing spins:
 * feeders block on their queue, the caller on a latch.
 *
 * <p>Bounds: in flight at most {@code clients x window}; attempts per transaction
 * {@code maxAttempts}; a feeder that hears nothing for {@link #outcomeWait(Duration)} while
 * transactions are in flight fails the load (the client completes every transaction within about
 * its request timeout, so this only catches a bug).
 */
final class Loader
{

    private final BenchWorkload workload;
    private final WorkloadSettings settings;
    private final List<KvClient> clients;
    private final int window;
    private final int maxAttempts;
    private final long transactionCount;
    private final Duration outcomeWait;
    private final AtomicLong nextIndex = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * What a load did.
     *
     * @param transactions load transactions committed.
     * @param records      records (keys) they wrote.
     * @param retries      attempts beyond the first (after an unknown outcome).
     * @param elapsedNs    time from the first submission to the last outcome, nanoseconds.
     */
    record Result(long transactions, long records, long retries, long elapsedNs)
    {
        /** @return records written per second. */
        double recordsPerSecond()
        {
            return elapsedNs <= 0 ? 0 : records * 1e9 / elapsedNs;
        }
    }

    /** The load did not complete; the message says which transaction and why. */
    static final class LoadFailedException extends Exception
    {
        private static final long serialVersionUID = 1L;

        LoadFailedException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    /**
     * @param workload    the workload.
     * @param settings    its settings (validated: {@code loadTransactionCount} accepted them).
     * @param clients     connected clients, at least one; not closed here.
     * @param window      transactions in flight per client, at least 1 (at most the client's window
     *                    so that submitting never waits).
     * @param maxAttempts    attempts per transaction, at least 1.
     * @param requestTimeout the clients' request timeout.
     */
    Loader(final BenchWorkload workload, final WorkloadSettings settings, final List<KvClient> clients, final int window,
        final int maxAttempts, final Duration requestTimeout)
    {
        if (clients.isEmpty() || window < 1 || maxAttempts < 1)
        {
            throw new IllegalArgumentException("need a client, window >= 1 and maxAttempts >= 1");
        }
        this.workload = workload;
        this.settings = settings;
        this.clients = List.copyOf(clients);
        this.window = window;
        this.maxAttempts = maxAttempts;
        this.transactionCount = workload.loadTransactionCount(settings);
        this.outcomeWait = outcomeWait(requestTimeout);
    }

    /**
     * @param requestTimeout the clients' request timeout.
     * @return how long a feeder waits for any outcome while it has transactions in flight: three
     *         request timeouts (waiting for room in the window, then for the outcome) plus 10 s.
     */
    static Duration outcomeWait(final Duration requestTimeout)
    {
        return requestTimeout.multipliedBy(3).plusSeconds(10);
    }

    /** @return load transactions in all. */
    long transactionCount()
    {
        return transactionCount;
    }

    /**
     * Runs the load; blocks until every transaction committed or the load failed and every feeder
     * stopped.
     *
     * @param progress where progress goes; updated from this thread, closed here.
     * @return what was loaded.
     * @throws LoadFailedException  if a transaction did not commit, stayed unknown, or a client
     *                              refused it (a {@link LimitExceededException} is the cause when
     *                              a load transaction exceeds the cluster's limits).
     * @throws InterruptedException if interrupted; the feeders are stopped first.
     */
    Result run(final LoadProgress progress) throws LoadFailedException, InterruptedException
    {
        final long startNs = System.nanoTime();
        final CountDownLatch finished = new CountDownLatch(clients.size());
        final List<Thread> feeders = new ArrayList<>();
        try (progress)
        {
            for (final KvClient client : clients)
            {
                final Thread t = new Thread(() ->
                {
                    try
                    {
                        feed(client);
                    }
                    catch (final InterruptedException ex)
                    {
                        fail(new LoadFailedException("load interrupted", ex));
                    }
                    catch (final RuntimeException | Error ex)
                    {
                        fail(ex);
                    }
                    finally
                    {
                        finished.countDown();
                    }
                }, "ramcast-load-" + client.clientId());
                feeders.add(t);
                t.start();
            }
            final long intervalMs = progress.interval().toMillis();
            while (!finished.await(intervalMs, TimeUnit.MILLISECONDS))
            {
                progress.update(committed.get(), records.get(), System.nanoTime() - startNs);
            }
            progress.update(committed.get(), records.get(), System.nanoTime() - startNs);
        }
        finally
        {
            stopAndJoin(feeders, finished);
        }
        final Throwable error = failure.get();
        if (error instanceof LoadFailedException ex)
        {
            throw ex;
        }
        if (error != null)
        {
            throw new LoadFailedException("load failed: " + error, error);
        }
        return new Result(committed.get(), records.get(), retries.get(), System.nanoTime() - startNs);
    }

    /**
     * Stops the feeders if they have not all finished (an interrupt or an error of this thread),
     * then joins every one of them. Feeders stop promptly: they block only on their queue, which an
     * interrupt ends, or briefly in {@code executeAsync}.
     */
    private void stopAndJoin(final List<Thread> feeders, final CountDownLatch finished)
    {
        if (finished.getCount() > 0)
        {
            fail(new LoadFailedException("load stopped before it completed", null));
            feeders.forEach(Thread::interrupt);
        }
        boolean interrupted = false;
        for (final Thread t : feeders)
        {
            while (true)
            {
                try
                {
                    t.join();
                    break;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                    t.interrupt();
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** One load transaction and its attempt. */
    private record Item(long index, Transaction transaction, long requestId, int attempt)
    {
    }

    /** An outcome handed from the client's completer thread to the feeder. */
    private record Event(Item item, TxnOutcome outcome, Throwable error)
    {
    }

    /** Submits and handles outcomes for one client until nothing is left or the load failed. */
    private void feed(final KvClient client) throws InterruptedException
    {
        final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        int inFlight = 0;
        boolean exhausted = false;
        while (true)
        {
            while (!exhausted && inFlight < window && failure.get() == null)
            {
                final long index = nextIndex.getAndIncrement();
                if (index >= transactionCount)
                {
                    exhausted = true;
                    break;
                }
                if (submit(client, new Item(index, workload.loadTransaction(index, settings), 0, 1), events))
                {
                    inFlight++;
                }
            }
            if (inFlight == 0)
            {
                return;
            }
            final Event event = events.poll(outcomeWait.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null)
            {
                fail(new LoadFailedException("client " + client.clientId() + " heard no outcome of its " + inFlight +
                    " load transactions in flight for " + outcomeWait.toSeconds() + " s", null));
                return;
            }
            final Item item = event.item();
            if (event.outcome() instanceof TxnOutcome.Committed)
            {
                committed.incrementAndGet();
                records.addAndGet(item.transaction().writeKeys().size());
                inFlight--;
            }
            else if (event.outcome() instanceof TxnOutcome.Unknown unknown && item.attempt() < maxAttempts &&
                failure.get() == null)
            {
                retries.incrementAndGet();
                if (!submit(client, new Item(item.index(), item.transaction(), unknown.requestId(), item.attempt() + 1),
                    events))
                {
                    inFlight--;
                }
            }
            else
            {
                inFlight--;
                if (event.error() != null)
                {
                    fail(new LoadFailedException("load transaction " + item.index() + " failed: " + event.error(),
                        event.error()));
                }
                else if (event.outcome() instanceof TxnOutcome.NotCommitted no)
                {
                    fail(new LoadFailedException("load transaction " + item.index() + " did not commit: " + no.reason() +
                        (no.detail().isEmpty() ? "" : " (" + no.detail() + ")"), null));
                }
                else if (failure.get() == null)
                {
                    fail(new LoadFailedException("load transaction " + item.index() + " stayed unknown after " +
                        item.attempt() + " attempts: " + ((TxnOutcome.Unknown)event.outcome()).cause(), null));
                }
            }
        }
    }

    /**
     * @return whether the attempt is in flight; if not, the load has failed.
     */
    private boolean submit(final KvClient client, final Item item, final LinkedBlockingQueue<Event> events)
    {
        try
        {
            (item.attempt() == 1 ? client.executeAsync(item.transaction()) :
                client.executeAsync(item.requestId(), item.transaction()))
                .whenComplete((outcome, error) -> events.add(new Event(item, outcome, error)));
            return true;
        }
        catch (final LimitExceededException ex)
        {
            fail(new LoadFailedException("load transaction " + item.index() + " (" +
                item.transaction().writeKeys().size() + " records) exceeds the cluster's limits: " + ex.getMessage(), ex));
        }
        catch (final RuntimeException ex)
        {
            fail(new LoadFailedException("load transaction " + item.index() + " could not be submitted: " + ex, ex));
        }
        return false;
    }

    private void fail(final Throwable error)
    {
        failure.compareAndSet(null, error);
    }
}
