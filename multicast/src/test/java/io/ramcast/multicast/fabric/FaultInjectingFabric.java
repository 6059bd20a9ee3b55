package io.ramcast.multicast.fabric;

import io.ramcast.multicast.fabric.spi.RegionBounds;
import io.ramcast.multicast.fabric.spi.WriteResults;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Random;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link Fabric} wrapper for tests and the seeded simulation that delays writes per link, so that
 * writes to different peers become visible in a different order than they were issued, and that can
 * hold a link's writes altogether.
 *
 * <p>How it works: a write to a READY handle is checked (alignment, bounds), copied into the FIFO
 * queue of its destination peer (its <em>link</em>) with a due time of {@code now + d}, where
 * {@code d} is drawn uniformly from the link's delay bounds with the caller's seeded {@link Random},
 * and reported {@link WriteResult#ISSUED}. {@link #doWork()} hands due writes to the inner fabric in
 * FIFO order per link; a write never overtakes an earlier one on its link, so the inner fabric's
 * issue order per writer and peer is kept, while links are independent. A paused link
 * ({@link #pauseLink}) releases nothing until {@link #resumeLink}; then its held writes are
 * released, in order, as they fall due.
 *
 * <p>Failure semantics of held writes:
 * <ul>
 *   <li>Permission is checked by the inner fabric when a write is released. A write released after
 *       the owner revoked the permission never lands; since this wrapper already returned ISSUED,
 *       the writer learns of it as the handle turning FAILED and {@link FabricListener#onWriteRejected}
 *       (reported by the inner fabric, passed through).</li>
 *   <li>Held writes of a handle that are still queued when it is {@link RemoteRegion#reset() reset}
 *       are discarded, like work requests flushed from an RDMA queue pair in the error state.</li>
 *   <li>When the inner fabric reports a peer down, or a release returns
 *       {@link WriteResult#PEER_DOWN}, every write held for that peer is discarded, so nothing
 *       issued before the loss lands in a later incarnation.</li>
 *   <li>A release refused with {@link WriteResult#NOT_CONNECTED} or {@link WriteResult#BACK_PRESSURE}
 *       stays at the head of its link and is retried by the next {@code doWork}.</li>
 * </ul>
 * Writes to a handle that is not READY in the inner fabric are not queued: the inner status decides
 * the result at once (CONNECTING gives NOT_CONNECTED, FAILED gives REJECTED, PEER_DOWN gives
 * PEER_DOWN). A link holds at most {@link #maxHeldBytesPerLink} bytes; a write beyond that returns
 * {@link WriteResult#BACK_PRESSURE}.
 *
 * <p>Threading: like any fabric, one agent thread calls every method, including the link controls;
 * in a simulation the controls may be called between {@code doWork} calls. The wrapper never blocks,
 * sleeps, spins or creates threads; time comes only from the injected {@link NanoClock}, and
 * randomness only from the injected {@link Random}, so a run is reproducible from its seed.
 * {@code doWork} releases at most {@value #RELEASE_LIMIT} writes per call.
 */
public final class FaultInjectingFabric implements Fabric
{
    /** Most writes released to the inner fabric per {@link #doWork()}. */
    public static final int RELEASE_LIMIT = 1024;

    /** Longest gap between a torn write's last word and the rest of it. */
    private static final int TORN_GAP_MAX_NS = 200_000;

    /** Default {@link #maxHeldBytesPerLink}: 64 MiB. */
    public static final long DEFAULT_MAX_HELD_BYTES_PER_LINK = 64L * 1024 * 1024;

    private static final FabricListener NO_OP_LISTENER = new FabricListener()
    {
    };

    /** A write copied at issue time, waiting for its due time. */
    private static final class HeldWrite
    {
        private final FaultRemoteRegion handle;
        private final long handleEpoch;
        private final int offset;
        private final UnsafeBuffer bytes;
        private final long dueNs;
        /** The rest of a torn write, whose last word was placed already: placed whole, never torn again. */
        private final boolean rest;

        HeldWrite(final FaultRemoteRegion handle, final int offset, final UnsafeBuffer bytes, final long dueNs)
        {
            this(handle, handle.epoch, offset, bytes, dueNs, false);
        }

        HeldWrite(final FaultRemoteRegion handle, final long handleEpoch, final int offset, final UnsafeBuffer bytes,
            final long dueNs, final boolean rest)
        {
            this.handle = handle;
            this.handleEpoch = handleEpoch;
            this.offset = offset;
            this.bytes = bytes;
            this.dueNs = dueNs;
            this.rest = rest;
        }
    }

    /** The queue of writes to one destination peer and its fault settings. */
    private static final class Link
    {
        private final ArrayDeque<HeldWrite> heldWrites = new ArrayDeque<>();
        private long heldBytes;
        private boolean hasOwnDelay;
        private long delayMinNs;
        private long delayMaxNs;
        private long lastDueNs = Long.MIN_VALUE;
        private boolean paused;

        void clear()
        {
            heldWrites.clear();
            heldBytes = 0;
        }
    }

    /** A handle that queues its writes on the link to its peer. */
    private final class FaultRemoteRegion implements RemoteRegion
    {
        private final RemoteRegion inner;
        private final Link link;
        private long epoch;

        FaultRemoteRegion(final RemoteRegion inner, final Link link)
        {
            this.inner = inner;
            this.link = link;
        }

        @Override
        public int peerId()
        {
            return inner.peerId();
        }

        @Override
        public int regionId()
        {
            return inner.regionId();
        }

        @Override
        public Status status()
        {
            return inner.status();
        }

        @Override
        public int sizeBytes()
        {
            return inner.sizeBytes();
        }

        @Override
        public long connectionEpoch()
        {
            return inner.connectionEpoch();
        }

        @Override
        public WriteResult write(final int offset, final DirectBuffer src, final int srcOffset, final int length)
        {
            final int sizeBytes = inner.sizeBytes();
            if (sizeBytes >= 0)
            {
                RegionBounds.checkWrite(sizeBytes, offset, length);
            }
            else
            {
                RegionBounds.checkAlignment(offset, length);
            }
            final Status status = inner.status();
            if (status != Status.READY)
            {
                return WriteResults.refusal(status);
            }
            if (link.heldBytes + length > maxHeldBytesPerLink)
            {
                return WriteResult.BACK_PRESSURE;
            }

            final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
            copy.putBytes(0, src, srcOffset, length);
            final long nowNs = clock.nanoTime();
            final long dueNs = Math.max(link.lastDueNs, nowNs + drawDelayNs(link));
            link.lastDueNs = dueNs;
            link.heldWrites.addLast(new HeldWrite(this, offset, copy, dueNs));
            link.heldBytes += length;
            return WriteResult.ISSUED;
        }

        @Override
        public void reset()
        {
            if (Status.FAILED == inner.status())
            {
                epoch++;
                inner.reset();
            }
        }

        @Override
        public String toString()
        {
            return "FaultRemoteRegion{" + inner + ", epoch=" + epoch + '}';
        }
    }

    private final Fabric inner;
    private final Random random;
    /** Fraction of writes of 16 bytes or more placed torn (last word first); 0 by default. */
    private double tornFraction;
    private long tornWriteCount;
    private final NanoClock clock;
    private final Int2ObjectHashMap<Link> linkByPeerId = new Int2ObjectHashMap<>();
    private final ArrayList<Link> links = new ArrayList<>();
    private final Long2ObjectHashMap<FaultRemoteRegion> handleByKey = new Long2ObjectHashMap<>();
    private FabricListener listener = NO_OP_LISTENER;
    private long defaultDelayMinNs;
    private long defaultDelayMaxNs;
    private long maxHeldBytesPerLink = DEFAULT_MAX_HELD_BYTES_PER_LINK;
    private long discardedWriteCount;

    /**
     * Wraps a fabric. Until configured, every link has zero delay (writes are released by the next
     * {@code doWork}).
     *
     * @param inner  the fabric that carries the writes; this wrapper becomes its listener.
     * @param random source of delays, seeded by the caller for reproducible runs.
     * @param clock  source of time for due times.
     */
    public FaultInjectingFabric(final Fabric inner, final Random random, final NanoClock clock)
    {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.random = Objects.requireNonNull(random, "random");
        this.clock = Objects.requireNonNull(clock, "clock");
        inner.listener(new FabricListener()
        {
            @Override
            public void onPeerDown(final int peerId)
            {
                final Link link = linkByPeerId.get(peerId);
                if (null != link)
                {
                    discardedWriteCount += link.heldWrites.size();
                    link.clear();
                }
                listener.onPeerDown(peerId);
            }

            @Override
            public void onWriteRejected(final int peerId, final int regionId)
            {
                listener.onWriteRejected(peerId, regionId);
            }
        });
    }

    /**
     * Places a fraction of the writes of 16 bytes or more torn: a random half of their 8-byte words,
     * always with the last word, first, the other words up to {@value #TORN_GAP_MAX_NS} ns later,
     * still before any later write of the link. What
     * a NIC may do (InfiniBand defines no placement order within a message), against which only
     * records that validate themselves (a checksum or a seal over every field, written last and
     * checked by the reader) are safe.
     *
     * @param fraction in [0, 1].
     * @return this.
     */
    public FaultInjectingFabric tornWrites(final double fraction)
    {
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new IllegalArgumentException("torn fraction " + fraction + " must be in [0, 1]");
        }
        this.tornFraction = fraction;
        return this;
    }

    /** @return writes placed torn so far. */
    public long tornWriteCount()
    {
        return tornWriteCount;
    }

    /**
     * Sets the delay bounds of every link without bounds of its own.
     *
     * @param minNs smallest delay in nanoseconds, {@code >= 0}.
     * @param maxNs largest delay in nanoseconds, {@code >= minNs}.
     * @return this.
     * @throws IllegalArgumentException for bad bounds.
     */
    public FaultInjectingFabric defaultLinkDelay(final long minNs, final long maxNs)
    {
        validateDelay(minNs, maxNs);
        defaultDelayMinNs = minNs;
        defaultDelayMaxNs = maxNs;
        return this;
    }

    /**
     * Sets the delay bounds of the link to one peer; applies to writes issued from now on.
     *
     * @param peerId destination process id.
     * @param minNs  smallest delay in nanoseconds, {@code >= 0}.
     * @param maxNs  largest delay in nanoseconds, {@code >= minNs}.
     * @return this.
     * @throws IllegalArgumentException for bad bounds.
     */
    public FaultInjectingFabric linkDelay(final int peerId, final long minNs, final long maxNs)
    {
        validateDelay(minNs, maxNs);
        final Link link = link(peerId);
        link.hasOwnDelay = true;
        link.delayMinNs = minNs;
        link.delayMaxNs = maxNs;
        return this;
    }

    /**
     * Bounds the bytes held per link; writes beyond it return {@link WriteResult#BACK_PRESSURE}.
     *
     * @param maxBytes positive bound.
     * @return this.
     * @throws IllegalArgumentException if not positive.
     */
    public FaultInjectingFabric maxHeldBytesPerLink(final long maxBytes)
    {
        if (maxBytes <= 0)
        {
            throw new IllegalArgumentException("maxHeldBytesPerLink=" + maxBytes + " must be > 0");
        }
        maxHeldBytesPerLink = maxBytes;
        return this;
    }

    /**
     * Holds every write to a peer, issued before or after this call, until {@link #resumeLink}.
     * Idempotent.
     *
     * @param peerId destination process id.
     */
    public void pauseLink(final int peerId)
    {
        link(peerId).paused = true;
    }

    /**
     * Lets the link's writes be released again, in issue order, as they fall due. Idempotent.
     *
     * @param peerId destination process id.
     */
    public void resumeLink(final int peerId)
    {
        link(peerId).paused = false;
    }

    /**
     * @param peerId destination process id.
     * @return whether the link's writes are held by {@link #pauseLink}.
     */
    public boolean isLinkPaused(final int peerId)
    {
        return link(peerId).paused;
    }

    /**
     * @param peerId destination process id.
     * @return the number of writes to the peer issued and not yet released.
     */
    public int heldWriteCount(final int peerId)
    {
        final Link link = linkByPeerId.get(peerId);
        return null == link ? 0 : link.heldWrites.size();
    }

    /**
     * @return writes discarded without reaching the inner fabric (peer down, handle reset), a
     * counter for diagnostics.
     */
    public long discardedWriteCount()
    {
        return discardedWriteCount;
    }

    /**
     * @return the wrapped fabric.
     */
    public Fabric inner()
    {
        return inner;
    }

    @Override
    public int selfId()
    {
        return inner.selfId();
    }

    @Override
    public LocalRegion register(final int regionId, final int sizeBytes, final boolean writableByAll)
    {
        return inner.register(regionId, sizeBytes, writableByAll);
    }

    @Override
    public void start()
    {
        inner.start();
    }

    @Override
    public RemoteRegion remote(final int peerId, final int regionId)
    {
        final long key = ((long)peerId << 32) | (regionId & 0xFFFF_FFFFL);
        FaultRemoteRegion handle = handleByKey.get(key);
        if (null == handle)
        {
            handle = new FaultRemoteRegion(inner.remote(peerId, regionId), link(peerId));
            handleByKey.put(key, handle);
        }
        return handle;
    }

    /**
     * Releases due writes of unpaused links to the inner fabric, then does the inner fabric's work
     * (which flushes them and reports events).
     *
     * @return the work done.
     */
    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        int released = 0;
        for (int i = 0, size = links.size(); i < size && released < RELEASE_LIMIT; i++)
        {
            released += release(links.get(i), nowNs, RELEASE_LIMIT - released);
        }
        return released + inner.doWork();
    }

    @Override
    public int[] connectedPeers()
    {
        return inner.connectedPeers();
    }

    @Override
    public void listener(final FabricListener listener)
    {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Discards held writes and closes the inner fabric. Idempotent.
     */
    @Override
    public void close()
    {
        for (final Link link : links)
        {
            link.clear();
        }
        inner.close();
    }

    @Override
    public String toString()
    {
        return "FaultInjectingFabric{" + inner + '}';
    }

    private int release(final Link link, final long nowNs, final int limit)
    {
        int released = 0;
        while (!link.paused && released < limit)
        {
            final HeldWrite write = link.heldWrites.peekFirst();
            if (null == write || write.dueNs - nowNs > 0)
            {
                break;
            }
            if (write.handleEpoch != write.handle.epoch)
            {
                removeHead(link);
                discardedWriteCount++;
                continue;
            }

            final int length = write.bytes.capacity();
            if (!write.rest && length >= 16 && tornFraction > 0 && random.nextDouble() < tornFraction)
            {
                if (!placeTorn(link, write, nowNs))
                {
                    break;
                }
                released++;
                continue;
            }
            final WriteResult result =
                write.handle.inner.write(write.offset, write.bytes, 0, length);
            if (WriteResult.NOT_CONNECTED == result || WriteResult.BACK_PRESSURE == result)
            {
                break;
            }
            removeHead(link);
            released++;
            if (WriteResult.PEER_DOWN == result)
            {
                discardedWriteCount += link.heldWrites.size();
                link.clear();
            }
        }
        return released;
    }

    /**
     * Places a write torn: a random half of its words, always with its last word, now; the other
     * words (each run of them a write of its own) a little later, before any later write of the link.
     *
     * @return false if the inner fabric took nothing now (the write stays at the head).
     */
    private boolean placeTorn(final Link link, final HeldWrite write, final long nowNs)
    {
        final int words = write.bytes.capacity() / 8;
        final boolean[] early = new boolean[words];
        for (int i = 0; i < words - 1; i++)
        {
            early[i] = random.nextBoolean();
        }
        early[words - 1] = true;
        final java.util.List<int[]> lateRuns = new java.util.ArrayList<>();
        int i = 0;
        boolean placedAny = false;
        while (i < words)
        {
            int j = i;
            while (j < words && early[j] == early[i])
            {
                j++;
            }
            if (early[i])
            {
                final WriteResult r = write.handle.inner.write(write.offset + i * 8, write.bytes, i * 8, (j - i) * 8);
                if (!placedAny && (WriteResult.NOT_CONNECTED == r || WriteResult.BACK_PRESSURE == r))
                {
                    return false;
                }
                placedAny = true;
                if (WriteResult.PEER_DOWN == r)
                {
                    removeHead(link);
                    discardedWriteCount += link.heldWrites.size();
                    link.clear();
                    tornWriteCount++;
                    return true;
                }
                if (WriteResult.ISSUED != r)
                {
                    lateRuns.clear(); // refused (revoked): the rest is refused too
                    early[words - 1] = false;
                    break;
                }
            }
            else
            {
                lateRuns.add(new int[] {i, j});
            }
            i = j;
        }
        removeHead(link);
        tornWriteCount++;
        final long dueNs = nowNs + 1 + random.nextInt(TORN_GAP_MAX_NS);
        for (int k = lateRuns.size() - 1; k >= 0; k--)
        {
            final int from = lateRuns.get(k)[0];
            final int to = lateRuns.get(k)[1];
            final UnsafeBuffer rest = new UnsafeBuffer(new byte[(to - from) * 8]);
            rest.putBytes(0, write.bytes, from * 8, (to - from) * 8);
            link.heldWrites.addFirst(new HeldWrite(write.handle, write.handleEpoch, write.offset + from * 8, rest,
                dueNs, true));
            link.heldBytes += rest.capacity();
        }
        return true;
    }

    private static void removeHead(final Link link)
    {
        final HeldWrite write = link.heldWrites.pollFirst();
        link.heldBytes -= write.bytes.capacity();
    }

    private long drawDelayNs(final Link link)
    {
        final long minNs = link.hasOwnDelay ? link.delayMinNs : defaultDelayMinNs;
        final long maxNs = link.hasOwnDelay ? link.delayMaxNs : defaultDelayMaxNs;
        return minNs == maxNs ? minNs : minNs + random.nextLong(maxNs - minNs + 1);
    }

    private Link link(final int peerId)
    {
        Link link = linkByPeerId.get(peerId);
        if (null == link)
        {
            link = new Link();
            linkByPeerId.put(peerId, link);
            links.add(link);
        }
        return link;
    }

    private static void validateDelay(final long minNs, final long maxNs)
    {
        if (minNs < 0 || maxNs < minNs || maxNs == Long.MAX_VALUE)
        {
            throw new IllegalArgumentException("link delay minNs=" + minNs + " maxNs=" + maxNs +
                " must satisfy 0 <= minNs <= maxNs < Long.MAX_VALUE");
        }
    }
}
