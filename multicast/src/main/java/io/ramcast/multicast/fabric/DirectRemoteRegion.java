package io.ramcast.multicast.fabric;

import io.ramcast.multicast.fabric.spi.FabricEventQueue;
import io.ramcast.multicast.fabric.spi.RegionBounds;
import io.ramcast.multicast.fabric.spi.WriteResults;
import org.agrona.DirectBuffer;

/**
 * A handle whose writes are applied at once, from the writer's thread, into a {@link FabricRegion}
 * reachable in this JVM: every handle of the {@code local} fabric and the handles a {@code tcp}
 * process holds to its own regions.
 *
 * <p>State: {@link Status#CONNECTING} until {@link #bind bound} to the owner's region, then
 * {@link Status#READY}; a write the owner refuses moves it to {@link Status#FAILED} (and queues
 * {@link FabricListener#onWriteRejected} for the writer's next {@code doWork}); {@link #peerDown()}
 * or a write into a closed owner moves it to {@link Status#PEER_DOWN}; a later {@link #bind}
 * (the owner restarted) makes it READY again. A handle bound to a region the owner never registered
 * is FAILED for good.
 *
 * <p>Threading: the writer's agent thread only.
 */
final class DirectRemoteRegion implements RemoteRegion
{
    private final int peerId;
    private final int regionId;
    private final int writerId;
    private final FabricEventQueue events;
    private FabricRegion target;
    private FabricRegion.WriterGate gate;
    private int sizeBytes = RegionBounds.UNKNOWN_SIZE_BYTES;
    private long connectionEpoch;
    private Status status = Status.CONNECTING;

    /**
     * @param peerId   owner of the region.
     * @param regionId region id at the owner.
     * @param writerId process id of the writer, whose permission the owner checks.
     * @param events   the writer's event queue, for rejections.
     */
    DirectRemoteRegion(final int peerId, final int regionId, final int writerId, final FabricEventQueue events)
    {
        this.peerId = peerId;
        this.regionId = regionId;
        this.writerId = writerId;
        this.events = events;
    }

    /**
     * Connects the handle to the owner's region.
     *
     * @param region the region at the owner, or null if the owner has no such region (the handle
     *               becomes FAILED for good).
     */
    void bind(final FabricRegion region)
    {
        connectionEpoch++;
        target = region;
        if (null == region)
        {
            gate = null;
            sizeBytes = RegionBounds.UNKNOWN_SIZE_BYTES;
            status = Status.FAILED;
        }
        else
        {
            gate = region.gate(writerId);
            sizeBytes = region.sizeBytes();
            status = Status.READY;
        }
    }

    /**
     * The owner is dead: later writes return {@link WriteResult#PEER_DOWN} until the next bind.
     * The last known size is kept so that writes are still bounds-checked.
     */
    void peerDown()
    {
        target = null;
        gate = null;
        status = Status.PEER_DOWN;
    }

    @Override
    public int peerId()
    {
        return peerId;
    }

    @Override
    public int regionId()
    {
        return regionId;
    }

    @Override
    public Status status()
    {
        return status;
    }

    @Override
    public long connectionEpoch()
    {
        return connectionEpoch;
    }

    @Override
    public int sizeBytes()
    {
        return sizeBytes;
    }

    @Override
    public WriteResult write(final int offset, final DirectBuffer src, final int srcOffset, final int length)
    {
        RegionBounds.checkWrite(sizeBytes, offset, length);
        if (Status.READY != status)
        {
            return WriteResults.refusal(status);
        }

        switch (target.apply(gate, offset, src, srcOffset, length))
        {
            case APPLIED:
                return WriteResult.ISSUED;
            case REJECTED:
                status = Status.FAILED;
                events.writeRejected(peerId, regionId);
                return WriteResult.REJECTED;
            case CLOSED:
            default:
                peerDown();
                return WriteResult.PEER_DOWN;
        }
    }

    @Override
    public void reset()
    {
        if (Status.FAILED == status && null != gate && gate.isGranted())
        {
            status = Status.READY;
        }
    }

    @Override
    public String toString()
    {
        return "DirectRemoteRegion{peerId=" + peerId + ", regionId=" + regionId + ", writerId=" + writerId +
            ", sizeBytes=" + sizeBytes + ", status=" + status + '}';
    }
}
