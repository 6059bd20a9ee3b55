package io.ramcast.check;

import java.util.List;

/**
 * One violation a checker found, as {@link CheckResult} keeps and prints it. Each checker has its
 * own immutable record with the details a caller needs (messages and processes, an operation, a
 * cycle of transactions); this is what they share. {@code toString()} is the line a report prints.
 *
 * @param <T> the checker's anomaly-type enum.
 */
public interface Anomaly<T extends Enum<T> & AnomalyKind>
{
    /** @return the kind of violation. */
    T type();

    /** @return a readable account naming what is involved, one line. */
    String description();

    /**
     * @return further lines a report prints under the anomaly, for example the edges of a cycle;
     *         empty by default.
     */
    default List<String> witness()
    {
        return List.of();
    }
}
