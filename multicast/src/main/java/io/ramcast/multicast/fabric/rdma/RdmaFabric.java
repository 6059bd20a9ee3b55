package io.ramcast.multicast.fabric.rdma;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.multicast.fabric.FabricListener;
import io.ramcast.multicast.fabric.LocalRegion;
import io.ramcast.multicast.fabric.RemoteRegion;
import io.ramcast.multicast.fabric.spi.FabricEventQueue;
import io.ramcast.multicast.fabric.spi.FabricLifecycle;
import io.ramcast.multicast.fabric.spi.PeerAddresses;
import io.ramcast.multicast.fabric.spi.ReconnectBackoff;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code rdma} fabric: one-sided RDMA WRITEs into registered memory over reliable-connected
 * queue pairs, set up with the RDMA connection manager, through {@link Verbs} (DiSNI on hardware).
 *
 * <h2>Connections and lanes</h2>
 * Every process that listens has an address in the map given to the constructor (an address of
 * its RDMA interface); process p opens the connections to q iff q listens and (p does not, or
 * {@code p < q}), and re-opens them whenever one is lost ({@link PeerAddresses}): at once if it was up,
 * else after a {@link ReconnectBackoff} from {@link RdmaFabricOptions#connectBackoffMinNs()} doubling
 * to {@link RdmaFabricOptions#connectBackoffMaxNs()}, each delay shortened by a random jitter of at
 * most {@link ReconnectBackoff#DEFAULT_JITTER_FRACTION} of it.
 * Between two processes there is one connection per direction and <em>lane</em>: lane 0 carries
 * writes into every region except the {@link RdmaFabricOptions#isolatedRegionIds() isolated} ones,
 * each of which has a lane of its own (by default RamCast's leader stream, region 3), so that a
 * revocation, which kills the writer's queue pair, does not kill the writer's other traffic
 * (ramcast-protocol.md §C.7.4, §F.5 item 23). A connection's writer posts RDMA WRITEs; its owner
 * only receives.
 *
 * <h2>Handshake and keys</h2>
 * Right after a connection is established the two ends exchange hellos as SENDs
 * ({@link HandshakeCodec}: version, process id, incarnation, lane, and from the owner its region
 * table with address, size and the rkey of the registration it made for this writer, plus the
 * location of its key table). With {@link RdmaFabricOptions#credentials()} the hellos are preceded
 * by AUTH and CHALLENGE and carry proofs ({@link HandshakeCodec}): no hello, and so no region key,
 * goes to a process that has not proved it holds the secret its id needs. Each local region is
 * registered once per peer, so each peer has its
 * own rkey; {@link LocalRegion#revoke} deregisters that registration (the peer's writes then fail
 * with a remote access error and never land) and registers the memory read-only,
 * {@link LocalRegion#grant} registers it writable again. Either way the owner publishes the new
 * key word ({@link RegionKey}) into the writer's key table with a write on its own lane-0
 * connection to the writer, ordered with its later writes: a writer that has seen a later write
 * of the owner uses the new key.
 *
 * <h2>Writes</h2>
 * {@link RemoteRegion#write} copies the bytes into the lane's staging memory and posts them when
 * it can ({@link SendLane}: selective signalling, inline writes up to
 * {@link RdmaFabricOptions#maxInlineBytes()}, staging recycled only after a later signalled
 * completion); a full lane gives {@link io.ramcast.multicast.fabric.WriteResult#BACK_PRESSURE}.
 * Issue order to one peer holds across lanes: a write on another lane than the previous one waits
 * until a signalled fence on the previous lane confirms everything issued before it. Writes on one
 * queue pair are placed in order; the bytes of one write may be placed in any order, which the
 * protocol's self-validating records tolerate (the {@code Fabric} contract; ramcast-protocol.md §F,
 * ARCHITECTURE.md, "Placement order within a write").
 *
 * <h2>Completions</h2>
 * {@link #doWork()} polls every completion queue (never blocking). A remote access error fails the
 * write's handle ({@link RemoteRegion.Status#FAILED}, {@link FabricListener#onWriteRejected} once);
 * the connection is then replaced, and the requests it flushed (IBV_WC_WR_FLUSH_ERR, counted in
 * {@link #flushedWorkRequestCount()} and logged) are posted again on the new one, except those of
 * the failed handle. A retry-exceeded or other error, or the owner closing the connection, is the
 * peer's death: {@link FabricListener#onPeerDown} once, handles PEER_DOWN, pending writes dropped.
 * An incoming connection that is lost and not re-established within
 * {@link RdmaFabricOptions#connectTimeoutNs()} is the peer's death too. A hello with a new
 * incarnation means the peer restarted, except that a client id whose connections from another
 * incarnation are still up is refused (a REFUSE instead of this side's hello, {@link #refusal}
 * at the refused side): two live clients with one id never take the id from each other. A local error is a bug here and stops the agent
 * ({@link IllegalStateException}).
 *
 * <p>Threading: one agent thread calls every method, and the {@link LocalRegion} methods;
 * {@link #close()} may come from any thread once the agent stopped. Nothing blocks but registration
 * calls (on connection set-up and permission changes).
 */
public final class RdmaFabric implements Fabric
{
    /** Most connection-manager events handled per {@link #doWork()}. */
    static final int CM_EVENT_LIMIT = 64;
    /** Most completions polled per connection per {@link #doWork()}. */
    static final int COMPLETION_LIMIT = 64;
    /** Most accepted connections waiting for their hello. */
    static final int MAX_UNIDENTIFIED_CONNECTIONS = 64;

    private static final int LISTEN_BACKLOG = 128;
    private static final Logger LOG = LoggerFactory.getLogger(RdmaFabric.class);

    /** Peers with a live connection, for {@link #connectedPeers()} (written on the agent thread). */
    private final Set<Integer> connectedPeers = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Refusal> refusals = new ConcurrentHashMap<>();
    private final Map<Integer, String> downReasons = new ConcurrentHashMap<>();
    private volatile java.util.function.IntFunction<String> clientAdmission = id -> null;
    /** The soft RLIMIT_MEMLOCK checked at start ({@link Long#MAX_VALUE}: unlimited or not checked). */
    private long lockedMemoryLimit = Long.MAX_VALUE;
    private final int selfId;
    private final long incarnation;
    private final FabricCredentials credentials;
    private final PeerAddresses addresses;
    private final InetSocketAddress selfAddress;
    private final RdmaFabricOptions options;
    private final Verbs verbs;
    private final NanoClock clock;
    private final RandomGenerator random;
    private final FabricLifecycle lifecycle;

    private final List<RdmaLocalRegion> regions = new ArrayList<>();
    private final Int2ObjectHashMap<RdmaLocalRegion> regionById = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<RdmaPeer> peerById = new Int2ObjectHashMap<>();
    private final List<RdmaPeer> peers = new ArrayList<>();
    private final Int2ObjectHashMap<SelfRemoteRegion> selfHandleByRegionId = new Int2ObjectHashMap<>();
    private final List<RdmaConnection> connections = new ArrayList<>();
    private final IdentityHashMap<Verbs.Connection, RdmaConnection> connectionByCm = new IdentityHashMap<>();
    private final FabricEventQueue events = new FabricEventQueue();
    private final ArrayDeque<RdmaConnection> deferredLosses = new ArrayDeque<>();
    private final ArrayDeque<RdmaPeer> deferredPeerDowns = new ArrayDeque<>();
    private final Map<RdmaPeer, String> peerDownReasons = new IdentityHashMap<>();
    private final Verbs.CmEventHandler cmEventHandler = this::onCmEvent;
    private final UnsafeBuffer pushScratch = new UnsafeBuffer(new byte[8]);

    private Verbs.Listener cmListener;
    private long nowNs;
    private int unidentifiedCount;
    private long staleFlushedCount;
    private int cmWork;

    /**
     * Creates the endpoint of a process over DiSNI, after checking that {@code libdisni} and an RDMA
     * device are there.
     *
     * @param selfId          this process's id, non-negative.
     * @param listenAddresses listen address (on the RDMA interface) of every process that listens.
     * @param options         the options.
     * @return the fabric, not started.
     * @throws RdmaUnavailableException if {@code libdisni} or the RDMA device is missing, naming
     *                                  which and how to install it.
     */
    public static RdmaFabric open(
        final int selfId,
        final Map<Integer, InetSocketAddress> listenAddresses,
        final RdmaFabricOptions options)
    {
        final RdmaFabric fabric = new RdmaFabric(selfId, listenAddresses, options, openVerbs(selfId, options),
            SystemNanoClock.INSTANCE);
        fabric.lockedMemoryLimit(RdmaEnvironment.processLockedMemoryLimit());
        return fabric;
    }

    /**
     * Opens DiSNI's verbs for an endpoint, after checking that {@code libdisni} and an RDMA device are
     * there: the path of {@link #open}, shared with {@link RdmaCheck}.
     *
     * @param selfId  the endpoint's process id, for the message.
     * @param options the options (device and resolve timeout).
     * @return the verbs, owned by the caller until handed to a fabric.
     * @throws RdmaUnavailableException if {@code libdisni} or the RDMA device is missing.
     * @throws UncheckedIOException     if the RDMA event channel cannot be created.
     */
    static Verbs openVerbs(final int selfId, final RdmaFabricOptions options)
    {
        final RdmaEnvironment.Report report = RdmaEnvironment.probe(options.deviceName());
        if (!report.isUsable())
        {
            throw new RdmaUnavailableException(report);
        }
        try
        {
            return DisniVerbs.open(options.resolveTimeoutMs());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("process " + selfId + ": cannot open the RDMA event channel", ex);
        }
    }


    /**
     * Sets the locked-memory limit {@link #start()} checks {@link #lockedMemoryNeed()} against.
     *
     * @param bytes the soft RLIMIT_MEMLOCK in bytes, {@link Long#MAX_VALUE} for unlimited.
     */
    void lockedMemoryLimit(final long bytes)
    {
        lockedMemoryLimit = bytes;
    }

    /**
     * The most memory this process pins for the NIC, from its registered regions and the peers that
     * may connect ({@link RdmaFabricOptions#clientPeers()} clients besides the listening processes):
     * every peer gets a registration of every region of its own (its keys are capabilities, revoked
     * per peer), plus one more of the largest while a permission change replaces one; a staging
     * buffer per peer and lane; a key table per peer; two handshake buffers per connection (per peer,
     * direction and lane). Each registration is counted in whole pages, one more for an unaligned
     * start, as the kernel charges them. An upper bound: a server connects only to the peers it
     * talks to. Meaningful once every region is registered.
     *
     * @return bytes.
     */
    public long lockedMemoryNeed()
    {
        long regionBytes = 0;
        long largest = 0;
        for (final RdmaLocalRegion region : regions)
        {
            final long pinned = pinnedBytes(region.sizeBytes());
            regionBytes += pinned;
            largest = Math.max(largest, pinned);
        }
        final int peerCount = peerCountBound();
        final int lanes = options.laneCount();
        return peerCount * regionBytes + largest + (long)peerCount * lanes * pinnedBytes(options.stagingBytes()) +
            peerCount * pinnedBytes(HandshakeCodec.MAX_REGIONS * 8) +
            (long)peerCount * 2 * lanes * 2 * pinnedBytes(RdmaConnection.HANDSHAKE_BUFFER_BYTES);
    }

    private int peerCountBound()
    {
        final int servers = addresses.byProcessId().size() - (null != selfAddress ? 1 : 0);
        return servers + (null != selfAddress ? options.clientPeers() : 0);
    }

    private static long pinnedBytes(final int bytes)
    {
        final long page = 4096;
        return ((bytes + page - 1) / page + 1) * page;
    }

    /**
     * Creates the endpoint of a process over the given verbs, with reconnection jitter from a
     * randomly seeded source.
     *
     * @param selfId          this process's id, non-negative.
     * @param listenAddresses listen address of every process that listens, by id; this process
     *                        listens iff its id is a key.
     * @param options         the options.
     * @param verbs           the verbs (DiSNI, or a fake in tests); the fabric owns and closes it.
     * @param clock           time source for timeouts and backoff.
     */
    RdmaFabric(
        final int selfId,
        final Map<Integer, InetSocketAddress> listenAddresses,
        final RdmaFabricOptions options,
        final Verbs verbs,
        final NanoClock clock)
    {
        this(selfId, listenAddresses, options, verbs, clock, new SplittableRandom());
    }

    /**
     * Creates the endpoint of a process over the given verbs.
     *
     * @param selfId          this process's id, non-negative.
     * @param listenAddresses listen address of every process that listens, by id; this process
     *                        listens iff its id is a key.
     * @param options         the options.
     * @param verbs           the verbs (DiSNI, or a fake in tests); the fabric owns and closes it.
     * @param clock           time source for timeouts and backoff.
     * @param random          source of the reconnection jitter, used only by the agent thread.
     * @throws IllegalArgumentException for a negative id or a null address.
     */
    RdmaFabric(
        final int selfId,
        final Map<Integer, InetSocketAddress> listenAddresses,
        final RdmaFabricOptions options,
        final Verbs verbs,
        final NanoClock clock,
        final RandomGenerator random)
    {
        this.addresses = new PeerAddresses(selfId, listenAddresses);
        this.selfId = selfId;
        this.selfAddress = addresses.selfAddress();
        this.options = Objects.requireNonNull(options, "options");
        this.verbs = Objects.requireNonNull(verbs, "verbs");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.lifecycle = new FabricLifecycle("process " + selfId);
        this.credentials = options.credentials();
        if (null != credentials && null != selfAddress && !credentials.holdsServerSecret())
        {
            throw new IllegalArgumentException("process " + selfId + " listens (it is a server) but its credentials " +
                "hold only the client secret");
        }
        long value;
        do
        {
            value = ThreadLocalRandom.current().nextLong();
        }
        while (0 == value);
        this.incarnation = value;
        for (final Map.Entry<Integer, InetSocketAddress> entry : addresses.byProcessId().entrySet())
        {
            if (entry.getKey() != selfId)
            {
                peer(entry.getKey());
            }
        }
    }

    @Override
    public int selfId()
    {
        return selfId;
    }

    /**
     * @return work requests reported flushed (IBV_WC_WR_FLUSH_ERR) so far; each was posted again
     *         or, if its handle had failed, dropped.
     */
    public long flushedWorkRequestCount()
    {
        long count = staleFlushedCount;
        for (final RdmaPeer peer : peers)
        {
            for (final SendLane lane : peer.sendLanes())
            {
                count += lane.flushedCount();
            }
        }
        return count;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException also beyond {@value HandshakeCodec#MAX_REGIONS} regions.
     */
    @Override
    public LocalRegion register(final int regionId, final int sizeBytes, final boolean writableByAll)
    {
        lifecycle.ensureNew("register");
        if (regionById.containsKey(regionId))
        {
            throw new IllegalArgumentException("regionId=" + regionId + " already registered by process " + selfId);
        }
        if (regions.size() >= HandshakeCodec.MAX_REGIONS)
        {
            throw new IllegalArgumentException("process " + selfId + " already has " + HandshakeCodec.MAX_REGIONS +
                " regions, the most an rdma handshake carries");
        }
        final RdmaLocalRegion region = new RdmaLocalRegion(regionId, sizeBytes, writableByAll, this::onPermissionChange);
        regionById.put(regionId, region);
        regions.add(region);
        return region;
    }

    /**
     * {@inheritDoc}
     *
     * @throws UncheckedIOException if this process listens and binding its address fails.
     */
    @Override
    public void start()
    {
        final long need = lockedMemoryNeed();
        if (need > lockedMemoryLimit)
        {
            close();
            throw new RdmaUnavailableException(new RdmaEnvironment.Report(List.of(RdmaEnvironment.Missing.LOCKED_MEMORY),
                List.of("process " + selfId + " pins up to " + mib(need) + " for the NIC (" + regions.size() +
                    " regions for each of up to " + peerCountBound() + " peers, with staging and handshake buffers), " +
                    "but its locked-memory limit (RLIMIT_MEMLOCK) is " + mib(lockedMemoryLimit) + ": ibv_reg_mr would " +
                    "fail as peers connect; " + RdmaEnvironment.LOCKED_MEMORY_HOW_TO)));
        }
        lifecycle.transition(FabricLifecycle.State.STARTED);
        LOG.info("process {}: pins up to {} for the NIC ({} regions, up to {} peers); locked-memory limit {}", selfId,
            mib(need), regions.size(), peerCountBound(), Long.MAX_VALUE == lockedMemoryLimit ? "unlimited" :
            mib(lockedMemoryLimit));
        nowNs = clock.nanoTime();
        if (null != selfAddress)
        {
            try
            {
                cmListener = verbs.listen(selfAddress, LISTEN_BACKLOG);
            }
            catch (final IOException ex)
            {
                close();
                throw new UncheckedIOException("process " + selfId + " cannot listen on " + selfAddress +
                    " over RDMA (is it an address of an RDMA interface?)", ex);
            }
            LOG.info("process {} listening for rdma connections on {}", selfId, selfAddress);
        }
        for (final RdmaPeer peer : peers)
        {
            attemptAllNow(peer);
        }
        for (final SelfRemoteRegion handle : selfHandleByRegionId.values())
        {
            handle.bind(regionById.get(handle.regionId()));
        }
    }

    @Override
    public RemoteRegion remote(final int peerId, final int regionId)
    {
        lifecycle.ensureNotClosed("remote");
        if (peerId == selfId)
        {
            SelfRemoteRegion handle = selfHandleByRegionId.get(regionId);
            if (null == handle)
            {
                handle = new SelfRemoteRegion(this, selfId, regionId);
                selfHandleByRegionId.put(regionId, handle);
                if (FabricLifecycle.State.STARTED == lifecycle.state())
                {
                    handle.bind(regionById.get(regionId));
                }
            }
            return handle;
        }
        final RdmaPeer peer = peer(peerId);
        RdmaRemoteRegion handle = peer.handles().get(regionId);
        if (null == handle)
        {
            handle = new RdmaRemoteRegion(this, peer, regionId, options.laneOf(regionId));
            peer.handles().put(regionId, handle);
            if (RdmaPeer.State.UP == peer.state() && peer.tableKnown())
            {
                bindHandle(peer, handle);
            }
            else if (RdmaPeer.State.DOWN == peer.state())
            {
                handle.onPeerDown();
            }
        }
        return handle;
    }

    @Override
    public int doWork()
    {
        if (FabricLifecycle.State.STARTED != lifecycle.state())
        {
            return 0;
        }
        nowNs = clock.nanoTime();
        int work = 0;
        cmWork = 0;
        try
        {
            verbs.pollCmEvents(cmEventHandler, CM_EVENT_LIMIT);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("process " + selfId + ": polling the RDMA event channel failed", ex);
        }
        work += cmWork;

        for (int i = 0, size = connections.size(); i < size; i++)
        {
            final RdmaConnection connection = connections.get(i);
            if (RdmaConnection.State.CLOSED != connection.state())
            {
                work += pollConnection(connection);
            }
        }
        work += processDeferred();

        for (int i = 0, size = peers.size(); i < size; i++)
        {
            work += servicePeer(peers.get(i));
        }
        work += processDeferred();
        work += checkUnidentified();
        connections.removeIf(connection -> RdmaConnection.State.CLOSED == connection.state());
        work += attemptConnections();
        work += events.dispatch();
        return work;
    }

    @Override
    public int[] connectedPeers()
    {
        return connectedPeers.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    @Override
    public void listener(final FabricListener listener)
    {
        events.listener(listener);
    }

    @Override
    public void close()
    {
        if (!lifecycle.closeOnce())
        {
            return;
        }
        for (final RdmaConnection connection : connections)
        {
            closeConnection(connection);
        }
        connections.clear();
        connectionByCm.clear();
        if (null != cmListener)
        {
            cmListener.close();
        }
        for (final RdmaPeer peer : peers)
        {
            for (final SendLane lane : peer.sendLanes())
            {
                lane.close();
            }
            for (final RdmaPeer.OwnerKey key : peer.ownerKeys().values())
            {
                deregisterQuietly(key.registration, peer);
            }
            try
            {
                peer.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("process {}: releasing the key table of process {} failed", selfId, peer.peerId(), ex);
            }
        }
        for (final SelfRemoteRegion handle : selfHandleByRegionId.values())
        {
            handle.onClosed();
        }
        verbs.close();
        LOG.info("process {}: rdma fabric closed", selfId);
    }

    @Override
    public String toString()
    {
        return "RdmaFabric{selfId=" + selfId + ", address=" + selfAddress + ", lifecycle=" + lifecycle + '}';
    }

    /**
     * Stages a write of a handle; called by {@link RdmaRemoteRegion#write}.
     *
     * @return false on back-pressure.
     */
    boolean stage(
        final RdmaPeer peer,
        final int lane,
        final int regionId,
        final int offset,
        final DirectBuffer src,
        final int srcOffset,
        final int length)
    {
        final SendLane sendLane = peer.sendLane(lane);
        final long peerSeq = peer.nextIssueSeq(lane);
        if (!sendLane.stage(regionId, offset, src, srcOffset, length, peerSeq))
        {
            // Full of unsignalled writes: a fence makes their space come back.
            sendLane.stageFence(sendLane.lastPeerSeq());
            postQuietly(peer, sendLane);
            return false;
        }
        postQuietly(peer, sendLane);
        return true;
    }

    /** Queues {@link FabricListener#onWriteRejected} for the next {@link #doWork()}. */
    void writeRejected(final int peerId, final int regionId)
    {
        events.writeRejected(peerId, regionId);
    }

    /**
     * @return whether the lane is being re-established after a {@link RemoteRegion#reset()}, so a
     *         write must wait for the owner's current key rather than be refused on the old one.
     */
    boolean isRefreshing(final RdmaPeer peer, final int lane)
    {
        final SendLane sendLane = peer.sendLane(lane);
        return sendLane.isRefreshing() || null == sendLane.connection() || sendLane.hasFailedConnection();
    }

    /**
     * A handle of the lane was reset: re-establish the lane so that the owner's current key comes
     * with a fresh handshake (after the writes posted so far are confirmed, so none is posted twice).
     */
    void refreshLane(final RdmaPeer peer, final int lane)
    {
        final SendLane sendLane = peer.sendLane(lane);
        if (null == sendLane.connection() || sendLane.hasFailedConnection())
        {
            return;
        }
        sendLane.refreshing(true);
        sendLane.stageFence(sendLane.lastPeerSeq());
        postQuietly(peer, sendLane);
    }

    private void postQuietly(final RdmaPeer peer, final SendLane lane)
    {
        try
        {
            lane.post(peer, options.sendQueueDepth());
        }
        catch (final IOException ex)
        {
            final RdmaConnection connection = connectionByCm.get(lane.connection());
            LOG.warn("process {}: posting to process {} on lane {} failed: {}", selfId, peer.peerId(), lane.lane(),
                ex.toString());
            if (null != connection)
            {
                deferredLosses.add(connection);
            }
        }
    }

    private RdmaPeer peer(final int peerId)
    {
        RdmaPeer peer = peerById.get(peerId);
        if (null == peer)
        {
            peer = new RdmaPeer(this, peerId, addresses.addressOf(peerId), addresses.connectsOutTo(peerId), options,
                random);
            peerById.put(peerId, peer);
            peers.add(peer);
            if (FabricLifecycle.State.STARTED == lifecycle.state())
            {
                attemptAllNow(peer);
            }
            if (!addresses.canConnect(peerId))
            {
                LOG.warn("process {} and process {} both have no listen address: they can never connect", selfId, peerId);
            }
        }
        return peer;
    }

    private void bindHandle(final RdmaPeer peer, final RdmaRemoteRegion handle)
    {
        if (!handle.onConnected(false))
        {
            LOG.error("process {} has no region {}; handle of process {} to it is FAILED", peer.peerId(),
                handle.regionId(), selfId);
        }
    }

    // ---------------------------------------------------------------- connection manager

    private void onCmEvent(final Verbs.CmEvent event, final Verbs.Connection cm, final String detail)
    {
        cmWork++;
        if (Verbs.CmEvent.CONNECT_REQUEST == event)
        {
            onConnectRequest(cm);
            return;
        }
        final RdmaConnection connection = connectionByCm.get(cm);
        if (null == connection || RdmaConnection.State.CLOSED == connection.state())
        {
            return;
        }
        switch (event)
        {
            case ROUTE_RESOLVED -> onRouteResolved(connection);
            case ESTABLISHED -> onEstablished(connection);
            case DISCONNECTED -> lose(connection, "disconnected (" + detail + ")", true);
            case FAILED -> lose(connection, "failed: " + detail, false);
            default -> throw new IllegalStateException("unexpected " + event);
        }
    }

    private void onConnectRequest(final Verbs.Connection cm)
    {
        if (unidentifiedCount >= MAX_UNIDENTIFIED_CONNECTIONS)
        {
            LOG.warn("process {}: refusing an rdma connection: {} are already waiting for their hello", selfId,
                unidentifiedCount);
            cm.close();
            return;
        }
        final RdmaConnection connection = new RdmaConnection(cm, false, RdmaConnection.Role.UNKNOWN, -1, null,
            RdmaConnection.State.CONNECTING, nowNs + options.connectTimeoutNs());
        track(connection);
        unidentifiedCount++;
        try
        {
            connection.setUp(verbs, options, completionHandler(connection));
            cm.accept();
        }
        catch (final IOException ex)
        {
            lose(connection, "accepting failed: " + ex, false);
        }
    }

    private void onRouteResolved(final RdmaConnection connection)
    {
        try
        {
            connection.state(RdmaConnection.State.CONNECTING);
            connection.setUp(verbs, options, completionHandler(connection));
            connection.cm().connect();
        }
        catch (final IOException ex)
        {
            lose(connection, "connecting failed: " + ex, false);
        }
    }

    private void onEstablished(final RdmaConnection connection)
    {
        if (RdmaConnection.State.CONNECTING != connection.state())
        {
            // an acceptor can poll the peer's first SEND before this event (rdma_cm reports it
            // asynchronously): that SEND already moved the connection on; the event adds nothing
            return;
        }
        connection.state(RdmaConnection.State.HANDSHAKING);
        if (connection.isOutbound())
        {
            try
            {
                if (null != credentials)
                {
                    connection.localNonce(FabricCredentials.newNonce());
                    connection.sendHello(new Handshake(HandshakeCodec.TYPE_AUTH, connection.lane(), selfId, incarnation,
                        0, 0, 0, List.of(), connection.localNonce(), Handshake.NONE));
                }
                else
                {
                    sendHello(connection);
                }
            }
            catch (final IOException ex)
            {
                lose(connection, "sending the hello failed: " + ex, false);
            }
        }
    }

    private void sendHello(final RdmaConnection connection) throws IOException
    {
        final RdmaPeer peer = connection.peer();
        if (RdmaConnection.Role.WRITER == connection.role())
        {
            peer.sendLane(connection.lane()).ensureRegistered(verbs);
            connection.sendHello(withProof(connection, new Handshake(HandshakeCodec.TYPE_WRITER_HELLO, connection.lane(),
                selfId, incarnation, 0, 0, 0, List.of())));
        }
        else
        {
            final Verbs.Memory keyTable = peer.keyTableRegistration(verbs);
            final List<Handshake.Region> table = new ArrayList<>(regions.size());
            ensureOwnerKeys(peer);
            for (final RdmaLocalRegion region : regions)
            {
                final RdmaPeer.OwnerKey key = peer.ownerKeys().get(region.regionId());
                table.add(new Handshake.Region(region.regionId(), region.sizeBytes(), key.registration.address(),
                    RegionKey.encode(key.registration.rkey(), key.generation, key.writable)));
            }
            connection.sendHello(withProof(connection, new Handshake(HandshakeCodec.TYPE_OWNER_HELLO, connection.lane(),
                selfId, incarnation, keyTable.address(), keyTable.rkey(), HandshakeCodec.MAX_REGIONS, table)));
        }
    }

    /**
     * @return the hello as it goes out: on an authenticated connection this side opened, with its
     *         nonce and its proof over the acceptor's nonce; otherwise unchanged.
     */
    private Handshake withProof(final RdmaConnection connection, final Handshake hello)
    {
        if (null == credentials || !connection.isOutbound())
        {
            return hello;
        }
        final int peerId = connection.peer().peerId();
        return new Handshake(hello.type(), hello.lane(), hello.processId(), hello.incarnation(), hello.keyTableAddress(),
            hello.keyTableRkey(), hello.keyTableEntries(), hello.regions(), connection.localNonce(),
            credentials.proof(selfId, null != selfAddress, incarnation, peerId, isServer(peerId), connection.peerNonce(),
                connection.localNonce()));
    }

    private void track(final RdmaConnection connection)
    {
        connections.add(connection);
        connectionByCm.put(connection.cm(), connection);
    }

    private Verbs.CompletionHandler completionHandler(final RdmaConnection connection)
    {
        return (workRequestId, status, rawStatus, vendorError, byteLength) ->
            onCompletion(connection, workRequestId, status, statusText(rawStatus, vendorError), byteLength);
    }

    // ---------------------------------------------------------------- completions

    private int pollConnection(final RdmaConnection connection)
    {
        try
        {
            return connection.poll(COMPLETION_LIMIT);
        }
        catch (final IOException ex)
        {
            deferredLosses.add(connection);
            LOG.warn("process {}: polling {} failed: {}", selfId, connection, ex.toString());
            return 1;
        }
    }

    private static String mib(final long bytes)
    {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** @return a completion's numeric status and vendor error, for logs and reasons. */
    static String statusText(final int rawStatus, final int vendorError)
    {
        return "status " + rawStatus + (0 == vendorError ? "" : ", vendor error 0x" + Integer.toHexString(vendorError));
    }

    private void onCompletion(
        final RdmaConnection connection,
        final long workRequestId,
        final Verbs.CompletionStatus status,
        final String rawStatus,
        final int byteLength)
    {
        if (Verbs.CompletionStatus.LENGTH_ERROR == status &&
            WorkRequestIds.KIND_HANDSHAKE_RECEIVE == WorkRequestIds.kind(workRequestId))
        {
            // the peer's fault, not this process's: a handshake message larger than any this
            // version sends (a peer of another version, or not a RamCast process)
            connection.markLost("the peer sent a handshake message larger than " +
                RdmaConnection.HANDSHAKE_BUFFER_BYTES + " bytes (IBV_WC_LOC_LEN_ERR): not a peer of this version");
            deferredLosses.add(connection);
            return;
        }
        if (Verbs.CompletionStatus.LOCAL_ERROR == status || Verbs.CompletionStatus.LENGTH_ERROR == status)
        {
            throw new IllegalStateException("process " + selfId + ": local error (" + rawStatus + ") on " +
                WorkRequestIds.toString(workRequestId) + " of " + connection + ": a bug in the rdma fabric");
        }
        if (RdmaConnection.State.CLOSED == connection.state() || connection.isLost())
        {
            if (Verbs.CompletionStatus.FLUSHED == status)
            {
                staleFlushedCount++;
                connection.countFlushed();
            }
            return;
        }
        switch (WorkRequestIds.kind(workRequestId))
        {
            case WorkRequestIds.KIND_HANDSHAKE_RECEIVE ->
            {
                if (Verbs.CompletionStatus.SUCCESS == status)
                {
                    onHello(connection, byteLength);
                }
                else
                {
                    countIfFlushed(connection, status);
                    connection.markLost("handshake receive completed with " + status + " (" + rawStatus + ")");
                    deferredLosses.add(connection);
                }
            }
            case WorkRequestIds.KIND_HANDSHAKE_SEND ->
            {
                if (Verbs.CompletionStatus.SUCCESS != status)
                {
                    countIfFlushed(connection, status);
                    connection.markLost("handshake send completed with " + status + " (" + rawStatus + ")");
                    deferredLosses.add(connection);
                }
                else if (null != connection.refusing())
                {
                    connection.markLost("refused: " + connection.refusing()); // the REFUSE is out
                    deferredLosses.add(connection);
                }
            }
            case WorkRequestIds.KIND_WRITE, WorkRequestIds.KIND_FENCE -> onWriteCompletion(connection, workRequestId,
                status, rawStatus);
            default -> throw new IllegalStateException("process " + selfId + ": completion with unknown id " +
                WorkRequestIds.toString(workRequestId) + " on " + connection);
        }
    }

    private void countIfFlushed(final RdmaConnection connection, final Verbs.CompletionStatus status)
    {
        if (Verbs.CompletionStatus.FLUSHED == status)
        {
            staleFlushedCount++;
            connection.countFlushed();
        }
    }

    private void onWriteCompletion(
        final RdmaConnection connection,
        final long workRequestId,
        final Verbs.CompletionStatus status,
        final String rawStatus)
    {
        final RdmaPeer peer = connection.peer();
        final SendLane lane = peer.sendLane(connection.lane());
        if (lane.connection() != connection.cm())
        {
            countIfFlushed(connection, status);
            return;
        }
        switch (status)
        {
            case SUCCESS, REMOTE_ACCESS_ERROR, FLUSHED ->
            {
                final boolean wasFailed = lane.hasFailedConnection();
                if (Verbs.CompletionStatus.FLUSHED == status)
                {
                    connection.countFlushed();
                }
                if (lane.onCompletion(peer, workRequestId, status) && !wasFailed)
                {
                    if (Verbs.CompletionStatus.FLUSHED == status && lane.hasWritesOfUnknownFate())
                    {
                        // no remote access error put the queue pair in error: what it did not
                        // confirm may have landed, and is not posted again (at most once)
                        peerDownReasons.putIfAbsent(peer, WorkRequestIds.toString(workRequestId) + " on lane " +
                            connection.lane() + " was flushed without a remote access error before it: the writes " +
                            "the queue pair did not confirm may have landed, so they are not posted again");
                        deferredPeerDowns.add(peer);
                    }
                    else
                    {
                        if (Verbs.CompletionStatus.REMOTE_ACCESS_ERROR == status)
                        {
                            LOG.info("process {}: process {} refused {} on lane {} (remote access error): handle " +
                                "failed; the queue pair is replaced and the later writes, known unexecuted, posted " +
                                "again", selfId, peer.peerId(), WorkRequestIds.toString(workRequestId), connection.lane());
                        }
                        connection.disconnect();
                    }
                }
            }
            default ->
            {
                peerDownReasons.putIfAbsent(peer, WorkRequestIds.toString(workRequestId) + " completed with " + status +
                    " (" + rawStatus + ")");
                deferredPeerDowns.add(peer);
            }
        }
    }

    // ---------------------------------------------------------------- handshake

    private void onHello(final RdmaConnection connection, final int byteLength)
    {
        if (RdmaConnection.State.CONNECTING == connection.state())
        {
            // the peer's SEND arrived before this side's ESTABLISHED event: it proves the connection
            // established (the queue pair receives only once the peer's side is ready to send)
            connection.state(RdmaConnection.State.HANDSHAKING);
        }
        if (connection.receivedRefusal(byteLength))
        {
            onRefusal(connection, byteLength);
            return;
        }
        final Handshake received;
        try
        {
            received = connection.decodeHello(byteLength);
        }
        catch (final HandshakeException ex)
        {
            LOG.error("process {}: closing {}: bad handshake: {}", selfId, connection, ex.getMessage());
            connection.markLost("bad handshake");
            deferredLosses.add(connection);
            return;
        }
        final Handshake hello;
        try
        {
            hello = null == credentials ? received : authenticate(connection, received);
        }
        catch (final IOException ex)
        {
            connection.markLost("answering the handshake failed: " + ex);
            deferredLosses.add(connection);
            return;
        }
        if (null == hello)
        {
            return; // the exchange goes on, or the connection was refused
        }
        final String problem = checkHello(connection, hello);
        if (null != problem)
        {
            refuse(connection, problem);
            return;
        }
        if (!connection.isOutbound() && RdmaConnection.Role.UNKNOWN == connection.role() &&
            (refuseIfNotServed(connection, hello) || refuseIfClientIdInUse(connection, hello)))
        {
            return;
        }
        if (RdmaConnection.Role.UNKNOWN == connection.role())
        {
            unidentifiedCount--;
            connection.role(HandshakeCodec.TYPE_WRITER_HELLO == hello.type() ?
                RdmaConnection.Role.OWNER : RdmaConnection.Role.WRITER);
            connection.lane(hello.lane());
            connection.peer(peer(hello.processId()));
        }
        final RdmaPeer peer = connection.peer();
        adoptIncarnation(peer, hello.incarnation(), connection);
        try
        {
            if (RdmaConnection.Role.WRITER == connection.role())
            {
                peer.adoptTable(hello);
                peer.sendLane(connection.lane()).ensureRegistered(verbs);
            }
            if (!connection.isOutbound())
            {
                sendHello(connection);
            }
        }
        catch (final IOException ex)
        {
            connection.markLost("answering the hello failed: " + ex);
            deferredLosses.add(connection);
            return;
        }
        connectionUp(connection);
    }

    /**
     * The authenticated exchange (four messages, {@link HandshakeCodec}). Connecting side: the
     * acceptor's CHALLENGE is checked, then this side's hello goes out with its proof. Accepting
     * side: AUTH is answered with a CHALLENGE and kept until the connector's hello proves it. Each
     * side posts its handshake receive again before it sends what the other answers.
     *
     * @return the hello to act on now (the acceptor's, once it proved itself; the connector's, once
     *         its proof held), or null when the exchange goes on or the connection was refused.
     * @throws IOException if posting fails.
     */
    private Handshake authenticate(final RdmaConnection connection, final Handshake message) throws IOException
    {
        if (connection.isOutbound())
        {
            if (connection.peerProven())
            {
                return message; // the acceptor's hello; checkHello checks it
            }
            final int peerId = connection.peer().peerId();
            if (HandshakeCodec.TYPE_CHALLENGE != message.type() || message.processId() != peerId ||
                message.lane() != connection.lane())
            {
                return refuse(connection, "expected the challenge of process " + peerId + " on lane " +
                    connection.lane() + " but got type " + message.type() + " from process " + message.processId() +
                    " on lane " + message.lane());
            }
            if (!credentials.verifies(peerId, isServer(peerId), message.incarnation(), selfId, null != selfAddress,
                connection.localNonce(), message.nonce(), message.proof()))
            {
                return refuse(connection, authenticationFailed(peerId));
            }
            connection.peerProven(message.nonce());
            connection.postHandshakeReceive();
            sendHello(connection);
            return null;
        }
        final Handshake auth = connection.pendingAuth();
        if (null == auth)
        {
            final String problem = HandshakeCodec.TYPE_AUTH != message.type() ?
                "expected AUTH but got type " + message.type() : checkHello(connection, message);
            if (null != problem)
            {
                return refuse(connection, problem);
            }
            connection.pendingAuth(message);
            connection.localNonce(FabricCredentials.newNonce());
            connection.postHandshakeReceive();
            connection.sendHello(new Handshake(HandshakeCodec.TYPE_CHALLENGE, message.lane(), selfId, incarnation, 0, 0,
                0, List.of(), connection.localNonce(), credentials.proof(selfId, null != selfAddress, incarnation,
                message.processId(), isServer(message.processId()), message.nonce(), connection.localNonce())));
            return null;
        }
        if ((HandshakeCodec.TYPE_WRITER_HELLO != message.type() && HandshakeCodec.TYPE_OWNER_HELLO != message.type()) ||
            message.processId() != auth.processId() || message.lane() != auth.lane() ||
            message.incarnation() != auth.incarnation())
        {
            return refuse(connection, "expected the hello of process " + auth.processId() + " (incarnation " +
                auth.incarnation() + ", lane " + auth.lane() + ") but got type " + message.type() + " from process " +
                message.processId() + " (incarnation " + message.incarnation() + ", lane " + message.lane() + ")");
        }
        if (!credentials.verifies(auth.processId(), isServer(auth.processId()), auth.incarnation(), selfId,
            null != selfAddress, connection.localNonce(), auth.nonce(), message.proof()))
        {
            return refuse(connection, authenticationFailed(auth.processId()));
        }
        connection.pendingAuth(null);
        return message;
    }

    private String authenticationFailed(final int peerId)
    {
        return FabricCredentials.notProven(peerId, null != selfAddress && isServer(peerId)) +
            "; nothing of this process's regions was sent to it";
    }

    /** Logs the protocol violation and closes the connection (at the end of the duty cycle). @return null. */
    private Handshake refuse(final RdmaConnection connection, final String problem)
    {
        LOG.error("process {}: closing {}: {}", selfId, connection, problem);
        connection.markLost(problem);
        deferredLosses.add(connection);
        return null;
    }

    private boolean isServer(final int processId)
    {
        return null != addresses.addressOf(processId);
    }

    private String checkHello(final RdmaConnection connection, final Handshake hello)
    {
        if (hello.lane() >= options.laneCount())
        {
            return "hello for lane " + hello.lane() + " but this process has " + options.laneCount() + " lanes " +
                "(isolatedRegionIds must be the same in every process)";
        }
        if (hello.processId() == selfId)
        {
            return "hello from a process with this process's own id " + selfId;
        }
        if (RdmaConnection.Role.UNKNOWN == connection.role())
        {
            return null;
        }
        final int expectedType = RdmaConnection.Role.WRITER == connection.role() ?
            HandshakeCodec.TYPE_OWNER_HELLO : HandshakeCodec.TYPE_WRITER_HELLO;
        if (hello.type() != expectedType || hello.processId() != connection.peer().peerId() ||
            hello.lane() != connection.lane())
        {
            return "expected a " + (expectedType == HandshakeCodec.TYPE_OWNER_HELLO ? "owner" : "writer") +
                " hello from process " + connection.peer().peerId() + " on lane " + connection.lane() + " but got type " +
                hello.type() + " from process " + hello.processId() + " on lane " + hello.lane();
        }
        if (HandshakeCodec.TYPE_OWNER_HELLO == hello.type() && hello.keyTableEntries() < regions.size())
        {
            return "process " + hello.processId() + " has a key table of " + hello.keyTableEntries() +
                " entries for this process's " + regions.size() + " regions";
        }
        return null;
    }

    /**
     * Accepting side, at a proven hello: two client processes with one id must not take the id from
     * each other (each restart of one would replace the other's connections), so a client id whose
     * connections from another incarnation are still up is refused with a REFUSE naming the holder;
     * a client leasing its id then takes another. A client that restarted had its connections
     * closed by its kernel's connection manager, so its new incarnation is taken as a restart.
     *
     * @return whether the connection is refused (closed once the REFUSE is sent).
     */
    private boolean refuseIfClientIdInUse(final RdmaConnection connection, final Handshake hello)
    {
        final int processId = hello.processId();
        final RdmaPeer holder = isServer(processId) ? null : peerById.get(processId);
        if (null == holder || !holder.incarnationKnown() || holder.incarnation() == hello.incarnation())
        {
            return false;
        }
        final RdmaConnection live = liveConnection(holder);
        if (null == live)
        {
            return false;
        }
        final String reason = "process " + selfId + ": client id " + processId + " is in use by a live process " +
            "(incarnation " + holder.incarnation() + ", " + live + " is up); refusing incarnation " +
            hello.incarnation() + ": give every client process an id of its own, or let the client lease one";
        LOG.warn("{}", reason);
        sendRefusal(connection, hello, HandshakeCodec.REFUSE_CLIENT_ID_IN_USE, reason);
        return true;
    }

    /**
     * Accepting side, at a proven hello: a client id this process does not serve
     * ({@link #clientAdmission}) is refused with a REFUSE saying why.
     *
     * @return whether the connection is refused (closed once the REFUSE is sent).
     */
    private boolean refuseIfNotServed(final RdmaConnection connection, final Handshake hello)
    {
        final String reason = isServer(hello.processId()) ? null : clientAdmission.apply(hello.processId());
        if (null == reason)
        {
            return false;
        }
        LOG.warn("process {}: refusing client {}: {}", selfId, hello.processId(), reason);
        sendRefusal(connection, hello, HandshakeCodec.REFUSE_CLIENT_ID_NOT_SERVED, "process " + selfId + ": " + reason);
        return true;
    }

    private void sendRefusal(final RdmaConnection connection, final Handshake hello, final int code,
        final String reason)
    {
        try // the connection stays unidentified: closed once the REFUSE is sent, or at its deadline
        {
            connection.sendRefusal(new HandshakeCodec.Refusal(selfId, hello.lane(), incarnation, code, reason));
        }
        catch (final IOException ex)
        {
            connection.markLost("sending the refusal failed: " + ex);
            deferredLosses.add(connection);
        }
    }

    @Override
    public void clientAdmission(final java.util.function.IntFunction<String> refusalReason)
    {
        clientAdmission = Objects.requireNonNull(refusalReason, "refusalReason");
    }

    private static RdmaConnection liveConnection(final RdmaPeer peer)
    {
        for (int role = 0; role < 2; role++)
        {
            for (int lane = 0; lane < peer.laneCount(); lane++)
            {
                final RdmaConnection c = peer.connection(role, lane);
                if (null != c && RdmaConnection.State.UP == c.state() && !c.isLost())
                {
                    return c;
                }
            }
        }
        return null;
    }

    /** Connecting side: the peer refused the connection; kept for {@link #refusal} and closed. */
    private void onRefusal(final RdmaConnection connection, final int byteLength)
    {
        final HandshakeCodec.Refusal refusal;
        try
        {
            refusal = connection.decodeRefusal(byteLength);
        }
        catch (final HandshakeException ex)
        {
            refuse(connection, "bad refusal: " + ex.getMessage());
            return;
        }
        if (!connection.isOutbound() || null == connection.peer() || refusal.processId() != connection.peer().peerId())
        {
            refuse(connection, "unexpected refusal from process " + refusal.processId() + ": " + refusal.message());
            return;
        }
        if (HandshakeCodec.REFUSE_CLIENT_ID_IN_USE == refusal.code())
        {
            refusals.put(refusal.processId(), new Refusal(Refusal.Reason.CLIENT_ID_IN_USE, refusal.message()));
        }
        else if (HandshakeCodec.REFUSE_CLIENT_ID_NOT_SERVED == refusal.code())
        {
            refusals.put(refusal.processId(), new Refusal(Refusal.Reason.CLIENT_ID_NOT_SERVED, refusal.message()));
        }
        LOG.warn("process {}: process {} refused the connection: {}", selfId, refusal.processId(), refusal.message());
        connection.markLost("refused: " + refusal.message());
        deferredLosses.add(connection);
    }

    /**
     * Why a peer was last declared down, with the failed completion's status and the NIC's vendor
     * error when a completion said so; for status reports and logs. Safe from any thread.
     *
     * @param peerId a peer.
     * @return the reason, or null if the peer was never declared down.
     */
    public String lastDownReason(final int peerId)
    {
        return downReasons.get(peerId);
    }

    @Override
    public Refusal refusal(final int peerId)
    {
        return refusals.get(peerId);
    }

    private void adoptIncarnation(final RdmaPeer peer, final long peerIncarnation, final RdmaConnection current)
    {
        if (peer.incarnationKnown() && peer.incarnation() == peerIncarnation)
        {
            return;
        }
        if (peer.incarnationKnown())
        {
            LOG.info("process {}: process {} restarted", selfId, peer.peerId());
            if (RdmaPeer.State.UP == peer.state())
            {
                peerDown(peer, "it restarted", current);
            }
            else
            {
                closePeerConnections(peer, current);
                for (final SendLane lane : peer.sendLanes())
                {
                    lane.discard();
                }
            }
        }
        peer.incarnation(peerIncarnation);
    }

    private void connectionUp(final RdmaConnection connection)
    {
        final RdmaPeer peer = connection.peer();
        final int role = RdmaConnection.Role.WRITER == connection.role() ? RdmaPeer.WRITER : RdmaPeer.OWNER;
        final int lane = connection.lane();
        connection.state(RdmaConnection.State.UP);
        final RdmaConnection previous = peer.connection(role, lane);
        if (null != previous && previous != connection)
        {
            LOG.info("process {}: {} replaced by a new connection", selfId, previous);
            previous.markLost("replaced");
            closeConnection(previous);
        }
        peer.connection(role, lane, connection);
        peer.lostSinceNs(role, lane, -1);
        peer.reconnectBackoff(role, lane).onSuccess();
        if (RdmaPeer.WRITER == role)
        {
            peer.sendLane(lane).attach(connection.cm());
        }
        if (RdmaPeer.State.UP != peer.state())
        {
            peer.state(RdmaPeer.State.UP);
            connectedPeers.add(peer.peerId());
            refusals.remove(peer.peerId());
            LOG.info("process {}: connected to process {} over rdma", selfId, peer.peerId());
        }
        if (peer.tableKnown())
        {
            for (final RdmaRemoteRegion handle : peer.handles().values())
            {
                if (RemoteRegion.Status.FAILED != handle.status() || RdmaPeer.WRITER == role)
                {
                    bindHandle(peer, handle);
                }
            }
        }
    }

    // ---------------------------------------------------------------- permissions

    private void ensureOwnerKeys(final RdmaPeer peer) throws IOException
    {
        for (final RdmaLocalRegion region : regions)
        {
            RdmaPeer.OwnerKey key = peer.ownerKeys().get(region.regionId());
            if (null == key)
            {
                key = new RdmaPeer.OwnerKey();
                key.writable = region.isGranted(peer.peerId());
                key.registration = verbs.register(region.memory(), access(key.writable));
                key.generation = 1;
                peer.ownerKeys().put(region.regionId(), key);
            }
        }
    }

    private static int access(final boolean writable)
    {
        return writable ? Verbs.ACCESS_LOCAL_WRITE | Verbs.ACCESS_REMOTE_WRITE | Verbs.ACCESS_REMOTE_READ :
            Verbs.ACCESS_REMOTE_READ;
    }

    private void onPermissionChange(final RdmaLocalRegion region, final int peerId)
    {
        final RdmaPeer peer = peerById.get(peerId);
        final RdmaPeer.OwnerKey key = null == peer ? null : peer.ownerKeys().get(region.regionId());
        if (null == key)
        {
            return; // not registered for that peer yet: its handshake will carry the current permission
        }
        final boolean writable = region.isGranted(peerId);
        if (key.writable == writable)
        {
            return;
        }
        final Verbs.Memory previous = key.registration;
        try
        {
            if (writable)
            {
                key.registration = verbs.register(region.memory(), access(true));
                previous.deregister();
            }
            else
            {
                // Deregister first: when revoke returns the NIC refuses the old rkey.
                previous.deregister();
                key.registration = verbs.register(region.memory(), access(false));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("process " + selfId + ": re-registering region " + region.regionId() +
                " for process " + peerId + " failed", ex);
        }
        key.writable = writable;
        key.generation = RegionKey.next(key.generation);
        LOG.debug("process {}: region {} is now {} for process {} (key generation {})", selfId, region.regionId(),
            writable ? "writable" : "read-only", peerId, key.generation);
        publishKey(peer, regions.indexOf(region), RegionKey.encode(key.registration.rkey(), key.generation, writable));
    }

    private void publishKey(final RdmaPeer peer, final int index, final long keyWord)
    {
        if (RdmaPeer.State.UP != peer.state())
        {
            return; // the next handshake carries the key
        }
        // The key table of the peer is only written here. With lane 0 full the key waits until the
        // lane drains (stagePendingKeys, every duty cycle): until then the peer's writes fail against
        // the old key, which is safe for a revocation and only delays a grant. The lane is never
        // closed for it: writes posted on it and not confirmed could not be posted again.
        peer.pendingKeys().put(index, keyWord);
        stagePendingKeys(peer);
    }

    /** Stages the key words waiting for room on lane 0, oldest first, while it has room. */
    private int stagePendingKeys(final RdmaPeer peer)
    {
        int staged = 0;
        final SendLane lane = peer.sendLane(0);
        final var pending = peer.pendingKeys().entrySet().iterator();
        while (pending.hasNext())
        {
            final var key = pending.next();
            pushScratch.putLong(0, key.getValue());
            if (!lane.stage(SendLane.KEY_TABLE_TARGET, key.getKey() * 8, pushScratch, 0, 8, peer.nextIssueSeq(0)))
            {
                if (staged == 0 && !peer.keysWaitLogged())
                {
                    LOG.info("process {}: lane 0 to process {} is full; its key update waits until the lane drains",
                        selfId, peer.peerId());
                    peer.keysWaitLogged(true);
                }
                break;
            }
            pending.remove();
            staged++;
        }
        if (staged > 0)
        {
            peer.keysWaitLogged(false);
            postQuietly(peer, lane);
        }
        return staged;
    }

    // ---------------------------------------------------------------- peers and connections

    private int servicePeer(final RdmaPeer peer)
    {
        int work = 0;
        if (!peer.pendingKeys().isEmpty() && RdmaPeer.State.UP == peer.state())
        {
            work += stagePendingKeys(peer);
        }
        for (int role = 0; role < 2; role++)
        {
            for (int lane = 0; lane < peer.laneCount(); lane++)
            {
                final RdmaConnection connection = peer.connection(role, lane);
                if (null != connection && RdmaConnection.State.UP != connection.state() &&
                    nowNs - connection.deadlineNs() > 0)
                {
                    lose(connection, "not established within connectTimeoutNs=" + options.connectTimeoutNs(), false);
                    work++;
                }
                final long lostSince = peer.lostSinceNs(role, lane);
                if (lostSince >= 0 && RdmaPeer.State.UP == peer.state() &&
                    nowNs - lostSince > options.connectTimeoutNs())
                {
                    peerDown(peer, "a lost connection was not re-established within " +
                        TimeUnit.NANOSECONDS.toMillis(options.connectTimeoutNs()) + " ms", null);
                    return work + 1;
                }
            }
        }
        for (final SendLane lane : peer.sendLanes())
        {
            if (lane.isRefreshing() && null != lane.connection() && lane.isDrained())
            {
                final RdmaConnection connection = connectionByCm.get(lane.connection());
                if (null != connection && !connection.disconnectRequested())
                {
                    connection.disconnect();
                    work++;
                }
            }
            try
            {
                work += lane.post(peer, options.sendQueueDepth());
            }
            catch (final IOException ex)
            {
                final RdmaConnection connection = connectionByCm.get(lane.connection());
                LOG.warn("process {}: posting to process {} failed: {}", selfId, peer.peerId(), ex.toString());
                if (null != connection)
                {
                    deferredLosses.add(connection);
                }
            }
        }
        return work;
    }

    private int checkUnidentified()
    {
        int work = 0;
        for (int i = 0, size = connections.size(); i < size; i++)
        {
            final RdmaConnection connection = connections.get(i);
            if (null == connection.peer() && RdmaConnection.State.CLOSED != connection.state() &&
                nowNs - connection.deadlineNs() > 0)
            {
                lose(connection, "no hello within connectTimeoutNs=" + options.connectTimeoutNs(), false);
                work++;
            }
        }
        return work;
    }

    private int processDeferred()
    {
        int work = 0;
        while (!deferredPeerDowns.isEmpty())
        {
            final RdmaPeer peer = deferredPeerDowns.pollFirst();
            final String reason = peerDownReasons.remove(peer);
            if (RdmaPeer.State.UP == peer.state())
            {
                peerDown(peer, null == reason ? "connection error" : reason, null);
            }
            work++;
        }
        while (!deferredLosses.isEmpty())
        {
            final RdmaConnection connection = deferredLosses.pollFirst();
            lose(connection, null == connection.lostReason() ? "error" : connection.lostReason(), false);
            work++;
        }
        return work;
    }

    /**
     * A connection ended (disconnected, failed, timed out, or an error on it): closes it and updates
     * its peer.
     *
     * @param byPeer whether the connection manager reported a disconnect.
     */
    private void lose(final RdmaConnection connection, final String reason, final boolean byPeer)
    {
        if (RdmaConnection.State.CLOSED == connection.state())
        {
            return;
        }
        final boolean wasUp = RdmaConnection.State.UP == connection.state();
        connection.markLost(reason);
        closeConnection(connection);
        final RdmaPeer peer = connection.peer();
        if (null == peer)
        {
            unidentifiedCount--;
            LOG.debug("process {}: closed unidentified {}: {}", selfId, connection, reason);
            return;
        }
        if (RdmaConnection.Role.UNKNOWN == connection.role())
        {
            return;
        }
        final int role = RdmaConnection.Role.WRITER == connection.role() ? RdmaPeer.WRITER : RdmaPeer.OWNER;
        final int lane = connection.lane();
        if (peer.connection(role, lane) != connection)
        {
            return;
        }
        peer.connection(role, lane, null);
        boolean unknownFate = false;
        if (RdmaPeer.WRITER == role)
        {
            final SendLane sendLane = peer.sendLane(lane);
            unknownFate = sendLane.hasWritesOfUnknownFate();
            sendLane.detach();
        }
        if (wasUp)
        {
            LOG.info("process {}: lost {}: {}", selfId, connection, reason);
        }
        else
        {
            LOG.debug("process {}: {} did not come up: {}", selfId, connection, reason);
        }
        if (unknownFate && RdmaPeer.State.UP == peer.state())
        {
            // at most once: writes posted on the lost queue pair and never confirmed may have been
            // placed; posting them again could place them twice, so the peer is taken as down
            peerDown(peer, "the connection of lane " + lane + " was lost (" + reason + ") with writes posted " +
                "and not confirmed, which may have landed; they are not posted again", null);
        }
        else if (wasUp && RdmaPeer.State.UP == peer.state())
        {
            if (RdmaPeer.WRITER == role && byPeer && !connection.disconnectRequested())
            {
                peerDown(peer, "it closed the connection of lane " + lane, null);
                return;
            }
            peer.lostSinceNs(role, lane, nowNs);
        }
        if (peer.connectsOut())
        {
            scheduleReconnect(peer, role, lane, wasUp);
        }
    }

    private void closeConnection(final RdmaConnection connection)
    {
        // Take what the queue pair still reports (flushes) before its completion queue goes.
        for (int i = 0; i < 4 && RdmaConnection.State.CLOSED != connection.state(); i++)
        {
            try
            {
                if (0 == connection.poll(options.completionQueueDepth()))
                {
                    break;
                }
            }
            catch (final IOException ex)
            {
                break;
            }
        }
        final IOException problem = connection.close();
        connectionByCm.remove(connection.cm());
        if (null != problem)
        {
            LOG.warn("process {}: releasing {} failed: {}", selfId, connection, problem.toString());
        }
        if (connection.flushedCount() > 0)
        {
            LOG.warn("process {}: {} flushed {} work requests (IBV_WC_WR_FLUSH_ERR)", selfId, connection,
                connection.flushedCount());
        }
    }

    private void scheduleReconnect(final RdmaPeer peer, final int role, final int lane, final boolean immediately)
    {
        final ReconnectBackoff backoff = peer.reconnectBackoff(role, lane);
        if (immediately)
        {
            backoff.attemptNow(nowNs);
        }
        else
        {
            backoff.onFailure(nowNs);
        }
    }

    private void attemptAllNow(final RdmaPeer peer)
    {
        for (int role = 0; role < 2; role++)
        {
            for (int lane = 0; lane < peer.laneCount(); lane++)
            {
                peer.reconnectBackoff(role, lane).attemptNow(nowNs);
            }
        }
    }

    private void peerDown(final RdmaPeer peer, final String reason, final RdmaConnection keep)
    {
        if (RdmaPeer.State.UP != peer.state())
        {
            return;
        }
        LOG.warn("process {}: process {} is down: {}", selfId, peer.peerId(), reason);
        downReasons.put(peer.peerId(), reason);
        peer.state(RdmaPeer.State.DOWN);
        connectedPeers.remove(peer.peerId());
        events.peerDown(peer.peerId());
        for (final RdmaRemoteRegion handle : peer.handles().values())
        {
            handle.onPeerDown();
        }
        for (final SendLane lane : peer.sendLanes())
        {
            lane.discard();
        }
        peer.pendingKeys().clear(); // the next handshake carries the keys
        closePeerConnections(peer, keep);
    }

    private void closePeerConnections(final RdmaPeer peer, final RdmaConnection keep)
    {
        for (int role = 0; role < 2; role++)
        {
            for (int lane = 0; lane < peer.laneCount(); lane++)
            {
                peer.lostSinceNs(role, lane, -1);
                final RdmaConnection connection = peer.connection(role, lane);
                if (null != connection && connection != keep)
                {
                    connection.markLost("peer down");
                    closeConnection(connection);
                    peer.connection(role, lane, null);
                    if (peer.connectsOut())
                    {
                        scheduleReconnect(peer, role, lane, false);
                    }
                }
            }
        }
        for (int i = 0, size = connections.size(); i < size; i++)
        {
            final RdmaConnection connection = connections.get(i);
            if (connection.peer() == peer && connection != keep && RdmaConnection.State.CLOSED != connection.state() &&
                RdmaConnection.State.UP == connection.state())
            {
                connection.markLost("peer down");
                closeConnection(connection);
            }
        }
    }

    private int attemptConnections()
    {
        int attempts = 0;
        for (int i = 0, size = peers.size(); i < size; i++)
        {
            final RdmaPeer peer = peers.get(i);
            if (!peer.connectsOut())
            {
                continue;
            }
            for (int role = 0; role < 2; role++)
            {
                for (int lane = 0; lane < peer.laneCount(); lane++)
                {
                    if (null == peer.connection(role, lane) && peer.reconnectBackoff(role, lane).isDue(nowNs))
                    {
                        connect(peer, role, lane);
                        attempts++;
                    }
                }
            }
        }
        return attempts;
    }

    private void connect(final RdmaPeer peer, final int role, final int lane)
    {
        try
        {
            final Verbs.Connection cm = verbs.connect(peer.address(), options.resolveTimeoutMs());
            final RdmaConnection connection = new RdmaConnection(cm, true,
                RdmaPeer.WRITER == role ? RdmaConnection.Role.WRITER : RdmaConnection.Role.OWNER, lane, peer,
                RdmaConnection.State.RESOLVING, nowNs + options.connectTimeoutNs());
            track(connection);
            peer.connection(role, lane, connection);
        }
        catch (final RdmaAddresses.UnusableAddressException ex)
        {
            // a configuration or DNS problem, not a passing one: said at every attempt, which the back-off spaces
            LOG.warn("process {}: cannot connect to process {}: {}; trying again with back-off", selfId, peer.peerId(),
                ex.getMessage());
            scheduleReconnect(peer, role, lane, false);
        }
        catch (final IOException ex)
        {
            LOG.debug("process {}: connecting to process {} at {} failed: {}", selfId, peer.peerId(), peer.address(),
                ex.toString());
            scheduleReconnect(peer, role, lane, false);
        }
    }

    private void deregisterQuietly(final Verbs.Memory registration, final RdmaPeer peer)
    {
        if (null == registration)
        {
            return;
        }
        try
        {
            registration.deregister();
        }
        catch (final IOException ex)
        {
            LOG.warn("process {}: deregistering a region for process {} failed", selfId, peer.peerId(), ex);
        }
    }
}
