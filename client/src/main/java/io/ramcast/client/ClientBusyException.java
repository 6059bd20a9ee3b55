package io.ramcast.client;

/**
 * An async call found the client's queue of transactions waiting for room full (more than
 * {@link KvClient#DEFERRED_PER_WINDOW_SLOT} per slot of the window of transactions in flight):
 * nothing was sent. Back-pressure for callers that issue faster than the cluster answers; wait for
 * some outcomes, then issue again.
 */
public final class ClientBusyException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was refused and why.
     */
    public ClientBusyException(final String message)
    {
        super(message);
    }
}
