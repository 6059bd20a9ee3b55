package io.ramcast.multicast.fabric.rdma;

import java.nio.ByteBuffer;

import io.ramcast.multicast.fabric.LocalRegion;
import io.ramcast.multicast.fabric.spi.RegionBounds;
import org.agrona.BufferUtil;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A local region of the {@code rdma} fabric: page-aligned direct memory that the NIC writes, plus
 * the permission of each peer. The memory is registered once per peer (so that each peer has an
 * rkey of its own); {@link #grant} and {@link #revoke} make the fabric replace that peer's
 * registration with a writable or a read-only one, which is what enforces the permission: after
 * {@link #revoke} returns, the peer's old rkey is invalid and its writes fail with a remote access
 * error at the peer (ramcast-protocol.md §C.7.4, the libRamcastV3 way; DiSNI 2.1 has no
 * {@code ibv_modify_qp} for access flags).
 *
 * <p>Threading: {@link #buffer()} is read by any thread; {@link #grant}, {@link #revoke} and
 * {@link #isGranted} by the owning agent thread (the fabric's).
 */
final class RdmaLocalRegion implements LocalRegion
{
    /** Told when a peer's permission changes, to re-register and publish the key. */
    @FunctionalInterface
    interface PermissionHook
    {
        /**
         * @param region the region.
         * @param peerId the peer whose permission changed.
         */
        void onPermissionChange(RdmaLocalRegion region, int peerId);
    }

    /** Alignment of region memory: a page, as NICs register whole pages. */
    static final int ALIGNMENT_BYTES = 4096;

    private static final int UNSET = -1;

    private final int regionId;
    private final int sizeBytes;
    private final boolean writableByAll;
    private final ByteBuffer memory;
    private final UnsafeBuffer buffer;
    private final Int2IntHashMap grantedByPeerId = new Int2IntHashMap(UNSET);
    private final PermissionHook hook;

    /**
     * @param regionId      id, non-negative.
     * @param sizeBytes     positive multiple of 8.
     * @param writableByAll default permission.
     * @param hook          the fabric.
     * @throws IllegalArgumentException as {@link RegionBounds#checkRegistration}.
     */
    RdmaLocalRegion(final int regionId, final int sizeBytes, final boolean writableByAll, final PermissionHook hook)
    {
        RegionBounds.checkRegistration(regionId, sizeBytes);
        this.regionId = regionId;
        this.sizeBytes = sizeBytes;
        this.writableByAll = writableByAll;
        this.memory = BufferUtil.allocateDirectAligned(sizeBytes, ALIGNMENT_BYTES);
        this.buffer = new UnsafeBuffer(memory);
        this.hook = hook;
    }

    @Override
    public int regionId()
    {
        return regionId;
    }

    @Override
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /** @return size in bytes. */
    int sizeBytes()
    {
        return sizeBytes;
    }

    /** @return the memory, for registration. */
    ByteBuffer memory()
    {
        return memory;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Registers the region writable for the peer (if connected) and publishes the new rkey into
     * the peer's key table, over the same connection as this process's later writes to the peer,
     * so a peer that has seen a later write from this process uses the new key.
     */
    @Override
    public void grant(final int peerId)
    {
        final boolean was = isGranted(peerId);
        grantedByPeerId.put(peerId, 1);
        if (!was)
        {
            hook.onPermissionChange(this, peerId);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Deregisters the peer's writable registration before returning (the NIC then refuses the
     * peer's rkey, also for writes already on the wire) and registers a read-only one.
     */
    @Override
    public void revoke(final int peerId)
    {
        final boolean was = isGranted(peerId);
        grantedByPeerId.put(peerId, 0);
        if (was)
        {
            hook.onPermissionChange(this, peerId);
        }
    }

    @Override
    public boolean isGranted(final int peerId)
    {
        final int granted = grantedByPeerId.get(peerId);
        return UNSET == granted ? writableByAll : 1 == granted;
    }

    @Override
    public String toString()
    {
        return "RdmaLocalRegion{regionId=" + regionId + ", sizeBytes=" + sizeBytes + ", writableByAll=" +
            writableByAll + '}';
    }
}
