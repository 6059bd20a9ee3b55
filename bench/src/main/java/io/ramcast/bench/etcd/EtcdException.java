package io.ramcast.bench.etcd;

import io.ramcast.bench.cli.BenchFailureException;

/**
 * The etcd target cannot go on: the server answered in a way that is no outcome of the request
 * (not etcd's v3 JSON gateway, authentication required, an answer that does not fit the request),
 * or an endpoint cannot be reached when the run starts. The message says which endpoint and what it
 * answered. A request whose outcome is merely unknown (a timeout, a lost connection, no leader) is
 * not an exception but a {@link io.ramcast.client.TxnOutcome.Unknown}.
 */
public final class EtcdException extends BenchFailureException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was answered, and by whom.
     */
    public EtcdException(final String message)
    {
        super(message);
    }

    /**
     * @param message what was answered, and by whom.
     * @param cause   the underlying error.
     */
    public EtcdException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
