package io.ramcast.multicast.fabric;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.ramcast.multicast.fabric.spi.RegionBounds;
import io.ramcast.multicast.fabric.spi.WholeWrite;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The owner side of a registered region, shared by the fabrics that apply writes in software
 * ({@code local}, {@code tcp}): the memory, the per-writer permissions and the one place where a
 * remote write is copied into the memory.
 *
 * <p>Apply rule: {@link WholeWrite#store}, so a reader that sees the last word of a write with an
 * acquire load sees the whole write.
 *
 * <p>Permission rule: every writer has a {@link WriterGate} holding a granted flag and a count of
 * applies in progress. A writer increments the count, then reads the flag, applies only if granted
 * and decrements the count. {@link #revoke} clears the flag and then waits until the count is zero.
 * Both sides use sequentially consistent operations, so either the writer sees the cleared flag or
 * the revoker sees the writer's increment and waits for it: when {@code revoke} returns, no write
 * from that peer can land any more. The same gate protects {@link #close()}.
 *
 * <p>Threading: {@link #apply} may be called from any thread (in the {@code local} fabric each
 * writer process applies from its own thread); {@link #grant}, {@link #revoke} and
 * {@link #isGranted} from the owning agent (they are thread-safe anyway). {@link #revoke} and
 * {@link #close()} block at most for the duration of the applies already in progress.
 */
final class FabricRegion implements LocalRegion
{
    /** Memory alignment of a region, one cache line, so that 8-byte words never straddle lines. */
    static final int REGION_ALIGNMENT_BYTES = 64;

    /** Outcome of {@link #apply}. */
    enum ApplyResult
    {
        /** The write landed. */
        APPLIED,
        /** The writer is not permitted; nothing landed. */
        REJECTED,
        /** The region's owner has closed (the process is dead); nothing landed. */
        CLOSED
    }

    /** Permission state of one writer for this region. */
    static final class WriterGate
    {
        private final int writerId;
        private final AtomicInteger appliesInProgress = new AtomicInteger();
        private volatile boolean granted;

        WriterGate(final int writerId, final boolean granted)
        {
            this.writerId = writerId;
            this.granted = granted;
        }

        int writerId()
        {
            return writerId;
        }

        boolean isGranted()
        {
            return granted;
        }
    }

    private static final int SPIN_TRIES = 100;
    private static final int YIELD_TRIES = 200;
    private static final long QUIESCE_PARK_NS = 1_000L;

    private final int regionId;
    private final int sizeBytes;
    private final boolean writableByAll;
    private final UnsafeBuffer buffer;
    private final ConcurrentHashMap<Integer, WriterGate> gateByWriterId = new ConcurrentHashMap<>();
    private volatile boolean open = true;

    /**
     * Allocates the region's memory, zeroed and aligned to {@link #REGION_ALIGNMENT_BYTES}.
     *
     * @param regionId      non-negative id.
     * @param sizeBytes     positive multiple of 8.
     * @param writableByAll whether peers without an explicit grant or revoke may write.
     * @throws IllegalArgumentException for a negative id or a bad size.
     */
    FabricRegion(final int regionId, final int sizeBytes, final boolean writableByAll)
    {
        RegionBounds.checkRegistration(regionId, sizeBytes);
        this.regionId = regionId;
        this.sizeBytes = sizeBytes;
        this.writableByAll = writableByAll;
        final ByteBuffer memory = BufferUtil.allocateDirectAligned(sizeBytes, REGION_ALIGNMENT_BYTES);
        this.buffer = new UnsafeBuffer(memory);
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

    /**
     * @return the size of the region in bytes.
     */
    int sizeBytes()
    {
        return sizeBytes;
    }

    @Override
    public void grant(final int peerId)
    {
        gate(peerId).granted = true;
    }

    @Override
    public void revoke(final int peerId)
    {
        final WriterGate gate = gate(peerId);
        gate.granted = false;
        awaitQuiescent(gate);
    }

    @Override
    public boolean isGranted(final int peerId)
    {
        final WriterGate gate = gateByWriterId.get(peerId);
        return null == gate ? writableByAll : gate.granted;
    }

    /**
     * The gate of a writer, created on first use with the region's default permission. Writers cache
     * it so that the apply path does not look it up.
     *
     * @param writerId process id of the writer.
     * @return the gate, never null.
     */
    WriterGate gate(final int writerId)
    {
        final WriterGate gate = gateByWriterId.get(writerId);
        return null != gate ? gate : gateByWriterId.computeIfAbsent(writerId, id -> new WriterGate(id, writableByAll));
    }

    /**
     * Applies a remote write if its writer is permitted: all but the last word with plain stores, the
     * last word with a release store.
     *
     * @param gate      the writer's gate, from {@link #gate(int)} of this region.
     * @param offset    byte offset in this region, checked with {@link RegionBounds#checkWrite}.
     * @param src       source bytes.
     * @param srcOffset offset in {@code src}.
     * @param length    byte length, checked with {@link RegionBounds#checkWrite}.
     * @return whether the write landed.
     * @throws IndexOutOfBoundsException if the write does not fit this region (the owner-side check).
     */
    ApplyResult apply(
        final WriterGate gate, final int offset, final DirectBuffer src, final int srcOffset, final int length)
    {
        RegionBounds.checkWrite(sizeBytes, offset, length);
        gate.appliesInProgress.getAndIncrement();
        try
        {
            if (!open)
            {
                return ApplyResult.CLOSED;
            }
            if (!gate.granted)
            {
                return ApplyResult.REJECTED;
            }
            WholeWrite.store(buffer, offset, src, srcOffset, length);
            return ApplyResult.APPLIED;
        }
        finally
        {
            gate.appliesInProgress.getAndDecrement();
        }
    }

    /**
     * Stops the region from accepting writes, waiting for applies in progress. Idempotent. The memory
     * itself is released by the garbage collector once no buffer refers to it, so readers that still
     * hold {@link #buffer()} never touch freed memory.
     */
    void close()
    {
        open = false;
        for (final WriterGate gate : gateByWriterId.values())
        {
            awaitQuiescent(gate);
        }
    }

    private static void awaitQuiescent(final WriterGate gate)
    {
        // Bounded by the copy time of the applies already in progress: new ones see the cleared flag.
        for (int tries = 0; gate.appliesInProgress.get() != 0; tries++)
        {
            if (tries < SPIN_TRIES)
            {
                Thread.onSpinWait();
            }
            else if (tries < YIELD_TRIES)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(QUIESCE_PARK_NS);
            }
        }
    }

    @Override
    public String toString()
    {
        return "FabricRegion{regionId=" + regionId + ", sizeBytes=" + sizeBytes + ", writableByAll=" +
            writableByAll + ", open=" + open + '}';
    }
}
