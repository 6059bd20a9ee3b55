package io.ramcast.multicast.fabric.spi;

import java.util.ArrayDeque;
import java.util.Objects;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.FabricListener;
import io.ramcast.multicast.fabric.RemoteRegion;

/**
 * Listener events a fabric has detected but not yet reported, and the listener they go to: events
 * are reported in detection order by the fabric's next {@link Fabric#doWork()}, so that
 * {@link FabricListener} is only ever called from there, however deep in the fabric an event was
 * detected.
 *
 * <p>Threading: the fabric's agent thread only. Bounded by the fabric's state: at most one
 * rejection per handle between two {@link RemoteRegion#reset()} calls and one peer-down per
 * connection loss.
 */
public final class FabricEventQueue
{
    private static final FabricListener NO_OP_LISTENER = new FabricListener()
    {
    };

    /** An event waiting to be reported. */
    private record Event(boolean peerDown, int peerId, int regionId)
    {
    }

    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private FabricListener listener = NO_OP_LISTENER;

    /**
     * Sets the listener that {@link #dispatch()} reports to; until called, events are dropped when
     * dispatched. Implements {@link Fabric#listener}.
     *
     * @param listener the listener.
     * @throws NullPointerException if {@code listener} is null.
     */
    public void listener(final FabricListener listener)
    {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Queues {@link FabricListener#onPeerDown}.
     *
     * @param peerId the peer whose connection was lost.
     */
    public void peerDown(final int peerId)
    {
        events.addLast(new Event(true, peerId, -1));
    }

    /**
     * Queues {@link FabricListener#onWriteRejected}.
     *
     * @param peerId   owner of the region.
     * @param regionId the region.
     */
    public void writeRejected(final int peerId, final int regionId)
    {
        events.addLast(new Event(false, peerId, regionId));
    }

    /**
     * Reports the events queued before this call to the listener; events the listener causes wait
     * for the next call. A listener that throws leaves the events after the failing one queued.
     *
     * @return the number of events reported, for the agent's idle strategy.
     */
    public int dispatch()
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
