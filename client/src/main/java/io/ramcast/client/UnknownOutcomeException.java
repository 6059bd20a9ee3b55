package io.ramcast.client;

/**
 * The client does not know whether a transaction committed: it may or may not have (like MicroRaft's
 * {@code IndeterminateStateException}). Causes: no answer from every involved partition within the
 * request timeout, a lost connection, the client being closed, or the caller being interrupted.
 *
 * <p>To learn the outcome without risking a second execution, retry the same transaction with
 * {@link #requestId()}: {@link KvClient#executeAsync(long, io.ramcast.txn.Transaction)}. The client
 * accepts such a retry for a bounded time and number of unknown requests (see {@link KvClient}).
 */
public final class UnknownOutcomeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long requestId;

    /**
     * @param requestId the request id to retry with.
     * @param cause     why the outcome is unknown.
     */
    public UnknownOutcomeException(final long requestId, final String cause)
    {
        super("outcome of transaction " + requestId + " is unknown (it may or may not have committed): " + cause);
        this.requestId = requestId;
    }

    /** @return the request id to retry with. */
    public long requestId()
    {
        return requestId;
    }
}
