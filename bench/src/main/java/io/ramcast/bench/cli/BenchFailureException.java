package io.ramcast.bench.cli;

/**
 * A benchmark or tool run failed for a reason its message states completely (a process stopped, a
 * stall, a timeout, an I/O error), so the command line prints the message, not a stack trace, and
 * exits with {@link RamcastCli#EXIT_RUN_FAILED}.
 */
public class BenchFailureException extends RuntimeException
{
    /**
     * @param message what failed, where, and where to look (log paths).
     */
    public BenchFailureException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, where, and where to look (log paths).
     * @param cause   the underlying error.
     */
    public BenchFailureException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
