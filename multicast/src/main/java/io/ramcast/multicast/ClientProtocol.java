package io.ramcast.multicast;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.LocalRegion;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.zip.CRC32C;

/**
 * RamCast at a client process: Task 1 and procedure Relay (ramcast-protocol.md §C.1), with flow
 * control and completion from the servers' monotonic freed-up-to words (§B.4.5).
 *
 * <p>A message to groups {@code dst} gets, for every h in dst, the next sequence number of the
 * client's ring in h; it is sent once that slot is free at a majority of every destination group
 * and written whole to each member whose slot is free (§F.13). A member still holding an older
 * message in that slot (it is slow, paused or crashed) gets its copy later, in ring order, from a
 * per-member backlog of bounded length; a member whose connection the fabric reports lost after it
 * answered the session's handshake, or whose backlog overflows, is given up for the rest of the
 * session (a member that has not answered yet is awaited instead). A message is complete
 * when a majority of every destination group has freed its slot, i.e. delivered it: from then on
 * uniform agreement guarantees every correct destination delivers it. Up to
 * {@link MulticastOptions#clientWindow()} messages are in flight; messages are written in
 * submission order. The client advances a heartbeat counter at every server so that servers relay
 * its messages if it crashes (Task 10).
 *
 * <p>A session (one incarnation) is <em>lost</em> once fewer than a majority of some group are
 * still written by it ({@link #lostGroup()}): nothing to that group can be sent or complete any
 * more. It then sends nothing; the owner abandons its requests ({@link #abandonAll}) and, once the
 * servers are reachable again, starts a new session under a new incarnation
 * ({@link #restartSession}), which the servers take for a restart of the client process.
 *
 * <p>Threading: one thread (the client's agent); a plain object driven by {@link #doWork(long)}.
 */
final class ClientProtocol
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientProtocol.class);

    /** Told of a request's progress, on the agent thread. */
    interface Listener
    {
        /** The request got its id and its first write was issued. */
        void onSent(Request request);

        /** Every destination process has delivered the request's message. */
        void onComplete(Request request);
    }

    /** A multicast request and its progress. */
    static final class Request
    {
        final byte[] payload;
        final int[] destinations;
        final Object attachment;
        long messageId;
        long[] ringSeqByGroup;
        long sentNs;

        Request(final byte[] payload, final int[] destinations, final Object attachment)
        {
            this.payload = payload;
            this.destinations = destinations;
            this.attachment = attachment;
        }
    }

    private final GroupTopology topology;
    private final MulticastOptions options;
    private final int selfId;
    private final int groupCount;
    private final Listener listener;
    private final AtomicBuffer flow;
    private final Outbox outbox;
    private final UnsafeBuffer record;
    private final CRC32C crc = new CRC32C();
    private final byte[] crcScratch;
    /** View of {@link #record}; wrapped once. */
    private final SlotFlyweight slot = new SlotFlyweight();
    /** View of a cell of {@link #flow}, re-wrapped per cell. */
    private final FlowCellFlyweight flowCell = new FlowCellFlyweight();

    private final long[] nextRingSeq;
    private final long[] freedUpTo;
    /** Per server ordinal: reachable at the last connectivity check. */
    private final boolean[] wasReachable;
    private final UnsafeBuffer helloWord = new UnsafeBuffer(ByteBuffer.allocateDirect(Layout.WORD_BYTES));
    private long incarnation;
    private final boolean[] answered;
    private final long[] serverNextRingSeq;
    private final long[] serverLastSequence;
    private boolean helloSent;
    private volatile boolean sessionReady;
    private final int[][] serverOrdinals;
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    /** Per server ordinal: writes waiting for a slot that member has not freed yet, in ring order. */
    private final ArrayList<ArrayDeque<Deferred>> deferred;
    /** Per server ordinal: given up (connection lost or backlog overflow); never written again. */
    private final boolean[] abandoned;
    /**
     * Per server ordinal: the connection epoch of a member given up because its connection was
     * lost, 0 otherwise. A later epoch means it is connected again (restarted, or the link healed):
     * the session is then renewed ({@link #renewDue()}) so that it is written again.
     */
    private final long[] abandonedAtEpoch;
    /** A member given up for a lost connection is connected again: send nothing new, renew once drained. */
    private volatile boolean renewDue;
    /** Per server ordinal: silent when the session started; its writes wait until it answers. */
    private final boolean[] awaitingAnswer;
    /** Per group: the ring position this incarnation started at. */
    private final long[] sessionStart;
    private final int maxDeferred;
    private final Heartbeats heartbeats;
    private long helloSentNs;
    private final ArrayList<Request> inflight = new ArrayList<>();
    private long nextSequence = 1;
    private static final long CONNECTIVITY_CHECK_INTERVAL_NS = 10_000_000L;
    private long lastConnectivityCheckNs;
    private volatile int[] unconnectedServers;
    private long nowNs;
    private long completedCount;
    private final java.util.List<String> abandonedReasons = new ArrayList<>();
    /** The group a ready session lost (fewer than a majority still written), or -1. */
    private volatile int lostGroup = -1;
    /** Members of {@link #lostGroup} given up or unreachable when the loss was seen. */
    private int[] lostServers = new int[0];

    /** A ring write postponed until the member frees the slot. */
    private record Deferred(long ringSeq, int offset, UnsafeBuffer bytes)
    {
    }

    ClientProtocol(
        final GroupTopology topology,
        final MulticastOptions options,
        final Fabric fabric,
        final Listener listener,
        final long incarnation)
    {
        if (incarnation <= 0)
        {
            throw new IllegalArgumentException("incarnation must be positive: " + incarnation);
        }
        this.incarnation = incarnation;
        this.topology = topology;
        this.options = options;
        this.selfId = fabric.selfId();
        if (!topology.isClient(selfId))
        {
            throw new IllegalArgumentException("process " + selfId + " is not a client of " + topology);
        }
        this.groupCount = topology.groupCount();
        this.listener = listener;
        final LocalRegion[] regions = new LocalRegion[Layout.REGION_COUNT];
        regions[Layout.FLOW_REGION] = fabric.register(Layout.FLOW_REGION, Layout.flowBytes(topology), true);
        flow = regions[Layout.FLOW_REGION].buffer();
        regions[Layout.HEARTBEAT_REGION] = fabric.register(Layout.HEARTBEAT_REGION, Layout.WORD_BYTES, false);
        outbox = new Outbox(fabric, ServerProtocol.maxProcessId(topology), regions);
        heartbeats = new Heartbeats(topology, regions[Layout.HEARTBEAT_REGION].buffer(), outbox, selfId,
            topology.servers(), new long[topology.serverCount() + topology.clientCount()],
            options.heartbeatIntervalMillis() * 1_000_000L);
        record = new UnsafeBuffer(ByteBuffer.allocateDirect(options.slotSizeBytes()));
        crcScratch = new byte[options.slotSizeBytes()];
        slot.wrap(record, 0);
        nextRingSeq = new long[groupCount];
        java.util.Arrays.fill(nextRingSeq, 1);
        freedUpTo = new long[topology.serverCount()];
        java.util.Arrays.fill(freedUpTo, 1);
        answered = new boolean[topology.serverCount()];
        wasReachable = new boolean[topology.serverCount()];
        serverNextRingSeq = new long[topology.serverCount()];
        serverLastSequence = new long[topology.serverCount()];
        deferred = new ArrayList<>(topology.serverCount());
        for (int i = 0; i < topology.serverCount(); i++)
        {
            deferred.add(new ArrayDeque<>());
        }
        abandoned = new boolean[topology.serverCount()];
        abandonedAtEpoch = new long[topology.serverCount()];
        awaitingAnswer = new boolean[topology.serverCount()];
        sessionStart = new long[groupCount];
        maxDeferred = Layout.MAX_DEFERRED_RINGS * options.ringSlots();
        serverOrdinals = new int[groupCount][];
        for (int g = 0; g < groupCount; g++)
        {
            final int[] m = topology.membersUnsafe(g);
            serverOrdinals[g] = new int[m.length];
            for (int j = 0; j < m.length; j++)
            {
                serverOrdinals[g][j] = topology.serverOrdinalOf(m[j]);
            }
        }
    }

    /**
     * Checks a multicast's arguments; nothing is sent if this throws.
     *
     * @return the destinations, sorted.
     * @throws IllegalArgumentException for an empty, unknown or duplicate destination, or a payload
     *                                  over the slot's limit.
     */
    static int[] validate(final GroupTopology topology, final MulticastOptions options, final byte[] payload, final int[] groups)
    {
        if (payload == null)
        {
            throw new IllegalArgumentException("payload must not be null");
        }
        if (groups == null || groups.length == 0)
        {
            throw new IllegalArgumentException("a multicast needs at least one destination group");
        }
        final int[] sorted = groups.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
        {
            if (sorted[i] < 0 || sorted[i] >= topology.groupCount())
            {
                throw new IllegalArgumentException("unknown destination group " + sorted[i] + "; groups are 0.." +
                    (topology.groupCount() - 1));
            }
            if (i > 0 && sorted[i] == sorted[i - 1])
            {
                throw new IllegalArgumentException("destination group " + sorted[i] + " given twice");
            }
        }
        final int max = options.maxPayloadBytes(sorted.length);
        if (payload.length > max)
        {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds the limit of " + max +
                " bytes for " + sorted.length + " destination group(s) (slotSizeBytes=" + options.slotSizeBytes() + ")");
        }
        return sorted;
    }

    /** Queues a validated request; it is written in submission order when the window and rings allow. */
    void submit(final Request request)
    {
        waiting.addLast(request);
    }

    /**
     * Records which servers have not completed this client's session handshake (not connected, or
     * not answered). In a ready session, also gives up every member whose connection the fabric
     * reports lost (a restarted server has forgotten this incarnation, so nothing written to it
     * later would be read) and sees whether the session is lost.
     */
    private void checkConnectivity()
    {
        final int[] servers = topology.servers();
        int n = 0;
        int newlyDown = 0;
        final int[] missing = new int[servers.length];
        final int[] down = new int[servers.length];
        for (int s = 0; s < servers.length; s++)
        {
            final boolean reachable = reachable(s);
            if (!answered[s] || !reachable)
            {
                missing[n++] = servers[s];
            }
            if (reachable && !wasReachable[s] && helloSent && !answered[s] && lostGroup < 0)
            {
                // (re)connected before answering: a HELLO written while it was down was dropped
                sendHello(s);
            }
            wasReachable[s] = reachable;
            if (sessionReady && !abandoned[s] && !awaitingAnswer[s] && serverDown(s))
            {
                down[newlyDown++] = s;
            }
        }
        unconnectedServers = java.util.Arrays.copyOf(missing, n);
        if (sessionReady)
        {
            for (int i = 0; i < newlyDown; i++)
            {
                abandoned[down[i]] = true; // logged below unless the session is lost (the owner logs that once)
            }
            checkLost();
            for (int i = 0; i < newlyDown; i++)
            {
                abandoned[down[i]] = false;
                abandonForLostConnection(down[i], lostGroup < 0);
            }
            for (int so = 0; so < servers.length && !renewDue && lostGroup < 0; so++)
            {
                if (abandonedAtEpoch[so] != 0 && epochOf(so) > abandonedAtEpoch[so] && reachable(so))
                {
                    renewDue = true;
                    LOG.info("client {}: server {}, given up in this session when its connection was lost, is " +
                        "connected again; renewing the session once the {} messages in flight complete", selfId,
                        servers[so], inflight.size());
                }
            }
        }
    }

    private long epochOf(final int serverOrdinal)
    {
        return outbox.handle(topology.servers()[serverOrdinal], Layout.RINGS_REGION).connectionEpoch();
    }

    /**
     * @return whether a member given up when its connection was lost is connected again: the
     *         session sends nothing new and should be renewed ({@link #restartSession}) once
     *         nothing is in flight, so that every member is written again (safe from any thread).
     */
    boolean renewDue()
    {
        return renewDue;
    }

    /**
     * A ready session is lost once fewer than a majority of some group are still written (answered
     * and not given up; a member still awaited does not count).
     */
    private void checkLost()
    {
        for (int g = 0; g < groupCount; g++)
        {
            int written = 0;
            for (final int s : serverOrdinals[g])
            {
                if (!abandoned[s] && !awaitingAnswer[s])
                {
                    written++;
                }
            }
            if (written < topology.quorum(g))
            {
                final int[] members = topology.membersUnsafe(g);
                int n = 0;
                final int[] lost = new int[members.length];
                for (int j = 0; j < members.length; j++)
                {
                    final int so = serverOrdinals[g][j];
                    if (abandoned[so] || awaitingAnswer[so] || !reachable(so))
                    {
                        lost[n++] = members[j];
                    }
                }
                lostServers = java.util.Arrays.copyOf(lost, n);
                sessionReady = false; // send nothing more in a session that cannot complete it
                lostGroup = g;
                return;
            }
        }
    }

    /**
     * @return the group whose majority this session lost (fewer than a majority of its members are
     *         still written: their connections were lost or they fell too far behind), or -1 while
     *         the session is not lost; safe from any thread.
     */
    int lostGroup()
    {
        return lostGroup;
    }

    /** @return the members of {@link #lostGroup()} given up or unreachable when the loss was seen. */
    int[] lostServers()
    {
        return lostServers.clone();
    }

    /**
     * @return the first group of which fewer than a majority of members have a working connection
     *         now, or -1 if a majority of every group is connected.
     */
    int unreachableGroup()
    {
        for (int g = 0; g < groupCount; g++)
        {
            int connected = 0;
            for (final int s : serverOrdinals[g])
            {
                if (reachable(s))
                {
                    connected++;
                }
            }
            if (connected < topology.quorum(g))
            {
                return g;
            }
        }
        return -1;
    }

    /** @return whether every server has a working connection now. */
    boolean allReachable()
    {
        for (int s = 0; s < answered.length; s++)
        {
            if (!reachable(s))
            {
                return false;
            }
        }
        return true;
    }

    /** @return the members of {@code group} without a working connection now. */
    int[] unreachableMembers(final int group)
    {
        final int[] members = topology.membersUnsafe(group);
        int n = 0;
        final int[] out = new int[members.length];
        for (int j = 0; j < members.length; j++)
        {
            if (!reachable(serverOrdinals[group][j]))
            {
                out[n++] = members[j];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Starts a new session under {@code newIncarnation}, after a lost one whose requests were all
     * abandoned: forgets every per-session position, answer, backlog and given-up member, drops the
     * writes still queued for the servers (they belong to the old incarnation), and sends a new
     * HELLO on the next {@link #doWork}. Requests submitted since stay queued and are sent once the
     * new session is ready. Message sequences continue after the old session's, so message ids stay
     * unique within the process.
     *
     * @param newIncarnation the new incarnation, different from every earlier one of this client id.
     * @throws IllegalStateException if requests of the old session are still in flight.
     */
    void restartSession(final long newIncarnation)
    {
        if (newIncarnation <= 0 || newIncarnation == incarnation)
        {
            throw new IllegalArgumentException("a new session needs a new positive incarnation, not " + newIncarnation);
        }
        if (!inflight.isEmpty())
        {
            throw new IllegalStateException("client " + selfId + " restarts its session with " + inflight.size() +
                " requests of the old one in flight; abandon them first");
        }
        incarnation = newIncarnation;
        sessionReady = false;
        helloSent = false;
        java.util.Arrays.fill(nextRingSeq, 1);
        java.util.Arrays.fill(freedUpTo, 1);
        java.util.Arrays.fill(answered, false);
        java.util.Arrays.fill(serverNextRingSeq, 0);
        java.util.Arrays.fill(serverLastSequence, 0);
        java.util.Arrays.fill(abandoned, false);
        java.util.Arrays.fill(abandonedAtEpoch, 0);
        renewDue = false;
        java.util.Arrays.fill(awaitingAnswer, false);
        java.util.Arrays.fill(sessionStart, 0);
        for (final ArrayDeque<Deferred> queue : deferred)
        {
            queue.clear();
        }
        abandonedReasons.clear();
        outbox.discardQueued();
        unconnectedServers = null;
        lastConnectivityCheckNs = 0;
        lostServers = new int[0];
        lostGroup = -1;
    }

    /** @return this session's incarnation. */
    long incarnation()
    {
        return incarnation;
    }

    private boolean reachable(final int serverOrdinal)
    {
        return outbox.handle(topology.servers()[serverOrdinal], Layout.RINGS_REGION).status() ==
            io.ramcast.multicast.fabric.RemoteRegion.Status.READY;
    }

    /** @return servers this client has no working connection to, as of the last check (safe from any thread). */
    int[] unconnectedServers()
    {
        final int[] u = unconnectedServers;
        return u == null ? topology.servers() : u.clone();
    }

    /** @return whether the session handshake completed (the client may send). */
    boolean sessionReady()
    {
        return sessionReady;
    }

    int inflightCount()
    {
        return inflight.size();
    }

    int waitingCount()
    {
        return waiting.size();
    }

    long completedCount()
    {
        return completedCount;
    }

    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        if (nowNs - lastConnectivityCheckNs >= CONNECTIVITY_CHECK_INTERVAL_NS || lastConnectivityCheckNs == 0)
        {
            lastConnectivityCheckNs = nowNs;
            checkConnectivity();
        }
        int work = hello();
        work += heartbeats.doWork(nowNs);
        work += outbox.flush();
        work += pollFlow();
        work += flushDeferred();
        work += complete();
        work += send();
        return work;
    }

    /**
     * Session handshake (a client that starts or restarts under an id used before): write this
     * incarnation into every server's HELLO word; each answers with its FLOW cell (ring position,
     * highest message sequence seen) tagged with the incarnation. Once all answered, the client
     * continues every group's ring where its members stand and numbers its messages after every
     * sequence they saw.
     */
    private int hello()
    {
        if (helloSent)
        {
            return 0;
        }
        helloSent = true;
        helloSentNs = nowNs;
        for (int s = 0; s < answered.length; s++)
        {
            sendHello(s);
        }
        return 1;
    }

    /** Writes this incarnation into one server's HELLO word; the same word again changes nothing there. */
    private void sendHello(final int serverOrdinal)
    {
        helloWord.putLong(0, incarnation);
        outbox.write(topology.servers()[serverOrdinal], Layout.HELLO_REGION,
            topology.clientOrdinalOf(selfId) * Layout.WORD_BYTES, helloWord, Layout.WORD_BYTES);
    }

    private int pollFlow()
    {
        int work = 0;
        for (int s = 0; s < freedUpTo.length; s++)
        {
            flowCell.wrap(flow, s * Layout.FLOW_CELL_BYTES);
            final long seal = flowCell.sealVolatile();
            final long freed = flowCell.freedUpTo();
            final long next = flowCell.nextRingSeq();
            final long last = flowCell.lastSequence();
            final long cellIncarnation = flowCell.incarnation();
            if (cellIncarnation != incarnation || seal != FlowCellFlyweight.sealOf(freed, next, last, cellIncarnation))
            {
                continue; // not yet answered for this incarnation, or a write in progress
            }
            if (!answered[s])
            {
                answered[s] = true;
                serverNextRingSeq[s] = next;
                serverLastSequence[s] = last;
                work++;
                if (awaitingAnswer[s])
                {
                    lateAnswer(s);
                }
            }
            if (freed > freedUpTo[s])
            {
                freedUpTo[s] = freed;
                work++;
            }
        }
        if (!sessionReady && lostGroup < 0)
        {
            work += tryStartSession();
        }
        return work;
    }

    /**
     * The session starts once every server answered, except servers the fabric reports lost and,
     * after the failure timeout, servers that stay silent while a majority of their group answered.
     * Those are awaited: written once they answer, which a lost one does when its connection comes
     * back (it gets the HELLO again then). Each group's ring continues after the furthest position
     * any member reports: a member that stands behind (the earlier incarnation stopped in the middle of a multicast) takes the
     * missing messages from the relays the servers send when they see the new incarnation.
     */
    private int tryStartSession()
    {
        final boolean patienceOver = nowNs - helloSentNs > options.failureTimeoutMillis() * 1_000_000L;
        for (int g = 0; g < groupCount; g++)
        {
            int answeredInGroup = 0;
            int silent = 0;
            for (final int s : serverOrdinals[g])
            {
                if (answered[s])
                {
                    answeredInGroup++;
                }
                else if (!serverDown(s))
                {
                    silent++;
                }
            }
            if (answeredInGroup < topology.quorum(g) || silent > 0 && !patienceOver)
            {
                return 0;
            }
        }
        long lastSequence = 0;
        final int clientOrdinal = topology.clientOrdinalOf(selfId);
        final boolean usedBefore = usedBefore();
        for (int g = 0; g < groupCount; g++)
        {
            long next = 1;
            for (final int s : serverOrdinals[g])
            {
                if (answered[s])
                {
                    next = Math.max(next, serverNextRingSeq[s]);
                    if (usedBefore)
                    {
                        // An earlier incarnation sent position p only once its slot was free at a
                        // majority, so below freedUpTo + ringSlots of some answering member: it may have
                        // written there into rings a restarted server lost unread. Start above, so
                        // that no position is used twice; the skipped ones stay open to relays.
                        next = Math.max(next, freedUpTo[s] + options.ringSlots());
                    }
                    lastSequence = Math.max(lastSequence, serverLastSequence[s]);
                }
                else
                {
                    // silent (slow, paused) or down (restarting): written once it answers; a HELLO
                    // dropped while it was down goes again when its connection comes back
                    awaitingAnswer[s] = true;
                }
            }
            nextRingSeq[g] = next;
            sessionStart[g] = next;
            for (final int s : serverOrdinals[g])
            {
                // a member behind the others skips to where this incarnation starts; what an earlier
                // incarnation wrote in between reaches it by relay
                for (long q = serverNextRingSeq[s]; answered[s] && q < next; q++)
                {
                    writeOrDefer(s, q, Layout.ringOffset(clientOrdinal, q, options), encodeSkip(q));
                }
            }
        }
        // after every sequence the servers saw, and after this process's earlier sessions (unique ids)
        nextSequence = Math.max(nextSequence, lastSequence + 1);
        checkConnectivity(); // before the session shows ready, so that readers see its connectivity
        sessionReady = true;
        return 1;
    }

    /**
     * @return whether some answering server took a message of this client id before or moved its
     *         ring: an earlier incarnation existed (a client id never used before starts at position 1).
     */
    private boolean usedBefore()
    {
        for (int s = 0; s < answered.length; s++)
        {
            if (answered[s] && (serverLastSequence[s] > 0 || serverNextRingSeq[s] > 1 || freedUpTo[s] > 1))
            {
                return true;
            }
        }
        return false;
    }

    /** Encodes a SKIP record for ring position {@code q} into {@link #record}; returns its length. */
    private int encodeSkip(final long q)
    {
        final int recordBytes = Layout.slotRecordBytes(0, 0);
        slot.ringSeq(q).messageId(0).payloadLength(0).destinationCount(0).checksum(recordBytes, 0)
            .seal(recordBytes, SlotFlyweight.skipSealOf(q));
        return recordBytes;
    }

    /**
     * A member that was silent when the session started has answered: the writes kept for it wait
     * behind SKIP records up to where the session started in its group, like for a member that
     * answered from behind.
     */
    private void lateAnswer(final int serverOrdinal)
    {
        awaitingAnswer[serverOrdinal] = false;
        final int g = topology.groupOf(topology.servers()[serverOrdinal]);
        final int clientOrdinal = topology.clientOrdinalOf(selfId);
        final ArrayDeque<Deferred> queue = deferred.get(serverOrdinal);
        for (long q = sessionStart[g] - 1; q >= serverNextRingSeq[serverOrdinal]; q--)
        {
            queue.addFirst(new Deferred(q, Layout.ringOffset(clientOrdinal, q, options), copyOfRecord(encodeSkip(q))));
        }
    }

    private boolean serverDown(final int serverOrdinal)
    {
        return outbox.handle(topology.servers()[serverOrdinal], Layout.RINGS_REGION).status() ==
            io.ramcast.multicast.fabric.RemoteRegion.Status.PEER_DOWN;
    }

    private int complete()
    {
        int work = 0;
        for (int i = 0; i < inflight.size(); )
        {
            final Request r = inflight.get(i);
            if (isComplete(r))
            {
                inflight.set(i, inflight.get(inflight.size() - 1));
                inflight.remove(inflight.size() - 1);
                completedCount++;
                work++;
                listener.onComplete(r);
            }
            else
            {
                i++;
            }
        }
        return work;
    }

    /** Complete once a majority of every destination group delivered the message. */
    private boolean isComplete(final Request r)
    {
        for (final int h : r.destinations)
        {
            int freed = 0;
            for (final int s : serverOrdinals[h])
            {
                if (freedUpTo[s] > r.ringSeqByGroup[h])
                {
                    freed++;
                }
            }
            if (freed < topology.quorum(h))
            {
                return false;
            }
        }
        return true;
    }

    /** Room once the slot is free at a majority of every destination group and no backlog is full. */
    private boolean hasRoom(final Request r)
    {
        for (final int h : r.destinations)
        {
            int free = 0;
            for (final int s : serverOrdinals[h])
            {
                if (!abandoned[s] && nextRingSeq[h] - freedUpTo[s] < options.ringSlots() && deferred.get(s).isEmpty())
                {
                    free++;
                }
            }
            if (free < topology.quorum(h))
            {
                return false;
            }
        }
        return true;
    }

    /** Writes the record in {@link #record} to one member now if its slot is free, else later. */
    private void writeOrDefer(final int serverOrdinal, final long ringSeq, final int offset, final int recordBytes)
    {
        if (abandoned[serverOrdinal])
        {
            return;
        }
        final ArrayDeque<Deferred> queue = deferred.get(serverOrdinal);
        if (queue.isEmpty() && !awaitingAnswer[serverOrdinal] && slotFree(serverOrdinal, ringSeq))
        {
            outbox.write(topology.servers()[serverOrdinal], Layout.RINGS_REGION, offset, record, recordBytes);
        }
        else if (queue.size() >= maxDeferred)
        {
            abandon(serverOrdinal, "it fell " + queue.size() + " messages behind");
        }
        else
        {
            queue.addLast(new Deferred(ringSeq, offset, copyOfRecord(recordBytes)));
        }
    }

    /** @return a copy of the first {@code length} bytes of {@link #record}, for a postponed write. */
    private UnsafeBuffer copyOfRecord(final int length)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, record, 0, length);
        return copy;
    }

    private boolean slotFree(final int serverOrdinal, final long ringSeq)
    {
        return ringSeq - freedUpTo[serverOrdinal] < options.ringSlots();
    }

    /** Writes postponed ring records whose slot has been freed since, in ring order per member. */
    private int flushDeferred()
    {
        int work = 0;
        for (int s = 0; s < deferred.size(); s++)
        {
            final ArrayDeque<Deferred> queue = deferred.get(s);
            if (queue.isEmpty() || awaitingAnswer[s])
            {
                continue; // an awaited member's writes wait for its answer, bounded by the backlog limit
            }
            if (serverDown(s))
            {
                abandonForLostConnection(s, true);
                continue;
            }
            Deferred d;
            while ((d = queue.peekFirst()) != null && slotFree(s, d.ringSeq()))
            {
                queue.pollFirst();
                outbox.write(topology.servers()[s], Layout.RINGS_REGION, d.offset(), d.bytes(), d.bytes().capacity());
                work++;
            }
        }
        return work;
    }

    /** Gives up a member whose connection was lost, remembering the connection, so that its return renews the session. */
    private void abandonForLostConnection(final int serverOrdinal, final boolean log)
    {
        if (!abandoned[serverOrdinal])
        {
            abandonedAtEpoch[serverOrdinal] = Math.max(1, epochOf(serverOrdinal));
        }
        abandon(serverOrdinal, "its connection was lost", log);
    }

    private void abandon(final int serverOrdinal, final String reason)
    {
        abandon(serverOrdinal, reason, true);
    }

    private void abandon(final int serverOrdinal, final String reason, final boolean log)
    {
        if (!abandoned[serverOrdinal])
        {
            abandoned[serverOrdinal] = true;
            deferred.get(serverOrdinal).clear();
            abandonedReasons.add("server " + topology.servers()[serverOrdinal] + ": " + reason);
            if (log)
            {
                LOG.warn("client {}: no longer writes to server {} in this session: {}; it cannot deliver this " +
                    "client's later messages", selfId, topology.servers()[serverOrdinal], reason);
            }
        }
    }

    /** @return why servers were given up, for diagnostics. */
    java.util.List<String> abandonedServers()
    {
        return java.util.List.copyOf(abandonedReasons);
    }

    private int send()
    {
        int work = 0;
        Request r;
        while (sessionReady && !renewDue && inflight.size() < options.clientWindow() && (r = waiting.peekFirst()) != null &&
            hasRoom(r))
        {
            waiting.pollFirst();
            r.messageId = MessageIds.of(selfId, nextSequence++);
            r.ringSeqByGroup = new long[groupCount];
            for (final int h : r.destinations)
            {
                r.ringSeqByGroup[h] = nextRingSeq[h]++;
            }
            r.sentNs = nowNs;
            final int recordBytes = encode(r);
            listener.onSent(r);
            final int clientOrdinal = topology.clientOrdinalOf(selfId);
            for (final int h : r.destinations)
            {
                final long ringSeq = r.ringSeqByGroup[h];
                slot.ringSeq(ringSeq).seal(recordBytes, ringSeq);
                final int offset = Layout.ringOffset(clientOrdinal, ringSeq, options);
                for (final int so : serverOrdinals[h])
                {
                    writeOrDefer(so, ringSeq, offset, recordBytes);
                }
            }
            inflight.add(r);
            work++;
        }
        return work;
    }

    /** Encodes everything but the per-ring sequence words; returns the record length. */
    private int encode(final Request r)
    {
        final int k = r.destinations.length;
        final int recordBytes = Layout.slotRecordBytes(r.payload.length, k);
        slot.messageId(r.messageId).payloadLength(r.payload.length).destinationCount(k);
        for (int d = 0; d < k; d++)
        {
            slot.destination(d, r.destinations[d], r.ringSeqByGroup[r.destinations[d]]);
        }
        slot.payload(k, r.payload, recordBytes);
        final int checksum = slot.computeChecksum(crc, crcScratch, SlotFlyweight.checksummedBytes(r.payload.length, k));
        slot.checksum(recordBytes, checksum);
        return recordBytes;
    }

    /**
     * Abandons every request not yet complete (the client is stopping): each is handed to
     * {@code consumer} once, and the protocol forgets it.
     */
    void abandonAll(final java.util.function.Consumer<Request> consumer)
    {
        inflight.forEach(consumer);
        inflight.clear();
        waiting.forEach(consumer);
        waiting.clear();
    }

    String describe()
    {
        int deferredCount = 0;
        for (final ArrayDeque<Deferred> q : deferred)
        {
            deferredCount += q.size();
        }
        final String session = lostGroup >= 0 ? " (session lost: group " + lostGroup + ")" :
            sessionReady ? "" : " (session handshake pending)";
        return "client " + selfId + " incarnation " + incarnation + session + " waiting=" + waiting.size() +
            " inflight=" + inflight.size() + " completed=" + completedCount + " queuedWrites=" + outbox.queuedWrites() +
            " deferred=" + deferredCount + (abandonedReasons.isEmpty() ? "" : " abandoned=" + abandonedReasons) +
            (renewDue ? " (renewing: a server given up is back)" : "");
    }
}
