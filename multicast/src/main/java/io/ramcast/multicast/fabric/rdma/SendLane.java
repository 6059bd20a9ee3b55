package io.ramcast.multicast.fabric.rdma;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The writes this process sends to one peer over one lane (one queue pair at a time): a bounded
 * send log of records whose bytes sit in registered staging memory from issue until a signalled
 * completion proves the NIC has read them.
 *
 * <h2>Send log</h2>
 * Records carry a lane sequence (the sequence of their work-request id, {@link WorkRequestIds}).
 * <pre>
 *   headSeq            confirmedUpTo        postSeq                 tailSeq
 *      |  freed next ...     |   posted, not    |   staged, not yet    |
 *      |                     |   yet confirmed  |   posted             |
 * </pre>
 * A record is staged at issue (its bytes copied into the staging ring, so the caller may reuse its
 * buffer at once), posted when the lane has a connection, room in the send queue and the peer's
 * cross-lane order allows it ({@link Context#mayPost}), and freed, together with its staging bytes,
 * only when a completion for it or a <b>later</b> request proves it done: a reliable connection
 * completes in order, so the completion of a signalled request confirms every earlier one, while
 * an unsignalled request's buffer may still be read by the NIC (ramcast-protocol.md §F.6 item 29).
 * Writes up to {@link RdmaFabricOptions#maxInlineBytes()} are posted inline; they are kept staged
 * all the same, for re-posting after a lost connection.
 *
 * <h2>Signalling</h2>
 * A record is posted signalled when it is the {@code signalInterval}-th since the last signalled
 * one, when it fills the send queue, when the bytes posted since the last signal reach a quarter of
 * the staging memory, or when it is a fence. A fence is a zero-length signalled write that the
 * fabric stages when the peer's next write goes to another lane (so that lane can wait for this
 * one's confirmation, keeping issue order across lanes) or when the log is full of unsignalled
 * records (so their space comes back). One record slot is kept for a fence.
 *
 * <h2>Errors: at most once</h2>
 * A remote access error on record s confirms every record before s (in-order completion), drops s
 * and every later record for the same region (the handle has failed: they never land), and tells
 * {@link Context#onRejected}. The requests after s are flushed, and after a remote access error IB
 * guarantees they were not executed, so when the lane gets a new connection they are posted again,
 * in order. That is the only case where a posted record is posted again. After any other loss (a
 * flush that no remote access error caused, a disconnect, a timeout) a posted record that no
 * completion confirmed may or may not have been placed at the peer: the lane reports it
 * ({@link #hasWritesOfUnknownFate()}) and the fabric takes the peer as down and {@link #discard()}s
 * the log instead of posting anything again, so a write never lands twice (the {@code Fabric}
 * contract, "At most once"). Other error statuses are the peer's death as well.
 *
 * <p>Threading: the fabric's agent thread only.
 */
final class SendLane
{
    /** Region id of records that write the peer's key table rather than a region. */
    static final int KEY_TABLE_TARGET = -1;
    /** Region id of fence records. */
    static final int FENCE_TARGET = -2;

    /** What the lane needs from its peer and fabric. */
    interface Context
    {
        /**
         * @param regionId a region of the peer.
         * @return the key word this process holds for it ({@link RegionKey}), 0 if none.
         */
        long keyWord(int regionId);

        /**
         * @param regionId a region of the peer.
         * @return the virtual address of its first byte at the peer.
         */
        long regionAddress(int regionId);

        /** @return address of the peer's key table for this process. */
        long keyTableAddress();

        /** @return rkey of the peer's key table for this process. */
        int keyTableRkey();

        /**
         * @param lane    this lane's index.
         * @param peerSeq the peer-wide issue sequence of the record about to be posted.
         * @return whether every earlier-issued write on the other lanes is confirmed.
         */
        boolean mayPost(int lane, long peerSeq);

        /**
         * A write into a region was refused (remote access error, or the key says not writable):
         * its handle fails and the listener is told, once per failure.
         *
         * @param regionId the region.
         */
        void onRejected(int regionId);
    }

    private static final byte FLAG_DROPPED = 1;
    private static final byte FLAG_SIGNALLED = 2;

    private final int lane;
    private final int sendQueueDepth;
    private final int signalInterval;
    private final int maxInlineBytes;
    private final int capacity;
    private final int mask;
    private final int stagingBytes;
    private final ByteBuffer stagingMemory;
    private final UnsafeBuffer staging;

    private final int[] regionIds;
    private final int[] remoteOffsets;
    private final int[] lengths;
    private final long[] stagingPositions;
    private final long[] peerSeqs;
    private final byte[] flags;

    private long headSeq;
    private long confirmedUpTo;
    private long postSeq;
    private long tailSeq;
    private long stagingHeadPosition;
    private long stagingTailPosition;
    private int sinceSignal;
    private long bytesSinceSignal;
    private boolean unsignalledOutstanding;

    private Verbs.Memory stagingRegistration;
    private Verbs.Connection connection;
    private boolean failed;
    private boolean refreshing;
    private long flushedCount;
    /** A remote access error was seen on the current connection: the requests after it did not execute. */
    private boolean refusedOnConnection;
    /** A flush without a remote access error before it: posted, unconfirmed records may have landed. */
    private boolean fateUnknown;
    private long rejectedCount;
    private long postedCount;
    private long signalledCount;

    /**
     * @param lane    lane index.
     * @param options sizes.
     */
    SendLane(final int lane, final RdmaFabricOptions options)
    {
        this.lane = lane;
        this.sendQueueDepth = options.sendQueueDepth();
        this.signalInterval = options.signalInterval();
        this.maxInlineBytes = options.maxInlineBytes();
        this.capacity = options.stagedWriteLimit();
        this.mask = capacity - 1;
        this.stagingBytes = options.stagingBytes();
        this.stagingMemory = BufferUtil.allocateDirectAligned(stagingBytes, 64);
        this.staging = new UnsafeBuffer(stagingMemory);
        regionIds = new int[capacity];
        remoteOffsets = new int[capacity];
        lengths = new int[capacity];
        stagingPositions = new long[capacity];
        peerSeqs = new long[capacity];
        flags = new byte[capacity];
    }

    /** @return this lane's index. */
    int lane()
    {
        return lane;
    }

    /**
     * Registers the staging memory once, with the device of the first connection.
     *
     * @param verbs the verbs.
     * @throws IOException if registration fails.
     */
    void ensureRegistered(final Verbs verbs) throws IOException
    {
        if (null == stagingRegistration)
        {
            stagingRegistration = verbs.register(stagingMemory, Verbs.ACCESS_LOCAL_WRITE);
        }
    }

    /**
     * Attaches a connection whose handshake completed; posting resumes from the oldest unconfirmed record.
     *
     * @param newConnection the connection.
     */
    void attach(final Verbs.Connection newConnection)
    {
        connection = newConnection;
        failed = false;
        refusedOnConnection = false;
        fateUnknown = false;
        refreshing = false;
        postSeq = confirmedUpTo;
        sinceSignal = 0;
        bytesSinceSignal = 0;
        unsignalledOutstanding = false;
    }

    /**
     * Detaches the current connection (lost or replaced): records posted but not confirmed will be
     * posted again on the next connection.
     */
    void detach()
    {
        connection = null;
        postSeq = confirmedUpTo;
    }

    /** @return the attached connection, null if none. */
    Verbs.Connection connection()
    {
        return connection;
    }

    /**
     * @return whether records were posted on the current (or just lost) connection that no
     *         completion confirmed and that are not known to be unexecuted: they may have been placed
     *         at the peer, so they must not be posted again (the peer is to be taken as down).
     *         Records posted after a remote access error are known unexecuted.
     */
    boolean hasWritesOfUnknownFate()
    {
        return fateUnknown || !refusedOnConnection && confirmedUpTo < postSeq;
    }

    /** @return whether the attached connection had an error and is waiting to be replaced. */
    boolean hasFailedConnection()
    {
        return failed;
    }

    /**
     * Forgets every record (the peer is dead; its writes need not land).
     */
    void discard()
    {
        refusedOnConnection = false;
        fateUnknown = false;
        headSeq = tailSeq;
        confirmedUpTo = tailSeq;
        postSeq = tailSeq;
        stagingHeadPosition = stagingTailPosition;
        connection = null;
        failed = false;
        refreshing = false;
        unsignalledOutstanding = false;
    }

    /**
     * @param value whether the lane is being re-established for a reset handle: only fences are
     *              posted until the new connection is attached.
     */
    void refreshing(final boolean value)
    {
        refreshing = value;
    }

    /** @return whether the lane is being re-established for a reset handle. */
    boolean isRefreshing()
    {
        return refreshing;
    }

    /**
     * Stages a write. Copies the bytes; never blocks.
     *
     * @param regionId     target region, or {@link #KEY_TABLE_TARGET}.
     * @param remoteOffset offset in the target.
     * @param src          source bytes.
     * @param srcOffset    offset in {@code src}.
     * @param length       bytes, positive.
     * @param peerSeq      peer-wide issue sequence.
     * @return false if the log or the staging memory is full (back-pressure); nothing was staged.
     * @throws IllegalArgumentException if the write is larger than the staging memory.
     */
    boolean stage(
        final int regionId,
        final int remoteOffset,
        final DirectBuffer src,
        final int srcOffset,
        final int length,
        final long peerSeq)
    {
        if (length > stagingBytes)
        {
            throw new IllegalArgumentException("write of " + length + " bytes exceeds the staging memory of " +
                stagingBytes + " bytes (rdma stagingBytes)");
        }
        release();
        if (tailSeq - headSeq >= capacity - 1)
        {
            return false;
        }
        long position = stagingTailPosition;
        final int startOffset = (int)(position % stagingBytes);
        if (startOffset + length > stagingBytes)
        {
            position += stagingBytes - startOffset;
        }
        if (position + length - stagingHeadPosition > stagingBytes)
        {
            return false;
        }
        final int index = (int)(tailSeq & mask);
        staging.putBytes((int)(position % stagingBytes), src, srcOffset, length);
        regionIds[index] = regionId;
        remoteOffsets[index] = remoteOffset;
        lengths[index] = length;
        stagingPositions[index] = position;
        peerSeqs[index] = peerSeq;
        flags[index] = 0;
        stagingTailPosition = position + length;
        tailSeq++;
        return true;
    }

    /**
     * Stages a fence: a zero-length signalled write whose completion confirms everything before it.
     * Uses the slot kept for it when the log is otherwise full. No-op if the last staged record is
     * already a fence or nothing is unconfirmed.
     *
     * @param peerSeq the peer-wide sequence of the last record staged on this lane.
     * @return whether a fence was staged.
     */
    boolean stageFence(final long peerSeq)
    {
        release();
        if (headSeq == tailSeq || tailSeq - headSeq >= capacity)
        {
            return false;
        }
        final int last = (int)((tailSeq - 1) & mask);
        if (FENCE_TARGET == regionIds[last] && tailSeq > postSeq)
        {
            return false;
        }
        if (tailSeq == postSeq && !unsignalledOutstanding)
        {
            return false;
        }
        final int index = (int)(tailSeq & mask);
        regionIds[index] = FENCE_TARGET;
        remoteOffsets[index] = 0;
        lengths[index] = 0;
        stagingPositions[index] = stagingTailPosition;
        peerSeqs[index] = peerSeq;
        flags[index] = 0;
        tailSeq++;
        return true;
    }

    /**
     * Posts staged records while the lane can.
     *
     * @param context the peer.
     * @param limit   most records to post.
     * @return records posted or dropped.
     * @throws IOException if the provider refuses a work request.
     */
    int post(final Context context, final int limit) throws IOException
    {
        release();
        if (null == connection || failed)
        {
            return 0;
        }
        int work = 0;
        while (work < limit && postSeq < tailSeq && postSeq - confirmedUpTo < sendQueueDepth)
        {
            final int index = (int)(postSeq & mask);
            if ((flags[index] & FLAG_DROPPED) != 0)
            {
                postSeq++;
                work++;
                continue;
            }
            final int regionId = regionIds[index];
            if ((refreshing && FENCE_TARGET != regionId) || !context.mayPost(lane, peerSeqs[index]))
            {
                break;
            }
            final long remoteAddress;
            final int rkey;
            if (FENCE_TARGET == regionId || KEY_TABLE_TARGET == regionId)
            {
                remoteAddress = context.keyTableAddress() + remoteOffsets[index];
                rkey = context.keyTableRkey();
            }
            else
            {
                final long word = context.keyWord(regionId);
                if (!RegionKey.isWritable(word))
                {
                    dropRegion(regionId, postSeq);
                    context.onRejected(regionId);
                    postSeq++;
                    work++;
                    continue;
                }
                remoteAddress = context.regionAddress(regionId) + remoteOffsets[index];
                rkey = RegionKey.rkey(word);
            }
            final int length = lengths[index];
            final boolean fence = FENCE_TARGET == regionId;
            final boolean signalled = fence || sinceSignal + 1 >= signalInterval ||
                postSeq - confirmedUpTo + 1 >= sendQueueDepth || bytesSinceSignal + length >= stagingBytes / 4;
            final int kind = fence ? WorkRequestIds.KIND_FENCE : WorkRequestIds.KIND_WRITE;
            connection.postWrite(WorkRequestIds.encode(kind, postSeq),
                stagingRegistration.address() + (stagingPositions[index] % stagingBytes), length,
                stagingRegistration.lkey(), remoteAddress, rkey, signalled, length > 0 && length <= maxInlineBytes);
            postedCount++;
            if (signalled)
            {
                flags[index] |= FLAG_SIGNALLED;
                sinceSignal = 0;
                bytesSinceSignal = 0;
                unsignalledOutstanding = false;
                signalledCount++;
            }
            else
            {
                sinceSignal++;
                bytesSinceSignal += length;
                unsignalledOutstanding = true;
            }
            postSeq++;
            work++;
        }
        release();
        return work;
    }

    /**
     * Applies a send completion of this lane's current connection.
     *
     * @param context       the peer.
     * @param workRequestId the completed request.
     * @param status        its status.
     * @return whether the connection is now in the error state (the caller replaces it).
     */
    boolean onCompletion(final Context context, final long workRequestId, final Verbs.CompletionStatus status)
    {
        final long seq = WorkRequestIds.sequence(workRequestId);
        switch (status)
        {
            case SUCCESS:
                confirmedUpTo = Math.max(confirmedUpTo, seq + 1);
                release();
                return false;
            case REMOTE_ACCESS_ERROR:
                refusedOnConnection = true;
                if (seq >= confirmedUpTo && seq < tailSeq)
                {
                    confirmedUpTo = seq;
                    final int regionId = regionIds[(int)(seq & mask)];
                    rejectedCount++;
                    if (regionId >= 0)
                    {
                        dropRegion(regionId, seq);
                        context.onRejected(regionId);
                    }
                    else
                    {
                        flags[(int)(seq & mask)] |= FLAG_DROPPED;
                    }
                }
                failed = true;
                postSeq = confirmedUpTo;
                release();
                return true;
            case FLUSHED:
                flushedCount++;
                if (!refusedOnConnection)
                {
                    // no remote access error put the queue pair in error: what was posted and not
                    // confirmed may have been placed (a lost acknowledgement), so none of it is posted again
                    fateUnknown = true;
                    failed = true;
                    return true;
                }
                failed = true;
                postSeq = confirmedUpTo;
                return true;
            default:
                failed = true;
                return true;
        }
    }

    /** @return records staged or posted and not yet confirmed. */
    int pendingCount()
    {
        return (int)(tailSeq - headSeq);
    }

    /** @return whether nothing is posted-and-unconfirmed (everything posted is confirmed). */
    boolean isDrained()
    {
        return confirmedUpTo >= postSeq;
    }

    /** @return peer-wide sequence of the oldest record not yet confirmed, or Long.MAX_VALUE if none. */
    long oldestPendingPeerSeq()
    {
        release();
        return headSeq == tailSeq ? Long.MAX_VALUE : peerSeqs[(int)(headSeq & mask)];
    }

    /** @return peer-wide sequence of the last staged record, or -1 if the log is empty. */
    long lastPeerSeq()
    {
        return headSeq == tailSeq ? -1 : peerSeqs[(int)((tailSeq - 1) & mask)];
    }

    /** @return flushed work requests seen (IBV_WC_WR_FLUSH_ERR), for diagnostics and tests. */
    long flushedCount()
    {
        return flushedCount;
    }

    /** @return remote access errors seen. */
    long rejectedCount()
    {
        return rejectedCount;
    }

    /** @return work requests posted. */
    long postedCount()
    {
        return postedCount;
    }

    /** @return of which signalled. */
    long signalledCount()
    {
        return signalledCount;
    }

    /** @return byte position of the oldest staging byte still in use (monotonic). */
    long stagingHeadPosition()
    {
        return stagingHeadPosition;
    }

    /** @return byte position after the newest staged byte (monotonic). */
    long stagingTailPosition()
    {
        return stagingTailPosition;
    }

    /** @return the staging memory, for tests that check reuse. */
    UnsafeBuffer staging()
    {
        return staging;
    }

    /** Releases the registration. */
    void close()
    {
        if (null != stagingRegistration)
        {
            try
            {
                stagingRegistration.deregister();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("lane " + lane + ": deregistering staging memory failed", ex);
            }
            stagingRegistration = null;
        }
        connection = null;
    }

    private void dropRegion(final int regionId, final long fromSeq)
    {
        for (long s = fromSeq; s < tailSeq; s++)
        {
            final int index = (int)(s & mask);
            if (regionIds[index] == regionId)
            {
                flags[index] |= FLAG_DROPPED;
            }
        }
    }

    private void release()
    {
        while (headSeq < tailSeq)
        {
            if (headSeq < confirmedUpTo)
            {
                headSeq++;
            }
            else if ((flags[(int)(headSeq & mask)] & FLAG_DROPPED) != 0)
            {
                // A dropped record at the head is not in flight: it was never posted, or its
                // connection failed and everything from it on is posted again on the next one.
                headSeq++;
                confirmedUpTo = headSeq;
                postSeq = Math.max(postSeq, headSeq);
            }
            else
            {
                break;
            }
        }
        stagingHeadPosition = headSeq == tailSeq ? stagingTailPosition : stagingPositions[(int)(headSeq & mask)];
    }

    @Override
    public String toString()
    {
        return "SendLane{lane=" + lane + ", head=" + headSeq + ", confirmed=" + confirmedUpTo + ", post=" + postSeq +
            ", tail=" + tailSeq + ", connected=" + (null != connection) + ", failed=" + failed + '}';
    }
}
