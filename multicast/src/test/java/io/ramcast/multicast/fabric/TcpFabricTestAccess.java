package io.ramcast.multicast.fabric;

import java.net.InetSocketAddress;

/** What tests outside this package need of the tcp fabric's test fixtures. */
public final class TcpFabricTestAccess
{
    /** Fast reconnection, as in the contract test. */
    public static final TcpFabricOptions OPTIONS = TcpFabricContractTest.OPTIONS;

    private TcpFabricTestAccess()
    {
    }

    /** @return a loopback address with a port that was free a moment ago. */
    public static InetSocketAddress freeLoopbackAddress()
    {
        return TcpFabricContractTest.freeLoopbackAddress();
    }
}
