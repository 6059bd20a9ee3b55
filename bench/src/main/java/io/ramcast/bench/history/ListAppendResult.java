package io.ramcast.bench.history;

import io.ramcast.multicast.check.AnomalyTally;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;

/**
 * The outcome of {@link ListAppendChecker#check}: the anomalies found, with witnesses, and the
 * size of the history and of its dependency graph.
 *
 * <p>Counts per {@link ListAppendAnomalyType} are exact (for cycle types: one per strongly
 * connected component holding such a cycle); only the first {@link #MAX_RECORDED_PER_TYPE}
 * anomalies of each type are kept, and {@link #summary()} prints at most {@link #MAX_PRINTED}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ListAppendResult
{
    /** How many anomalies of one type are kept; the rest are only counted. */
    public static final int MAX_RECORDED_PER_TYPE = 1000;
    /** How many anomalies {@link #summary()} prints. */
    public static final int MAX_PRINTED = 20;

    private final int okCount;
    private final int failCount;
    private final int infoCount;
    private final int keyCount;
    private final int nodeCount;
    private final EnumMap<DependencyKind, Integer> edgeCounts;
    private final int ignoredTruncatedLines;
    private final AnomalyTally<ListAppendAnomalyType, ListAppendAnomaly> tally;

    ListAppendResult(
        final int okCount,
        final int failCount,
        final int infoCount,
        final int keyCount,
        final int nodeCount,
        final EnumMap<DependencyKind, Integer> edgeCounts,
        final int ignoredTruncatedLines,
        final EnumMap<ListAppendAnomalyType, Long> counts,
        final List<ListAppendAnomaly> anomalies)
    {
        this.okCount = okCount;
        this.failCount = failCount;
        this.infoCount = infoCount;
        this.keyCount = keyCount;
        this.nodeCount = nodeCount;
        this.edgeCounts = new EnumMap<>(edgeCounts);
        this.ignoredTruncatedLines = ignoredTruncatedLines;
        tally = new AnomalyTally<>(ListAppendAnomalyType.class, counts, anomalies, ListAppendAnomaly::type);
    }

    /** @return whether no anomaly was found: the history is consistent with strict serializability. */
    public boolean isValid()
    {
        return tally.total() == 0;
    }

    /**
     * @return whether every anomaly found needs real-time order: the history is consistent with
     *         serializability (but perhaps not with strict serializability).
     */
    public boolean isSerializable()
    {
        for (final ListAppendAnomalyType type : tally.types())
        {
            if (!type.isRealtime())
            {
                return false;
            }
        }
        return true;
    }

    /** @return the types of the anomalies found. */
    public Set<ListAppendAnomalyType> anomalyTypes()
    {
        return tally.types();
    }

    /** @return the kept anomalies, grouped by type in enum order, in detection order within a type. */
    public List<ListAppendAnomaly> anomalies()
    {
        return tally.anomalies();
    }

    /**
     * @param type an anomaly type.
     * @return the kept anomalies of that type.
     */
    public List<ListAppendAnomaly> anomalies(final ListAppendAnomalyType type)
    {
        return tally.anomalies(type);
    }

    /**
     * @param type an anomaly type.
     * @return how many anomalies of that type were found (kept or not).
     */
    public long count(final ListAppendAnomalyType type)
    {
        return tally.count(type);
    }

    /** @return how many anomalies were found in all (kept or not). */
    public long totalAnomalies()
    {
        return tally.total();
    }

    /** @return transactions that completed ok. */
    public int okCount()
    {
        return okCount;
    }

    /** @return transactions that definitely did not happen. */
    public int failCount()
    {
        return failCount;
    }

    /** @return transactions whose outcome is unknown (info, or never completed). */
    public int infoCount()
    {
        return infoCount;
    }

    /** @return distinct keys touched. */
    public int keyCount()
    {
        return keyCount;
    }

    /** @return transactions in the dependency graph: the ok ones and the info ones whose appends were read. */
    public int graphTransactionCount()
    {
        return nodeCount;
    }

    /**
     * @param kind a dependency kind.
     * @return how many ordered transaction pairs have an edge of that kind (real-time edges after
     *         transitive reduction).
     */
    public int edgeCount(final DependencyKind kind)
    {
        return edgeCounts.getOrDefault(kind, 0);
    }

    /**
     * A readable report: verdict, history and graph size, count per anomaly type, and the first
     * {@link #MAX_PRINTED} anomalies with their witnesses.
     *
     * @return the report, several lines.
     */
    public String summary()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("list-append check: ").append(isValid() ? "VALID (strict serializable)" :
            isSerializable() ? "INVALID (serializable, but not strict serializable)" : "INVALID (not serializable)")
            .append('\n');
        sb.append("  history: ").append(okCount).append(" ok, ").append(failCount).append(" failed, ")
            .append(infoCount).append(" indeterminate transactions over ").append(keyCount).append(" keys");
        if (ignoredTruncatedLines > 0)
        {
            sb.append("; ").append(ignoredTruncatedLines).append(" truncated last line ignored");
        }
        sb.append('\n');
        sb.append("  graph: ").append(nodeCount).append(" transactions;");
        for (final DependencyKind kind : DependencyKind.values())
        {
            sb.append(' ').append(edgeCount(kind)).append(' ').append(kind.symbol());
        }
        sb.append(" edges\n");
        if (isValid())
        {
            sb.append("  no anomalies\n");
            return sb.toString();
        }
        for (final ListAppendAnomalyType type : ListAppendAnomalyType.values())
        {
            final long c = count(type);
            if (c > 0)
            {
                sb.append("  ").append(type.label()).append(": ").append(c)
                    .append(type.isRealtime() ? " (strict serializability violation)" : "").append('\n');
            }
        }
        final int printed = Math.min(MAX_PRINTED, tally.anomalies().size());
        sb.append("  showing ").append(printed).append(" of ").append(totalAnomalies()).append(" anomalies:\n");
        for (int i = 0; i < printed; i++)
        {
            final ListAppendAnomaly anomaly = tally.anomalies().get(i);
            sb.append("    ").append(anomaly).append('\n');
            for (final Dependency edge : anomaly.cycle())
            {
                sb.append("        ").append(edge).append('\n');
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
}
