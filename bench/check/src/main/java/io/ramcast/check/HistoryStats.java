package io.ramcast.check;

import java.util.Set;

/**
 * What a checker saw of the history it judged (its size, what it could and could not check), as
 * one record per checker: {@link io.ramcast.check.multicast.MulticastHistoryStats},
 * {@link io.ramcast.check.history.BankHistoryStats}, {@link io.ramcast.check.history.ListAppendHistoryStats}.
 * {@link CheckResult} carries it and asks it for the head of its report.
 *
 * @param <T> the checker's anomaly-type enum.
 */
public interface HistoryStats<T extends Enum<T> & AnomalyKind>
{
    /** @return the name of the check that opens the report, for example {@code "bank check"}. */
    String checkName();

    /**
     * @param found the kinds of anomaly found, empty if none.
     * @return the verdict the report prints after the check's name; by default {@code VALID} or
     *         {@code INVALID}.
     */
    default String verdict(final Set<T> found)
    {
        return found.isEmpty() ? "VALID" : "INVALID";
    }

    /**
     * Appends the lines that describe the history, each indented by two spaces and ended by
     * {@code '\n'}.
     *
     * @param report the report being built.
     */
    void describe(StringBuilder report);
}
