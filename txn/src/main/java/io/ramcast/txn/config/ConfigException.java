package io.ramcast.txn.config;

import java.util.List;

/**
 * A cluster config file that cannot be used: unreadable, not YAML, not the expected shape, or
 * breaking a rule. Thrown before anything opens a socket, a file or a store.
 *
 * <p>Each problem is one line {@code <file>: <field path>: <value>; <rule>}, e.g.
 * {@code config/bad.yaml: partitions[1].replicas: 2 replicas; a partition needs an odd number (2f+1)};
 * syntax and shape problems name the line and column instead of, or besides, the path. The
 * message is the problems joined by newlines, in a deterministic order (the order of the schema).
 *
 * <p>Checked: a bad file is an expected condition that every entry point must turn into a clear
 * report and an exit status, not a stack trace.
 */
public final class ConfigException extends Exception
{
    private final List<String> problems;

    /**
     * @param problems one line per problem, each naming the file; at least one.
     * @throws IllegalArgumentException if problems is empty.
     */
    public ConfigException(final List<String> problems)
    {
        super(String.join("\n", requireSome(problems)));
        this.problems = List.copyOf(problems);
    }

    /**
     * @param problem one line naming the file and the problem.
     * @param cause   the underlying error, or null.
     */
    public ConfigException(final String problem, final Throwable cause)
    {
        super(problem, cause);
        this.problems = List.of(problem);
    }

    /** @return every problem found, one line each, in report order. */
    public List<String> problems()
    {
        return problems;
    }

    private static List<String> requireSome(final List<String> problems)
    {
        if (problems.isEmpty())
        {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        return problems;
    }
}
