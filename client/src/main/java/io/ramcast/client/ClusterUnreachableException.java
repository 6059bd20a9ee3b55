package io.ramcast.client;

import java.util.Map;

/**
 * A client could not reach the cluster: at connect, a majority of some partition stayed unreachable
 * for the connect timeout, so the client closed itself without sending anything; or later, the
 * client had lost its session (a majority of some partition became unreachable, for example while
 * every replica restarted) and could not establish a new one within a request's timeout, so that
 * request was not sent (it did not execute; the client stays open and keeps reconnecting). The
 * message names each unreachable replica with its address when the cluster config gives one.
 */
public final class ClusterUnreachableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int[] unreachableIds;

    /**
     * @param clientId       the client's process id.
     * @param unreachableIds ids of the replicas still unreachable.
     * @param addresses      replica id to "host:port", for those known (may be empty).
     * @param timeoutMs      the connect timeout that passed, in milliseconds.
     */
    public ClusterUnreachableException(
        final int clientId, final int[] unreachableIds, final Map<Integer, String> addresses, final long timeoutMs)
    {
        this(connectMessage(clientId, unreachableIds, addresses, timeoutMs), unreachableIds);
    }

    private ClusterUnreachableException(final String message, final int[] unreachableIds)
    {
        super(message);
        this.unreachableIds = unreachableIds.clone();
    }

    /**
     * A request was not sent because the client had lost its session and did not reconnect within
     * the request timeout.
     *
     * @param clientId       the client's process id.
     * @param requestId      the request id (never sent; a retry of an earlier attempt stays retryable).
     * @param unreachableIds ids of the replicas unreachable when the timeout passed.
     * @param addresses      replica id to "host:port", for those known (may be empty).
     * @param timeoutMs      the request timeout that passed, in milliseconds.
     * @return the exception.
     */
    static ClusterUnreachableException notReconnected(
        final int clientId, final long requestId, final int[] unreachableIds, final Map<Integer, String> addresses,
        final long timeoutMs)
    {
        final StringBuilder sb = new StringBuilder("client ").append(clientId)
            .append(" lost its session with the cluster and could not reconnect within the request timeout of ")
            .append(timeoutMs).append(" ms, so request ").append(requestId).append(" was not sent");
        if (unreachableIds.length > 0)
        {
            sb.append("; unreachable: ");
            appendReplicas(sb, unreachableIds, addresses);
        }
        return new ClusterUnreachableException(sb.append(" (the client keeps reconnecting; are the replicas " +
            "running?)").toString(), unreachableIds);
    }

    private static String connectMessage(
        final int clientId, final int[] ids, final Map<Integer, String> addresses, final long timeoutMs)
    {
        final StringBuilder sb = new StringBuilder("client ").append(clientId).append(" could not reach ")
            .append(ids.length).append(ids.length == 1 ? " replica" : " replicas").append(" within the connect timeout of ")
            .append(timeoutMs).append(" ms: ");
        appendReplicas(sb, ids, addresses);
        return sb.append(" (is it running, does the config list the right host and port, and does this host hold the " +
            "cluster's client secret? An \"authentication failed\" line in this log means it does not)").toString();
    }

    private static void appendReplicas(final StringBuilder sb, final int[] ids, final Map<Integer, String> addresses)
    {
        for (int i = 0; i < ids.length; i++)
        {
            sb.append(i == 0 ? "" : ", ").append("replica ").append(ids[i]);
            final String address = addresses.get(ids[i]);
            if (address != null)
            {
                sb.append(" at ").append(address);
            }
        }
    }

    /** @return the ids of the replicas that were unreachable, ascending as reported (a copy). */
    public int[] unreachableIds()
    {
        return unreachableIds.clone();
    }
}
