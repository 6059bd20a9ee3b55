package io.ramcast.multicast.fabric;

import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.ramcast.multicast.fabric.spi.FabricEventQueue;
import io.ramcast.multicast.fabric.spi.FabricLifecycle;
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
    private final LocalFabricHub hub;
    private final int selfId;
    private final Int2ObjectHashMap<FabricRegion> regionById = new Int2ObjectHashMap<>();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final FabricLifecycle lifecycle;

    private final Int2ObjectHashMap<PeerLink> linkByPeerId = new Int2ObjectHashMap<>();
    private final FabricEventQueue events = new FabricEventQueue();
    private final ArrayList<PeerNotice> noticeBatch = new ArrayList<>();

    private final Object noticeLock = new Object();
    private final Int2ObjectHashMap<PeerNotice> noticeByPeerId = new Int2ObjectHashMap<>();
    private volatile boolean noticesPending;

    LocalFabric(final LocalFabricHub hub, final int selfId)
    {
        this.hub = hub;
        this.selfId = selfId;
        this.lifecycle = new FabricLifecycle("process " + selfId);
    }

    @Override
    public int selfId()
    {
        return selfId;
    }

    @Override
    public LocalRegion register(final int regionId, final int sizeBytes, final boolean writableByAll)
    {
        lifecycle.ensureNew("register");
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
        lifecycle.ensureNew("start");
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
        lifecycle.ensureNotClosed("remote");
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
        if (FabricLifecycle.State.STARTED != lifecycle.state())
        {
            return 0;
        }
        return applyPeerNotices() + events.dispatch();
    }

    @Override
    public void listener(final FabricListener listener)
    {
        events.listener(listener);
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
     * @return the endpoint's lifecycle, whose transitions the hub makes under its lock.
     */
    FabricLifecycle lifecycle()
    {
        return lifecycle;
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
