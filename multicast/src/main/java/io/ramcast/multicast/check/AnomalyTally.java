package io.ramcast.multicast.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The anomalies a history checker found: exact counts per type and the anomalies it kept (checkers
 * keep only the first few of each type, to bound memory). Shared by the multicast, bank and
 * list-append checkers' results.
 *
 * <p>Immutable and thread-safe once built.
 *
 * @param <T> the anomaly type enum.
 * @param <A> the anomaly record.
 */
public final class AnomalyTally<T extends Enum<T>, A>
{
    private final EnumMap<T, Long> counts;
    private final List<A> anomalies;
    private final Function<A, T> typeOf;

    /**
     * @param type      the anomaly type enum class.
     * @param counts    how many anomalies of each type were found (kept or not).
     * @param anomalies the kept anomalies, in detection order.
     * @param typeOf    the type of an anomaly.
     */
    public AnomalyTally(final Class<T> type, final Map<T, Long> counts, final List<A> anomalies, final Function<A, T> typeOf)
    {
        this.counts = new EnumMap<>(type);
        this.counts.putAll(counts);
        this.counts.values().removeIf(c -> c == 0);
        final List<A> sorted = new ArrayList<>(anomalies);
        sorted.sort((a, b) -> typeOf.apply(a).compareTo(typeOf.apply(b)));
        this.anomalies = Collections.unmodifiableList(sorted);
        this.typeOf = typeOf;
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
        return anomalies.stream().filter(a -> typeOf.apply(a) == type).toList();
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
    public long total()
    {
        long total = 0;
        for (final long c : counts.values())
        {
            total += c;
        }
        return total;
    }

    /** @return the types of which at least one anomaly was found. */
    public Set<T> types()
    {
        return counts.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(counts.keySet()));
    }
}
