package io.ramcast.bench.load;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.workload.BenchWorkload;
import io.ramcast.bench.workload.HistoryRecording;
import io.ramcast.bench.workload.OperationGenerator;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Transaction;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Drives one {@code bench} run: {@code clients x threadsPerClient} closed-loop worker threads,
 * worker {@code w} using client {@code w / threadsPerClient} and its own {@link OperationGenerator};
 * each executes one operation at a time ({@link Executor#execute}: {@link KvClient#execute}, or a
 * client of another system the bench compares with) until the warm-up and the measured duration
 * have passed. Operations that start after the warm-up are measured
 * ({@link OperationStats}); a sampler thread closes one time-series point per second.
 *
 * <p>With a history writer and a workload that is {@link HistoryRecording}, every operation
 * (warm-up included) is also written to the history, worker {@code w} as process {@code w}.
 *
 * <p>Threads: the workers and one sampler, all started and joined by {@link #run}, which returns
 * only after every one of them ended. Bounded: workers stop issuing at the end of the duration;
 * each operation completes within about the client's request timeout, and {@link #run} waits at
 * most {@code stopGrace} beyond the end before it interrupts the workers. A worker that throws
 * stops every worker; {@link #run} then throws a {@link BenchFailureException} carrying it.
 */
final class BenchRun
{
    /** Longest gap between the sampler's status lines. */
    static final Duration STATUS_INTERVAL = Duration.ofSeconds(5);

    private final BenchWorkload workload;
    private final WorkloadSettings settings;
    private final List<Executor> clients;
    private final int threadsPerClient;
    private final Duration warmup;
    private final Duration duration;
    private final long seed;
    private final Duration stopGrace;
    private final HistoryWriter history;
    private final HistoryRecording recording;
    private final Consumer<String> status;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final LongAdder warmupOperations = new LongAdder();
    private volatile boolean stop;

    /**
     * Runs one transaction and waits for its outcome: what a worker does with each operation.
     * Thread-safe: the workers of one client share it.
     */
    @FunctionalInterface
    interface Executor
    {
        /**
         * @param transaction the operation's transaction.
         * @return its outcome, within about the client's request timeout.
         */
        TxnOutcome execute(Transaction transaction);
    }

    /**
     * What a run measured.
     *
     * @param stats            per type, measured part only.
     * @param warmupOperations operations completed during the warm-up (not measured).
     * @param workers          worker threads.
     * @param historyEvents    events written to the history (0 without one).
     */
    record Outcome(OperationStats.Summary stats, long warmupOperations, int workers, long historyEvents)
    {
    }

    /**
     * @param workload         the workload.
     * @param settings         its settings (validated).
     * @param clients          the connected clients' executors, one per client; the clients are not closed here.
     * @param threadsPerClient workers per client, at least 1.
     * @param warmup           time before measuring, not negative.
     * @param duration         measured time, positive.
     * @param seed             seed of the run; worker {@code w} gets a seed derived from it.
     * @param stopGrace        how long past the end to wait for workers before interrupting them.
     * @param history          the history, or null.
     * @param status           receives a short status line every {@link #STATUS_INTERVAL} (from the sampler thread).
     */
    BenchRun(final BenchWorkload workload, final WorkloadSettings settings, final List<Executor> clients,
        final int threadsPerClient, final Duration warmup, final Duration duration, final long seed,
        final Duration stopGrace, final HistoryWriter history, final Consumer<String> status)
    {
        this.workload = workload;
        this.settings = settings;
        this.clients = List.copyOf(clients);
        this.threadsPerClient = threadsPerClient;
        this.warmup = warmup;
        this.duration = duration;
        this.seed = seed;
        this.stopGrace = stopGrace;
        this.history = history;
        this.recording = history != null && workload instanceof HistoryRecording r ? r : null;
        this.status = status;
    }

    /**
     * @param seed   the run's seed.
     * @param worker a worker index.
     * @return the worker's seed (SplitMix64 of the pair).
     */
    static long workerSeed(final long seed, final int worker)
    {
        long z = seed + 0x9E3779B97F4A7C15L * (worker + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Runs the workers and waits for them.
     *
     * @return the measurements.
     * @throws BenchFailureException if a worker failed (the cause is its error) or did not stop.
     * @throws InterruptedException  if interrupted; every worker is stopped first.
     */
    Outcome run() throws InterruptedException
    {
        final int workers = clients.size() * threadsPerClient;
        final List<OperationGenerator> generators = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++)
        {
            generators.add(workload.newGenerator(settings, w, workerSeed(seed, w)));
        }
        final long startNs = System.nanoTime();
        final long measureStartNs = startNs + warmup.toNanos();
        final long endNs = measureStartNs + duration.toNanos();
        final OperationStats stats = new OperationStats(measureStartNs);
        final List<Thread> threads = new ArrayList<>(workers);
        final ScheduledExecutorService sampler = new ScheduledThreadPoolExecutor(1, r ->
        {
            final Thread t = new Thread(r, "ramcast-bench-sampler");
            t.setDaemon(true);
            return t;
        });
        final long endedNs;
        try
        {
            sampler.scheduleAtFixedRate(() -> sample(stats, measureStartNs), Math.max(0, measureStartNs +
                1_000_000_000L - System.nanoTime()), 1_000_000_000L, TimeUnit.NANOSECONDS);
            for (int w = 0; w < workers; w++)
            {
                final int worker = w;
                final Executor client = clients.get(w / threadsPerClient);
                final OperationGenerator generator = generators.get(w);
                final Thread t = new Thread(() -> work(worker, client, generator, stats, measureStartNs, endNs),
                    "ramcast-bench-worker-" + w);
                threads.add(t);
                t.start();
            }
            joinWorkers(threads, endNs);
            endedNs = System.nanoTime();
        }
        finally
        {
            stop = true;
            threads.forEach(Thread::interrupt);
            for (final Thread t : threads)
            {
                t.join();
            }
            sampler.shutdownNow();
            if (!sampler.awaitTermination(stopGrace.toMillis(), TimeUnit.MILLISECONDS))
            {
                failure.compareAndSet(null, new IllegalStateException("the sampler thread did not stop"));
            }
        }
        final Throwable error = failure.get();
        if (error != null)
        {
            throw new BenchFailureException("a bench worker failed: " + error, error);
        }
        return new Outcome(stats.summary(Math.max(endedNs, measureStartNs)), warmupOperations.sum(), workers,
            history == null ? 0 : history.eventCount());
    }

    private void joinWorkers(final List<Thread> threads, final long endNs) throws InterruptedException
    {
        final long deadlineNs = endNs + stopGrace.toNanos();
        for (final Thread t : threads)
        {
            final long leftMs = Math.max(1, (deadlineNs - System.nanoTime()) / 1_000_000);
            t.join(leftMs);
            if (t.isAlive())
            {
                failure.compareAndSet(null, new IllegalStateException(t.getName() + " did not stop within " +
                    stopGrace.toSeconds() + " s after the end of the run"));
                return;
            }
        }
    }

    private void sample(final OperationStats stats, final long measureStartNs)
    {
        try
        {
            final long nowNs = System.nanoTime();
            stats.sample(nowNs);
            final List<OperationStats.SecondSample> series = stats.series();
            final long second = Math.round((nowNs - measureStartNs) / 1e9);
            if (second % STATUS_INTERVAL.toSeconds() == 0 && !series.isEmpty())
            {
                final OperationStats.IntervalStats last = series.get(series.size() - 1).all();
                status.accept(String.format(Locale.ROOT,
                    "bench: %d s measured, %.0f ops/s, p50 %.0f us, p99 %.0f us (last second)", second,
                    last.throughputPerSecond(), last.p50Micros(), last.p99Micros()));
            }
        }
        catch (final RuntimeException | Error ex)
        {
            failure.compareAndSet(null, ex);
            stop = true;
            throw ex;
        }
    }

    private void work(final int worker, final Executor client, final OperationGenerator generator,
        final OperationStats stats, final long measureStartNs, final long endNs)
    {
        try
        {
            while (!stop && System.nanoTime() - endNs < 0 && !Thread.currentThread().isInterrupted())
            {
                final OperationGenerator.PlannedOperation op = generator.next();
                final long invokedNs = System.nanoTime();
                final boolean recorded = recordInvocation(worker, op, invokedNs);
                final TxnOutcome outcome = client.execute(op.transaction());
                final long completedNs = System.nanoTime();
                if (recorded)
                {
                    HistoryWriter.record(history, recording.completion(worker, op, outcome, completedNs));
                }
                if (invokedNs - measureStartNs >= 0)
                {
                    stats.record(op.type(), outcome, completedNs - invokedNs);
                }
                else
                {
                    warmupOperations.increment();
                }
            }
        }
        catch (final RuntimeException | Error ex)
        {
            failure.compareAndSet(null, ex);
            stop = true;
        }
    }

    private boolean recordInvocation(final int worker, final OperationGenerator.PlannedOperation op, final long nowNs)
    {
        if (recording == null)
        {
            return false;
        }
        final HistoryEvent invocation = recording.invocation(worker, op, nowNs);
        if (invocation == null)
        {
            return false;
        }
        HistoryWriter.record(history, invocation);
        return true;
    }
}
