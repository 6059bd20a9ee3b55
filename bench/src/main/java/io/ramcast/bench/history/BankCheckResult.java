package io.ramcast.bench.history;

import io.ramcast.multicast.check.AnomalyTally;
import java.util.EnumMap;
import java.util.List;

/**
 * The outcome of {@link BankChecker#check}: the violations found and the size of the history.
 *
 * <p>Counts per {@link BankAnomalyType} are exact; only the first {@link #MAX_RECORDED_PER_TYPE}
 * anomalies of each type are kept, and {@link #summary()} prints at most {@link #MAX_PRINTED}.
 *
 * <p>Immutable and thread-safe.
 */
public final class BankCheckResult
{
    /** How many anomalies of one type are kept; the rest are only counted. */
    public static final int MAX_RECORDED_PER_TYPE = 1000;
    /** How many anomalies {@link #summary()} prints. */
    public static final int MAX_PRINTED = 20;

    private final long initialTotal;
    private final int accountCount;
    private final int okReadCount;
    private final int unfinishedReadCount;
    private final int violatingReadCount;
    private final int okTransferCount;
    private final int failedTransferCount;
    private final int indeterminateTransferCount;
    private final boolean finalStateChecked;
    private final int ignoredTruncatedLines;
    private final AnomalyTally<BankAnomalyType, BankAnomaly> tally;

    BankCheckResult(
        final long initialTotal,
        final int accountCount,
        final History history,
        final int violatingReadCount,
        final boolean finalStateChecked,
        final EnumMap<BankAnomalyType, Long> counts,
        final List<BankAnomaly> anomalies)
    {
        this.initialTotal = initialTotal;
        this.accountCount = accountCount;
        okReadCount = history.count(OpFunction.READ, EventType.OK);
        unfinishedReadCount = history.count(OpFunction.READ, EventType.FAIL) +
            history.count(OpFunction.READ, EventType.INFO);
        this.violatingReadCount = violatingReadCount;
        okTransferCount = history.count(OpFunction.TRANSFER, EventType.OK);
        failedTransferCount = history.count(OpFunction.TRANSFER, EventType.FAIL);
        indeterminateTransferCount = history.count(OpFunction.TRANSFER, EventType.INFO);
        this.finalStateChecked = finalStateChecked;
        ignoredTruncatedLines = history.ignoredTruncatedLines();
        tally = new AnomalyTally<>(BankAnomalyType.class, counts, anomalies, BankAnomaly::type);
    }

    /** @return whether no violation was found. */
    public boolean isValid()
    {
        return totalAnomalies() == 0;
    }

    /** @return the kept anomalies, grouped by type in enum order, in history order within a type. */
    public List<BankAnomaly> anomalies()
    {
        return tally.anomalies();
    }

    /**
     * @param type an anomaly type.
     * @return the kept anomalies of that type.
     */
    public List<BankAnomaly> anomalies(final BankAnomalyType type)
    {
        return tally.anomalies(type);
    }

    /**
     * @param type an anomaly type.
     * @return how many anomalies of that type were found (kept or not).
     */
    public long count(final BankAnomalyType type)
    {
        return tally.count(type);
    }

    /** @return how many anomalies were found in all (kept or not). */
    public long totalAnomalies()
    {
        return tally.total();
    }

    /** @return reads that completed ok, each of which was checked. */
    public int okReadCount()
    {
        return okReadCount;
    }

    /** @return reads that failed or whose outcome is unknown (not checked: they returned nothing). */
    public int unfinishedReadCount()
    {
        return unfinishedReadCount;
    }

    /** @return ok reads with at least one anomaly. */
    public int violatingReadCount()
    {
        return violatingReadCount;
    }

    /** @return transfers that completed ok. */
    public int okTransferCount()
    {
        return okTransferCount;
    }

    /** @return transfers that definitely did not happen. */
    public int failedTransferCount()
    {
        return failedTransferCount;
    }

    /** @return transfers whose outcome is unknown (info, or never completed). */
    public int indeterminateTransferCount()
    {
        return indeterminateTransferCount;
    }

    /** @return whether a final state was given and checked. */
    public boolean isFinalStateChecked()
    {
        return finalStateChecked;
    }

    /**
     * A readable report: verdict, history size, count per anomaly type and the first
     * {@link #MAX_PRINTED} anomalies.
     *
     * @return the report, several lines.
     */
    public String summary()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("bank check: ").append(isValid() ? "VALID" : "INVALID").append('\n');
        sb.append("  bank: ").append(accountCount).append(" accounts, total ").append(initialTotal).append('\n');
        sb.append("  history: ").append(okReadCount).append(" ok reads (").append(violatingReadCount)
            .append(" violating), ").append(unfinishedReadCount).append(" failed or indeterminate reads; transfers ")
            .append(okTransferCount).append(" ok, ").append(failedTransferCount).append(" failed, ")
            .append(indeterminateTransferCount).append(" indeterminate");
        if (ignoredTruncatedLines > 0)
        {
            sb.append("; ").append(ignoredTruncatedLines).append(" truncated last line ignored");
        }
        sb.append('\n');
        sb.append("  final state: ").append(finalStateChecked ? "checked" : "not given").append('\n');
        if (isValid())
        {
            sb.append("  no anomalies\n");
            return sb.toString();
        }
        for (final BankAnomalyType type : BankAnomalyType.values())
        {
            final long c = count(type);
            if (c > 0)
            {
                sb.append("  ").append(type).append(": ").append(c).append('\n');
            }
        }
        final int printed = Math.min(MAX_PRINTED, tally.anomalies().size());
        sb.append("  showing ").append(printed).append(" of ").append(totalAnomalies()).append(" anomalies:\n");
        for (int i = 0; i < printed; i++)
        {
            sb.append("    ").append(tally.anomalies().get(i)).append('\n');
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
