package io.ramcast.multicast;

import java.util.Arrays;

/**
 * One message delivered by RamCast at a server, in the agreed order.
 *
 * @param messageId      the message id, see {@link MessageIds}.
 * @param payload        the payload; owned by the receiver (a copy taken from shared memory).
 * @param destinations   destination group ids, ascending.
 * @param finalTimestamp the final timestamp value (maximum of the groups' decided proposals).
 * @param finalGroup     the group whose proposal gave the final timestamp (tie-breaker).
 */
public record Delivery(long messageId, byte[] payload, int[] destinations, long finalTimestamp, int finalGroup)
{
    @Override
    public String toString()
    {
        return "Delivery{" + MessageIds.toString(messageId) + " dst=" + Arrays.toString(destinations) +
            " ts=" + finalTimestamp + "/" + finalGroup + " bytes=" + payload.length + '}';
    }
}
