package io.ramcast.multicast.fabric.rdma;

import io.ramcast.multicast.fabric.RemoteRegion;
import io.ramcast.multicast.fabric.WriteResult;
import io.ramcast.multicast.fabric.spi.RegionBounds;
import io.ramcast.multicast.fabric.spi.WholeWrite;
import io.ramcast.multicast.fabric.spi.WriteResults;
import org.agrona.DirectBuffer;

/**
 * A handle of a process to one of its own regions: writes are local stores ({@link WholeWrite#store}),
 * checked against the region's permission for this
 * process like a peer's. A refused write makes the handle FAILED and is reported by the next
 * {@code doWork}; {@link #reset()} makes it READY again if the permission was granted again.
 *
 * <p>Threading: the fabric's agent thread only.
 */
final class SelfRemoteRegion implements RemoteRegion
{
    private final RdmaFabric fabric;
    private final int selfId;
    private final int regionId;
    private RdmaLocalRegion region;
    private Status status = Status.CONNECTING;

    SelfRemoteRegion(final RdmaFabric fabric, final int selfId, final int regionId)
    {
        this.fabric = fabric;
        this.selfId = selfId;
        this.regionId = regionId;
    }

    /**
     * Binds the handle once the fabric started.
     *
     * @param target the region, or null if this process has none with the id (FAILED for good).
     */
    void bind(final RdmaLocalRegion target)
    {
        region = target;
        status = null == target ? Status.FAILED : Status.READY;
    }

    /** The process closed. */
    void onClosed()
    {
        status = Status.PEER_DOWN;
    }

    @Override
    public int peerId()
    {
        return selfId;
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
        return 1; // a process's connection to itself is never lost
    }

    @Override
    public int sizeBytes()
    {
        return null == region ? RegionBounds.UNKNOWN_SIZE_BYTES : region.sizeBytes();
    }

    @Override
    public WriteResult write(final int offset, final DirectBuffer src, final int srcOffset, final int length)
    {
        RegionBounds.checkWrite(sizeBytes(), offset, length);
        if (Status.READY != status)
        {
            return WriteResults.refusal(status);
        }
        if (!region.isGranted(selfId))
        {
            status = Status.FAILED;
            fabric.writeRejected(selfId, regionId);
            return WriteResult.REJECTED;
        }
        WholeWrite.store(region.buffer(), offset, src, srcOffset, length);
        return WriteResult.ISSUED;
    }

    @Override
    public void reset()
    {
        if (Status.FAILED == status && null != region && region.isGranted(selfId))
        {
            status = Status.READY;
        }
    }

    @Override
    public String toString()
    {
        return "SelfRemoteRegion{selfId=" + selfId + ", regionId=" + regionId + ", status=" + status + '}';
    }
}
