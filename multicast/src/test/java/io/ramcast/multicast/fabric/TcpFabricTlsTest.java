package io.ramcast.multicast.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import io.ramcast.multicast.Await;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the {@code tcp} fabric ({@link TcpFabricOptions#tls()}): what crosses the network is
 * encrypted, and only processes whose certificates the trust store accepts, speaking TLS, connect.
 */
class TcpFabricTlsTest
{
    private static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(10);
    private static final String CLUSTER = "tls-test";
    private static final int SERVER = 1;
    private static final int CLIENT = 100;
    private static final int REGION_ID = 3;
    private static final int REGION_SIZE_BYTES = 256;
    private static final byte[] PAYLOAD = "a-payload-that-must-not-cross-the-network-in-clear-0123456789abc"
        .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path storeDir;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    /**
     * A client writes a recognisable payload to a server through a recording proxy: with TLS the
     * payload arrives and the recording does not contain it; without TLS (the control, showing
     * the check can fail) it does.
     */
    @Test
    void shouldEncryptWhatCrossesTheNetwork() throws Exception
    {
        final SSLContext tls = TlsStores.create(storeDir, "cluster");
        final String payload = new String(PAYLOAD, StandardCharsets.ISO_8859_1);
        assertThat(new String(recordedWrite(tls, tls), StandardCharsets.ISO_8859_1)).as("ciphertext only")
            .doesNotContain(payload);
        assertThat(new String(recordedWrite(null, null), StandardCharsets.ISO_8859_1))
            .as("the control: plaintext shows the payload").contains(payload);
    }

    /**
     * A client with a certificate of another authority, a plaintext client against a TLS server and
     * a TLS client against a plaintext server never connect, though each holds the right secrets; a
     * member connects meanwhile.
     */
    @Test
    void shouldConnectOnlyPeersSpeakingTlsWithATrustedCertificate()
    {
        final SSLContext tls = TlsStores.create(storeDir, "cluster");
        final SSLContext stranger = TlsStores.create(storeDir, "stranger");
        final InetSocketAddress tlsServerAddress = TcpFabricContractTest.freeLoopbackAddress();
        final InetSocketAddress plainServerAddress = TcpFabricContractTest.freeLoopbackAddress();
        started(SERVER, tlsServerAddress, serverCredentials(), tls, true);
        started(SERVER, plainServerAddress, serverCredentials(), null, true);

        final TcpFabric member = started(CLIENT, tlsServerAddress, clientCredentials(), tls, false);
        final TcpFabric untrusted = started(CLIENT + 1, tlsServerAddress, clientCredentials(), stranger, false);
        final TcpFabric plaintext = started(CLIENT + 2, tlsServerAddress, clientCredentials(), null, false);
        final TcpFabric tlsToPlain = started(CLIENT + 3, plainServerAddress, clientCredentials(), tls, false);
        final List<RemoteRegion> refused = List.of(untrusted.remote(SERVER, REGION_ID),
            plaintext.remote(SERVER, REGION_ID), tlsToPlain.remote(SERVER, REGION_ID));
        final RemoteRegion fromMember = member.remote(SERVER, REGION_ID);
        final Runnable step = () ->
        {
            member.doWork();
            untrusted.doWork();
            plaintext.doWork();
            tlsToPlain.doWork();
        };
        Await.until(() -> RemoteRegion.Status.READY == fromMember.status(), AWAIT_TIMEOUT, "the member connects", step);
        Await.holdsFor(() -> refused.stream().noneMatch(region -> RemoteRegion.Status.READY == region.status()),
            Duration.ofMillis(700), "no untrusted or mismatched peer connects", step);
    }

    @Test
    void shouldNameTheStoreThatCannotBeUsed() throws IOException
    {
        TlsStores.create(storeDir, "cluster");
        final Path key = storeDir.resolve("cluster-key.p12");
        final Path trust = storeDir.resolve("cluster-trust.p12");
        assertThatThrownBy(() -> FabricTls.context(storeDir.resolve("missing.p12"), trust, TlsStores.PASSWORD))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.p12").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> FabricTls.context(key, trust, "wrong".toCharArray()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster-key.p12")
            .hasMessageContaining("wrong password");
        assertThatThrownBy(() -> FabricTls.context(trust, trust, TlsStores.PASSWORD))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no private key");
        final Path garbage = Files.write(storeDir.resolve("garbage.p12"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> FabricTls.context(key, garbage, TlsStores.PASSWORD))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("garbage.p12");
    }

    /**
     * @return every byte the client sent to the server while it wrote {@link #PAYLOAD}, which
     *         arrived intact.
     */
    private byte[] recordedWrite(final SSLContext serverTls, final SSLContext clientTls) throws Exception
    {
        final InetSocketAddress serverAddress = TcpFabricContractTest.freeLoopbackAddress();
        final TcpFabric server = started(SERVER, serverAddress, serverCredentials(), serverTls, true);
        final RecordingProxy proxy = new RecordingProxy(serverAddress);
        resources.add(proxy);
        final TcpFabric client = started(CLIENT, proxy.address(), clientCredentials(), clientTls, false);

        final RemoteRegion region = client.remote(SERVER, REGION_ID);
        Await.until(() -> RemoteRegion.Status.READY == region.status(), AWAIT_TIMEOUT, "the client connects",
            client::doWork);
        final UnsafeBuffer source = new UnsafeBuffer(PAYLOAD);
        Await.until(() -> WriteResult.ISSUED == region.write(0, source, 0, PAYLOAD.length), AWAIT_TIMEOUT,
            "the write is issued", client::doWork);
        final UnsafeBuffer landed = (UnsafeBuffer)localRegion(server).buffer();
        Await.until(() ->
        {
            final byte[] copy = new byte[PAYLOAD.length];
            landed.getBytes(0, copy);
            return Arrays.equals(PAYLOAD, copy);
        }, AWAIT_TIMEOUT, "the payload lands", client::doWork);
        client.close();
        return proxy.recorded();
    }

    private final Map<TcpFabric, LocalRegion> regionByFabric = new java.util.HashMap<>();

    private LocalRegion localRegion(final TcpFabric fabric)
    {
        return regionByFabric.get(fabric);
    }

    private TcpFabric started(final int id, final InetSocketAddress serverAddress, final FabricCredentials credentials,
        final SSLContext tls, final boolean withAgent)
    {
        final TcpFabric fabric = new TcpFabric(id, Map.of(SERVER, serverAddress), TcpFabricOptions.builder()
            .connectBackoffMinNs(1_000_000L).connectBackoffMaxNs(20_000_000L).credentials(credentials).tls(tls).build());
        final LocalRegion region = fabric.register(REGION_ID, REGION_SIZE_BYTES, true);
        regionByFabric.put(fabric, region);
        fabric.start();
        resources.add(fabric);
        if (withAgent)
        {
            resources.add(new FabricTestAgent("agent-" + id, fabric, () -> 0));
        }
        return fabric;
    }

    private static FabricCredentials serverCredentials()
    {
        return FabricCredentials.server(CLUSTER, TcpFabricAuthTest.secret('s'), TcpFabricAuthTest.secret('c'), 1);
    }

    private static FabricCredentials clientCredentials()
    {
        return FabricCredentials.client(CLUSTER, TcpFabricAuthTest.secret('c'), 1);
    }


    /** Forwards connections to a target, recording what the connecting side sends. */
    private static final class RecordingProxy implements AutoCloseable
    {
        private final ServerSocket listener;
        private final InetSocketAddress target;
        private final ByteArrayOutputStream recording = new ByteArrayOutputStream();
        private final List<Socket> sockets = new ArrayList<>();
        private final Thread acceptor;

        RecordingProxy(final InetSocketAddress target) throws IOException
        {
            this.target = target;
            this.listener = new ServerSocket(0, 8, target.getAddress());
            acceptor = new Thread(this::acceptLoop, "recording-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address()
        {
            return new InetSocketAddress(target.getAddress(), listener.getLocalPort());
        }

        byte[] recorded()
        {
            synchronized (recording)
            {
                return recording.toByteArray();
            }
        }

        private void acceptLoop()
        {
            try
            {
                while (true)
                {
                    final Socket inbound = listener.accept();
                    final Socket outbound = new Socket(target.getAddress(), target.getPort());
                    synchronized (sockets)
                    {
                        sockets.add(inbound);
                        sockets.add(outbound);
                    }
                    pump(inbound.getInputStream(), outbound.getOutputStream(), true);
                    pump(outbound.getInputStream(), inbound.getOutputStream(), false);
                }
            }
            catch (final IOException ex)
            {
                // closed
            }
        }

        private void pump(final InputStream in, final OutputStream out, final boolean record)
        {
            final Thread thread = new Thread(() ->
            {
                final byte[] buffer = new byte[8192];
                try
                {
                    int read;
                    while ((read = in.read(buffer)) > 0)
                    {
                        if (record)
                        {
                            synchronized (recording)
                            {
                                recording.write(buffer, 0, read);
                            }
                        }
                        out.write(buffer, 0, read);
                    }
                }
                catch (final IOException ex)
                {
                    // either side closed
                }
            }, "recording-proxy-pump");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException
        {
            listener.close();
            synchronized (sockets)
            {
                for (final Socket socket : sockets)
                {
                    socket.close();
                }
            }
        }
    }
}
