package io.ramcast.bench.faults;

/**
 * Links could not be cut, healed or cleaned up: not root, no working iptables, a command that
 * failed or did not finish. The message names the command and what it printed.
 */
public final class LinkCutterException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with the command and its output.
     */
    public LinkCutterException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed.
     * @param cause   the underlying error.
     */
    public LinkCutterException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
