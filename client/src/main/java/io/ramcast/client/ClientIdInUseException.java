package io.ramcast.client;

/**
 * The replicas refused this client's id: another live process holds it (two processes with one
 * client id would take the connections from each other). Thrown by {@link KvClient#connect} with an
 * explicit id that stays refused for the connect timeout, and by a client that leases its id when
 * every id of the config's range is held. Nothing was sent; the client is closed.
 */
public final class ClientIdInUseException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int clientId;

    /**
     * @param clientId the refused id, or -1 when no id of the range was free.
     * @param message  what the replicas said, and what to do.
     */
    public ClientIdInUseException(final int clientId, final String message)
    {
        super(message);
        this.clientId = clientId;
    }

    /** @return the refused id, or -1 when no id of the range was free. */
    public int clientId()
    {
        return clientId;
    }
}
