package io.ramcast.multicast.fabric.rdma;

import io.ramcast.multicast.fabric.RemoteRegion;
import io.ramcast.multicast.fabric.WriteResult;
import io.ramcast.multicast.fabric.spi.RegionBounds;
import io.ramcast.multicast.fabric.spi.WriteResults;
import org.agrona.DirectBuffer;

/**
 * A handle to a region of another process over the {@code rdma} fabric.
 *
 * <p>State: {@link Status#CONNECTING} until the peer's region table arrives, then
 * {@link Status#READY} (or {@link Status#FAILED} for good if the peer has no such region). A write
 * whose key says "not writable" is refused at once; a write the NIC refuses (remote access error)
 * is reported by the {@code doWork} that polls its completion; either way the handle becomes FAILED
 * and {@link io.ramcast.multicast.fabric.FabricListener#onWriteRejected} is called once.
 * {@link #reset()} makes a FAILED handle READY again; its next writes are staged and posted once
 * the lane's queue pair is re-established and the owner's current key is known, so they land if
 * and only if the owner has granted again. When the peer is declared down the handle is PEER_DOWN
 * until a new handshake with it completes, which also forgets the FAILED state (a new queue pair).
 *
 * <p>Threading: the fabric's agent thread only.
 */
final class RdmaRemoteRegion implements RemoteRegion
{
    private final RdmaFabric fabric;
    private final RdmaPeer peer;
    private final int regionId;
    private final int lane;
    private Status status = Status.CONNECTING;
    private int sizeBytes = RegionBounds.UNKNOWN_SIZE_BYTES;
    private long connectionEpoch;
    private boolean missing;

    RdmaRemoteRegion(final RdmaFabric fabric, final RdmaPeer peer, final int regionId, final int lane)
    {
        this.fabric = fabric;
        this.peer = peer;
        this.regionId = regionId;
        this.lane = lane;
    }

    /**
     * The peer's table is known (after a handshake): READY, or FAILED if the region is missing.
     *
     * @param forgetFailure whether a FAILED state is forgotten (first handshake after a loss).
     * @return false if the peer has no such region.
     */
    boolean onConnected(final boolean forgetFailure)
    {
        connectionEpoch++;
        final RdmaPeer.RemoteEntry entry = peer.entry(regionId);
        if (null == entry)
        {
            missing = true;
            sizeBytes = RegionBounds.UNKNOWN_SIZE_BYTES;
            status = Status.FAILED;
            return false;
        }
        missing = false;
        sizeBytes = entry.sizeBytes;
        if (Status.FAILED != status || forgetFailure)
        {
            status = Status.READY;
        }
        return true;
    }

    /** The peer was declared down. */
    void onPeerDown()
    {
        status = Status.PEER_DOWN;
    }

    /**
     * A write was refused.
     *
     * @return whether this is a new failure (to be reported once).
     */
    boolean onRejected()
    {
        if (Status.FAILED == status)
        {
            return false;
        }
        if (Status.READY != status)
        {
            return false;
        }
        status = Status.FAILED;
        return true;
    }

    int lane()
    {
        return lane;
    }

    @Override
    public int peerId()
    {
        return peer.peerId();
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
        if (!RegionKey.isWritable(peer.keyWord(regionId)) && !fabric.isRefreshing(peer, lane))
        {
            status = Status.FAILED;
            fabric.writeRejected(peer.peerId(), regionId);
            return WriteResult.REJECTED;
        }
        return fabric.stage(peer, lane, regionId, offset, src, srcOffset, length) ?
            WriteResult.ISSUED : WriteResult.BACK_PRESSURE;
    }

    @Override
    public void reset()
    {
        if (Status.FAILED != status || missing)
        {
            return;
        }
        status = Status.READY;
        fabric.refreshLane(peer, lane);
    }

    @Override
    public String toString()
    {
        return "RdmaRemoteRegion{peerId=" + peer.peerId() + ", regionId=" + regionId + ", lane=" + lane +
            ", sizeBytes=" + sizeBytes + ", status=" + status + '}';
    }
}
