package io.ramcast.client;

import java.util.Map;

/**
 * A client could not reach every replica of the cluster within its connect timeout, so it closed
 * itself without sending anything. The message names each unreachable replica with its address
 * when the cluster config gives one.
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
        super(message(clientId, unreachableIds, addresses, timeoutMs));
        this.unreachableIds = unreachableIds.clone();
    }

    private static String message(
        final int clientId, final int[] ids, final Map<Integer, String> addresses, final long timeoutMs)
    {
        final StringBuilder sb = new StringBuilder("client ").append(clientId).append(" could not reach ")
            .append(ids.length).append(ids.length == 1 ? " replica" : " replicas").append(" within the connect timeout of ")
            .append(timeoutMs).append(" ms: ");
        for (int i = 0; i < ids.length; i++)
        {
            sb.append(i == 0 ? "" : ", ").append("replica ").append(ids[i]);
            final String address = addresses.get(ids[i]);
            if (address != null)
            {
                sb.append(" at ").append(address);
            }
        }
        return sb.append(" (is it running, and does the config list the right host and port?)").toString();
    }

    /** @return the ids of the replicas that were unreachable, ascending as reported (a copy). */
    public int[] unreachableIds()
    {
        return unreachableIds.clone();
    }
}
