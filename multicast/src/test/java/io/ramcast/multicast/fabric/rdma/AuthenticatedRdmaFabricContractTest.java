package io.ramcast.multicast.fabric.rdma;

import java.util.Arrays;

import io.ramcast.multicast.fabric.FabricCredentials;

/**
 * The whole fabric contract over the {@code rdma} fabric with authenticated handshakes (four
 * messages, {@link HandshakeCodec}), on the in-memory network.
 */
class AuthenticatedRdmaFabricContractTest extends FakeVerbsRdmaFabricContractTest
{
    static final String CLUSTER = "rdma-auth";

    @Override
    protected RdmaFabricOptions options(final int processId, final boolean server)
    {
        return options(server ? FabricCredentials.server(CLUSTER, secret('s'), secret('c'), 1) :
            FabricCredentials.client(CLUSTER, secret('c'), 1));
    }

    /** @return the contract's options with these credentials. */
    static RdmaFabricOptions options(final FabricCredentials credentials)
    {
        return RdmaFabricOptions.builder().sendQueueDepth(OPTIONS.sendQueueDepth())
            .completionQueueDepth(OPTIONS.completionQueueDepth()).signalInterval(OPTIONS.signalInterval())
            .maxInlineBytes(OPTIONS.maxInlineBytes()).stagingBytes(OPTIONS.stagingBytes())
            .connectTimeoutNs(OPTIONS.connectTimeoutNs()).connectBackoffMinNs(OPTIONS.connectBackoffMinNs())
            .connectBackoffMaxNs(OPTIONS.connectBackoffMaxNs()).credentials(credentials).build();
    }

    static byte[] secret(final char fill)
    {
        final byte[] secret = new byte[FabricCredentials.MIN_SECRET_BYTES];
        Arrays.fill(secret, (byte)fill);
        return secret;
    }
}
