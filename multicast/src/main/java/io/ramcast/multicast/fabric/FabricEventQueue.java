package io.ramcast.multicast.fabric;

import java.util.ArrayDeque;

/**
 * Listener events a fabric has detected but not yet reported, reported in detection order by the
 * next {@link Fabric#doWork()} so that {@link FabricListener} is only ever called from there.
 *
 * <p>Threading: agent thread only. Bounded by the fabric's state: at most one rejection per handle
 * between two {@link RemoteRegion#reset()} calls and one peer-down per connection loss.
 */
final class FabricEventQueue
{
    /** An event waiting to be reported. */
    private record Event(boolean peerDown, int peerId, int regionId)
    {
    }

    private final ArrayDeque<Event> events = new ArrayDeque<>();

    /**
     * Queues {@link FabricListener#onPeerDown}.
     *
     * @param peerId the peer whose connection was lost.
     */
    void peerDown(final int peerId)
    {
        events.addLast(new Event(true, peerId, -1));
    }

    /**
     * Queues {@link FabricListener#onWriteRejected}.
     *
     * @param peerId   owner of the region.
     * @param regionId the region.
     */
    void writeRejected(final int peerId, final int regionId)
    {
        events.addLast(new Event(false, peerId, regionId));
    }

    /**
     * Reports the events queued before this call; events the listener causes wait for the next call.
     *
     * @param listener the listener to call.
     * @return the number of events reported.
     */
    int dispatch(final FabricListener listener)
    {
        final int count = events.size();
        for (int i = 0; i < count; i++)
        {
            final Event event = events.pollFirst();
            if (event.peerDown())
            {
                listener.onPeerDown(event.peerId());
            }
            else
            {
                listener.onWriteRejected(event.peerId(), event.regionId());
            }
        }
        return count;
    }
}
