package io.ramcast.multicast.fabric.rdma;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

import io.ramcast.multicast.fabric.spi.ReconnectBackoff;
import org.agrona.BufferUtil;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What one process of the {@code rdma} fabric knows of one peer: its incarnation, its region table
 * and keys, the send lanes of this process's writes to it, the connections in both directions, and
 * the registrations this process made of its own regions for it.
 *
 * <p>Connection slots are indexed by role (this process as {@link RdmaConnection.Role#WRITER} or
 * {@link RdmaConnection.Role#OWNER}) and lane.
 *
 * <p>Threading: the fabric's agent thread only.
 */
final class RdmaPeer implements SendLane.Context
{
    /** Liveness of the peer as this process sees it. */
    enum State
    {
        /** No handshake has completed yet. */
        CONNECTING,
        /** A handshake completed and no loss has been declared since. */
        UP,
        /** Declared down (reported once); waiting for a new handshake. */
        DOWN
    }

    /** One region of the peer, from its owner hello. */
    static final class RemoteEntry
    {
        final int index;
        final int sizeBytes;
        final long address;
        long keyWord;

        RemoteEntry(final int index, final int sizeBytes, final long address, final long keyWord)
        {
            this.index = index;
            this.sizeBytes = sizeBytes;
            this.address = address;
            this.keyWord = keyWord;
        }
    }

    /** This process's registration of one of its regions for the peer. */
    static final class OwnerKey
    {
        Verbs.Memory registration;
        int generation;
        boolean writable;
    }

    static final int WRITER = 0;
    static final int OWNER = 1;

    private final int peerId;
    private final InetSocketAddress address;
    private final boolean connectsOut;
    private final SendLane[] sendLanes;
    private final RdmaConnection[][] connections;
    private final ReconnectBackoff[][] reconnectBackoffs;
    private final long[][] lostSinceNs;
    private final Int2ObjectHashMap<RdmaRemoteRegion> handleByRegionId = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<RemoteEntry> entryByRegionId = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<OwnerKey> ownerKeyByRegionId = new Int2ObjectHashMap<>();
    /** Key words to write into the peer's key table once lane 0 has room: table index to word (the latest). */
    private final java.util.LinkedHashMap<Integer, Long> pendingKeys = new java.util.LinkedHashMap<>();
    private boolean keysWaitLogged;
    private final ByteBuffer keyTableMemory;
    private final UnsafeBuffer keyTable;
    private final RdmaFabric fabric;

    private State state = State.CONNECTING;
    private long incarnation;
    private boolean incarnationKnown;
    private boolean tableKnown;
    private long remoteKeyTableAddress;
    private int remoteKeyTableRkey;
    private int remoteKeyTableEntries;
    private Verbs.Memory keyTableRegistration;
    private long issueSeq;
    private int lastLane = -1;

    /**
     * @param fabric      the fabric (for rejections).
     * @param peerId      the peer's process id.
     * @param address     its listen address, null if it does not listen.
     * @param connectsOut whether this process opens the connections to it.
     * @param options     the fabric's options.
     * @param random      source of the reconnection jitter, the fabric's.
     */
    RdmaPeer(
        final RdmaFabric fabric,
        final int peerId,
        final InetSocketAddress address,
        final boolean connectsOut,
        final RdmaFabricOptions options,
        final RandomGenerator random)
    {
        this.fabric = fabric;
        this.peerId = peerId;
        this.address = address;
        this.connectsOut = connectsOut;
        final int lanes = options.laneCount();
        sendLanes = new SendLane[lanes];
        for (int i = 0; i < lanes; i++)
        {
            sendLanes[i] = new SendLane(i, options);
        }
        connections = new RdmaConnection[2][lanes];
        reconnectBackoffs = new ReconnectBackoff[2][lanes];
        lostSinceNs = new long[2][lanes];
        for (int role = 0; role < 2; role++)
        {
            for (int lane = 0; lane < lanes; lane++)
            {
                reconnectBackoffs[role][lane] = new ReconnectBackoff(options.connectBackoffMinNs(),
                    options.connectBackoffMaxNs(), ReconnectBackoff.DEFAULT_JITTER_FRACTION, random);
            }
            Arrays.fill(lostSinceNs[role], -1L);
        }
        keyTableMemory = BufferUtil.allocateDirectAligned(HandshakeCodec.MAX_REGIONS * 8, 64);
        keyTable = new UnsafeBuffer(keyTableMemory);
    }

    int peerId()
    {
        return peerId;
    }

    InetSocketAddress address()
    {
        return address;
    }

    boolean connectsOut()
    {
        return connectsOut;
    }

    State state()
    {
        return state;
    }

    void state(final State next)
    {
        state = next;
    }

    /** @return whether the wait of a key update for room on lane 0 was logged (once per wait). */
    boolean keysWaitLogged()
    {
        return keysWaitLogged;
    }

    /** @param value whether the wait is logged. */
    void keysWaitLogged(final boolean value)
    {
        keysWaitLogged = value;
    }

    /** @return key words waiting for room on lane 0, by key-table index, oldest first (mutable). */
    java.util.LinkedHashMap<Integer, Long> pendingKeys()
    {
        return pendingKeys;
    }

    SendLane sendLane(final int lane)
    {
        return sendLanes[lane];
    }

    SendLane[] sendLanes()
    {
        return sendLanes;
    }

    int laneCount()
    {
        return sendLanes.length;
    }

    RdmaConnection connection(final int role, final int lane)
    {
        return connections[role][lane];
    }

    void connection(final int role, final int lane, final RdmaConnection connection)
    {
        connections[role][lane] = connection;
    }

    /**
     * @param role {@link #WRITER} or {@link #OWNER}.
     * @param lane the lane.
     * @return when this process attempts that connection again (if it connects out).
     */
    ReconnectBackoff reconnectBackoff(final int role, final int lane)
    {
        return reconnectBackoffs[role][lane];
    }

    long lostSinceNs(final int role, final int lane)
    {
        return lostSinceNs[role][lane];
    }

    void lostSinceNs(final int role, final int lane, final long value)
    {
        lostSinceNs[role][lane] = value;
    }

    Int2ObjectHashMap<RdmaRemoteRegion> handles()
    {
        return handleByRegionId;
    }

    Int2ObjectHashMap<OwnerKey> ownerKeys()
    {
        return ownerKeyByRegionId;
    }

    boolean incarnationKnown()
    {
        return incarnationKnown;
    }

    long incarnation()
    {
        return incarnation;
    }

    /**
     * Adopts the incarnation of a new run of the peer: forgets its table and keys.
     *
     * @param value the incarnation from its hello.
     */
    void incarnation(final long value)
    {
        incarnation = value;
        incarnationKnown = true;
        tableKnown = false;
        entryByRegionId.clear();
        keyTable.setMemory(0, keyTable.capacity(), (byte)0);
    }

    boolean tableKnown()
    {
        return tableKnown;
    }

    /**
     * Registers, once, the key table the peer writes keys of its regions into.
     *
     * @param verbs the verbs.
     * @return the registration.
     * @throws IOException if registration fails.
     */
    Verbs.Memory keyTableRegistration(final Verbs verbs) throws IOException
    {
        if (null == keyTableRegistration)
        {
            keyTableRegistration = verbs.register(keyTableMemory, Verbs.ACCESS_LOCAL_WRITE | Verbs.ACCESS_REMOTE_WRITE);
        }
        return keyTableRegistration;
    }

    /**
     * Adopts the region table of an owner hello of the current incarnation; keeps a newer key already
     * held for a region.
     *
     * @param hello the owner hello.
     */
    void adoptTable(final Handshake hello)
    {
        final List<Handshake.Region> regions = hello.regions();
        for (int i = 0; i < regions.size(); i++)
        {
            final Handshake.Region region = regions.get(i);
            final RemoteEntry existing = entryByRegionId.get(region.regionId());
            if (null == existing || existing.index != i || existing.address != region.address())
            {
                entryByRegionId.put(region.regionId(), new RemoteEntry(i, region.sizeBytes(), region.address(),
                    region.keyWord()));
            }
            else if (RegionKey.isNewer(RegionKey.generation(region.keyWord()), RegionKey.generation(existing.keyWord)))
            {
                existing.keyWord = region.keyWord();
            }
        }
        remoteKeyTableAddress = hello.keyTableAddress();
        remoteKeyTableRkey = hello.keyTableRkey();
        remoteKeyTableEntries = hello.keyTableEntries();
        tableKnown = true;
    }

    /**
     * @param regionId a region of the peer.
     * @return its entry, null if the peer's table is not known or lacks it.
     */
    RemoteEntry entry(final int regionId)
    {
        return entryByRegionId.get(regionId);
    }

    /** @return entries the peer's key table has for this process's regions. */
    int remoteKeyTableEntries()
    {
        return remoteKeyTableEntries;
    }

    /**
     * @return the next peer-wide issue sequence for a write on {@code lane}, staging a fence on the
     *         previous lane if the write switches lanes, so that this lane can wait for it.
     * @param lane the lane of the write about to be staged.
     */
    long nextIssueSeq(final int lane)
    {
        if (lastLane >= 0 && lastLane != lane)
        {
            final SendLane previous = sendLanes[lastLane];
            previous.stageFence(previous.lastPeerSeq());
        }
        lastLane = lane;
        return ++issueSeq;
    }

    @Override
    public long keyWord(final int regionId)
    {
        final RemoteEntry entry = entryByRegionId.get(regionId);
        if (null == entry)
        {
            return 0;
        }
        final long published = keyTable.getLongVolatile(entry.index * 8);
        if (RegionKey.isNewer(RegionKey.generation(published), RegionKey.generation(entry.keyWord)))
        {
            entry.keyWord = published;
        }
        return entry.keyWord;
    }

    @Override
    public long regionAddress(final int regionId)
    {
        return entryByRegionId.get(regionId).address;
    }

    @Override
    public long keyTableAddress()
    {
        return remoteKeyTableAddress;
    }

    @Override
    public int keyTableRkey()
    {
        return remoteKeyTableRkey;
    }

    @Override
    public boolean mayPost(final int lane, final long peerSeq)
    {
        for (int i = 0; i < sendLanes.length; i++)
        {
            if (i != lane && sendLanes[i].oldestPendingPeerSeq() < peerSeq)
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onRejected(final int regionId)
    {
        final RdmaRemoteRegion handle = handleByRegionId.get(regionId);
        if (null != handle && handle.onRejected())
        {
            fabric.writeRejected(peerId, regionId);
        }
    }

    /**
     * Releases the key table registration.
     *
     * @throws IOException if the provider refuses.
     */
    void close() throws IOException
    {
        if (null != keyTableRegistration)
        {
            final Verbs.Memory registration = keyTableRegistration;
            keyTableRegistration = null;
            registration.deregister();
        }
    }

    @Override
    public String toString()
    {
        return "RdmaPeer{peerId=" + peerId + ", state=" + state + ", address=" + address + '}';
    }
}
