package io.ramcast.multicast.fabric.rdma;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A fake RDMA device on a {@link FakeRdmaNetwork}, implementing {@link Verbs} for tests. See the
 * network for the model. Counters and fault injection let unit tests look inside.
 *
 * <p>Threading: as {@link Verbs}, one driving thread; state is guarded by the network's monitor.
 */
final class FakeVerbs implements Verbs
{
    /** A work completion waiting in a completion queue. */
    private record Completion(long workRequestId, CompletionStatus status, int rawStatus, int byteLength)
    {
    }

    /** A connection-manager event waiting in the event channel. */
    private record PendingEvent(CmEvent event, Connection connection, String detail)
    {
    }

    /** A posted write waiting on its queue pair's wire, due at a tick ({@link FakeRdmaNetwork.Harsh#QUEUE_PAIR_DELAYS}). */
    private record Pending(Write write, long dueTick)
    {
    }

    /** A write of which only part is placed ({@link FakeRdmaNetwork.Harsh#TORN_PLACEMENT}). */
    private record Partial(Write write, int[] remainingWords, long dueTick)
    {
    }

    /** A posted write. */
    private record Write(
        long workRequestId,
        long localAddress,
        int length,
        int lkey,
        long remoteAddress,
        int rkey,
        boolean signalled)
    {
    }

    /** A failed completion's vendor error here: this plus its status (a NIC reports its own codes). */
    static final int FAKE_VENDOR_ERROR_BASE = 0x100;

    private final FakeRdmaNetwork network;
    private final String name;
    private final ArrayDeque<PendingEvent> events = new ArrayDeque<>();
    private final Map<Integer, FakeMemory> memoryByKey = new HashMap<>();
    private final List<FakeConnection> connections = new ArrayList<>();
    private final List<InetSocketAddress> boundAddresses = new ArrayList<>();
    private CompletionStatus nextWriteFailure;
    private long writesExecuted;
    private long writesPosted;
    private long inlineWrites;
    private long signalledWrites;
    private long zeroLengthWrites;
    private int registrations;
    private long registeredBytes;
    private long peakRegisteredBytes;
    private final List<Integer> receivedMessageTypes = new ArrayList<>();
    private boolean closed;
    /**
     * As a real acceptor may see it: its ESTABLISHED event arrives only after the first receive
     * completion of the connection (the peer's first SEND) has been polled.
     */
    private volatile boolean establishedAfterFirstReceive;
    private boolean landHeldWritesOnLoss;
    private long dataWritesPosted;
    private WriteSourceHook beforePost = (localAddress, length) -> { };

    /** Sees, and may change, the source memory of each write this device posts, before it is posted. */
    @FunctionalInterface
    interface WriteSourceHook
    {
        /**
         * @param localAddress the write's source address (registered memory).
         * @param length       its length.
         */
        void beforePost(long localAddress, int length);
    }

    FakeVerbs(final FakeRdmaNetwork network, final String name)
    {
        this.network = network;
        this.name = name;
    }

    /**
     * As a real link may lose a write's acknowledgement: when a connection of this device enters the
     * error state, the writes it holds on the wire are placed at the peer before they complete as
     * flushed (without this, a held write is flushed unexecuted).
     */
    void landHeldWritesOnLoss()
    {
        synchronized (network)
        {
            landHeldWritesOnLoss = true;
        }
    }

    /**
     * Puts every queue pair of this device in the error state without a connection-manager event,
     * as a NIC does on a transport error it reports only through flushed completions (retries
     * exhausted on a path that then came back, a local QP error).
     */
    void breakQueuePairs()
    {
        synchronized (network)
        {
            for (final FakeConnection connection : new ArrayList<>(connections))
            {
                connection.enterError();
            }
        }
    }

    /**
     * As a faulty path may deliver a write: {@code hook} sees the source of each write this device
     * posts first, and may change its bytes.
     */
    void beforeEachWrite(final WriteSourceHook hook)
    {
        synchronized (network)
        {
            beforePost = hook;
        }
    }

    /** @return writes with data (not zero-length fences) posted so far. */
    long dataWritesPosted()
    {
        synchronized (network)
        {
            return dataWritesPosted;
        }
    }

    /** Makes the next posted write fail with {@code status} and put its queue pair in the error state. */
    void failNextWrite(final CompletionStatus status)
    {
        synchronized (network)
        {
            nextWriteFailure = status;
        }
    }

    long writesExecuted()
    {
        synchronized (network)
        {
            return writesExecuted;
        }
    }

    long writesPosted()
    {
        synchronized (network)
        {
            return writesPosted;
        }
    }

    long inlineWrites()
    {
        synchronized (network)
        {
            return inlineWrites;
        }
    }

    long signalledWrites()
    {
        synchronized (network)
        {
            return signalledWrites;
        }
    }

    long zeroLengthWrites()
    {
        synchronized (network)
        {
            return zeroLengthWrites;
        }
    }

    /** @return the type byte of every message SENT to this device, in arrival order (handshakes). */
    /** Makes this device, accepting, report ESTABLISHED only after the connection's first receive completion. */
    void establishedAfterFirstReceive()
    {
        establishedAfterFirstReceive = true;
    }

    List<Integer> receivedMessageTypes()
    {
        synchronized (network)
        {
            return List.copyOf(receivedMessageTypes);
        }
    }

    /** @return the most bytes registered at once so far (what a NIC would have pinned). */
    long peakRegisteredBytes()
    {
        synchronized (network)
        {
            return peakRegisteredBytes;
        }
    }

    int liveRegistrations()
    {
        synchronized (network)
        {
            return registrations;
        }
    }

    @Override
    public Listener listen(final InetSocketAddress address, final int backlog) throws IOException
    {
        synchronized (network)
        {
            if (!network.bind(address, this))
            {
                throw new IOException("address in use: " + address);
            }
            boundAddresses.add(address);
        }
        return () ->
        {
            synchronized (network)
            {
                network.unbind(address, this);
                boundAddresses.remove(address);
            }
        };
    }

    @Override
    public Connection connect(final InetSocketAddress remote, final int timeoutMs)
    {
        synchronized (network)
        {
            final FakeConnection connection = new FakeConnection(this, remote);
            connections.add(connection);
            events.add(new PendingEvent(CmEvent.ROUTE_RESOLVED, connection, "ROUTE_RESOLVED"));
            return connection;
        }
    }

    /** Under the network's monitor: executes what became due on this device's queue pairs. */
    void progress()
    {
        for (final FakeConnection connection : new ArrayList<>(connections))
        {
            connection.progress();
        }
    }

    @Override
    public int pollCmEvents(final CmEventHandler handler, final int limit)
    {
        final List<PendingEvent> batch = new ArrayList<>();
        synchronized (network)
        {
            network.advance();
            while (batch.size() < limit && !events.isEmpty())
            {
                batch.add(events.pollFirst());
            }
        }
        for (final PendingEvent event : batch)
        {
            handler.onCmEvent(event.event(), event.connection(), event.detail());
        }
        return batch.size();
    }

    @Override
    public Memory register(final ByteBuffer buffer, final int access)
    {
        synchronized (network)
        {
            final FakeMemory memory = new FakeMemory(BufferUtil.address(buffer), buffer.capacity(), network.nextKey(),
                network.nextKey(), access);
            memoryByKey.put(memory.lkey, memory);
            memoryByKey.put(memory.rkey, memory);
            registrations++;
            registeredBytes += buffer.capacity();
            peakRegisteredBytes = Math.max(peakRegisteredBytes, registeredBytes);
            return memory;
        }
    }

    @Override
    public void close()
    {
        synchronized (network)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            for (final InetSocketAddress address : boundAddresses)
            {
                network.unbind(address, this);
            }
            for (final FakeConnection connection : new ArrayList<>(connections))
            {
                connection.closeLocked();
            }
            for (final FakeMemory memory : memoryByKey.values())
            {
                memory.valid = false;
            }
            memoryByKey.clear();
        }
    }

    @Override
    public String toString()
    {
        return "FakeVerbs{" + name + '}';
    }

    void releaseHeld(final FakeVerbs owner)
    {
        for (final FakeConnection connection : new ArrayList<>(connections))
        {
            if (null != connection.peer && connection.peer.device == owner)
            {
                while (!connection.wire.isEmpty())
                {
                    connection.execute(connection.wire.pollFirst().write());
                }
            }
        }
    }

    /** A fake registration. */
    private final class FakeMemory implements Memory
    {
        private final long address;
        private final int length;
        private final int lkey;
        private final int rkey;
        private final int access;
        private boolean valid = true;

        FakeMemory(final long address, final int length, final int lkey, final int rkey, final int access)
        {
            this.address = address;
            this.length = length;
            this.lkey = lkey;
            this.rkey = rkey;
            this.access = access;
        }

        @Override
        public long address()
        {
            return address;
        }

        @Override
        public int length()
        {
            return length;
        }

        @Override
        public int lkey()
        {
            return lkey;
        }

        @Override
        public int rkey()
        {
            return rkey;
        }

        @Override
        public void deregister() throws IOException
        {
            synchronized (network)
            {
                if (!valid)
                {
                    throw new IOException("double deregistration of key " + rkey);
                }
                valid = false;
                memoryByKey.remove(lkey);
                memoryByKey.remove(rkey);
                registrations--;
                registeredBytes -= length;
            }
        }

        boolean covers(final long start, final int bytes)
        {
            return valid && start >= address && start + bytes <= address + length;
        }
    }

    /** One end of a fake reliable connection. */
    private final class FakeConnection implements Connection
    {
        private final FakeVerbs device;
        private final InetSocketAddress remote;
        private final ArrayDeque<Completion> completions = new ArrayDeque<>();
        private final ArrayDeque<long[]> receives = new ArrayDeque<>();
        /** This side's ESTABLISHED, held until a receive completed ({@link #establishedAfterFirstReceive}). */
        private PendingEvent heldEstablished;
        private boolean receiveCompleted;
        private final ArrayDeque<byte[]> unreceived = new ArrayDeque<>();
        private final ArrayDeque<Pending> wire = new ArrayDeque<>();
        /** Work requests posted and not yet retired by a polled completion of theirs or of a later one. */
        private final ArrayDeque<Long> sendQueue = new ArrayDeque<>();
        private Partial partial;
        private int sendQueueDepth = Integer.MAX_VALUE;
        private int receiveQueueDepth = Integer.MAX_VALUE;
        private int completionQueueDepth = Integer.MAX_VALUE;
        private int maxInlineBytes = Integer.MAX_VALUE;
        private FakeConnection peer;
        private boolean queuePair;
        private boolean error;
        private boolean disconnected;
        private boolean closedLocally;

        FakeConnection(final FakeVerbs device, final InetSocketAddress remote)
        {
            this.device = device;
            this.remote = remote;
        }

        @Override
        public void createQueuePair(
            final int sendQueueDepth,
            final int receiveQueueDepth,
            final int completionQueueDepth,
            final int maxInlineBytes)
        {
            synchronized (network)
            {
                queuePair = true;
                this.sendQueueDepth = sendQueueDepth;
                this.receiveQueueDepth = receiveQueueDepth;
                this.completionQueueDepth = completionQueueDepth;
                this.maxInlineBytes = maxInlineBytes;
            }
        }

        /** Refuses a post the queue pair's limits do not allow ({@link FakeRdmaNetwork.Harsh#LIMITS}). */
        private void checkPost(final long workRequestId, final int length, final boolean inline) throws IOException
        {
            if (!network.isHarsh(FakeRdmaNetwork.Harsh.LIMITS))
            {
                return;
            }
            if (sendQueue.size() >= sendQueueDepth)
            {
                throw new IOException("ibv_post_send: ENOMEM, the send queue of depth " + sendQueueDepth +
                    " is full (" + WorkRequestIds.toString(workRequestId) + ")");
            }
            if (inline && length > maxInlineBytes)
            {
                throw new IOException("ibv_post_send: EINVAL, inline write of " + length + " bytes exceeds " +
                    maxInlineBytes);
            }
        }

        private void complete(final Completion completion)
        {
            completions.add(completion);
            if (network.isHarsh(FakeRdmaNetwork.Harsh.LIMITS) && completions.size() > completionQueueDepth)
            {
                network.countCompletionQueueOverrun();
            }
        }

        /** Under the network's monitor: finishes a torn write and executes the writes that are due. */
        void progress()
        {
            if (null != partial && partial.dueTick() <= network.tick())
            {
                finishPartial();
            }
            while (!wire.isEmpty() && wire.peekFirst().dueTick() <= network.tick() &&
                !(null != peer && !error && network.isHeld(device, peer.device)))
            {
                execute(wire.pollFirst().write());
            }
        }

        @Override
        public void connect()
        {
            synchronized (network)
            {
                final FakeVerbs acceptor = network.listener(remote);
                if (null == acceptor || acceptor.closed)
                {
                    events.add(new PendingEvent(CmEvent.FAILED, this, "RDMA_CM_EVENT_REJECTED (no listener)"));
                    return;
                }
                final FakeConnection other = acceptor.new FakeConnection(acceptor, null);
                acceptor.connections.add(other);
                other.peer = this;
                peer = other;
                acceptor.events.add(new PendingEvent(CmEvent.CONNECT_REQUEST, other, "CONNECT_REQUEST"));
            }
        }

        @Override
        public void accept()
        {
            synchronized (network)
            {
                if (null == peer || peer.closedLocally || peer.disconnected)
                {
                    return;
                }
                if (device.establishedAfterFirstReceive)
                {
                    heldEstablished = new PendingEvent(CmEvent.ESTABLISHED, this, "ESTABLISHED");
                }
                else
                {
                    device.events.add(new PendingEvent(CmEvent.ESTABLISHED, this, "ESTABLISHED"));
                }
                peer.device.events.add(new PendingEvent(CmEvent.ESTABLISHED, peer, "ESTABLISHED"));
            }
        }

        @Override
        public void postWrite(
            final long workRequestId,
            final long localAddress,
            final int length,
            final int lkey,
            final long remoteAddress,
            final int rkey,
            final boolean signalled,
            final boolean inline) throws IOException
        {
            synchronized (network)
            {
                checkPost(workRequestId, length, inline);
                beforePost.beforePost(localAddress, length);
                sendQueue.addLast(workRequestId);
                writesPosted++;
                if (length > 0)
                {
                    dataWritesPosted++;
                }
                if (signalled)
                {
                    signalledWrites++;
                }
                if (inline)
                {
                    inlineWrites++;
                }
                final Write write = new Write(workRequestId, localAddress, length, lkey, remoteAddress, rkey, signalled);
                final long due = network.tick() + (network.isHarsh(FakeRdmaNetwork.Harsh.QUEUE_PAIR_DELAYS) && !error ?
                    network.randomInt(4) : 0);
                if (!wire.isEmpty() || due > network.tick() ||
                    (null != peer && !error && network.isHeld(device, peer.device)))
                {
                    wire.addLast(new Pending(write, due));
                    return;
                }
                execute(write);
            }
        }

        void execute(final Write write)
        {
            finishPartial(); // the writes of one queue pair are placed one after the other
            if (error)
            {
                complete(new Completion(write.workRequestId(), CompletionStatus.FLUSHED, 5, 0));
                return;
            }
            if (null != nextWriteFailure)
            {
                final CompletionStatus status = nextWriteFailure;
                nextWriteFailure = null;
                fail(write, status);
                return;
            }
            if (null == peer || peer.closedLocally || disconnected)
            {
                fail(write, CompletionStatus.RETRY_EXCEEDED);
                return;
            }
            final FakeMemory source = memoryByKey.get(write.lkey());
            if (write.length() > 0 && (null == source || !source.covers(write.localAddress(), write.length())))
            {
                fail(write, CompletionStatus.LOCAL_ERROR);
                return;
            }
            if (write.length() > 0)
            {
                if (!landsAtPeer(write))
                {
                    fail(write, CompletionStatus.REMOTE_ACCESS_ERROR);
                    return;
                }
                if (network.isHarsh(FakeRdmaNetwork.Harsh.TORN_PLACEMENT) && write.length() >= 16)
                {
                    placeTorn(write);
                    return; // completed once the rest is placed
                }
                place(write);
            }
            else
            {
                zeroLengthWrites++;
            }
            executed(write);
        }

        private void executed(final Write write)
        {
            writesExecuted++;
            if (write.signalled())
            {
                complete(new Completion(write.workRequestId(), CompletionStatus.SUCCESS, 0, 0));
            }
        }

        /** Places a random half of the write's words, in random order; the rest waits for a later tick. */
        private void placeTorn(final Write write)
        {
            final int words = write.length() / 8;
            final int[] order = new int[words];
            for (int i = 0; i < words; i++)
            {
                order[i] = i;
            }
            for (int i = words - 1; i > 0; i--)
            {
                final int j = network.randomInt(i + 1);
                final int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            final int now = words / 2;
            for (int i = 0; i < now; i++)
            {
                placeWord(write, order[i]);
            }
            partial = new Partial(write, java.util.Arrays.copyOfRange(order, now, words), network.tick() + 1);
        }

        private void placeWord(final Write write, final int word)
        {
            final long value = new UnsafeBuffer(write.localAddress(), write.length()).getLong(word * 8);
            new UnsafeBuffer(write.remoteAddress(), write.length()).putLongRelease(word * 8, value);
        }

        /**
         * Places the rest of a torn write and completes it; a registration revoked meanwhile keeps the
         * placed part and fails the write with a remote access error, as a multi-packet write whose
         * later packets meet the revoked key.
         */
        private void finishPartial()
        {
            if (null == partial)
            {
                return;
            }
            final Partial p = partial;
            partial = null;
            if (!landsAtPeer(p.write()))
            {
                fail(p.write(), CompletionStatus.REMOTE_ACCESS_ERROR);
                return;
            }
            for (final int word : p.remainingWords())
            {
                placeWord(p.write(), word);
            }
            executed(p.write());
        }

        /** @return whether the peer's NIC would take the write: the key valid, writable, the range inside. */
        private boolean landsAtPeer(final Write write)
        {
            if (null == peer || peer.closedLocally)
            {
                return false;
            }
            final FakeMemory target = peer.device.memoryByKey.get(write.rkey());
            return null != target && target.rkey == write.rkey() && (target.access & ACCESS_REMOTE_WRITE) != 0 &&
                target.covers(write.remoteAddress(), write.length());
        }

        /** Copies a write's bytes into the peer's memory, its last word last. */
        private void place(final Write write)
        {
            if (write.length() == 0)
            {
                return;
            }
            final UnsafeBuffer from = new UnsafeBuffer(write.localAddress(), write.length());
            final UnsafeBuffer to = new UnsafeBuffer(write.remoteAddress(), write.length());
            final int last = write.length() - 8;
            if (last > 0)
            {
                to.putBytes(0, from, 0, last);
            }
            if (last >= 0)
            {
                to.putLongRelease(last, from.getLong(last));
            }
            else
            {
                to.putBytes(0, from, 0, write.length());
            }
        }

        private void fail(final Write write, final CompletionStatus status)
        {
            final int raw = switch (status)
            {
                case REMOTE_ACCESS_ERROR -> 10;
                case RETRY_EXCEEDED -> 12;
                case LOCAL_ERROR -> 4;
                case FLUSHED -> 5;
                default -> 21;
            };
            complete(new Completion(write.workRequestId(), status, raw, 0));
            error = true;
            flushReceives();
            if (CompletionStatus.REMOTE_ACCESS_ERROR == status && null != peer &&
                network.isHarsh(FakeRdmaNetwork.Harsh.RESPONDER_ACCESS_ERROR))
            {
                peer.enterError(); // the responder's queue pair fails too (no connection-manager event)
            }
        }

        private void flushReceives()
        {
            while (!receives.isEmpty())
            {
                complete(new Completion(receives.pollFirst()[0], CompletionStatus.FLUSHED, 5, 0));
            }
        }

        @Override
        public void postSend(final long workRequestId, final long localAddress, final int length, final int lkey)
            throws IOException
        {
            synchronized (network)
            {
                checkPost(workRequestId, length, false);
                sendQueue.addLast(workRequestId);
                finishPartial();
                if (error || null == peer || peer.closedLocally || disconnected)
                {
                    complete(new Completion(workRequestId, error ? CompletionStatus.FLUSHED :
                        CompletionStatus.RETRY_EXCEEDED, error ? 5 : 12, 0));
                    error = true;
                    return;
                }
                final byte[] bytes = new byte[length];
                new UnsafeBuffer(localAddress, length).getBytes(0, bytes);
                peer.deliver(bytes);
                complete(new Completion(workRequestId, CompletionStatus.SUCCESS, 0, 0));
            }
        }

        private void deliver(final byte[] bytes)
        {
            receivedMessageTypes.add(bytes.length > HandshakeCodec.TYPE_OFFSET ? (int)bytes[HandshakeCodec.TYPE_OFFSET] : -1);
            if (receives.isEmpty())
            {
                unreceived.add(bytes);
                return;
            }
            final long[] receive = receives.pollFirst();
            if (bytes.length > receive[2])
            {
                // as a NIC does: a SEND larger than the posted receive fails that receive
                complete(new Completion(receive[0], CompletionStatus.of(1), 1, 0)); // IBV_WC_LOC_LEN_ERR
                return;
            }
            final int length = bytes.length;
            new UnsafeBuffer(receive[1], length).putBytes(0, bytes, 0, length);
            complete(new Completion(receive[0], CompletionStatus.SUCCESS, 0, length));
            receiveCompleted = true;
        }

        @Override
        public void postReceive(final long workRequestId, final long localAddress, final int length, final int lkey)
            throws IOException
        {
            synchronized (network)
            {
                if (network.isHarsh(FakeRdmaNetwork.Harsh.LIMITS) && receives.size() >= receiveQueueDepth)
                {
                    throw new IOException("ibv_post_recv: ENOMEM, the receive queue of depth " + receiveQueueDepth +
                        " is full");
                }
                if (error)
                {
                    complete(new Completion(workRequestId, CompletionStatus.FLUSHED, 5, 0));
                    return;
                }
                receives.add(new long[]{workRequestId, localAddress, length});
                if (!unreceived.isEmpty())
                {
                    deliver(unreceived.pollFirst());
                }
            }
        }

        @Override
        public int pollCompletions(final CompletionHandler handler, final int limit)
        {
            final List<Completion> batch = new ArrayList<>();
            synchronized (network)
            {
                while (batch.size() < limit && !completions.isEmpty())
                {
                    final Completion completion = completions.pollFirst();
                    batch.add(completion);
                    if (sendQueue.contains(completion.workRequestId()))
                    {
                        // a completion retires its request and every earlier one (unsignalled ones too)
                        while (sendQueue.pollFirst() != completion.workRequestId())
                        {
                            // retired
                        }
                    }
                }
            }
            for (final Completion completion : batch)
            {
                handler.onCompletion(completion.workRequestId(), completion.status(), completion.rawStatus(),
                    0 == completion.rawStatus() ? 0 : FAKE_VENDOR_ERROR_BASE + completion.rawStatus(),
                    completion.byteLength());
            }
            synchronized (network)
            {
                if (null != heldEstablished && receiveCompleted && !batch.isEmpty())
                {
                    device.events.add(heldEstablished); // after the hello it follows on a real acceptor
                    heldEstablished = null;
                }
            }
            return batch.size();
        }

        @Override
        public void disconnect()
        {
            synchronized (network)
            {
                disconnectLocked();
            }
        }

        private void disconnectLocked()
        {
            if (disconnected)
            {
                return;
            }
            disconnected = true;
            enterError();
            if (!closedLocally)
            {
                device.events.add(new PendingEvent(CmEvent.DISCONNECTED, this, "DISCONNECTED"));
            }
            if (null != peer && !peer.disconnected)
            {
                peer.disconnected = true;
                peer.enterError();
                if (!peer.closedLocally)
                {
                    peer.device.events.add(new PendingEvent(CmEvent.DISCONNECTED, peer, "DISCONNECTED"));
                }
            }
        }

        private void enterError()
        {
            if (null != partial)
            {
                final Partial p = partial;
                partial = null;
                if (device.landHeldWritesOnLoss && landsAtPeer(p.write()))
                {
                    for (final int word : p.remainingWords())
                    {
                        placeWord(p.write(), word);
                    }
                }
                // placed in part or whole; its acknowledgement is what the loss takes
                complete(new Completion(p.write().workRequestId(), CompletionStatus.FLUSHED, 5, 0));
            }
            if (device.landHeldWritesOnLoss && null != peer)
            {
                for (final Pending pending : wire)
                {
                    final Write write = pending.write();
                    if (write.length() > 0 && landsAtPeer(write))
                    {
                        place(write); // placed at the peer; its acknowledgement is what the loss takes
                    }
                }
            }
            error = true;
            while (!wire.isEmpty())
            {
                complete(new Completion(wire.pollFirst().write().workRequestId(), CompletionStatus.FLUSHED, 5, 0));
            }
            flushReceives();
        }

        @Override
        public void close()
        {
            synchronized (network)
            {
                closeLocked();
            }
        }

        void closeLocked()
        {
            if (closedLocally)
            {
                return;
            }
            closedLocally = true;
            disconnectLocked();
            completions.clear();
            connections.remove(this);
        }
    }
}
