package io.ramcast.bench.load;

import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.ReasonCode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the measured part of a {@code bench} run did, per operation type: a latency histogram
 * (microseconds, HdrHistogram, {@value #SIGNIFICANT_DIGITS} significant digits, values clamped to
 * {@link #HIGHEST_MICROS}), outcome counts (committed, not committed by {@link ReasonCode},
 * unknown), and a time series of one point per second of throughput and p50/p99 latency, overall
 * and per type.
 *
 * <p>Threading: {@link #record} is called by any number of worker threads concurrently and is
 * wait-free apart from the first operation of a new type (HdrHistogram {@link Recorder}s and
 * {@link LongAdder}s). {@link #sample} and {@link #summary} are called by one thread at a time
 * (the sampler, then, after it stopped, the thread that ends the run): they swap the recorders'
 * interval histograms and accumulate them.
 *
 * <p>Memory: one cumulative histogram per type plus one point per second and type; the caller
 * bounds the run's duration.
 */
final class OperationStats
{
    /** Largest latency recorded; longer ones are recorded as this (one hour, in microseconds). */
    static final long HIGHEST_MICROS = 3_600_000_000L;
    /** HdrHistogram precision. */
    static final int SIGNIFICANT_DIGITS = 3;
    /** Label of the all-types row and series. */
    static final String ALL = "all";

    private final ConcurrentHashMap<String, TypeRecorder> types = new ConcurrentHashMap<>();
    private final TypeRecorder all = new TypeRecorder();
    private final List<SecondSample> series = new ArrayList<>();
    private final long startNs;
    private long lastSampleNs;

    /**
     * @param startNs when measuring starts (the driver's monotonic clock).
     */
    OperationStats(final long startNs)
    {
        this.startNs = startNs;
        this.lastSampleNs = startNs;
    }

    /**
     * Records one completed operation. Thread-safe.
     *
     * @param type      its type label.
     * @param outcome   its outcome.
     * @param latencyNs time from submission to outcome, nanoseconds.
     */
    void record(final String type, final TxnOutcome outcome, final long latencyNs)
    {
        final long micros = Math.max(0, Math.min(HIGHEST_MICROS, latencyNs / 1000));
        types.computeIfAbsent(type, t -> new TypeRecorder()).record(outcome, micros);
        all.record(outcome, micros);
    }

    /**
     * Ends the current interval: adds one point to the series and its histograms to the totals.
     * One thread at a time.
     *
     * @param nowNs the end of the interval.
     */
    void sample(final long nowNs)
    {
        final double lengthSeconds = (nowNs - lastSampleNs) / 1e9;
        final Map<String, IntervalStats> perType = new TreeMap<>();
        for (final Map.Entry<String, TypeRecorder> e : types.entrySet())
        {
            perType.put(e.getKey(), e.getValue().interval(lengthSeconds));
        }
        series.add(new SecondSample((lastSampleNs - startNs) / 1e9, lengthSeconds, all.interval(lengthSeconds),
            Collections.unmodifiableMap(perType)));
        lastSampleNs = nowNs;
    }

    /** @return the points so far (one thread at a time, as {@link #sample}). */
    List<SecondSample> series()
    {
        return Collections.unmodifiableList(series);
    }

    /**
     * Takes the last (partial) interval and summarises the run. Call once, after every worker
     * stopped and the sampler stopped.
     *
     * @param endNs when measuring ended.
     * @return the summary.
     */
    Summary summary(final long endNs)
    {
        if (endNs > lastSampleNs || series.isEmpty())
        {
            sample(Math.max(endNs, lastSampleNs));
        }
        final double intervalSeconds = (endNs - startNs) / 1e9;
        final Map<String, TypeSummary> perType = new TreeMap<>();
        for (final Map.Entry<String, TypeRecorder> e : types.entrySet())
        {
            perType.put(e.getKey(), e.getValue().summary(intervalSeconds));
        }
        return new Summary(intervalSeconds, all.summary(intervalSeconds), Collections.unmodifiableMap(perType),
            List.copyOf(series));
    }

    /**
     * Latency and throughput of one type (or all) in one interval.
     *
     * @param operations          operations completed in the interval.
     * @param throughputPerSecond operations per second.
     * @param p50Micros           median latency, µs (0 without operations).
     * @param p99Micros           99th percentile latency, µs (0 without operations).
     */
    record IntervalStats(long operations, double throughputPerSecond, double p50Micros, double p99Micros)
    {
    }

    /**
     * One point of the time series.
     *
     * @param startSeconds  start of the interval, seconds after measuring started.
     * @param lengthSeconds its length (1 s except for the last, partial one).
     * @param all           every type together.
     * @param types         per type (types seen so far; a type without operations has zeros).
     */
    record SecondSample(double startSeconds, double lengthSeconds, IntervalStats all, Map<String, IntervalStats> types)
    {
    }

    /**
     * The measured totals of one type (or all).
     *
     * @param latencyMicros       every measured latency, µs.
     * @param throughputPerSecond operations per second over the measured interval.
     * @param committed           operations that committed.
     * @param notCommitted        operations that definitely did not commit, by reason (every reason present).
     * @param unknown             operations whose outcome stayed unknown.
     */
    record TypeSummary(Histogram latencyMicros, double throughputPerSecond, long committed,
        Map<ReasonCode, Long> notCommitted, long unknown)
    {
        /** @return operations measured. */
        long operations()
        {
            return latencyMicros.getTotalCount();
        }

        /** @return operations that definitely did not commit. */
        long notCommittedTotal()
        {
            return notCommitted.values().stream().mapToLong(Long::longValue).sum();
        }

        /**
         * @param percentile in [0, 100].
         * @return the latency at that percentile, µs; 0 without operations.
         */
        double micros(final double percentile)
        {
            return operations() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile);
        }

        /** @return the largest latency, µs. */
        double maxMicros()
        {
            return latencyMicros.getMaxValue();
        }

        /** @return the mean latency, µs; 0 without operations. */
        double meanMicros()
        {
            return operations() == 0 ? 0 : latencyMicros.getMean();
        }
    }

    /**
     * A run's measurements.
     *
     * @param intervalSeconds length of the measured interval.
     * @param all             every type together.
     * @param types           per type label, sorted.
     * @param series          one point per second.
     */
    record Summary(double intervalSeconds, TypeSummary all, Map<String, TypeSummary> types, List<SecondSample> series)
    {
    }

    /** The recorders of one type. */
    private static final class TypeRecorder
    {
        private final Recorder recorder = new Recorder(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
        private final LongAdder committed = new LongAdder();
        private final LongAdder unknown = new LongAdder();
        private final EnumMap<ReasonCode, LongAdder> notCommitted = new EnumMap<>(ReasonCode.class);
        /** Sampler-owned. */
        private final Histogram total = new Histogram(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
        /** Sampler-owned. */
        private Histogram recycled;

        TypeRecorder()
        {
            for (final ReasonCode reason : ReasonCode.values())
            {
                notCommitted.put(reason, new LongAdder());
            }
        }

        void record(final TxnOutcome outcome, final long micros)
        {
            recorder.recordValue(micros);
            if (outcome instanceof TxnOutcome.Committed)
            {
                committed.increment();
            }
            else if (outcome instanceof TxnOutcome.NotCommitted no)
            {
                notCommitted.get(no.reason()).increment();
            }
            else
            {
                unknown.increment();
            }
        }

        IntervalStats interval(final double lengthSeconds)
        {
            final Histogram h = recorder.getIntervalHistogram(recycled);
            total.add(h);
            recycled = h;
            final long n = h.getTotalCount();
            return new IntervalStats(n, lengthSeconds <= 0 ? 0 : n / lengthSeconds,
                n == 0 ? 0 : h.getValueAtPercentile(50), n == 0 ? 0 : h.getValueAtPercentile(99));
        }

        TypeSummary summary(final double intervalSeconds)
        {
            final Map<ReasonCode, Long> reasons = new EnumMap<>(ReasonCode.class);
            notCommitted.forEach((reason, count) -> reasons.put(reason, count.sum()));
            final Histogram copy = total.copy();
            return new TypeSummary(copy, intervalSeconds <= 0 ? 0 : copy.getTotalCount() / intervalSeconds,
                committed.sum(), Collections.unmodifiableMap(reasons), unknown.sum());
        }
    }
}
