package io.ramcast.check.history;

/**
 * One edge of a witness cycle: {@code from} must precede {@code to} for the reason given. Immutable.
 *
 * @param from   the earlier transaction.
 * @param to     the later transaction.
 * @param kind   the kind of dependency.
 * @param reason what in the history implies it (keys, values, times).
 */
public record Dependency(Operation from, Operation to, DependencyKind kind, String reason)
{
    /** @return {@code T1 -ww-> T2 (reason)}. */
    @Override
    public String toString()
    {
        return from.name() + " -" + kind.symbol() + "-> " + to.name() + " (" + reason + ")";
    }
}
