package io.ramcast.multicast.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviour specific to {@link FaultInjectingFabric}, stepped in one thread against a manual clock:
 * delays per link, order kept per link and not across links, pausing, and what happens to held
 * writes on rejection, reset and peer death.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultInjectingFabricTest
{
    private static final int REGION_ID = 3;
    private static final long SEED = 20_24L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final LocalFabricHub hub = new LocalFabricHub();
    private final List<Fabric> fabrics = new ArrayList<>();

    @AfterEach
    void closeFabrics()
    {
        fabrics.forEach(Fabric::close);
    }

    @Test
    void shouldReorderVisibilityAcrossLinksButNotWithinOne()
    {
        final FaultInjectingFabric writer = wrapped(1);
        final LocalRegion region2 = local(2).register(REGION_ID, 64, true);
        final LocalRegion region3 = local(3).register(REGION_ID, 64, true);
        startAll();
        writer.linkDelay(2, 1_000, 1_000).linkDelay(3, 0, 0);
        final RemoteRegion to2 = connect(writer, 2);
        final RemoteRegion to3 = connect(writer, 3);

        assertThat(to2.write(0, words(1), 0, 8)).isEqualTo(WriteResult.ISSUED);
        assertThat(to3.write(0, words(2), 0, 8)).isEqualTo(WriteResult.ISSUED);
        assertThat(to2.write(8, words(3), 0, 8)).isEqualTo(WriteResult.ISSUED);
        stepAll();
        assertThat(region3.buffer().getLongVolatile(0)).as("issued second, visible first").isEqualTo(2);
        assertThat(region2.buffer().getLongVolatile(0)).isZero();
        assertThat(writer.heldWriteCount(2)).isEqualTo(2);

        clock.advance(999);
        stepAll();
        assertThat(region2.buffer().getLongVolatile(0)).isZero();

        clock.advance(1);
        stepAll();
        assertThat(region2.buffer().getLongVolatile(0)).isEqualTo(1);
        assertThat(region2.buffer().getLongVolatile(8)).isEqualTo(3);
        assertThat(writer.heldWriteCount(2)).isZero();
    }

    @Test
    void shouldKeepIssueOrderPerLinkUnderRandomDelays()
    {
        final int writeCount = 500;
        final FaultInjectingFabric writer = wrapped(1);
        final LocalRegion region = local(2).register(REGION_ID, writeCount * 8, true);
        startAll();
        writer.defaultLinkDelay(0, 10_000);
        final RemoteRegion to2 = connect(writer, 2);

        for (int i = 0; i < writeCount; i++)
        {
            assertThat(to2.write(i * 8, words(i + 1), 0, 8)).isEqualTo(WriteResult.ISSUED);
            clock.advance(10);
        }
        int visible = 0;
        while (visible < writeCount)
        {
            clock.advance(100);
            stepAll();
            int prefix = 0;
            while (prefix < writeCount && region.buffer().getLongVolatile(prefix * 8) != 0)
            {
                prefix++;
            }
            for (int i = prefix; i < writeCount; i++)
            {
                assertThat(region.buffer().getLongVolatile(i * 8)).as("write %d after a gap at %d", i, prefix).isZero();
            }
            visible = prefix;
        }
    }

    @Test
    void shouldHoldPausedLinkAndReleaseInOrderAfterResume()
    {
        final FaultInjectingFabric writer = wrapped(1);
        final LocalRegion region2 = local(2).register(REGION_ID, 64, true);
        final LocalRegion region3 = local(3).register(REGION_ID, 64, true);
        startAll();
        final RemoteRegion to2 = connect(writer, 2);
        final RemoteRegion to3 = connect(writer, 3);

        writer.pauseLink(2);
        for (int i = 0; i < 4; i++)
        {
            assertThat(to2.write(i * 8, words(10 + i), 0, 8)).isEqualTo(WriteResult.ISSUED);
        }
        assertThat(to3.write(0, words(99), 0, 8)).isEqualTo(WriteResult.ISSUED);
        clock.advance(TimeUnit.SECONDS.toNanos(1));
        stepAll();
        assertThat(region3.buffer().getLongVolatile(0)).isEqualTo(99);
        assertThat(region2.buffer().getLongVolatile(0)).isZero();
        assertThat(writer.heldWriteCount(2)).isEqualTo(4);

        writer.resumeLink(2);
        stepAll();
        for (int i = 0; i < 4; i++)
        {
            assertThat(region2.buffer().getLongVolatile(i * 8)).isEqualTo(10 + i);
        }
    }

    @Test
    void shouldReportRejectionOfHeldWriteReleasedAfterRevoke()
    {
        final FaultInjectingFabric writer = wrapped(1);
        final RecordingListener listener = new RecordingListener();
        writer.listener(listener);
        final LocalRegion region = local(2).register(REGION_ID, 64, true);
        startAll();
        writer.linkDelay(2, 100, 100);
        final RemoteRegion to2 = connect(writer, 2);

        assertThat(to2.write(0, words(1), 0, 8)).isEqualTo(WriteResult.ISSUED);
        region.revoke(1);
        clock.advance(100);
        stepAll();
        assertThat(region.buffer().getLongVolatile(0)).isZero();
        assertThat(to2.status()).isEqualTo(RemoteRegion.Status.FAILED);
        stepAll();
        assertThat(listener.rejections).containsExactly("2/" + REGION_ID);
        assertThat(to2.write(0, words(2), 0, 8)).isEqualTo(WriteResult.REJECTED);
    }

    @Test
    void shouldDiscardWritesStillHeldWhenTheHandleIsReset()
    {
        final FaultInjectingFabric writer = wrapped(1);
        final LocalRegion region = local(2).register(REGION_ID, 64, true);
        startAll();
        writer.linkDelay(2, 100, 100);
        final RemoteRegion to2 = connect(writer, 2);

        assertThat(to2.write(0, words(1), 0, 8)).isEqualTo(WriteResult.ISSUED);
        clock.advance(50);
        assertThat(to2.write(8, words(2), 0, 8)).isEqualTo(WriteResult.ISSUED); // due at 150
        region.revoke(1);
        clock.advance(50);
        stepAll(); // the first write is released and rejected; the handle fails
        assertThat(to2.status()).isEqualTo(RemoteRegion.Status.FAILED);

        region.grant(1);
        to2.reset();
        assertThat(to2.status()).isEqualTo(RemoteRegion.Status.READY);
        assertThat(to2.write(16, words(3), 0, 8)).isEqualTo(WriteResult.ISSUED);
        clock.advance(1_000);
        stepAll();
        assertThat(region.buffer().getLongVolatile(0)).isZero();
        assertThat(region.buffer().getLongVolatile(8)).as("issued before the reset, flushed").isZero();
        assertThat(region.buffer().getLongVolatile(16)).isEqualTo(3);
        assertThat(writer.discardedWriteCount()).isEqualTo(1);
    }

    @Test
    void shouldDiscardHeldWritesWhenThePeerGoesDown()
    {
        final FaultInjectingFabric writer = wrapped(1);
        final RecordingListener listener = new RecordingListener();
        writer.listener(listener);
        final Fabric peer = local(2);
        peer.register(REGION_ID, 64, true);
        startAll();
        final RemoteRegion to2 = connect(writer, 2);

        writer.pauseLink(2);
        assertThat(to2.write(0, words(1), 0, 8)).isEqualTo(WriteResult.ISSUED);
        peer.close();
        stepAll();
        assertThat(listener.peerDowns).containsExactly(2);
        assertThat(writer.heldWriteCount(2)).isZero();
        assertThat(to2.status()).isEqualTo(RemoteRegion.Status.PEER_DOWN);

        final Fabric restarted = local(2);
        final LocalRegion region = restarted.register(REGION_ID, 64, true);
        restarted.start();
        writer.resumeLink(2);
        stepAll();
        assertThat(to2.status()).isEqualTo(RemoteRegion.Status.READY);
        assertThat(region.buffer().getLongVolatile(0)).as("a write issued before the loss").isZero();
    }

    @Test
    void shouldApplyBackPressureBeyondTheHeldBytesBound()
    {
        final FaultInjectingFabric writer = wrapped(1).maxHeldBytesPerLink(16);
        local(2).register(REGION_ID, 64, true);
        startAll();
        final RemoteRegion to2 = connect(writer, 2);
        writer.pauseLink(2);

        assertThat(to2.write(0, words(1), 0, 8)).isEqualTo(WriteResult.ISSUED);
        assertThat(to2.write(8, words(2), 0, 8)).isEqualTo(WriteResult.ISSUED);
        assertThat(to2.write(16, words(3), 0, 8)).isEqualTo(WriteResult.BACK_PRESSURE);
        assertThatThrownBy(() -> to2.write(64, words(3), 0, 8)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void shouldDrawTheSameDelaysFromTheSameSeed()
    {
        assertThat(landingSteps(SEED)).isEqualTo(landingSteps(SEED));
    }

    @Test
    void shouldValidateDelayBounds()
    {
        final FaultInjectingFabric writer = wrapped(1);
        assertThatThrownBy(() -> writer.linkDelay(2, -1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.linkDelay(2, 6, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.defaultLinkDelay(0, Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.maxHeldBytesPerLink(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private List<Integer> landingSteps(final long seed)
    {
        final LocalFabricHub runHub = new LocalFabricHub();
        final CachedNanoClock runClock = new CachedNanoClock();
        final FaultInjectingFabric writer = new FaultInjectingFabric(runHub.endpoint(1), new Random(seed), runClock);
        final Fabric owner2 = runHub.endpoint(2);
        final Fabric owner3 = runHub.endpoint(3);
        final LocalRegion region2 = owner2.register(REGION_ID, 64, true);
        final LocalRegion region3 = owner3.register(REGION_ID, 64, true);
        try
        {
            writer.start();
            owner2.start();
            owner3.start();
            writer.defaultLinkDelay(0, 1_000);
            writer.doWork();
            final RemoteRegion to2 = writer.remote(2, REGION_ID);
            final RemoteRegion to3 = writer.remote(3, REGION_ID);
            for (int i = 0; i < 8; i++)
            {
                to2.write(i * 8, words(i + 1), 0, 8);
                to3.write(i * 8, words(i + 1), 0, 8);
            }
            final List<Integer> steps = new ArrayList<>();
            for (int step = 0; step < 200; step++)
            {
                runClock.advance(10);
                writer.doWork();
                for (int i = 0; i < 8; i++)
                {
                    if (region2.buffer().getLongVolatile(i * 8) != 0 && steps.size() < 16)
                    {
                        steps.add(step * 100 + i);
                        region2.buffer().putLongVolatile(i * 8, 0);
                    }
                    if (region3.buffer().getLongVolatile(i * 8) != 0 && steps.size() < 16)
                    {
                        steps.add(step * 100 + 50 + i);
                        region3.buffer().putLongVolatile(i * 8, 0);
                    }
                }
            }
            assertThat(steps).hasSize(16);
            return steps;
        }
        finally
        {
            writer.close();
            owner2.close();
            owner3.close();
        }
    }

    private FaultInjectingFabric wrapped(final int processId)
    {
        final FaultInjectingFabric fabric = new FaultInjectingFabric(hub.endpoint(processId), new Random(SEED), clock);
        fabrics.add(fabric);
        return fabric;
    }

    private Fabric local(final int processId)
    {
        final Fabric fabric = hub.endpoint(processId);
        fabrics.add(fabric);
        return fabric;
    }

    private void startAll()
    {
        fabrics.forEach(Fabric::start);
    }

    private void stepAll()
    {
        fabrics.forEach(Fabric::doWork);
    }

    private RemoteRegion connect(final Fabric writer, final int peerId)
    {
        final RemoteRegion handle = writer.remote(peerId, REGION_ID);
        stepAll();
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.READY);
        return handle;
    }

    private static UnsafeBuffer words(final long... values)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[values.length * 8]);
        for (int i = 0; i < values.length; i++)
        {
            buffer.putLong(i * 8, values[i]);
        }
        return buffer;
    }

    /** Records listener calls; single-threaded. */
    private static final class RecordingListener implements FabricListener
    {
        private final List<Integer> peerDowns = new ArrayList<>();
        private final List<String> rejections = new ArrayList<>();

        @Override
        public void onPeerDown(final int peerId)
        {
            peerDowns.add(peerId);
        }

        @Override
        public void onWriteRejected(final int peerId, final int regionId)
        {
            rejections.add(peerId + "/" + regionId);
        }
    }
}
