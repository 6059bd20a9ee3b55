package io.ramcast.multicast.fabric.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** What is handed to DiSNI: resolved IPv4 addresses only, anything else refused with its reason. */
class RdmaAddressesTest
{
    @Test
    void shouldPassAResolvedIpv4AddressAndResolveALateOne() throws Exception
    {
        final InetSocketAddress literal = new InetSocketAddress("127.0.0.1", 7100);
        assertThat(RdmaAddresses.usable(literal)).isSameAs(literal);
        final InetSocketAddress late = InetSocketAddress.createUnresolved("localhost", 7101);
        final InetSocketAddress resolved = RdmaAddresses.usable(late);
        assertThat(resolved.isUnresolved()).isFalse();
        assertThat(resolved.getPort()).isEqualTo(7101);
    }

    @Test
    void shouldRefuseAnUnresolvableHostAndAnIpv6AddressNamingThem()
    {
        assertThatThrownBy(() -> RdmaAddresses.usable(InetSocketAddress.createUnresolved("no-such-host.invalid", 7100)))
            .isInstanceOf(RdmaAddresses.UnusableAddressException.class)
            .hasMessage("host no-such-host.invalid does not resolve");
        assertThatThrownBy(() -> RdmaAddresses.usable(new InetSocketAddress("::1", 7100)))
            .isInstanceOf(RdmaAddresses.UnusableAddressException.class)
            .hasMessageContaining("an IPv6 address: DiSNI 2.1 reaches IPv4 addresses only");
    }
}
