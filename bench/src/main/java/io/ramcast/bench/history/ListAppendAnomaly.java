package io.ramcast.bench.history;

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
{
    /**
     * Copies the lists.
     */
    public ListAppendAnomaly
    {
        transactions = List.copyOf(transactions);
        cycle = List.copyOf(cycle);
    }

    /** @return {@code [type] description}. */
    @Override
    public String toString()
    {
        return "[" + type.label() + "] " + description;
    }
}
