package io.ramcast.check.history;

import io.ramcast.check.Anomaly;

/**
 * One violation found by {@link BankChecker}: an ok read, or the final state, that breaks a rule.
 * Immutable.
 *
 * @param type           the kind of violation.
 * @param operationIndex the read's {@link Operation#index()}, or {@link #FINAL_STATE} for the final state.
 * @param process        the client thread of the read, or {@link #FINAL_STATE} for the final state.
 * @param invokeTimeNs   when the read was invoked, nanoseconds (0 for the final state).
 * @param completeTimeNs when the read completed, nanoseconds (0 for the final state).
 * @param observedTotal  the sum of all balances seen.
 * @param description    a readable account naming the read and what is wrong.
 */
public record BankAnomaly(
    BankAnomalyType type,
    int operationIndex,
    int process,
    long invokeTimeNs,
    long completeTimeNs,
    long observedTotal,
    String description) implements Anomaly<BankAnomalyType>
{
    /** {@link #operationIndex()} and {@link #process()} of a violation of the final state. */
    public static final int FINAL_STATE = -1;

    /** @return whether the violation is in the final state rather than in a read of the history. */
    public boolean isFinalState()
    {
        return operationIndex == FINAL_STATE;
    }

    /** @return {@code [TYPE] description}. */
    @Override
    public String toString()
    {
        return "[" + type + "] " + description;
    }
}
