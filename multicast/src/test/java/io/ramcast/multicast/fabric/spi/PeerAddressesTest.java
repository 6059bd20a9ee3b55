package io.ramcast.multicast.fabric.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PeerAddressesTest
{
    private static final Map<Integer, InetSocketAddress> SERVERS = Map.of(
        1, address(7001),
        2, address(7002),
        3, address(7003));

    @Test
    void shouldConnectOutOnlyToListeningProcessesWithAHigherIdWhenListening()
    {
        final PeerAddresses server = new PeerAddresses(2, SERVERS);

        assertThat(server.selfAddress()).isEqualTo(address(7002));
        assertThat(server.connectsOutTo(3)).isTrue();
        assertThat(server.connectsOutTo(1)).isFalse();
        assertThat(server.connectsOutTo(9)).isFalse();
        assertThat(server.canConnect(9)).isTrue();
    }

    @Test
    void shouldConnectOutToEveryListeningProcessWhenNotListening()
    {
        final PeerAddresses client = new PeerAddresses(9, SERVERS);

        assertThat(client.selfAddress()).isNull();
        assertThat(client.connectsOutTo(1)).isTrue();
        assertThat(client.connectsOutTo(3)).isTrue();
        assertThat(client.connectsOutTo(10)).isFalse();
        assertThat(client.canConnect(10)).isFalse();
        assertThat(client.canConnect(1)).isTrue();
    }

    @Test
    void shouldKeepAnOrderedUnmodifiableCopyOfTheAddresses()
    {
        final Map<Integer, InetSocketAddress> input = new HashMap<>(SERVERS);
        final PeerAddresses addresses = new PeerAddresses(1, input);
        input.put(4, address(7004));

        assertThat(addresses.byProcessId().keySet()).containsExactly(1, 2, 3);
        assertThat(addresses.addressOf(4)).isNull();
        assertThat(addresses.addressOf(3)).isEqualTo(address(7003));
        assertThatThrownBy(() -> addresses.byProcessId().put(5, address(7005)))
            .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldRefuseANegativeSelfIdOrBadEntries()
    {
        assertThatThrownBy(() -> new PeerAddresses(-1, SERVERS))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("selfId=-1 must be >= 0");
        final Map<Integer, InetSocketAddress> nullAddress = new HashMap<>();
        nullAddress.put(1, null);
        assertThatThrownBy(() -> new PeerAddresses(0, nullAddress))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("listenAddresses entry 1=null");
        assertThatThrownBy(() -> new PeerAddresses(0, Map.of(-2, address(7000))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("process ids must be >= 0");
    }

    private static InetSocketAddress address(final int port)
    {
        return InetSocketAddress.createUnresolved("127.0.0.1", port);
    }
}
