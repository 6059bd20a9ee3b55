package io.ramcast.check.history;

import io.ramcast.check.HistoryStats;

/**
 * What {@link BankChecker} saw of a bank history: the bank, the reads and transfers by outcome,
 * and whether a final state was checked. Immutable.
 *
 * @param initialTotal               the sum of all balances before the run.
 * @param accountCount               accounts of the bank.
 * @param okReadCount                reads that completed ok, each of which was checked.
 * @param unfinishedReadCount        reads that failed or whose outcome is unknown (not checked:
 *                                   they returned nothing).
 * @param violatingReadCount         ok reads with at least one anomaly.
 * @param okTransferCount            transfers that completed ok.
 * @param failedTransferCount        transfers that definitely did not happen.
 * @param indeterminateTransferCount transfers whose outcome is unknown (info, or never completed).
 * @param finalStateChecked          whether a final state was given and checked.
 * @param ignoredTruncatedLines      truncated last lines the reader ignored.
 */
public record BankHistoryStats(
    long initialTotal,
    int accountCount,
    int okReadCount,
    int unfinishedReadCount,
    int violatingReadCount,
    int okTransferCount,
    int failedTransferCount,
    int indeterminateTransferCount,
    boolean finalStateChecked,
    int ignoredTruncatedLines) implements HistoryStats<BankAnomalyType>
{
    static BankHistoryStats of(
        final long initialTotal,
        final int accountCount,
        final History history,
        final int violatingReadCount,
        final boolean finalStateChecked)
    {
        return new BankHistoryStats(
            initialTotal,
            accountCount,
            history.count(OpFunction.READ, EventType.OK),
            history.count(OpFunction.READ, EventType.FAIL) + history.count(OpFunction.READ, EventType.INFO),
            violatingReadCount,
            history.count(OpFunction.TRANSFER, EventType.OK),
            history.count(OpFunction.TRANSFER, EventType.FAIL),
            history.count(OpFunction.TRANSFER, EventType.INFO),
            finalStateChecked,
            history.ignoredTruncatedLines());
    }

    /** @return {@code "bank check"}. */
    @Override
    public String checkName()
    {
        return "bank check";
    }

    /** Appends the bank, the history and the final-state lines. */
    @Override
    public void describe(final StringBuilder report)
    {
        report.append("  bank: ").append(accountCount).append(" accounts, total ").append(initialTotal).append('\n');
        report.append("  history: ").append(okReadCount).append(" ok reads (").append(violatingReadCount)
            .append(" violating), ").append(unfinishedReadCount).append(" failed or indeterminate reads; transfers ")
            .append(okTransferCount).append(" ok, ").append(failedTransferCount).append(" failed, ")
            .append(indeterminateTransferCount).append(" indeterminate");
        if (ignoredTruncatedLines > 0)
        {
            report.append("; ").append(ignoredTruncatedLines).append(" truncated last line ignored");
        }
        report.append('\n');
        report.append("  final state: ").append(finalStateChecked ? "checked" : "not given").append('\n');
    }
}
