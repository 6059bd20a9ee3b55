package io.ramcast.client;

/**
 * A transaction exceeds a limit of the cluster (key, value or scan size, number of keys, encoded
 * size, or what one multicast slot holds). Thrown by the client before anything is sent, so the
 * transaction certainly did not execute; the message names the limit and the offending size.
 *
 * <p>An {@link IllegalArgumentException}: the request was malformed for this cluster, and retrying
 * it cannot succeed.
 */
public final class LimitExceededException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what exceeds which limit.
     */
    public LimitExceededException(final String message)
    {
        super(message);
    }
}
