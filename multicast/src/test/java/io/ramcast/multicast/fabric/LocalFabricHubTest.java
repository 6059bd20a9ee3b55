package io.ramcast.multicast.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviour specific to the {@code local} fabric documented on {@link LocalFabricHub}: endpoint ids,
 * when listener events fire, and who hears of a death.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LocalFabricHubTest
{
    private static final int REGION_ID = 3;

    private final LocalFabricHub hub = new LocalFabricHub();
    private final List<Fabric> fabrics = new ArrayList<>();

    @AfterEach
    void closeFabrics()
    {
        fabrics.forEach(Fabric::close);
    }

    @Test
    void shouldAllowAnIdAgainOnlyAfterItsEndpointClosed()
    {
        final Fabric first = endpoint(1);
        assertThatThrownBy(() -> hub.endpoint(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> hub.endpoint(-1)).isInstanceOf(IllegalArgumentException.class);
        first.close();
        first.close();
        assertThat(endpoint(1).selfId()).isEqualTo(1);
        assertThatThrownBy(() -> first.remote(2, REGION_ID)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReportRejectionOnTheWritersNextDoWorkNotInsideTheWrite()
    {
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, false);
        final Fabric writer = endpoint(2);
        final List<String> rejections = new ArrayList<>();
        writer.listener(new FabricListener()
        {
            @Override
            public void onWriteRejected(final int peerId, final int regionId)
            {
                rejections.add(peerId + "/" + regionId);
            }
        });
        owner.start();
        writer.start();
        final RemoteRegion handle = writer.remote(1, REGION_ID);
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.READY);

        assertThat(handle.write(0, new UnsafeBuffer(new byte[8]), 0, 8)).isEqualTo(WriteResult.REJECTED);
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.FAILED);
        assertThat(rejections).isEmpty();
        writer.doWork();
        assertThat(rejections).containsExactly("1/" + REGION_ID);

        handle.reset();
        assertThat(handle.status()).as("reset without a new grant").isEqualTo(RemoteRegion.Status.FAILED);
        region.grant(2);
        handle.reset();
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.READY);
    }

    @Test
    void shouldReportDeathOnlyToEndpointsThatWereStartedAtTheTime()
    {
        final Fabric dying = endpoint(1);
        dying.register(REGION_ID, 64, true);
        final Fabric survivor = endpoint(2);
        final List<Integer> survivorDowns = new ArrayList<>();
        survivor.listener(new FabricListener()
        {
            @Override
            public void onPeerDown(final int peerId)
            {
                survivorDowns.add(peerId);
            }
        });
        dying.start();
        survivor.start();
        final RemoteRegion handle = survivor.remote(1, REGION_ID);
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.READY);

        dying.close();
        assertThat(handle.write(0, new UnsafeBuffer(new byte[8]), 0, 8)).as("at once, before doWork")
            .isEqualTo(WriteResult.PEER_DOWN);
        survivor.doWork();
        survivor.doWork();
        assertThat(survivorDowns).containsExactly(1);

        final Fabric latecomer = endpoint(3);
        final List<Integer> latecomerDowns = new ArrayList<>();
        latecomer.listener(new FabricListener()
        {
            @Override
            public void onPeerDown(final int peerId)
            {
                latecomerDowns.add(peerId);
            }
        });
        latecomer.start();
        latecomer.doWork();
        assertThat(latecomerDowns).isEmpty();
        assertThat(latecomer.remote(1, REGION_ID).status()).isEqualTo(RemoteRegion.Status.CONNECTING);
    }

    private Fabric endpoint(final int processId)
    {
        final Fabric fabric = hub.endpoint(processId);
        fabrics.add(fabric);
        return fabric;
    }
}
