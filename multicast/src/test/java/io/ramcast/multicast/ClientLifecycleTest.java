package io.ramcast.multicast;

import io.ramcast.multicast.fabric.LocalFabricHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientLifecycleTest
{
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldFailOutstandingMulticastsWhenClientCloses() throws Exception
    {
        final GroupTopology topology = GroupTopology.uniform(1, 3, 1);
        final LocalFabricHub hub = new LocalFabricHub();
        final RamcastClient client = RamcastClient.builder().topology(topology).fabric(hub.endpoint(3)).build().start();

        // no server runs: the message can never complete
        final CompletableFuture<Long> pending = client.multicast(new byte[] {1, 2, 3}, 0);
        client.close();

        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(IllegalStateException.class)
            .hasMessageContaining("may or may not be delivered");
        assertThatThrownBy(() -> client.multicast(new byte[1], 0))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseBadInputWithoutSendingAnything() throws Exception
    {
        final GroupTopology topology = GroupTopology.uniform(3, 1, 1);
        final LocalFabricHub hub = new LocalFabricHub();
        final RamcastServer[] servers = new RamcastServer[3];
        for (int s = 0; s < 3; s++)
        {
            servers[s] = RamcastServer.builder().topology(topology).fabric(hub.endpoint(s)).deliveryHandler(d -> { })
                .build().start();
        }
        try (RamcastClient client = RamcastClient.builder().topology(topology).fabric(hub.endpoint(3)).build().start())
        {
            final int limit = MulticastOptions.defaults().maxPayloadBytes(2);
            assertThatThrownBy(() -> client.multicast(new byte[limit + 1], 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit");
            assertThatThrownBy(() -> client.multicast(new byte[1], 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("given twice");
            assertThatThrownBy(() -> client.multicast(new byte[1], 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown destination group 5");
            assertThatThrownBy(() -> client.multicast(new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");

            final long id = client.multicast(new byte[limit], 1, 0).get(10, TimeUnit.SECONDS);
            assertThat(MessageIds.sequence(id)).as("refused calls consumed no sequence number").isEqualTo(1);
            assertThat(servers[0].deliveredCount()).isEqualTo(1);
            assertThat(servers[1].deliveredCount()).isEqualTo(1);
            assertThat(servers[2].deliveredCount()).isZero();
        }
        finally
        {
            for (final RamcastServer s : servers)
            {
                s.close();
            }
        }
    }
}
