package io.ramcast.client;

/**
 * The replicas do not serve this client's id: it is beyond the client ids the cluster serves. A
 * config's {@code clients.count} may name more ids than the cluster serves while the client bound
 * is being raised (every replica restarted with the larger count, one at a time, then
 * {@code bin/ramcast clients --serve}); the replicas let the new ids in once the cluster agreed, in
 * its order, to serve them. Thrown by {@link KvClient#connect} with an explicit id that stays
 * refused for the connect timeout; a client that leases its id skips such ids. Nothing was sent; the
 * client is closed.
 */
public final class ClientIdNotServedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int clientId;

    /**
     * @param clientId the refused id.
     * @param message  what the replicas said.
     */
    public ClientIdNotServedException(final int clientId, final String message)
    {
        super(message);
        this.clientId = clientId;
    }

    /** @return the refused id. */
    public int clientId()
    {
        return clientId;
    }
}
