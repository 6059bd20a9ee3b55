package io.ramcast.bench;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.FabricListener;
import io.ramcast.multicast.fabric.LocalRegion;
import io.ramcast.multicast.fabric.RemoteRegion;
import io.ramcast.multicast.fabric.WriteResult;
import org.agrona.DirectBuffer;

import java.util.Set;

/**
 * A replica's fabric whose writes to the peers in a shared set are refused with
 * {@link WriteResult#BACK_PRESSURE} while they are in it, so the replica keeps them queued, in
 * order, and sends them once the peer leaves the set: a link that is slow for as long as the
 * test says. The set may be changed from any thread; everything else runs on the agent thread.
 */
public final class HoldingFabric implements Fabric
{
    private final Fabric inner;
    private final Set<Integer> heldPeers;

    public HoldingFabric(final Fabric inner, final Set<Integer> heldPeers)
    {
        this.inner = inner;
        this.heldPeers = heldPeers;
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
        final RemoteRegion region = inner.remote(peerId, regionId);
        return new RemoteRegion()
        {
            @Override
            public int peerId()
            {
                return region.peerId();
            }

            @Override
            public int regionId()
            {
                return region.regionId();
            }

            @Override
            public Status status()
            {
                return region.status();
            }

            @Override
            public int sizeBytes()
            {
                return region.sizeBytes();
            }

            @Override
            public long connectionEpoch()
            {
                return region.connectionEpoch();
            }

            @Override
            public WriteResult write(final int offset, final DirectBuffer src, final int srcOffset, final int length)
            {
                return heldPeers.contains(peerId) ? WriteResult.BACK_PRESSURE :
                    region.write(offset, src, srcOffset, length);
            }

            @Override
            public void reset()
            {
                region.reset();
            }
        };
    }

    @Override
    public int doWork()
    {
        return inner.doWork();
    }

    @Override
    public int[] connectedPeers()
    {
        return inner.connectedPeers();
    }

    @Override
    public void listener(final FabricListener listener)
    {
        inner.listener(listener);
    }

    @Override
    public void close()
    {
        inner.close();
    }
}
