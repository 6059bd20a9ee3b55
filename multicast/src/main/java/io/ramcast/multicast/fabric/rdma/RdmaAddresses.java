package io.ramcast.multicast.fabric.rdma;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * What DiSNI 2.1 can be handed: its native code builds an IPv4 {@code sockaddr_in} from a resolved
 * address, so an unresolved address reached it as a {@code NullPointerException} and an IPv6 one
 * as a wrong address. This checks first and says what is wrong.
 */
final class RdmaAddresses
{
    /** An address DiSNI cannot take, named in the message; the caller retries or reports it. */
    static final class UnusableAddressException extends IOException
    {
        private static final long serialVersionUID = 1L;

        UnusableAddressException(final String message)
        {
            super(message);
        }
    }

    private RdmaAddresses()
    {
    }

    /**
     * @param address a peer's or this process's configured address.
     * @return it, resolved now if it was not (a host name is looked up again on every call).
     * @throws UnusableAddressException if the host does not resolve, or resolves to an IPv6 address.
     */
    static InetSocketAddress usable(final InetSocketAddress address) throws UnusableAddressException
    {
        final InetSocketAddress resolved = address.isUnresolved() ?
            new InetSocketAddress(address.getHostString(), address.getPort()) : address;
        if (resolved.isUnresolved())
        {
            throw new UnusableAddressException("host " + address.getHostString() + " does not resolve");
        }
        if (!(resolved.getAddress() instanceof Inet4Address))
        {
            throw new UnusableAddressException(address.getHostString() + " is " + resolved.getAddress().getHostAddress() +
                ", an IPv6 address: DiSNI 2.1 reaches IPv4 addresses only (use the IPv4 address of the RDMA interface)");
        }
        return resolved;
    }
}
