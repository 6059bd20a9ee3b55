package io.ramcast.check.history;

import io.ramcast.check.Anomaly;

import java.util.List;

/**
 * One anomaly found by {@link ListAppendChecker}. Immutable.
 *
 * @param type         the kind of anomaly.
 * @param transactions the transactions involved: for a cycle, in cycle order (each precedes the
 *                     next, the last precedes the first); otherwise the reader first, then the
 *                     writer(s) or the other reader involved.
 * @param cycle        for a cycle anomaly, its edges in order ({@code cycle.get(i).from()} is
 *                     {@code transactions.get(i)}); empty otherwise.
 * @param description  a readable account naming the transactions, keys and values.
 */
public record ListAppendAnomaly(
    ListAppendAnomalyType type, List<Operation> transactions, List<Dependency> cycle, String description)
    implements Anomaly<ListAppendAnomalyType>
{
    /**
     * Copies the lists.
     */
    public ListAppendAnomaly
    {
        transactions = List.copyOf(transactions);
        cycle = List.copyOf(cycle);
    }

    /** @return the edges of the cycle, one line each; empty for an anomaly that is not a cycle. */
    @Override
    public List<String> witness()
    {
        return cycle.stream().map(Dependency::toString).toList();
    }

    /** @return {@code [type] description}. */
    @Override
    public String toString()
    {
        return "[" + type.label() + "] " + description;
    }
}
