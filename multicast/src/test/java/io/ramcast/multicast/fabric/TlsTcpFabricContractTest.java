package io.ramcast.multicast.fabric;

import java.nio.file.Path;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole fabric contract over the {@code tcp} fabric encrypted with TLS 1.3 and authenticated
 * with {@link FabricCredentials}, as a production cluster with {@code security.tls} runs it.
 */
class TlsTcpFabricContractTest extends TcpFabricContractTest
{
    private static final String CLUSTER = "tls-contract";
    private static final byte[] SERVER_SECRET = TcpFabricAuthTest.secret('s');
    private static final byte[] CLIENT_SECRET = TcpFabricAuthTest.secret('c');

    @TempDir
    static Path storeDir;
    private static SSLContext tls;

    @BeforeAll
    static void createStores()
    {
        tls = TlsStores.create(storeDir, "cluster");
    }

    @Override
    protected TcpFabricOptions options(final int processId, final boolean server)
    {
        final FabricCredentials credentials = server ? FabricCredentials.server(CLUSTER, SERVER_SECRET, CLIENT_SECRET, 1) :
            FabricCredentials.client(CLUSTER, CLIENT_SECRET, 1);
        return TcpFabricOptions.builder().connectBackoffMinNs(OPTIONS.connectBackoffMinNs())
            .connectBackoffMaxNs(OPTIONS.connectBackoffMaxNs()).credentials(credentials).tls(tls).build();
    }

}
