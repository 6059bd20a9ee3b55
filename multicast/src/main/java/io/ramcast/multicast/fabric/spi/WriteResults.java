package io.ramcast.multicast.fabric.spi;

import io.ramcast.multicast.fabric.RemoteRegion;
import io.ramcast.multicast.fabric.WriteResult;

/**
 * What a write to a handle that is not {@link RemoteRegion.Status#READY} returns, the same in every
 * fabric: CONNECTING gives {@link WriteResult#NOT_CONNECTED}, PEER_DOWN gives
 * {@link WriteResult#PEER_DOWN}, FAILED gives {@link WriteResult#REJECTED}.
 *
 * <p>Threading: stateless; any thread.
 */
public final class WriteResults
{
    private WriteResults()
    {
    }

    /**
     * The result of a write refused because of its handle's status; use as
     * {@code if (Status.READY != status) return WriteResults.refusal(status);}.
     *
     * @param status the handle's status, not READY.
     * @return the result that tells the writer why nothing was sent.
     * @throws IllegalArgumentException for READY, whose writes are issued, not refused.
     */
    public static WriteResult refusal(final RemoteRegion.Status status)
    {
        return switch (status)
        {
            case CONNECTING -> WriteResult.NOT_CONNECTED;
            case PEER_DOWN -> WriteResult.PEER_DOWN;
            case FAILED -> WriteResult.REJECTED;
            case READY -> throw new IllegalArgumentException("a READY handle issues its writes; it has no refusal");
        };
    }
}
