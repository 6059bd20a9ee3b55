package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.multicast.RamcastClient;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The closed-loop load of {@code multicast-bench}: one application thread per client keeps
 * {@code window} multicasts outstanding, issuing the next one as soon as one completes.
 *
 * <p>Phases, all measured with {@link System#nanoTime()}: a warm-up (nothing recorded), then the
 * measured interval (a duration, or until every client issued its share of the message count),
 * then a drain in which nothing new is issued and the controlling thread waits for every
 * outstanding multicast to complete.
 *
 * <p>Measurement: a multicast's latency runs from the {@link RamcastClient#multicast} call to the
 * completion of its future (a majority of every destination group delivered it), in
 * nanoseconds, recorded in a per-client {@link Histogram} (3 significant digits) for multicasts
 * issued in the measured interval. Throughput counts the completions inside the measured interval
 * (duration mode), or all measured multicasts over the time from the start of the interval to the
 * last of their completions (count mode).
 *
 * <p>Threading: {@link #start()}, {@link #awaitIssuersDone}, {@link #awaitDrained} and
 * {@link #result()} are called by one controlling thread. Completions run on the clients' agent
 * thread; each client's histogram and counters are written only there, and read by the controlling
 * thread after {@link #awaitDrained} (the window semaphore orders the two).
 */
final class ClosedLoopLoad
{
    /** How often waiting threads look at health and progress. */
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int HISTOGRAM_SIGNIFICANT_DIGITS = 3;

    private final BenchSettings settings;
    private final List<ClientLoad> loads = new ArrayList<>();
    private final CountDownLatch issuersDone;
    private volatile boolean stopRequested;
    private long measureStartNs;
    private long measureEndNs;

    /**
     * @param settings the run's parameters.
     * @param clients  the started clients, in topology order.
     */
    ClosedLoopLoad(final BenchSettings settings, final List<RamcastClient> clients)
    {
        this.settings = settings;
        final SplittableRandom seeds = new SplittableRandom(settings.seed());
        final int clientCount = clients.size();
        for (int i = 0; i < clientCount; i++)
        {
            final long quota = settings.countBounded() ?
                settings.messages() / clientCount + (i < settings.messages() % clientCount ? 1 : 0) : 0;
            loads.add(new ClientLoad(clients.get(i), seeds.nextLong(), quota));
        }
        issuersDone = new CountDownLatch(clientCount);
    }

    /** Starts one issuing thread per client; the warm-up begins now. */
    void start()
    {
        measureStartNs = System.nanoTime() + settings.warmup().toNanos();
        measureEndNs = settings.countBounded() ? Long.MAX_VALUE : measureStartNs + settings.duration().toNanos();
        for (final ClientLoad load : loads)
        {
            final Thread thread = new Thread(load, "bench-client-" + load.client.processId());
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Asks the issuing threads to stop issuing; they exit within one poll interval. */
    void stop()
    {
        stopRequested = true;
    }

    /**
     * Waits until every issuing thread has stopped issuing (end of the measured interval).
     *
     * @param health throws {@link BenchFailureException} if a process of the cluster failed.
     * @throws BenchFailureException on a process failure, a client error or a stall.
     * @throws InterruptedException  if interrupted.
     */
    void awaitIssuersDone(final Runnable health) throws InterruptedException
    {
        final StallWatch watch = new StallWatch();
        while (!issuersDone.await(POLL_NS, TimeUnit.NANOSECONDS))
        {
            checkFailures(health);
            watch.check("while issuing");
        }
        checkFailures(health);
    }

    /**
     * Waits until every outstanding multicast has completed.
     *
     * @param health throws {@link BenchFailureException} if a process of the cluster failed.
     * @throws BenchFailureException on a process failure, a client error or a stall.
     * @throws InterruptedException  if interrupted.
     */
    void awaitDrained(final Runnable health) throws InterruptedException
    {
        final StallWatch watch = new StallWatch();
        for (final ClientLoad load : loads)
        {
            final int window = settings.options().clientWindow();
            while (!load.permits.tryAcquire(window, POLL_NS, TimeUnit.NANOSECONDS))
            {
                checkFailures(health);
                watch.check("while draining");
            }
            load.permits.release(window);
        }
        checkFailures(health);
    }

    private void checkFailures(final Runnable health)
    {
        health.run();
        for (final ClientLoad load : loads)
        {
            final Throwable failure = load.failure.get();
            if (failure != null)
            {
                throw new BenchFailureException(
                    "client " + load.client.processId() + " failed: " + failure, failure);
            }
        }
    }

    /** @return multicasts issued and not yet completed, over all clients. */
    long inFlight()
    {
        long n = 0;
        for (final ClientLoad load : loads)
        {
            n += load.issued.get() - load.completed.get();
        }
        return n;
    }

    /** @return multicasts in flight per client, for a stall report. */
    String inFlightByClient()
    {
        final StringBuilder sb = new StringBuilder();
        for (final ClientLoad load : loads)
        {
            sb.append(sb.length() == 0 ? "" : ", ").append("client ").append(load.client.processId()).append(": ")
                .append(load.issued.get() - load.completed.get()).append(" of ").append(load.issued.get());
        }
        return sb.toString();
    }

    private long completedTotal()
    {
        long n = 0;
        for (final ClientLoad load : loads)
        {
            n += load.completed.get();
        }
        return n;
    }

    /**
     * @return the measurements; call after {@link #awaitDrained}.
     */
    LoadResult result()
    {
        final Histogram merged = new Histogram(HISTOGRAM_SIGNIFICANT_DIGITS);
        long measured = 0;
        long issued = 0;
        long expectedDeliveries = 0;
        long lastCompletionNs = measureStartNs;
        final long[] perClient = new long[loads.size()];
        for (int i = 0; i < loads.size(); i++)
        {
            final ClientLoad load = loads.get(i);
            merged.add(load.histogram);
            measured += load.measuredCompletions;
            perClient[i] = load.measuredCompletions;
            issued += load.issued.get();
            expectedDeliveries += load.expectedDeliveries;
            lastCompletionNs = Math.max(lastCompletionNs, load.lastMeasuredCompletionNs);
        }
        final long intervalNs = settings.countBounded() ? lastCompletionNs - measureStartNs : measureEndNs - measureStartNs;
        return new LoadResult(measured, intervalNs, merged, perClient, issued, expectedDeliveries);
    }

    /**
     * What the load measured.
     *
     * @param measuredMessages   multicasts counted for throughput.
     * @param intervalNs         the measured interval in nanoseconds.
     * @param latencyNs          merged latency histogram, nanoseconds.
     * @param measuredPerClient  measured multicasts per client, in client order.
     * @param issuedTotal        multicasts issued in all phases.
     * @param expectedDeliveries deliveries the issued multicasts call for (destination members).
     */
    record LoadResult(
        long measuredMessages,
        long intervalNs,
        Histogram latencyNs,
        long[] measuredPerClient,
        long issuedTotal,
        long expectedDeliveries)
    {
        /** @return measured multicasts per second, 0 for an empty interval. */
        double throughputPerSecond()
        {
            return intervalNs <= 0 ? 0 : measuredMessages * 1e9 / intervalNs;
        }
    }

    /** Declares a stall when nothing completes for the stall timeout while multicasts are in flight. */
    private final class StallWatch
    {
        private long lastCompleted = completedTotal();
        private long lastProgressNs = System.nanoTime();

        void check(final String phase)
        {
            final long now = System.nanoTime();
            final long completed = completedTotal();
            if (completed != lastCompleted || inFlight() == 0)
            {
                lastCompleted = completed;
                lastProgressNs = now;
            }
            else if (now - lastProgressNs > settings.stallTimeout().toNanos())
            {
                throw new StallException("no multicast completed for " +
                    DurationConverter.format(settings.stallTimeout()) + " " + phase + "; in flight: " +
                    inFlightByClient());
            }
        }
    }

    /** The protocol made no progress for the stall timeout. */
    static final class StallException extends BenchFailureException
    {
        StallException(final String message)
        {
            super(message);
        }
    }

    /** One client's issuing thread and the measurements of its multicasts. */
    private final class ClientLoad implements Runnable
    {
        private final RamcastClient client;
        private final DestinationChooser chooser;
        private final byte[] payload;
        private final long quota;
        /** Outstanding multicasts allowed; one permit per multicast in flight. */
        private final Semaphore permits;
        private final AtomicLong issued = new AtomicLong();
        /** Written last by each completion, so a reader that sees the count sees the rest. */
        private final AtomicLong completed = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** Agent thread only until drained. */
        private final Histogram histogram = new Histogram(HISTOGRAM_SIGNIFICANT_DIGITS);
        private long measuredCompletions;
        private long lastMeasuredCompletionNs;
        /** Issuing thread only. */
        private long expectedDeliveries;

        ClientLoad(final RamcastClient client, final long seed, final long quota)
        {
            this.client = client;
            final SplittableRandom random = new SplittableRandom(seed);
            this.chooser = new DestinationChooser(
                random.nextLong(), settings.topology().groupCount(), settings.maxDestinations(),
                settings.randomDestinations());
            // Never modified after this, so every in-flight multicast may share it.
            this.payload = new byte[settings.payloadBytes()];
            for (int i = 0; i < payload.length; i++)
            {
                payload[i] = (byte)random.nextInt(256);
            }
            this.quota = quota;
            this.permits = new Semaphore(settings.options().clientWindow());
        }

        @Override
        public void run()
        {
            try
            {
                issue();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, ex);
            }
            catch (final RuntimeException | Error ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                issuersDone.countDown();
            }
        }

        private void issue() throws InterruptedException
        {
            long measuredIssued = 0;
            while (!stopRequested)
            {
                if (!permits.tryAcquire(POLL_NS, TimeUnit.NANOSECONDS))
                {
                    continue;
                }
                final long nowNs = System.nanoTime();
                final boolean measured = nowNs >= measureStartNs;
                if (stopRequested || nowNs >= measureEndNs || (settings.countBounded() && measured && measuredIssued >= quota))
                {
                    permits.release();
                    return;
                }
                final int[] destinations = chooser.next();
                issued.incrementAndGet();
                final long startNs = System.nanoTime();
                try
                {
                    client.multicast(payload, destinations).whenComplete((id, ex) -> onComplete(startNs, measured, ex));
                }
                catch (final RuntimeException ex)
                {
                    issued.decrementAndGet();
                    permits.release();
                    throw ex;
                }
                for (final int group : destinations)
                {
                    expectedDeliveries += settings.topology().groupSize(group);
                }
                if (measured)
                {
                    measuredIssued++;
                }
            }
        }

        /** On the client's agent thread: must not block. */
        private void onComplete(final long startNs, final boolean measured, final Throwable ex)
        {
            final long nowNs = System.nanoTime();
            if (ex != null)
            {
                failure.compareAndSet(null, ex);
            }
            else
            {
                if (measured)
                {
                    histogram.recordValue(nowNs - startNs);
                }
                final boolean counted = settings.countBounded() ? measured : nowNs >= measureStartNs && nowNs < measureEndNs;
                if (counted)
                {
                    measuredCompletions++;
                    lastMeasuredCompletionNs = Math.max(lastMeasuredCompletionNs, nowNs);
                }
            }
            completed.incrementAndGet();
            permits.release();
        }
    }
}
