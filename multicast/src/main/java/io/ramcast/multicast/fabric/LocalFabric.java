package io.ramcast.multicast.fabric;

import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.collections.Int2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's endpoint of the {@code local} fabric; obtained from {@link LocalFabricHub#endpoint},
 * whose javadoc states the semantics.
 *
 * <p>Threading: the owning agent thread calls every method except {@link #close()} (any thread once
 * the agent stopped) and the hub's notifications {@link #onPeerUp}/{@link #onPeerDown}, which only
 * record the change under {@link #noticeLock} for the agent to apply on its next {@link #doWork()}.
 */
final class LocalFabric implements Fabric
{
    /** Lifecycle of an endpoint; transitions only through {@link #lifecycle(Lifecycle)}. */
    enum Lifecycle
    {
        /** Regions may be registered; peers cannot reach it yet. */
        NEW,
        /** Reachable by peers. */
        STARTED,
        /** Dead: its regions accept no writes and its id may be reused. */
        CLOSED
    }

    /** Connection state of this endpoint towards one peer id. */
    private enum LinkState
    {
        /** The peer has not started since this endpoint started. */
        CONNECTING,
        /** Bound to a started incarnation of the peer. */
        UP,
        /** The incarnation this endpoint was connected to has closed. */
        DOWN
    }

    /** What this endpoint knows of one peer id: its current incarnation and the handles to it. */
    private static final class PeerLink
    {
        private final int peerId;
        private final Int2ObjectHashMap<DirectRemoteRegion> handleByRegionId = new Int2ObjectHashMap<>();
        private LinkState state = LinkState.CONNECTING;
        private LocalFabric incarnation;

        PeerLink(final int peerId)
        {
            this.peerId = peerId;
        }
    }

    /** Changes of one peer recorded by the hub since the last {@link #doWork()}, coalesced. */
    private static final class PeerNotice
    {
        private final int peerId;
        private LocalFabric liveIncarnation;
        private int lossCount;

        PeerNotice(final int peerId)
        {
            this.peerId = peerId;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LocalFabric.class);
    private static final FabricListener NO_OP_LISTENER = new FabricListener()
    {
    };

    private final LocalFabricHub hub;
    private final int selfId;
    private final Int2ObjectHashMap<FabricRegion> regionById = new Int2ObjectHashMap<>();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private volatile Lifecycle lifecycle = Lifecycle.NEW;

    private final Int2ObjectHashMap<PeerLink> linkByPeerId = new Int2ObjectHashMap<>();
    private final FabricEventQueue events = new FabricEventQueue();
    private final ArrayList<PeerNotice> noticeBatch = new ArrayList<>();
    private FabricListener listener = NO_OP_LISTENER;

    private final Object noticeLock = new Object();
    private final Int2ObjectHashMap<PeerNotice> noticeByPeerId = new Int2ObjectHashMap<>();
    private volatile boolean noticesPending;

    LocalFabric(final LocalFabricHub hub, final int selfId)
    {
        this.hub = hub;
        this.selfId = selfId;
    }

    @Override
    public int selfId()
    {
        return selfId;
    }

    @Override
    public LocalRegion register(final int regionId, final int sizeBytes, final boolean writableByAll)
    {
        if (Lifecycle.NEW != lifecycle)
        {
            throw new IllegalStateException("register after start: process " + selfId + " is " + lifecycle);
        }
        if (regionById.containsKey(regionId))
        {
            throw new IllegalArgumentException("regionId=" + regionId + " already registered by process " + selfId);
        }
        final FabricRegion region = new FabricRegion(regionId, sizeBytes, writableByAll);
        regionById.put(regionId, region);
        return region;
    }

    @Override
    public void start()
    {
        if (Lifecycle.NEW != lifecycle)
        {
            throw new IllegalStateException("start: process " + selfId + " is " + lifecycle);
        }
        hub.start(this);
        final PeerLink self = link(selfId);
        self.state = LinkState.UP;
        self.incarnation = this;
        for (final DirectRemoteRegion handle : self.handleByRegionId.values())
        {
            bind(handle, this);
        }
    }

    @Override
    public RemoteRegion remote(final int peerId, final int regionId)
    {
        if (Lifecycle.CLOSED == lifecycle)
        {
            throw new IllegalStateException("remote: process " + selfId + " is closed");
        }
        applyPeerNotices();
        final PeerLink link = link(peerId);
        DirectRemoteRegion handle = link.handleByRegionId.get(regionId);
        if (null == handle)
        {
            handle = new DirectRemoteRegion(peerId, regionId, selfId, events);
            link.handleByRegionId.put(regionId, handle);
            if (LinkState.UP == link.state)
            {
                bind(handle, link.incarnation);
            }
            else if (LinkState.DOWN == link.state)
            {
                handle.peerDown();
            }
        }
        return handle;
    }

    @Override
    public int doWork()
    {
        if (Lifecycle.STARTED != lifecycle)
        {
            return 0;
        }
        return applyPeerNotices() + events.dispatch(listener);
    }

    @Override
    public void listener(final FabricListener listener)
    {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void close()
    {
        if (!closeRequested.compareAndSet(false, true))
        {
            return;
        }
        for (final FabricRegion region : regionById.values())
        {
            region.close();
        }
        hub.close(this);
    }

    /**
     * Called by the hub, under its lock, when a peer endpoint connected with this one has started.
     *
     * @param peer the started endpoint.
     */
    void onPeerUp(final LocalFabric peer)
    {
        synchronized (noticeLock)
        {
            notice(peer.selfId()).liveIncarnation = peer;
            noticesPending = true;
        }
    }

    /**
     * Called by the hub, under its lock, when a peer endpoint connected with this one has closed.
     *
     * @param peer the closed endpoint.
     */
    void onPeerDown(final LocalFabric peer)
    {
        synchronized (noticeLock)
        {
            final PeerNotice notice = notice(peer.selfId());
            if (notice.liveIncarnation == peer)
            {
                notice.liveIncarnation = null;
            }
            notice.lossCount++;
            noticesPending = true;
        }
    }

    /**
     * @return the current lifecycle state.
     */
    Lifecycle lifecycle()
    {
        return lifecycle;
    }

    /**
     * The single transition point of the lifecycle, called by the hub under its lock.
     *
     * @param next the new state: STARTED from NEW, or CLOSED from any state.
     * @throws IllegalStateException for any other transition.
     */
    void lifecycle(final Lifecycle next)
    {
        final boolean allowed = Lifecycle.CLOSED == next || (Lifecycle.STARTED == next && Lifecycle.NEW == lifecycle);
        if (!allowed)
        {
            throw new IllegalStateException("process " + selfId + ": " + lifecycle + " -> " + next + " not allowed");
        }
        lifecycle = next;
    }

    /**
     * @param regionId region id.
     * @return the registered region or null; regions do not change after start.
     */
    FabricRegion region(final int regionId)
    {
        return regionById.get(regionId);
    }

    private PeerNotice notice(final int peerId)
    {
        PeerNotice notice = noticeByPeerId.get(peerId);
        if (null == notice)
        {
            notice = new PeerNotice(peerId);
            noticeByPeerId.put(peerId, notice);
        }
        return notice;
    }

    private PeerLink link(final int peerId)
    {
        PeerLink link = linkByPeerId.get(peerId);
        if (null == link)
        {
            link = new PeerLink(peerId);
            linkByPeerId.put(peerId, link);
        }
        return link;
    }

    private int applyPeerNotices()
    {
        if (!noticesPending)
        {
            return 0;
        }
        synchronized (noticeLock)
        {
            noticesPending = false;
            noticeBatch.addAll(noticeByPeerId.values());
            noticeByPeerId.clear();
        }

        final int count = noticeBatch.size();
        for (int i = 0; i < count; i++)
        {
            final PeerNotice notice = noticeBatch.get(i);
            final PeerLink link = link(notice.peerId);
            if (notice.lossCount > 0)
            {
                link.state = LinkState.DOWN;
                link.incarnation = null;
                for (final DirectRemoteRegion handle : link.handleByRegionId.values())
                {
                    handle.peerDown();
                }
                for (int loss = 0; loss < notice.lossCount; loss++)
                {
                    events.peerDown(link.peerId);
                }
            }
            if (null != notice.liveIncarnation && notice.liveIncarnation != link.incarnation)
            {
                link.state = LinkState.UP;
                link.incarnation = notice.liveIncarnation;
                for (final DirectRemoteRegion handle : link.handleByRegionId.values())
                {
                    bind(handle, link.incarnation);
                }
            }
        }
        noticeBatch.clear();
        return count;
    }

    private void bind(final DirectRemoteRegion handle, final LocalFabric owner)
    {
        final FabricRegion region = owner.region(handle.regionId());
        if (null == region)
        {
            LOG.error("process {} has no region {}; handle of process {} to it is FAILED",
                owner.selfId(), handle.regionId(), selfId);
        }
        handle.bind(region);
    }

    @Override
    public String toString()
    {
        return "LocalFabric{selfId=" + selfId + ", lifecycle=" + lifecycle + '}';
    }
}
