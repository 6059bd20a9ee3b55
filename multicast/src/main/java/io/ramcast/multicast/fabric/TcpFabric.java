package io.ramcast.multicast.fabric;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

import io.ramcast.multicast.fabric.spi.FabricEventQueue;
import io.ramcast.multicast.fabric.spi.FabricLifecycle;
import io.ramcast.multicast.fabric.spi.PeerAddresses;
import io.ramcast.multicast.fabric.spi.ReconnectBackoff;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code tcp} fabric: one-sided writes emulated over TCP, for hosts without RDMA. The owner of
 * a region applies the writes it receives, in arrival order, after checking the writer's
 * permission, so every guarantee of {@link Fabric} holds.
 *
 * <h2>Connections</h2>
 * Every process that listens (a server) has an address in the map given to the constructor; a
 * process without one (a client) never listens. There is at most one connection per process pair,
 * used in both directions: process p connects to q iff q has an address and (p has none, or
 * {@code p < q}); otherwise p waits for q to connect in. Two processes without addresses never
 * connect (their handles to each other stay CONNECTING). The connecting side sends HELLO (its id and
 * region table, layout in {@link TcpFrameDescriptor}) first; the accepting side answers with its
 * own HELLO only once that HELLO identified the peer, so nothing of its state goes to a connection
 * that has not said who it is. A handle becomes READY when the owner's HELLO arrives. An accepted
 * connection must say HELLO within {@link #HELLO_DEADLINE_NS} (or {@code connectTimeoutNs} if
 * shorter), and its first frame must be a HELLO of at most
 * {@link TcpFrameAdapter#MAX_FIRST_FRAME_BYTES}; at most {@link #MAX_UNIDENTIFIED_CONNECTIONS}
 * accepted connections wait for HELLO, at most {@link #MAX_UNIDENTIFIED_PER_SOURCE} from one IP
 * address, a newcomer always getting in at the cost of the one that waited longest (from its
 * address, if that address is at its cap). Connections closed before they said HELLO are logged
 * in one summary line per {@link #EVICTION_LOG_INTERVAL_NS}. Failed attempts are retried with a {@link ReconnectBackoff} from
 * {@link TcpFabricOptions#connectBackoffMinNs()} doubling up to
 * {@link TcpFabricOptions#connectBackoffMaxNs()}, each delay shortened by a random jitter of at most
 * {@link ReconnectBackoff#DEFAULT_JITTER_FRACTION} of it, for ever; an attempt that does not complete
 * its handshake within {@link TcpFabricOptions#connectTimeoutNs()} is abandoned and retried.
 *
 * <h2>Loss and re-establishment</h2>
 * A connection that has completed its handshake and then fails (end of stream, reset, I/O error,
 * malformed frame) is lost: handles to that peer become PEER_DOWN, later writes return
 * {@link WriteResult#PEER_DOWN}, writes still queued on it are discarded, and
 * {@link FabricListener#onPeerDown} is called once. The other peers are unaffected. The side that
 * connects out keeps trying to reconnect; when a new connection from or to that peer id completes
 * its handshake (for example after the peer restarted), handles become READY again and REJECT state
 * is forgotten on both sides (a new connection is a new queue pair). A HELLO from a peer that
 * already has a connection replaces the old one (the peer restarted before this side noticed): the
 * old one counts as lost. The fabric has no heartbeat: a peer that stops without closing its socket
 * is detected by the protocol's failure detector, not here.
 *
 * <h2>Writes, permissions and bounds</h2>
 * A write is copied into the connection's bounded outgoing queue as a WRITE frame and handed to the
 * socket by {@link #doWork()}; a full queue gives {@link WriteResult#BACK_PRESSURE}. A write is at
 * most {@code maxFrameBytes - 16} bytes long, longer ones throw {@link IllegalArgumentException}.
 * The owner applies a WRITE (all but the last word with plain stores, then the last word with a
 * release store) only if the writer is permitted; otherwise it drops it, sends REJECT, and drops
 * every later WRITE of that connection into that region until the writer sends RESET, like an RDMA
 * queue pair in the error state. The writer's handle becomes FAILED and
 * {@link FabricListener#onWriteRejected} is called once, from the {@code doWork} that received
 * REJECT. {@link RemoteRegion#reset()} sends RESET and makes the handle READY at once; if the owner
 * has not granted again, the next write is rejected again. Every length, offset and id read from the
 * wire is validated before use; a violation closes the connection with an error logged.
 *
 * <h2>Writes to oneself</h2>
 * {@code remote(selfId(), regionId)} gives a handle that applies directly into the own region, with
 * the same permission check; a rejection is reported by the next {@code doWork}.
 *
 * <h2>Threading and blocking</h2>
 * One agent thread calls every method; {@link #close()} may come from any thread once the agent has
 * stopped. No method blocks; no thread is created. {@link #doWork()} does bounded work: one
 * non-blocking select, at most {@value #ACCEPT_BATCH} accepts, one read, up to
 * {@value #FRAME_POLL_LIMIT} frames and one write per connection, and due connection attempts.
 * {@link LocalRegion#revoke} may be called while the agent runs: it waits for an apply in progress.
 * Timing comes from the injected {@link NanoClock}, the reconnection jitter from the injected random
 * source.
 */
public final class TcpFabric implements Fabric
{
    /** Most connections accepted per {@link #doWork()}. */
    static final int ACCEPT_BATCH = 16;

    /** Most frames decoded per connection per {@link #doWork()}. */
    static final int FRAME_POLL_LIMIT = 1024;

    /**
     * Most accepted connections waiting for their HELLO. A new connection is always let in: when
     * this many wait, the one accepted first is closed for it, so idle connections (a scan, a
     * flood) cannot lock out a peer or client that says HELLO as soon as it connects.
     */
    static final int MAX_UNIDENTIFIED_CONNECTIONS = 256;

    /**
     * Most accepted connections from one IP address waiting for their HELLO; beyond it the one
     * from that address accepted first is closed for the newcomer, so one source cannot fill
     * {@link #MAX_UNIDENTIFIED_CONNECTIONS} and push out the others' newcomers. Above
     * {@link #ACCEPT_BATCH}, so a burst of peers and clients on one host (all of loopback) that say
     * HELLO at once is never cut.
     */
    static final int MAX_UNIDENTIFIED_PER_SOURCE = 32;

    /**
     * How long an accepted connection may take to say HELLO (or {@code connectTimeoutNs} if that
     * is shorter): a peer sends it as soon as it is connected.
     */
    static final long HELLO_DEADLINE_NS = 2_000_000_000L;

    /** At most one summary line per this interval about connections closed before they said HELLO. */
    static final long EVICTION_LOG_INTERVAL_NS = 10_000_000_000L;

    private static final int LISTEN_BACKLOG = 128;
    private static final Logger LOG = LoggerFactory.getLogger(TcpFabric.class);

    /** Peers with a live connection, for {@link #connectedPeers()} (written on the agent thread). */
    private final Set<Integer> connectedPeers = ConcurrentHashMap.newKeySet();
    /** The latest refusal by each peer that refused this process's connection since its last one was up. */
    private final Map<Integer, Refusal> refusals = new ConcurrentHashMap<>();
    private volatile java.util.function.IntFunction<String> clientAdmission = id -> null;
    private final int selfId;
    private final PeerAddresses addresses;
    private final InetSocketAddress selfAddress;
    private final TcpFabricOptions options;
    /** Null: connections are not authenticated. */
    private final FabricCredentials credentials;
    /** How long an accepted connection may take to say HELLO: the shorter of connectTimeoutNs and HELLO_DEADLINE_NS. */
    private final long helloDeadlineNs;
    private final NanoClock clock;
    private final RandomGenerator random;
    private final int maxWriteBytes;
    private final FabricLifecycle lifecycle;

    private final Int2ObjectHashMap<FabricRegion> regionById = new Int2ObjectHashMap<>();
    private final ArrayList<FabricRegion> regions = new ArrayList<>();
    private final Int2ObjectHashMap<TcpPeer> peerById = new Int2ObjectHashMap<>();
    private final ArrayList<TcpPeer> outboundPeers = new ArrayList<>();
    private final Int2ObjectHashMap<DirectRemoteRegion> selfHandleByRegionId = new Int2ObjectHashMap<>();
    private final ArrayList<TcpConnection> connections = new ArrayList<>();
    private final FabricEventQueue events = new FabricEventQueue();
    private final FrameHandler frameHandler = new FrameHandler();
    private final Consumer<SelectionKey> selectedKeyHandler = this::onSelected;

    /** Waits at least this long block in the selector; shorter ones park ({@link #awaitActivity}). */
    static final long SELECT_WAIT_MIN_NS = 1_000_000L;
    /** The agent thread while a short wait parks it; {@link #wakeup()} unparks it. */
    private volatile Thread parkedThread;
    /** Volatile: {@link #wakeup()} reads it from other threads. */
    private volatile Selector selector;
    private ServerSocketChannel serverChannel;
    private InetSocketAddress boundAddress;
    private int unidentifiedConnectionCount;
    private final Map<InetAddress, Integer> unidentifiedBySource = new HashMap<>();
    /* closed before HELLO since the last summary line: evicted for newcomers, malformed, too slow */
    private long evictedSinceLog;
    private long malformedSinceLog;
    private long timedOutSinceLog;
    private String latestRefusal;
    private long evictionLogDueNs;
    private long refusalSummaryCount;
    private long nowNs;
    private long droppedWriteFrameCount;
    private int selectWork;

    /**
     * Creates the fabric endpoint of a process, timed by the system clock.
     *
     * @param selfId          this process's id, non-negative.
     * @param listenAddresses listen address of every process that listens, by process id; this
     *                        process listens iff its id is a key.
     * @param options         the options.
     * @throws IllegalArgumentException for a negative id or a null address.
     */
    public TcpFabric(final int selfId, final Map<Integer, InetSocketAddress> listenAddresses, final TcpFabricOptions options)
    {
        this(selfId, listenAddresses, options, SystemNanoClock.INSTANCE);
    }

    /**
     * Creates the fabric endpoint of a process, with reconnection jitter from a randomly seeded source.
     *
     * @param selfId          this process's id, non-negative.
     * @param listenAddresses listen address of every process that listens, by process id; this
     *                        process listens iff its id is a key.
     * @param options         the options.
     * @param clock           source of time for backoff and timeouts.
     * @throws IllegalArgumentException for a negative id or a null address.
     */
    public TcpFabric(
        final int selfId,
        final Map<Integer, InetSocketAddress> listenAddresses,
        final TcpFabricOptions options,
        final NanoClock clock)
    {
        this(selfId, listenAddresses, options, clock, new SplittableRandom());
    }

    /**
     * Creates the fabric endpoint of a process.
     *
     * @param selfId          this process's id, non-negative.
     * @param listenAddresses listen address of every process that listens, by process id; this
     *                        process listens iff its id is a key.
     * @param options         the options.
     * @param clock           source of time for backoff and timeouts.
     * @param random          source of the reconnection jitter ({@link ReconnectBackoff}), used
     *                        only by the agent thread.
     * @throws IllegalArgumentException for a negative id or a null address.
     */
    public TcpFabric(
        final int selfId,
        final Map<Integer, InetSocketAddress> listenAddresses,
        final TcpFabricOptions options,
        final NanoClock clock,
        final RandomGenerator random)
    {
        this.addresses = new PeerAddresses(selfId, listenAddresses);
        this.selfId = selfId;
        this.selfAddress = addresses.selfAddress();
        this.options = Objects.requireNonNull(options, "options");
        this.credentials = options.credentials();
        this.helloDeadlineNs = Math.min(options.connectTimeoutNs(), HELLO_DEADLINE_NS);
        if (null != credentials && null != selfAddress && !credentials.holdsServerSecret())
        {
            throw new IllegalArgumentException("process " + selfId + " listens (a server) but its credentials hold " +
                "only the client secret");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.maxWriteBytes = options.maxFrameBytes() - TcpFrameDescriptor.WRITE_PAYLOAD_OFFSET;
        this.lifecycle = new FabricLifecycle("process " + selfId);

        for (final Map.Entry<Integer, InetSocketAddress> entry : addresses.byProcessId().entrySet())
        {
            final int peerId = entry.getKey();
            if (peerId != selfId)
            {
                final TcpPeer peer = new TcpPeer(peerId, entry.getValue(), addresses.connectsOutTo(peerId),
                    newReconnectBackoff());
                peerById.put(peerId, peer);
                if (peer.connectsOut())
                {
                    outboundPeers.add(peer);
                }
            }
        }
    }

    @Override
    public int selfId()
    {
        return selfId;
    }

    /**
     * @return the address the fabric listens on once started, null if it does not listen.
     */
    public InetSocketAddress boundAddress()
    {
        return boundAddress;
    }

    /**
     * @return WRITE frames dropped because they arrived after a REJECT and before RESET, a counter
     * for diagnostics.
     */
    public long droppedWriteFrameCount()
    {
        return droppedWriteFrameCount;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException also if the HELLO announcing the regions would exceed
     *                                  {@link TcpFabricOptions#maxFrameBytes()}.
     */
    @Override
    public LocalRegion register(final int regionId, final int sizeBytes, final boolean writableByAll)
    {
        lifecycle.ensureNew("register");
        if (regionById.containsKey(regionId))
        {
            throw new IllegalArgumentException("regionId=" + regionId + " already registered by process " + selfId);
        }
        if (TcpFrameDescriptor.helloLength(regions.size() + 1) > options.maxFrameBytes())
        {
            throw new IllegalArgumentException("region " + regionId + " would make the HELLO frame exceed maxFrameBytes=" +
                options.maxFrameBytes());
        }
        final FabricRegion region = new FabricRegion(regionId, sizeBytes, writableByAll);
        regionById.put(regionId, region);
        regions.add(region);
        return region;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Binds the listening socket if this process listens (with {@code SO_REUSEADDR}, so that a
     * restarted process can bind its address again); connections are made by {@link #doWork()}.
     *
     * @throws IllegalStateException if already started or closed, or if this process's own host name
     *                               does not resolve (nothing started).
     * @throws UncheckedIOException  if the listening socket cannot be bound.
     */
    @Override
    public void start()
    {
        if (null != selfAddress && selfAddress.isUnresolved())
        {
            throw new IllegalStateException("process " + selfId + " cannot listen on " + selfAddress.getHostString() +
                ":" + selfAddress.getPort() + ": the host name does not resolve (check its host in the config, or DNS)");
        }
        lifecycle.transition(FabricLifecycle.State.STARTED);
        nowNs = clock.nanoTime();
        try
        {
            selector = Selector.open();
            if (null != selfAddress)
            {
                serverChannel = ServerSocketChannel.open();
                serverChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (options.socketReceiveBufferBytes() > 0)
                {
                    serverChannel.setOption(StandardSocketOptions.SO_RCVBUF, options.socketReceiveBufferBytes());
                }
                serverChannel.bind(selfAddress, LISTEN_BACKLOG);
                serverChannel.configureBlocking(false);
                serverChannel.register(selector, SelectionKey.OP_ACCEPT, null);
                boundAddress = (InetSocketAddress)serverChannel.getLocalAddress();
                LOG.info("process {} listening on {}", selfId, boundAddress);
            }
        }
        catch (final IOException ex)
        {
            close();
            throw new UncheckedIOException("process " + selfId + " cannot listen on " + selfAddress, ex);
        }

        for (final TcpPeer peer : outboundPeers)
        {
            peer.reconnectBackoff().attemptNow(nowNs);
        }
        for (final DirectRemoteRegion handle : selfHandleByRegionId.values())
        {
            bindSelfHandle(handle);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException after {@link #close()}.
     */
    @Override
    public RemoteRegion remote(final int peerId, final int regionId)
    {
        lifecycle.ensureNotClosed("remote");
        if (peerId == selfId)
        {
            DirectRemoteRegion handle = selfHandleByRegionId.get(regionId);
            if (null == handle)
            {
                handle = new DirectRemoteRegion(selfId, regionId, selfId, events);
                selfHandleByRegionId.put(regionId, handle);
                if (FabricLifecycle.State.STARTED == lifecycle.state())
                {
                    bindSelfHandle(handle);
                }
            }
            return handle;
        }

        final TcpPeer peer = peer(peerId);
        TcpRemoteRegion handle = peer.handleByRegionId().get(regionId);
        if (null == handle)
        {
            handle = new TcpRemoteRegion(peer, regionId, maxWriteBytes);
            peer.handleByRegionId().put(regionId, handle);
            if (null != peer.regionSizeById() && !handle.onConnected(peer.regionSizeById()))
            {
                logMissingRegion(peerId, regionId);
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
        int workCount = 0;

        selectWork = 0;
        try
        {
            selector.selectNow(selectedKeyHandler);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("process " + selfId + ": selector failed", ex);
        }
        workCount += selectWork;

        for (int i = 0, size = connections.size(); i < size; i++)
        {
            workCount += serviceConnection(connections.get(i));
        }
        connections.removeIf(connection -> TcpConnection.State.CLOSED == connection.state());

        workCount += attemptConnections();
        workCount += events.dispatch();
        return workCount;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A wait shorter than {@value #SELECT_WAIT_MIN_NS} ns parks the thread (a {@link #wakeup()}
     * unparks it): while an agent is busy its short idle spells let bytes from several peers
     * accumulate and be handled in one duty cycle, which on a saturated machine costs fewer context
     * switches than waking for each arrival. A longer wait — the agent has been idle for a while —
     * blocks in the selector for at most {@code maxNanos} rounded up to whole milliseconds (the
     * selector's granularity; it wakes on the first event anyway). Connections with output still
     * queued (a full socket buffer) are watched for writability meanwhile, so a backlog drains at
     * the socket's pace, not the timeout's. Readable keys are read here; the next
     * {@link #doWork()} parses and applies what arrived.
     */
    @Override
    public void awaitActivity(final long maxNanos)
    {
        final Selector selector = this.selector;
        if (FabricLifecycle.State.STARTED != lifecycle.state() || null == selector || maxNanos < SELECT_WAIT_MIN_NS)
        {
            parkedThread = Thread.currentThread();
            LockSupport.parkNanos(maxNanos);
            parkedThread = null;
            return;
        }
        final int watchedForWrite = watchQueuedOutput(true);
        nowNs = clock.nanoTime(); // accepts in the select handler time their handshake from it
        try
        {
            if (hasBufferedTlsInput())
            {
                selector.selectNow(selectedKeyHandler); // decrypted input waits: no sleeping
            }
            else
            {
                selector.select(selectedKeyHandler, Math.max(1L, (maxNanos + 999_999L) / 1_000_000L));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("process " + selfId + ": selector failed", ex);
        }
        catch (final ClosedSelectorException ex)
        {
            return; // closed under us: the agent is stopping
        }
        if (watchedForWrite > 0)
        {
            watchQueuedOutput(false);
        }
    }

    private boolean hasBufferedTlsInput()
    {
        if (null == options.tls())
        {
            return false;
        }
        for (int i = 0, size = connections.size(); i < size; i++)
        {
            final TcpTlsChannel tls = connections.get(i).tls();
            if (null != tls && tls.hasBufferedInput())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds or removes write interest on the active connections that have output queued (adding) or
     * write interest set (removing).
     *
     * @return how many connections changed.
     */
    private int watchQueuedOutput(final boolean watch)
    {
        int changed = 0;
        for (int i = 0, size = connections.size(); i < size; i++)
        {
            final TcpConnection connection = connections.get(i);
            final SelectionKey key = connection.selectionKey();
            if (null == key || !key.isValid() || TcpConnection.State.CONNECTING == connection.state() ||
                TcpConnection.State.CLOSED == connection.state())
            {
                continue;
            }
            final boolean queued = connection.publisher().queuedBytes() > 0 ||
                (null != connection.tls() && connection.tls().hasPendingOutput());
            if (watch && queued)
            {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                changed++;
            }
            else if (!watch && (key.interestOps() & SelectionKey.OP_WRITE) != 0)
            {
                key.interestOps(SelectionKey.OP_READ);
                changed++;
            }
        }
        return changed;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread-safe; a wake-up before the wait makes the wait return at once.
     */
    @Override
    public void wakeup()
    {
        final Thread parked = parkedThread;
        if (null != parked)
        {
            LockSupport.unpark(parked);
        }
        final Selector selector = this.selector;
        if (null != selector)
        {
            selector.wakeup();
        }
    }

    @Override
    public int[] connectedPeers()
    {
        return connectedPeers.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    @Override
    public Refusal refusal(final int peerId)
    {
        return refusals.get(peerId);
    }

    @Override
    public void clientAdmission(final java.util.function.IntFunction<String> refusalReason)
    {
        clientAdmission = java.util.Objects.requireNonNull(refusalReason, "refusalReason");
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
        for (final TcpConnection connection : connections)
        {
            closeChannel(connection);
            connection.state(TcpConnection.State.CLOSED);
        }
        connections.clear();
        for (final TcpPeer peer : peerById.values())
        {
            peer.connection(null);
            peer.state(TcpPeer.State.DOWN);
            connectedPeers.remove(peer.peerId());
        }
        if (null != serverChannel)
        {
            try
            {
                serverChannel.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("process {}: closing listening socket {} failed", selfId, boundAddress, ex);
            }
        }
        if (null != selector)
        {
            try
            {
                selector.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("process {}: closing selector failed", selfId, ex);
            }
        }
        for (final FabricRegion region : regions)
        {
            region.close();
        }
        for (final DirectRemoteRegion handle : selfHandleByRegionId.values())
        {
            handle.peerDown();
        }
        LOG.info("process {}: tcp fabric closed", selfId);
    }

    @Override
    public String toString()
    {
        return "TcpFabric{selfId=" + selfId + ", boundAddress=" + boundAddress + ", lifecycle=" + lifecycle + '}';
    }

    private ReconnectBackoff newReconnectBackoff()
    {
        return new ReconnectBackoff(options.connectBackoffMinNs(), options.connectBackoffMaxNs(),
            ReconnectBackoff.DEFAULT_JITTER_FRACTION, random);
    }

    private TcpPeer peer(final int peerId)
    {
        TcpPeer peer = peerById.get(peerId);
        if (null == peer)
        {
            // Not in the address map: a client that connects in, if this process listens.
            peer = new TcpPeer(peerId, null, false, newReconnectBackoff());
            peerById.put(peerId, peer);
            if (!addresses.canConnect(peerId))
            {
                LOG.warn("process {} and process {} both have no listen address: they can never connect",
                    selfId, peerId);
            }
        }
        return peer;
    }

    private void bindSelfHandle(final DirectRemoteRegion handle)
    {
        final FabricRegion region = regionById.get(handle.regionId());
        if (null == region)
        {
            logMissingRegion(selfId, handle.regionId());
        }
        handle.bind(region);
    }

    private void logMissingRegion(final int peerId, final int regionId)
    {
        LOG.error("process {} has no region {}; handle of process {} to it is FAILED", peerId, regionId, selfId);
    }

    private void onSelected(final SelectionKey key)
    {
        if (!key.isValid())
        {
            return;
        }
        final Object attachment = key.attachment();
        if (null == attachment)
        {
            if (key.isAcceptable())
            {
                selectWork += acceptConnections();
            }
            return;
        }

        final TcpConnection connection = (TcpConnection)attachment;
        if (key.isConnectable())
        {
            selectWork += finishConnect(connection);
        }
        else if (key.isReadable())
        {
            selectWork += read(connection);
        }
    }

    private int acceptConnections()
    {
        int accepted = 0;
        for (int i = 0; i < ACCEPT_BATCH; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = serverChannel.accept();
            }
            catch (final IOException ex)
            {
                LOG.warn("process {}: accept on {} failed", selfId, boundAddress, ex);
                break;
            }
            if (null == channel)
            {
                break;
            }
            accepted++;

            SocketAddress remoteAddress = null;
            try
            {
                remoteAddress = channel.getRemoteAddress();
                final InetAddress source = remoteAddress instanceof InetSocketAddress inet ? inet.getAddress() : null;
                if (unidentifiedBySource.getOrDefault(source, 0) >= MAX_UNIDENTIFIED_PER_SOURCE)
                {
                    evictOldestUnidentified(source);
                }
                else if (unidentifiedConnectionCount >= MAX_UNIDENTIFIED_CONNECTIONS)
                {
                    evictOldestUnidentified(null);
                }
                configure(channel);
                // this side's HELLO (its region table) goes out only once the peer has said who it is
                final TcpConnection connection = new TcpConnection(channel, false, remoteAddress, null,
                    TcpConnection.State.CONNECTING, nowNs + helloDeadlineNs, options);
                connection.state(TcpConnection.State.HANDSHAKING);
                connection.selectionKey(channel.register(selector, SelectionKey.OP_READ, connection));
                connections.add(connection);
                unidentifiedConnectionCount++;
                unidentifiedBySource.merge(source, 1, Integer::sum);
            }
            catch (final IOException ex)
            {
                LOG.warn("process {}: cannot set up connection from {}", selfId, remoteAddress, ex);
                closeQuietly(channel, remoteAddress);
            }
        }
        return accepted;
    }

    private int attemptConnections()
    {
        int attempts = 0;
        for (int i = 0, size = outboundPeers.size(); i < size; i++)
        {
            final TcpPeer peer = outboundPeers.get(i);
            if (null == peer.connection() && peer.reconnectBackoff().isDue(nowNs))
            {
                connect(peer);
                attempts++;
            }
        }
        return attempts;
    }

    /**
     * Closes the accepted connection that has waited longest for its HELLO, among those from
     * {@code source} (or among all if null).
     */
    private void evictOldestUnidentified(final InetAddress source)
    {
        TcpConnection oldest = null;
        for (int i = 0, size = connections.size(); i < size; i++)
        {
            final TcpConnection connection = connections.get(i);
            if (null == connection.peer() && TcpConnection.State.CLOSED != connection.state() &&
                (null == source || source.equals(connection.sourceAddress())) &&
                (null == oldest || connection.establishDeadlineNs() - oldest.establishDeadlineNs() < 0))
            {
                oldest = connection;
            }
        }
        if (null == oldest)
        {
            return;
        }
        closeConnection(oldest, null == source ?
            "closed for a newer connection: " + MAX_UNIDENTIFIED_CONNECTIONS + " connections were waiting for HELLO" :
            "closed for a newer connection: " + MAX_UNIDENTIFIED_PER_SOURCE + " connections from " +
            source.getHostAddress() + " were waiting for HELLO", null);
        evictedSinceLog++;
        logRefusals();
    }

    /**
     * One summary line, at most every {@link #EVICTION_LOG_INTERVAL_NS}, about connections closed
     * before they said HELLO (a flood of them must not flood the log).
     */
    private void logRefusals()
    {
        if (0 != evictionLogDueNs && nowNs - evictionLogDueNs < 0)
        {
            return;
        }
        LOG.warn("process {}: closed connections that had not said HELLO: {} for newer ones (at most {} wait, {} from " +
            "one address), {} with malformed frames, {} too slow; latest: {} (next summary in {} s at the earliest)",
            selfId, evictedSinceLog, MAX_UNIDENTIFIED_CONNECTIONS, MAX_UNIDENTIFIED_PER_SOURCE, malformedSinceLog,
            timedOutSinceLog, latestRefusal, EVICTION_LOG_INTERVAL_NS / 1_000_000_000L);
        refusalSummaryCount++;
        evictedSinceLog = 0;
        malformedSinceLog = 0;
        timedOutSinceLog = 0;
        evictionLogDueNs = nowNs + EVICTION_LOG_INTERVAL_NS;
    }

    /** @return open connections of any state, inbound and outbound (agent thread). */
    int connectionCount()
    {
        return connections.size();
    }

    /** @return summary lines logged about connections closed before they said HELLO. */
    long refusalSummaryCount()
    {
        return refusalSummaryCount;
    }

    private void connect(final TcpPeer peer)
    {
        final InetSocketAddress address = peer.resolveAddress();
        final boolean resolved = !address.isUnresolved();
        if (peer.reportResolution(resolved))
        {
            if (resolved)
            {
                LOG.info("process {}: host {} of process {} resolves again ({})", selfId, address.getHostString(),
                    peer.peerId(), address);
            }
            else
            {
                LOG.warn("process {}: cannot resolve host {} of process {} (port {}); trying again with back-off " +
                    "(check the config's host, or DNS)", selfId, address.getHostString(), peer.peerId(), address.getPort());
            }
        }
        if (!resolved)
        {
            peer.reconnectBackoff().onFailure(nowNs);
            return;
        }
        SocketChannel channel = null;
        try
        {
            channel = SocketChannel.open();
            configure(channel);
            final TcpConnection connection = new TcpConnection(channel, true, address, peer,
                TcpConnection.State.CONNECTING, nowNs + options.connectTimeoutNs(), options);
            if (null != credentials)
            {
                connection.localNonce(FabricCredentials.newNonce());
                queue(connection.publisher().tryAuth(selfId, credentials.incarnation(), connection.localNonce()), "AUTH");
            }
            else
            {
                queueHello(connection);
            }
            final boolean connected = channel.connect(address);
            if (connected)
            {
                connection.state(TcpConnection.State.HANDSHAKING);
            }
            connection.selectionKey(
                channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, connection));
            peer.connection(connection);
            connections.add(connection);
        }
        catch (final IOException ex)
        {
            LOG.debug("process {}: connect to process {} at {} failed", selfId, peer.peerId(), peer.address(), ex);
            if (null != channel)
            {
                closeQuietly(channel, peer.address());
            }
            peer.reconnectBackoff().onFailure(nowNs);
        }
    }

    /** An accepted connection stops counting as waiting for HELLO (identified or closed). */
    private void forgetUnidentified(final TcpConnection connection)
    {
        unidentifiedConnectionCount--;
        unidentifiedBySource.computeIfPresent(connection.sourceAddress(), (source, n) -> n == 1 ? null : n - 1);
    }

    private void queue(final boolean queued, final String frame)
    {
        if (!queued)
        {
            // only ever queued on a connection with nothing else queued: far below any queue bound
            throw new IllegalStateException("process " + selfId + ": " + frame + " does not fit an empty send queue");
        }
    }

    private boolean isServer(final int processId)
    {
        return null != addresses.addressOf(processId);
    }

    private void queueHello(final TcpConnection connection)
    {
        if (!connection.publisher().tryHello(selfId, regions))
        {
            // register() keeps the HELLO within maxFrameBytes, which the options keep below the queue bound.
            throw new IllegalStateException("process " + selfId + ": HELLO does not fit the empty queue of " + connection);
        }
    }

    private void configure(final SocketChannel channel) throws IOException
    {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (options.socketSendBufferBytes() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, options.socketSendBufferBytes());
        }
        if (options.socketReceiveBufferBytes() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.socketReceiveBufferBytes());
        }
    }

    private int finishConnect(final TcpConnection connection)
    {
        try
        {
            if (connection.channel().finishConnect())
            {
                connection.state(TcpConnection.State.HANDSHAKING);
                connection.selectionKey().interestOps(SelectionKey.OP_READ);
                return 1;
            }
            return 0;
        }
        catch (final IOException ex)
        {
            closeConnection(connection, "connect failed: " + ex, null);
            return 1;
        }
    }

    private int read(final TcpConnection connection)
    {
        try
        {
            final int bytesRead = connection.adapter().read(connection.io());
            if (bytesRead < 0)
            {
                closeConnection(connection, "closed by peer", null);
                return 1;
            }
            if (bytesRead > 0)
            {
                connection.readAt(nowNs);
                return 1;
            }
            return 0;
        }
        catch (final IOException ex)
        {
            closeOnIoFailure(connection, "read failed", ex);
            return 1;
        }
    }

    /**
     * Closes a connection whose socket or TLS channel failed. A TLS failure (an untrusted or missing
     * certificate, a plaintext peer, a corrupted record) is a protocol violation, logged as an error
     * (or counted in the refusal summary for an unidentified connection); a plain I/O failure is an
     * ordinary loss.
     */
    private void closeOnIoFailure(final TcpConnection connection, final String what, final IOException ex)
    {
        if (ex instanceof javax.net.ssl.SSLException)
        {
            final String reason = "TLS failed: " + ex.getMessage() + " (check both sides' tls key and trust stores)";
            closeConnection(connection, reason, new TcpFrameException(reason));
        }
        else
        {
            closeConnection(connection, what + ": " + ex, null);
        }
    }

    private int serviceConnection(final TcpConnection connection)
    {
        final TcpConnection.State state = connection.state();
        if (TcpConnection.State.CLOSED == state)
        {
            return 0;
        }
        if (TcpConnection.State.ACTIVE != state && nowNs - connection.establishDeadlineNs() > 0)
        {
            if (null == connection.peer())
            {
                timedOutSinceLog++;
                closeConnection(connection, "no HELLO within " + helloDeadlineNs / 1_000_000 + " ms", null);
                logRefusals();
                return 1;
            }
            closeConnection(connection, "not established within connectTimeoutNs=" + options.connectTimeoutNs(), null);
            return 1;
        }
        if (TcpConnection.State.CONNECTING == state)
        {
            return 0;
        }

        int workCount = 0;
        final TcpTlsChannel tls = connection.tls();
        if (null != tls)
        {
            try
            {
                workCount += tls.progress();
            }
            catch (final IOException ex)
            {
                closeOnIoFailure(connection, "TLS handshake failed", ex);
                return 1;
            }
            if (tls.hasBufferedInput())
            {
                workCount += read(connection); // decrypted bytes the selector cannot see
                if (TcpConnection.State.CLOSED == connection.state())
                {
                    return workCount + 1;
                }
            }
        }
        try
        {
            workCount += connection.adapter().poll(connection, frameHandler, FRAME_POLL_LIMIT);
        }
        catch (final TcpFrameException ex)
        {
            closeConnection(connection, "malformed frame: " + ex.getMessage(), ex);
            return 1;
        }
        if (TcpConnection.State.CLOSED == connection.state())
        {
            return workCount + 1;
        }

        try
        {
            workCount += connection.publisher().flush(connection.io()) > 0 ? 1 : 0;
        }
        catch (final IOException ex)
        {
            closeOnIoFailure(connection, "write failed", ex);
            workCount++;
        }
        if (null != connection.refusal() && 0 == connection.publisher().queuedBytes() &&
            TcpConnection.State.CLOSED != connection.state())
        {
            // the REFUSE is out: summarized with the other refused connections
            closeConnection(connection, connection.refusal(), new TcpFrameException(connection.refusal()));
            workCount++;
        }
        return workCount;
    }

    /**
     * Closes a connection; if it was its peer's established connection the peer is lost.
     *
     * @param connection the connection.
     * @param reason     why, for the log.
     * @param error      the protocol violation that caused it (its message is in {@code reason}),
     *                   logged as an error; null for I/O events, which are logged as warnings (or
     *                   debug while establishing).
     */
    private void closeConnection(final TcpConnection connection, final String reason, final TcpFrameException error)
    {
        if (TcpConnection.State.CLOSED == connection.state())
        {
            return;
        }
        final boolean wasActive = TcpConnection.State.ACTIVE == connection.state();
        final boolean unidentified = null == connection.peer();
        if (unidentified)
        {
            latestRefusal = reason + " (" + connection + ")";
        }
        if (null != error && unidentified)
        {
            malformedSinceLog++;
            logRefusals();
        }
        else if (null != error)
        {
            LOG.error("process {}: closing {}: {}", selfId, connection, reason);
        }
        else if (wasActive && null != connection.peer() && !addresses.byProcessId().containsKey(connection.peer().peerId()))
        {
            // a client (it has no listen address) went away: ordinary, as when it closes
            LOG.info("process {}: client disconnected: {}: {}", selfId, connection, reason);
        }
        else if (wasActive)
        {
            LOG.warn("process {}: lost {}: {}", selfId, connection, reason);
        }
        else
        {
            LOG.debug("process {}: closing {}: {}", selfId, connection, reason);
        }
        connection.state(TcpConnection.State.CLOSED);
        closeChannel(connection);

        final TcpPeer peer = connection.peer();
        if (null == peer)
        {
            forgetUnidentified(connection);
        }

        if (null != peer && peer.connection() == connection)
        {
            peer.connection(null);
            if (wasActive)
            {
                peer.state(TcpPeer.State.DOWN);
                connectedPeers.remove(peer.peerId());
                events.peerDown(peer.peerId());
            }
            if (peer.connectsOut())
            {
                peer.reconnectBackoff().onFailure(nowNs);
            }
        }
    }

    private void closeChannel(final TcpConnection connection)
    {
        if (null != connection.selectionKey())
        {
            connection.selectionKey().cancel();
        }
        closeQuietly(connection.channel(), connection);
    }

    private void closeQuietly(final SocketChannel channel, final Object context)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            LOG.warn("process {}: closing socket of {} failed", selfId, context, ex);
        }
    }

    /** Applies decoded frames to the fabric's state. */
    private final class FrameHandler implements TcpFrameHandler
    {
        @Override
        public boolean onAuth(final TcpConnection connection, final int processId, final long incarnation,
            final byte[] nonce) throws TcpFrameException
        {
            if (null == credentials)
            {
                throw new TcpFrameException("AUTH from process " + processId + ", but this process does not " +
                    "authenticate (it was given no credentials)");
            }
            if (TcpConnection.State.HANDSHAKING != connection.state() || null != connection.peerNonce())
            {
                throw new TcpFrameException("unexpected AUTH from process " + processId);
            }
            if (connection.isOutbound())
            {
                if (connection.peer().peerId() != processId)
                {
                    throw new TcpFrameException("expected AUTH from process " + connection.peer().peerId() + " at " +
                        connection.peer().address() + " but process " + processId + " answered");
                }
            }
            else
            {
                checkInboundId(processId);
            }
            connection.peerAuth(processId, incarnation, nonce);
            if (!connection.isOutbound())
            {
                // the answer: this side's nonce, and its proof over the peer's; the peer proves itself next
                connection.localNonce(FabricCredentials.newNonce());
                queue(connection.publisher().tryAuth(selfId, credentials.incarnation(), connection.localNonce()), "AUTH");
                queue(connection.publisher().tryProof(ownProof(connection)), "PROOF");
            }
            return true;
        }

        @Override
        public boolean onProof(final TcpConnection connection, final byte[] proof) throws TcpFrameException
        {
            if (null == credentials || null == connection.peerNonce() || connection.authenticated())
            {
                throw new TcpFrameException("unexpected PROOF");
            }
            final int peerId = connection.claimedPeerId();
            if (!credentials.verifies(peerId, isServer(peerId), connection.peerIncarnation(), selfId,
                null != selfAddress, connection.localNonce(), connection.peerNonce(), proof))
            {
                throw new TcpFrameException(
                    FabricCredentials.notProven(peerId, null != selfAddress && isServer(peerId)));
            }
            connection.authenticated(true);
            if (connection.isOutbound())
            {
                queue(connection.publisher().tryProof(ownProof(connection)), "PROOF");
                queueHello(connection);
            }
            return true;
        }

        /**
         * This process's proof to the peer that sent AUTH on {@code connection}, over the peer's
         * nonce. Never null: a server holds both secrets, and a client only ever proves to a server.
         */
        private byte[] ownProof(final TcpConnection connection)
        {
            final int peerId = connection.claimedPeerId();
            return credentials.proof(selfId, null != selfAddress, credentials.incarnation(), peerId, isServer(peerId),
                connection.peerNonce(), connection.localNonce());
        }

        private void checkInboundId(final int processId) throws TcpFrameException
        {
            if (processId == selfId)
            {
                throw new TcpFrameException("HELLO from a process with this process's own id " + processId);
            }
            if (addresses.connectsOutTo(processId))
            {
                throw new TcpFrameException("process " + processId + " listens at " + addresses.addressOf(processId) +
                    " and has a higher id than " + selfId + ", so it must wait to be connected to, not connect");
            }
        }

        @Override
        public boolean onRefuse(final TcpConnection connection, final int code, final String message)
            throws TcpFrameException
        {
            if (!connection.isOutbound() || TcpConnection.State.HANDSHAKING != connection.state() ||
                null != credentials && !connection.authenticated())
            {
                throw new TcpFrameException("unexpected REFUSE (code " + code + "): " + message);
            }
            final int peerId = connection.peer().peerId();
            if (TcpFrameDescriptor.REFUSE_CLIENT_ID_IN_USE == code)
            {
                refusals.put(peerId, new Refusal(Refusal.Reason.CLIENT_ID_IN_USE, message));
            }
            else if (TcpFrameDescriptor.REFUSE_CLIENT_ID_NOT_SERVED == code)
            {
                refusals.put(peerId, new Refusal(Refusal.Reason.CLIENT_ID_NOT_SERVED, message));
            }
            LOG.warn("process {}: process {} refused the connection: {}", selfId, peerId, message);
            closeConnection(connection, "refused: " + message, null);
            return true;
        }

        @Override
        public boolean onHello(final TcpConnection connection, final int processId, final Int2IntHashMap regionSizeById)
            throws TcpFrameException
        {
            if (TcpConnection.State.HANDSHAKING != connection.state())
            {
                throw new TcpFrameException("HELLO from process " + processId + " on a connection in state " +
                    connection.state());
            }
            if (null != credentials && !connection.authenticated())
            {
                throw new TcpFrameException("HELLO from process " + processId + " before it authenticated");
            }
            if (null != credentials && processId != connection.claimedPeerId())
            {
                throw new TcpFrameException("HELLO from process " + processId + " after authenticating as process " +
                    connection.claimedPeerId());
            }

            final TcpPeer peer;
            if (connection.isOutbound())
            {
                peer = connection.peer();
                if (peer.peerId() != processId)
                {
                    throw new TcpFrameException("expected HELLO from process " + peer.peerId() + " at " + peer.address() +
                        " but process " + processId + " answered");
                }
            }
            else
            {
                checkInboundId(processId);
                final boolean isServer = addresses.byProcessId().containsKey(processId);
                final String notServed = isServer ? null : clientAdmission.apply(processId);
                if (null != notServed)
                {
                    if (!connection.publisher().tryRefuse(TcpFrameDescriptor.REFUSE_CLIENT_ID_NOT_SERVED,
                        "process " + selfId + ": " + notServed))
                    {
                        throw new TcpFrameException(notServed);
                    }
                    connection.refusal(notServed); // closed once the REFUSE is flushed
                    return true;
                }
                peer = peer(processId);
                final TcpConnection previous = peer.connection();
                // incarnations are compared only when authenticated (anyone able to claim one holds the secret)
                final boolean another = null != credentials && null != previous && previous != connection;
                final boolean olderIncarnation = another && previous.peerIncarnation() > connection.peerIncarnation();
                if (olderIncarnation && isServer)
                {
                    throw new TcpFrameException("process " + processId + " is connected as incarnation " +
                        previous.peerIncarnation() + "; a connection of its older incarnation " +
                        connection.peerIncarnation() + " does not replace it");
                }
                if (olderIncarnation || another && !isServer && TcpConnection.State.ACTIVE == previous.state() &&
                    previous.peerIncarnation() != connection.peerIncarnation() &&
                    nowNs - previous.lastReadNs() < options.liveClientSilenceNs())
                {
                    // two client processes with one id: the second must not take the first's
                    // connection (they would take it from each other for as long as both run), and
                    // an older incarnation never replaces a later one (two processes that took the id
                    // at once reach the servers in either order); it is told why, so that a client
                    // leasing its id takes another instead of reconnecting until its timeout
                    final String reason = "client id " + processId + " is in use by " + (olderIncarnation ?
                        "a later incarnation (" : "a live process (incarnation ") + previous.peerIncarnation() +
                        ", connected from " + previous.remoteAddress() + ", heard " +
                        (nowNs - previous.lastReadNs()) / 1_000_000 + " ms ago); refusing incarnation " +
                        connection.peerIncarnation() + " from " + connection.remoteAddress() + ": give every client " +
                        "process an id of its own, or let the client lease one";
                    if (!connection.publisher().tryRefuse(TcpFrameDescriptor.REFUSE_CLIENT_ID_IN_USE,
                        "process " + selfId + ": " + reason))
                    {
                        throw new TcpFrameException(reason);
                    }
                    connection.refusal(reason); // closed once the REFUSE is flushed
                    return true;
                }
                if (null != previous && previous != connection)
                {
                    closeConnection(previous, previous.peerIncarnation() == connection.peerIncarnation() ?
                        "replaced by a new connection from the same process" :
                        "replaced by a new process with the same id (the old one has been silent)", null);
                }
                forgetUnidentified(connection);
                connection.peer(peer);
                peer.connection(connection);
                queueHello(connection); // the answer: this side's region table, now that the peer said who it is
            }

            connection.state(TcpConnection.State.ACTIVE);
            peer.state(TcpPeer.State.ACTIVE);
            connectedPeers.add(peer.peerId());
            refusals.remove(peer.peerId());
            peer.regionSizeById(regionSizeById);
            peer.reconnectBackoff().onSuccess();
            for (final TcpRemoteRegion handle : peer.handleByRegionId().values())
            {
                if (!handle.onConnected(regionSizeById))
                {
                    logMissingRegion(processId, handle.regionId());
                }
            }
            LOG.info("process {}: connected to process {} ({})", selfId, processId, connection);
            return true;
        }

        @Override
        public boolean onWrite(
            final TcpConnection connection,
            final int regionId,
            final int offset,
            final DirectBuffer buffer,
            final int payloadOffset,
            final int length) throws TcpFrameException
        {
            if (TcpConnection.State.ACTIVE != connection.state())
            {
                throw new TcpFrameException("WRITE before HELLO");
            }
            final FabricRegion region = regionById.get(regionId);
            if (null == region)
            {
                throw new TcpFrameException("WRITE into region " + regionId + " which process " + selfId + " does not have");
            }
            if ((long)offset + length > region.sizeBytes())
            {
                throw new TcpFrameException("WRITE offset=" + offset + " length=" + length + " exceeds region " +
                    regionId + " sizeBytes=" + region.sizeBytes());
            }
            if (connection.rejectedRegionIds().contains(regionId))
            {
                droppedWriteFrameCount++;
                return true;
            }
            if (!connection.publisher().hasControlSpace())
            {
                // A REJECT might be needed and could not be queued: take the frame again later.
                return false;
            }

            switch (region.apply(connection.writerGate(region), offset, buffer, payloadOffset, length))
            {
                case REJECTED:
                    connection.rejectedRegionIds().add(regionId);
                    connection.publisher().tryReject(regionId);
                    LOG.debug("process {}: rejected write of process {} into region {}",
                        selfId, connection.peer().peerId(), regionId);
                    return true;
                case APPLIED:
                case CLOSED:
                default:
                    return true;
            }
        }

        @Override
        public boolean onReject(final TcpConnection connection, final int regionId) throws TcpFrameException
        {
            if (TcpConnection.State.ACTIVE != connection.state())
            {
                throw new TcpFrameException("REJECT before HELLO");
            }
            final TcpPeer peer = connection.peer();
            final TcpRemoteRegion handle = peer.handleByRegionId().get(regionId);
            if (null == handle)
            {
                throw new TcpFrameException("REJECT for region " + regionId + " which process " + selfId +
                    " never wrote");
            }
            if (handle.onRejected())
            {
                events.writeRejected(peer.peerId(), regionId);
            }
            return true;
        }

        @Override
        public boolean onReset(final TcpConnection connection, final int regionId) throws TcpFrameException
        {
            if (TcpConnection.State.ACTIVE != connection.state())
            {
                throw new TcpFrameException("RESET before HELLO");
            }
            if (!regionById.containsKey(regionId))
            {
                throw new TcpFrameException("RESET for region " + regionId + " which process " + selfId +
                    " does not have");
            }
            connection.rejectedRegionIds().remove(regionId);
            return true;
        }
    }
}
