package io.ramcast.multicast.fabric.rdma;

import io.ramcast.multicast.fabric.RemoteRegion;
import io.ramcast.multicast.fabric.WriteResult;
import org.agrona.DirectBuffer;

/**
 * A handle of a process to one of its own regions: writes are local stores (all but the last word
 * plain, the last with a release store), checked against the region's permission for this
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
    public int sizeBytes()
    {
        return null == region ? -1 : region.sizeBytes();
    }

    @Override
    public WriteResult write(final int offset, final DirectBuffer src, final int srcOffset, final int length)
    {
        RdmaFabric.checkWrite(sizeBytes(), offset, length);
        switch (status)
        {
            case CONNECTING:
                return WriteResult.NOT_CONNECTED;
            case PEER_DOWN:
                return WriteResult.PEER_DOWN;
            case FAILED:
                return WriteResult.REJECTED;
            case READY:
            default:
                break;
        }
        if (!region.isGranted(selfId))
        {
            status = Status.FAILED;
            fabric.writeRejected(selfId, regionId);
            return WriteResult.REJECTED;
        }
        final int lastWordOffset = length - 8;
        if (lastWordOffset > 0)
        {
            region.buffer().putBytes(offset, src, srcOffset, lastWordOffset);
        }
        region.buffer().putLongRelease(offset + lastWordOffset, src.getLong(srcOffset + lastWordOffset));
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
