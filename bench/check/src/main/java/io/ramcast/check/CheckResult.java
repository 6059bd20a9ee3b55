package io.ramcast.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The outcome of any history checker: the anomalies found and what the checker saw of the history.
 * One type for the multicast, bank and list-append checkers; what differs between them is the
 * anomaly-type enum {@code T}, the anomaly record {@code A} and the history statistics {@code S}.
 *
 * <p>Counts per anomaly type are exact. To keep a badly broken history from exhausting memory,
 * only the first {@link #MAX_RECORDED_PER_TYPE} anomalies of each type are kept in
 * {@link #anomalies()}; {@link #summary()} prints at most {@link #MAX_PRINTED} of them. Checkers
 * build a result with a {@link Collector}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the checker's anomaly-type enum.
 * @param <A> the checker's anomaly record.
 * @param <S> what the checker saw of the history.
 */
public final class CheckResult<T extends Enum<T> & AnomalyKind, A extends Anomaly<T>, S extends HistoryStats<T>>
{
    /** How many anomalies of one type are kept; the rest are only counted. */
    public static final int MAX_RECORDED_PER_TYPE = 1000;
    /** How many anomalies {@link #summary()} prints. */
    public static final int MAX_PRINTED = 20;

    private final Class<T> typeClass;
    private final EnumMap<T, Long> counts;
    private final List<A> anomalies;
    private final S stats;

    private CheckResult(final Collector<T, A> collector, final S stats)
    {
        typeClass = collector.typeClass;
        counts = new EnumMap<>(collector.counts);
        final List<A> sorted = new ArrayList<>(collector.anomalies);
        sorted.sort((a, b) -> a.type().compareTo(b.type()));
        anomalies = Collections.unmodifiableList(sorted);
        this.stats = stats;
    }

    /** @return whether no anomaly was found. */
    public boolean isValid()
    {
        return counts.isEmpty();
    }

    /** @return what the checker saw of the history: its size and what could be checked. */
    public S stats()
    {
        return stats;
    }

    /** @return the kept anomalies, grouped by type in enum order, in detection order within a type. */
    public List<A> anomalies()
    {
        return anomalies;
    }

    /**
     * @param type an anomaly type.
     * @return the kept anomalies of that type.
     */
    public List<A> anomalies(final T type)
    {
        return anomalies.stream().filter(a -> a.type() == type).toList();
    }

    /**
     * @param type an anomaly type.
     * @return how many anomalies of that type were found (kept or not).
     */
    public long count(final T type)
    {
        return counts.getOrDefault(type, 0L);
    }

    /** @return how many anomalies were found in all (kept or not). */
    public long totalAnomalies()
    {
        long total = 0;
        for (final long c : counts.values())
        {
            total += c;
        }
        return total;
    }

    /** @return the types of which at least one anomaly was found. */
    public Set<T> anomalyTypes()
    {
        return counts.isEmpty() ? Collections.unmodifiableSet(EnumSet.noneOf(typeClass)) :
            Collections.unmodifiableSet(EnumSet.copyOf(counts.keySet()));
    }

    /**
     * A readable report: the check's name and verdict, the history as the checker saw it, the count
     * per anomaly type, and the first {@link #MAX_PRINTED} anomalies with their witnesses.
     *
     * @return the report, several lines.
     */
    public String summary()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(stats.checkName()).append(": ").append(stats.verdict(anomalyTypes())).append('\n');
        stats.describe(sb);
        if (isValid())
        {
            sb.append("  no anomalies\n");
            return sb.toString();
        }
        for (final T type : typeClass.getEnumConstants())
        {
            final long c = count(type);
            if (c > 0)
            {
                sb.append("  ").append(type.label()).append(": ").append(c).append(type.countNote()).append('\n');
            }
        }
        final int printed = Math.min(MAX_PRINTED, anomalies.size());
        sb.append("  showing ").append(printed).append(" of ").append(totalAnomalies()).append(" anomalies:\n");
        for (int i = 0; i < printed; i++)
        {
            final A anomaly = anomalies.get(i);
            sb.append("    ").append(anomaly).append('\n');
            for (final String line : anomaly.witness())
            {
                sb.append("        ").append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /** @return {@link #summary()}. */
    @Override
    public String toString()
    {
        return summary();
    }

    /**
     * Accumulates the anomalies of one check: counts every one, keeps the first
     * {@link #MAX_RECORDED_PER_TYPE} of each type. Not thread-safe; one per check.
     *
     * @param <T> the checker's anomaly-type enum.
     * @param <A> the checker's anomaly record.
     */
    public static final class Collector<T extends Enum<T> & AnomalyKind, A extends Anomaly<T>>
    {
        private final Class<T> typeClass;
        private final EnumMap<T, Long> counts;
        private final List<A> anomalies = new ArrayList<>();

        /**
         * @param typeClass the anomaly-type enum.
         */
        public Collector(final Class<T> typeClass)
        {
            this.typeClass = typeClass;
            counts = new EnumMap<>(typeClass);
        }

        /**
         * Counts one anomaly of a type, for a checker that builds the details only when they are
         * kept.
         *
         * @param type the type.
         * @return whether its details should be passed to {@link #keep}; false once the type's cap
         *         is reached.
         */
        public boolean count(final T type)
        {
            return counts.merge(type, 1L, Long::sum) <= MAX_RECORDED_PER_TYPE;
        }

        /**
         * Keeps the details of an anomaly already {@link #count counted}.
         *
         * @param anomaly the anomaly.
         */
        public void keep(final A anomaly)
        {
            anomalies.add(anomaly);
        }

        /**
         * Counts an anomaly and keeps it if its type's cap is not reached.
         *
         * @param anomaly the anomaly.
         */
        public void add(final A anomaly)
        {
            if (count(anomaly.type()))
            {
                keep(anomaly);
            }
        }

        /**
         * @param <S>   what the checker saw of the history.
         * @param stats the history statistics.
         * @return the result of the check (a snapshot: the collector may go on).
         */
        public <S extends HistoryStats<T>> CheckResult<T, A, S> result(final S stats)
        {
            return new CheckResult<>(this, stats);
        }
    }
}
