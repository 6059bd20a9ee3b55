package io.ramcast.multicast.fabric;

import java.util.Random;

import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * The fabric contract over {@link FaultInjectingFabric} wrapping the {@code local} fabric, with
 * random per-link delays of up to {@link #MAX_DELAY_NS}. Writes are held by pausing the link. The
 * seed is printed; rerun with {@code -Dfabric.seed=N} to reuse one (delays also depend on timing).
 */
class FaultInjectingFabricContractTest extends FabricContractTest
{
    static final long MAX_DELAY_NS = 200_000L;

    private final LocalFabricHub hub = new LocalFabricHub();
    private final long seed = Long.getLong("fabric.seed", System.nanoTime());

    @BeforeEach
    void printSeed(final TestInfo testInfo)
    {
        System.out.println(testInfo.getDisplayName() + " fabric.seed=" + seed);
    }

    @Override
    protected Fabric newEndpoint(final int processId, final int[] listeningIds)
    {
        final Random random = new Random(seed * 31 + processId);
        return new FaultInjectingFabric(hub.endpoint(processId), random, SystemNanoClock.INSTANCE)
            .defaultLinkDelay(0, MAX_DELAY_NS);
    }

    @Override
    protected boolean holdWrites(final Fabric writer, final Fabric owner)
    {
        ((FaultInjectingFabric)writer).pauseLink(owner.selfId());
        return true;
    }

    @Override
    protected void releaseWrites(final Fabric writer, final Fabric owner)
    {
        ((FaultInjectingFabric)writer).resumeLink(owner.selfId());
    }
}
