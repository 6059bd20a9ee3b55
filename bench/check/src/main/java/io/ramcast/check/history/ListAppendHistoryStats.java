package io.ramcast.check.history;

import io.ramcast.check.HistoryStats;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * What {@link ListAppendChecker} saw of a list-append history: transactions by outcome, keys, and
 * the size of the dependency graph it inferred. Immutable.
 *
 * @param okCount               transactions that completed ok.
 * @param failCount             transactions that definitely did not happen.
 * @param infoCount             transactions whose outcome is unknown (info, or never completed).
 * @param keyCount              distinct keys touched.
 * @param graphTransactionCount transactions in the dependency graph: the ok ones and the info ones
 *                              whose appends were read.
 * @param edgeCounts            per dependency kind, how many ordered transaction pairs have an edge
 *                              of that kind (real-time edges after transitive reduction); copied.
 * @param ignoredTruncatedLines truncated last lines the reader ignored.
 */
public record ListAppendHistoryStats(
    int okCount,
    int failCount,
    int infoCount,
    int keyCount,
    int graphTransactionCount,
    Map<DependencyKind, Integer> edgeCounts,
    int ignoredTruncatedLines) implements HistoryStats<ListAppendAnomalyType>
{
    /**
     * Copies the edge counts.
     */
    public ListAppendHistoryStats
    {
        final EnumMap<DependencyKind, Integer> copy = new EnumMap<>(DependencyKind.class);
        copy.putAll(edgeCounts);
        edgeCounts = Collections.unmodifiableMap(copy);
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

    /** @return {@code "list-append check"}. */
    @Override
    public String checkName()
    {
        return "list-append check";
    }

    /**
     * @return {@code VALID (strict serializable)}, {@code INVALID (serializable, but not strict
     *         serializable)} when every anomaly needs real-time order, else {@code INVALID (not serializable)}.
     */
    @Override
    public String verdict(final Set<ListAppendAnomalyType> found)
    {
        return found.isEmpty() ? "VALID (strict serializable)" :
            ListAppendAnomalyType.allRealtime(found) ? "INVALID (serializable, but not strict serializable)" :
                "INVALID (not serializable)";
    }

    /** Appends the history line (outcomes and keys) and the graph line (transactions, edges by kind). */
    @Override
    public void describe(final StringBuilder report)
    {
        report.append("  history: ").append(okCount).append(" ok, ").append(failCount).append(" failed, ")
            .append(infoCount).append(" indeterminate transactions over ").append(keyCount).append(" keys");
        if (ignoredTruncatedLines > 0)
        {
            report.append("; ").append(ignoredTruncatedLines).append(" truncated last line ignored");
        }
        report.append('\n');
        report.append("  graph: ").append(graphTransactionCount).append(" transactions;");
        for (final DependencyKind kind : DependencyKind.values())
        {
            report.append(' ').append(edgeCount(kind)).append(' ').append(kind.symbol());
        }
        report.append(" edges\n");
    }
}
