package io.ramcast.multicast;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.LocalRegion;
import io.ramcast.multicast.fabric.RemoteRegion;
import io.ramcast.multicast.fabric.WriteResult;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The one place a process issues writes (a "publisher" in the Aeron sense): keeps every peer's
 * writes in issue order even when the fabric cannot take them yet.
 *
 * <p>A write to a peer goes straight to the fabric when nothing is queued for that peer; when the
 * fabric answers {@link WriteResult#NOT_CONNECTED} or {@link WriteResult#BACK_PRESSURE} the write
 * is copied into the peer's queue and every later write to that peer queues behind it, so the
 * fabric's per-peer issue order is the protocol's order. Writes to the process itself are local
 * stores with the same sealing discipline (last word stored with release semantics). Writes to a
 * dead peer, or rejected for lack of permission, are dropped and counted: the protocol tolerates
 * their loss (a dead peer needs nothing; a deposed writer must not write).
 *
 * <p>Memory is bounded by the protocol's own windows (client window, ring, stream and inbox sizes)
 * which cap how many writes can be outstanding per peer.
 *
 * <p>Threading: agent thread only.
 */
final class Outbox
{
    private final Fabric fabric;
    private final int selfId;
    private final LocalRegion[] localRegions;
    private final RemoteRegion[][] handles;
    private final ArrayList<ArrayDeque<Queued>> queues;
    private long queuedWrites;
    private long droppedPeerDown;
    private long droppedRejected;
    private long heldBack;
    /** Writes to peers wait in the queues until {@link #release()} (the journal is forced first). */
    private final boolean holdWrites;

    Outbox(final Fabric fabric, final int maxProcessId, final LocalRegion[] localRegionsById)
    {
        this(fabric, maxProcessId, localRegionsById, false);
    }

    /**
     * @param holdWrites whether writes to peers wait until {@link #release()}: a server whose journal
     *                   must be forced before anything it sends can depend on it (durability fsync)
     *                   releases them once per duty cycle, after forcing.
     */
    Outbox(final Fabric fabric, final int maxProcessId, final LocalRegion[] localRegionsById, final boolean holdWrites)
    {
        this.holdWrites = holdWrites;
        this.fabric = fabric;
        this.selfId = fabric.selfId();
        this.localRegions = localRegionsById;
        this.handles = new RemoteRegion[maxProcessId + 1][];
        this.queues = new ArrayList<>(maxProcessId + 1);
        for (int i = 0; i <= maxProcessId; i++)
        {
            queues.add(null);
        }
    }

    /**
     * Writes {@code length} bytes of {@code src} into region {@code regionId} of {@code peerId} at
     * {@code offset}, in issue order with the earlier writes to that peer.
     */
    void write(final int peerId, final int regionId, final int offset, final DirectBuffer src, final int length)
    {
        if (peerId == selfId)
        {
            storeLocally(localRegions[regionId].buffer(), offset, src, length);
            return;
        }
        final ArrayDeque<Queued> queue = queues.get(peerId);
        if (holdWrites || queue != null && !queue.isEmpty())
        {
            enqueue(peerId, regionId, offset, src, length);
            return;
        }
        final WriteResult result = handle(peerId, regionId).write(offset, src, 0, length);
        switch (result)
        {
            case ISSUED:
                break;
            case NOT_CONNECTED:
            case BACK_PRESSURE:
                enqueue(peerId, regionId, offset, src, length);
                break;
            case PEER_DOWN:
                droppedPeerDown++;
                break;
            case REJECTED:
                droppedRejected++;
                break;
            default:
                throw new IllegalStateException("unknown write result " + result);
        }
    }

    /**
     * Retries queued writes in order, peer by peer.
     *
     * @return number of writes issued.
     */
    int flush()
    {
        return holdWrites ? 0 : issueQueued();
    }

    /**
     * Issues the writes held so far (see the {@code holdWrites} constructor argument); the same as
     * {@link #flush()} for an outbox that does not hold writes.
     *
     * @return number of writes issued.
     */
    int release()
    {
        return issueQueued();
    }

    private int issueQueued()
    {
        if (queuedWrites == 0)
        {
            return 0;
        }
        int issued = 0;
        for (int peer = 0; peer < queues.size(); peer++)
        {
            final ArrayDeque<Queued> queue = queues.get(peer);
            if (queue == null)
            {
                continue;
            }
            Queued q;
            while ((q = queue.peekFirst()) != null)
            {
                final WriteResult result = handle(peer, q.regionId).write(q.offset, q.data, 0, q.data.capacity());
                if (result == WriteResult.NOT_CONNECTED || result == WriteResult.BACK_PRESSURE)
                {
                    heldBack++;
                    break;
                }
                queue.pollFirst();
                queuedWrites--;
                if (result == WriteResult.ISSUED)
                {
                    issued++;
                }
                else if (result == WriteResult.PEER_DOWN)
                {
                    droppedPeerDown++;
                }
                else
                {
                    droppedRejected++;
                }
            }
        }
        return issued;
    }

    /**
     * Drops every write still queued, for every peer: they belong to a session of this process that
     * has ended (a client's lost incarnation) and must not land after the new session's writes.
     *
     * @return the number of writes dropped.
     */
    long discardQueued()
    {
        final long dropped = queuedWrites;
        for (final ArrayDeque<Queued> queue : queues)
        {
            if (queue != null)
            {
                queue.clear();
            }
        }
        queuedWrites = 0;
        return dropped;
    }

    /**
     * Drops every write still queued for {@code peerId}: they were meant for an earlier connection
     * to it and must not land on the new one.
     *
     * @return the number of writes dropped.
     */
    long discardQueued(final int peerId)
    {
        final ArrayDeque<Queued> queue = peerId < queues.size() ? queues.get(peerId) : null;
        if (queue == null)
        {
            return 0;
        }
        final int dropped = queue.size();
        queue.clear();
        queuedWrites -= dropped;
        return dropped;
    }

    /** @return writes waiting for a connection or for room. */
    long queuedWrites()
    {
        return queuedWrites;
    }

    /** @return how often a queued write found its peer's connection not ready or backed up (diagnostics). */
    long heldBack()
    {
        return heldBack;
    }

    /**
     * @return for diagnostics, per peer with queued writes: how many, the region and handle status
     *         of the first (what it waits for), then region and offset of up to seven more, e.g.
     *         {@code 1:3@r11/READY+r3.128+r3.192}; empty if none. With held writes (durability
     *         fsync) the queues hold the current duty cycle's writes until its end.
     */
    String describeQueued()
    {
        final StringBuilder b = new StringBuilder();
        for (int peer = 0; peer < queues.size(); peer++)
        {
            final ArrayDeque<Queued> queue = queues.get(peer);
            final Queued first = queue == null ? null : queue.peekFirst();
            if (first != null)
            {
                b.append(b.length() == 0 ? "" : ",").append(peer).append(':').append(queue.size()).append("@r")
                    .append(first.regionId).append('/').append(handle(peer, first.regionId).status());
                int shown = 0;
                for (final Queued q : queue)
                {
                    if (shown++ > 0 && shown <= 8)
                    {
                        b.append("+r").append(q.regionId).append('.').append(q.offset);
                    }
                }
            }
        }
        return b.toString();
    }

    /** @return writes dropped because their peer was down. */
    long droppedPeerDown()
    {
        return droppedPeerDown;
    }

    /** @return writes dropped because the peer revoked this process's permission. */
    long droppedRejected()
    {
        return droppedRejected;
    }

    RemoteRegion handle(final int peerId, final int regionId)
    {
        RemoteRegion[] byRegion = handles[peerId];
        if (byRegion == null)
        {
            byRegion = new RemoteRegion[Layout.REGION_COUNT];
            handles[peerId] = byRegion;
        }
        RemoteRegion h = byRegion[regionId];
        if (h == null)
        {
            h = fabric.remote(peerId, regionId);
            byRegion[regionId] = h;
        }
        return h;
    }

    private void enqueue(final int peerId, final int regionId, final int offset, final DirectBuffer src, final int length)
    {
        ArrayDeque<Queued> queue = queues.get(peerId);
        if (queue == null)
        {
            queue = new ArrayDeque<>();
            queues.set(peerId, queue);
        }
        final byte[] copy = new byte[length];
        src.getBytes(0, copy);
        queue.addLast(new Queued(regionId, offset, new UnsafeBuffer(copy)));
        queuedWrites++;
    }

    /** Same discipline as a remote write: everything but the last word, then the last word with release. */
    static void storeLocally(final AtomicBuffer dst, final int offset, final DirectBuffer src, final int length)
    {
        final int last = length - Layout.WORD_BYTES;
        if (last > 0)
        {
            dst.putBytes(offset, src, 0, last);
        }
        dst.putLongRelease(offset + last, src.getLong(last));
    }

    private record Queued(int regionId, int offset, UnsafeBuffer data)
    {
    }
}
