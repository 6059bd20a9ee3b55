package io.ramcast.multicast.fabric;

import io.ramcast.multicast.fabric.spi.RegionBounds;
import io.ramcast.multicast.fabric.spi.WriteResults;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;

/**
 * A handle of the {@code tcp} fabric: writes become WRITE frames queued on the connection to the
 * owner, which applies them in arrival order.
 *
 * <p>Status follows the peer: CONNECTING before the first handshake, READY once the owner's HELLO
 * arrived, PEER_DOWN after the connection was lost (READY again after a new handshake). FAILED when
 * the owner sent REJECT (until {@link #reset()}), or when the owner's HELLO does not list the region.
 *
 * <p>Threading: agent thread only.
 */
final class TcpRemoteRegion implements RemoteRegion
{
    private final TcpPeer peer;
    private final int regionId;
    private final int maxWriteBytes;
    private int sizeBytes = RegionBounds.UNKNOWN_SIZE_BYTES;
    private long connectionEpoch;
    private boolean rejected;
    private boolean missingAtPeer;

    /**
     * @param peer          the owner.
     * @param regionId      region id at the owner.
     * @param maxWriteBytes largest payload that fits one frame.
     */
    TcpRemoteRegion(final TcpPeer peer, final int regionId, final int maxWriteBytes)
    {
        this.peer = peer;
        this.regionId = regionId;
        this.maxWriteBytes = maxWriteBytes;
    }

    /**
     * A handshake with the owner completed: a new connection, so a previous rejection is forgotten.
     *
     * @param regionSizeById the owner's region table.
     * @return whether the owner has this region.
     */
    boolean onConnected(final Int2IntHashMap regionSizeById)
    {
        final int size = regionSizeById.get(regionId);
        missingAtPeer = size == regionSizeById.missingValue();
        sizeBytes = missingAtPeer ? RegionBounds.UNKNOWN_SIZE_BYTES : size;
        rejected = false;
        connectionEpoch++;
        return !missingAtPeer;
    }

    /**
     * The owner sent REJECT for this region.
     *
     * @return true if this moved the handle to FAILED (the listener must be told), false if it was
     * already rejected.
     */
    boolean onRejected()
    {
        if (rejected)
        {
            return false;
        }
        rejected = true;
        return true;
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
        switch (peer.state())
        {
            case ACTIVE:
                return rejected || missingAtPeer ? Status.FAILED : Status.READY;
            case DOWN:
                return Status.PEER_DOWN;
            case CONNECTING:
            default:
                return Status.CONNECTING;
        }
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
        if (length > maxWriteBytes)
        {
            throw new IllegalArgumentException("write length=" + length + " exceeds the tcp fabric's largest write " +
                maxWriteBytes + " (maxFrameBytes - 16)");
        }

        final Status status = status();
        if (Status.READY != status)
        {
            return WriteResults.refusal(status);
        }
        return peer.connection().publisher().tryWrite(regionId, offset, src, srcOffset, length) ?
            WriteResult.ISSUED : WriteResult.BACK_PRESSURE;
    }

    /**
     * Sends RESET so that the owner accepts this connection's writes into the region again, and makes
     * the handle READY. If the owner has not granted the permission again, the next write is rejected
     * again. If the outgoing queue has no room for RESET the handle stays FAILED; call again later.
     */
    @Override
    public void reset()
    {
        if (rejected && !missingAtPeer && TcpPeer.State.ACTIVE == peer.state() &&
            peer.connection().publisher().tryReset(regionId))
        {
            rejected = false;
        }
    }

    @Override
    public String toString()
    {
        return "TcpRemoteRegion{peerId=" + peer.peerId() + ", regionId=" + regionId + ", sizeBytes=" + sizeBytes +
            ", status=" + status() + '}';
    }
}
