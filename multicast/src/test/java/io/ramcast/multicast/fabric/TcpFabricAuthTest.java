package io.ramcast.multicast.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.ramcast.multicast.Await;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Authenticated connections ({@link FabricCredentials}): members get in, and nothing of a server's
 * state reaches a process that cannot prove it holds the secret its claimed id needs.
 */
class TcpFabricAuthTest
{
    private static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(10);
    private static final String CLUSTER = "auth-test";
    private static final int LOW_SERVER = 0;
    private static final int SERVER = 1;
    private static final int CLIENT = 100;
    private static final int REGION_ID = 3;
    private static final int REGION_SIZE_BYTES = 64;

    private final byte[] serverSecret = secret('s');
    private final byte[] clientSecret = secret('c');
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    static byte[] secret(final char fill)
    {
        final byte[] secret = new byte[FabricCredentials.MIN_SECRET_BYTES];
        Arrays.fill(secret, (byte)fill);
        return secret;
    }

    private static TcpFabricOptions options(final FabricCredentials credentials)
    {
        return TcpFabricOptions.builder().connectBackoffMinNs(1_000_000L).connectBackoffMaxNs(20_000_000L)
            .credentials(credentials).build();
    }

    /** Servers 0 and 1 at free loopback ports. */
    private static Map<Integer, InetSocketAddress> addresses()
    {
        return Map.of(LOW_SERVER, TcpFabricContractTest.freeLoopbackAddress(), SERVER,
            TcpFabricContractTest.freeLoopbackAddress());
    }

    /** A fabric with the region; {@code withAgent}: driven by its own agent thread, else by the test thread. */
    private TcpFabric started(final int id, final Map<Integer, InetSocketAddress> addresses,
        final FabricCredentials credentials, final boolean withAgent)
    {
        final TcpFabric fabric = new TcpFabric(id, addresses, options(credentials));
        fabric.register(REGION_ID, REGION_SIZE_BYTES, true);
        fabric.start();
        resources.add(fabric);
        if (withAgent)
        {
            resources.add(new FabricTestAgent("agent-" + id, fabric, () -> 0));
        }
        return fabric;
    }

    private FabricCredentials server(final long incarnation)
    {
        return FabricCredentials.server(CLUSTER, serverSecret, clientSecret, incarnation);
    }

    @Test
    void shouldConnectServersAndClientsThatHoldTheirSecrets()
    {
        final Map<Integer, InetSocketAddress> addresses = addresses();
        started(SERVER, addresses, server(1), true);
        final TcpFabric low = started(LOW_SERVER, addresses, server(1), false);
        final TcpFabric client = started(CLIENT, addresses, FabricCredentials.client(CLUSTER, clientSecret, 1), false);

        final RemoteRegion fromLow = low.remote(SERVER, REGION_ID);
        final RemoteRegion fromClient = client.remote(SERVER, REGION_ID);
        Await.until(() -> fromLow.status() == RemoteRegion.Status.READY &&
            fromClient.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT, "server 0 and the client reach server 1",
            () ->
            {
                low.doWork();
                client.doWork();
            });
    }

    /**
     * Two client processes configured with the same id: while the first is connected and heard,
     * the second (another incarnation) is refused instead of taking the first's connection (they
     * used to take it from each other, about 35 times a second); once the first has been silent
     * for the live-client window, the second gets the id.
     */
    @Test
    void shouldRefuseASecondLiveProcessWithTheSameClientIdUntilTheFirstFallsSilent()
    {
        final Map<Integer, InetSocketAddress> addresses = addresses();
        final TcpFabric server = new TcpFabric(SERVER, addresses, TcpFabricOptions.builder()
            .connectBackoffMinNs(1_000_000L).connectBackoffMaxNs(20_000_000L).credentials(server(1))
            .liveClientSilenceNs(300_000_000L).build());
        final LocalRegion region = server.register(REGION_ID, REGION_SIZE_BYTES, true);
        server.start();
        resources.add(server);
        resources.add(new FabricTestAgent("agent-" + SERVER, server, () -> 0));
        final TcpFabric first = started(CLIENT, addresses, FabricCredentials.client(CLUSTER, clientSecret, 1), false);
        final TcpFabric second = started(CLIENT, addresses, FabricCredentials.client(CLUSTER, clientSecret, 2), false);

        final RemoteRegion fromFirst = first.remote(SERVER, REGION_ID);
        Await.until(() -> fromFirst.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT, "the first client connects",
            first::doWork);
        final UnsafeBuffer word = new UnsafeBuffer(new byte[8]);
        final long[] written = {0};
        final Runnable firstIsAlive = () ->
        {
            first.doWork();
            if (fromFirst.status() == RemoteRegion.Status.READY)
            {
                word.putLong(0, ++written[0]);
                fromFirst.write(0, word, 0, 8); // as a client's heartbeats keep it heard
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L); // a heartbeat's pace, not a busy loop
        };
        final RemoteRegion fromSecond = second.remote(SERVER, REGION_ID);
        Await.holdsFor(() -> fromSecond.status() != RemoteRegion.Status.READY &&
            fromFirst.status() == RemoteRegion.Status.READY, Duration.ofMillis(800),
            "the second process is refused and the first keeps its connection", () ->
            {
                firstIsAlive.run();
                second.doWork();
            });
        Await.until(() -> region.buffer().getLongVolatile(0) == written[0], AWAIT_TIMEOUT,
            "the first client's writes landed all along", first::doWork);
        final Fabric.Refusal refusal = second.refusal(SERVER);
        assertThat(refusal).as("the server told the second process why").isNotNull();
        assertThat(refusal.reason()).isEqualTo(Fabric.Refusal.Reason.CLIENT_ID_IN_USE);
        assertThat(refusal.message()).contains("client id " + CLIENT + " is in use by a live process");
        assertThat(first.refusal(SERVER)).isNull();

        // the first falls silent (a frozen or cut-off process): after the window, the id is the second's
        Await.until(() -> fromSecond.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT,
            "the second process gets the id once the first is silent", second::doWork);
        assertThat(second.refusal(SERVER)).as("cleared once connected").isNull();
    }

    /**
     * A server with another server secret, or a client of another cluster, never connects (each
     * finds the server's proof wrong and goes); members still do.
     */
    @Test
    void shouldKeepOutProcessesWithTheWrongSecretOrCluster()
    {
        final Map<Integer, InetSocketAddress> addresses = addresses();
        started(SERVER, addresses, server(1), true);
        final TcpFabric stranger = started(LOW_SERVER, addresses,
            FabricCredentials.server(CLUSTER, secret('x'), clientSecret, 1), false);
        final TcpFabric otherCluster = started(CLIENT, addresses,
            FabricCredentials.client("another-cluster", clientSecret, 1), false);
        final TcpFabric member = started(CLIENT + 1, addresses, FabricCredentials.client(CLUSTER, clientSecret, 1), false);

        final RemoteRegion fromStranger = stranger.remote(SERVER, REGION_ID);
        final RemoteRegion fromOtherCluster = otherCluster.remote(SERVER, REGION_ID);
        final RemoteRegion fromMember = member.remote(SERVER, REGION_ID);
        final Runnable step = () ->
        {
            stranger.doWork();
            otherCluster.doWork();
            member.doWork();
        };
        Await.until(() -> fromMember.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT, "a member connects", step);
        Await.holdsFor(() -> fromStranger.status() != RemoteRegion.Status.READY &&
            fromOtherCluster.status() != RemoteRegion.Status.READY, Duration.ofMillis(500),
            "neither the wrong server secret nor another cluster's client connects", step);
    }

    /**
     * A process that knows the client secret claims to be server 0: its proof is keyed with the
     * client secret, the server checks it against the server secret and closes the connection
     * having sent only its AUTH and PROOF, never its HELLO (its region table).
     */
    @Test
    void shouldNotLetTheClientSecretPassForAServer() throws IOException
    {
        final Map<Integer, InetSocketAddress> addresses = addresses();
        started(SERVER, addresses, server(1), true);
        // the attacker's "server secret" is the client secret it holds
        final FabricCredentials forged = FabricCredentials.server(CLUSTER, clientSecret, secret('z'), 7);

        final List<Byte> types = handshake(addresses.get(SERVER), LOW_SERVER, 7, forged, true);
        assertThat(types).containsExactly(TcpFrameDescriptor.TYPE_AUTH, TcpFrameDescriptor.TYPE_PROOF);
    }

    /** A HELLO without authenticating is refused, with nothing sent back. */
    @Test
    void shouldCloseAnUnauthenticatedHelloSendingNothing() throws IOException
    {
        final Map<Integer, InetSocketAddress> addresses = addresses();
        started(SERVER, addresses, server(1), true);
        try (Socket socket = TcpFabricTest.rawConnect(addresses.get(SERVER)))
        {
            socket.getOutputStream().write(TcpFabricTest.hello(CLIENT));
            socket.getOutputStream().flush();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    /**
     * The client authenticates and gets the server's HELLO; a connection claiming the same client
     * with an older incarnation does not replace the live one (it gets a REFUSE saying the id is
     * held), nor does a newer one while the live one was heard within the live-client window; once
     * it has been silent longer (the process is gone, its socket lingers), the newer incarnation
     * replaces it.
     */
    @Test
    void shouldReplaceALiveConnectionOnlyWithANewerIncarnation() throws IOException, InterruptedException
    {
        final Map<Integer, InetSocketAddress> addresses = addresses();
        final TcpFabric server = new TcpFabric(SERVER, addresses, TcpFabricOptions.builder()
            .connectBackoffMinNs(1_000_000L).connectBackoffMaxNs(20_000_000L).credentials(server(1))
            .liveClientSilenceNs(200_000_000L).build());
        server.register(REGION_ID, REGION_SIZE_BYTES, true);
        server.start();
        resources.add(server);
        resources.add(new FabricTestAgent("agent-" + SERVER, server, () -> 0));
        final List<Integer> down = new ArrayList<>();
        server.listener(new FabricListener()
        {
            @Override
            public void onPeerDown(final int peerId)
            {
                synchronized (down)
                {
                    down.add(peerId);
                }
            }
        });
        final FabricCredentials client = FabricCredentials.client(CLUSTER, clientSecret, 0);
        try (Socket live = TcpFabricTest.rawConnect(addresses.get(SERVER)))
        {
            assertThat(handshake(live, CLIENT, 5, client, false)).endsWith(TcpFrameDescriptor.TYPE_HELLO);

            // told, not dropped: two processes that took one id at once reach a server in either
            // order, and the one with the older incarnation must learn the id is held to take another
            assertThat(handshake(addresses.get(SERVER), CLIENT, 4, client, false))
                .as("an older incarnation is refused with a REFUSE").endsWith(TcpFrameDescriptor.TYPE_REFUSE)
                .doesNotContain(TcpFrameDescriptor.TYPE_HELLO);
            synchronized (down)
            {
                assertThat(down).isEmpty();
            }

            assertThat(handshake(addresses.get(SERVER), CLIENT, 6, client, false))
                .as("a newer incarnation while the live one was heard within the window: another process, refused")
                .doesNotContain(TcpFrameDescriptor.TYPE_HELLO);
            Thread.sleep(300); // the live connection stays silent longer than the 200 ms window: a process that is gone
            try (Socket newer = TcpFabricTest.rawConnect(addresses.get(SERVER)))
            {
                assertThat(handshake(newer, CLIENT, 6, client, false)).endsWith(TcpFrameDescriptor.TYPE_HELLO);
                live.setSoTimeout((int)AWAIT_TIMEOUT.toMillis());
                assertThat(live.getInputStream().read()).as("the older connection was closed").isEqualTo(-1);
                Await.until(() ->
                {
                    synchronized (down)
                    {
                        return down.contains(CLIENT);
                    }
                }, AWAIT_TIMEOUT, "the replaced connection counts as lost");
            }
        }
    }

    /**
     * A rolling rotation, each step a mix of processes of two steps: (old, new) accepting both and
     * proving old, then (new, old) proving new; a server that dropped the old secret refuses it.
     */
    @Test
    void shouldKeepMembersConnectedThroughARollingRotation()
    {
        final byte[] oldServer = serverSecret;
        final byte[] newServer = secret('S');
        final byte[] oldClient = clientSecret;
        final byte[] newClient = secret('C');
        final Map<Integer, InetSocketAddress> addresses = addresses();
        // step 1 done on server 1, not yet on server 0 (old only)
        started(SERVER, addresses, FabricCredentials.server(CLUSTER, List.of(oldServer, newServer),
            List.of(oldClient, newClient), 1), true);
        final TcpFabric oldLow = started(LOW_SERVER, addresses, FabricCredentials.server(CLUSTER, oldServer, oldClient, 1),
            false);
        // step 2 done on these clients: they prove the new client secret
        final TcpFabric newClientFabric = started(CLIENT, addresses,
            FabricCredentials.client(CLUSTER, List.of(newClient, oldClient), 1), false);
        final TcpFabric oldClientFabric = started(CLIENT + 1, addresses, FabricCredentials.client(CLUSTER, oldClient, 1),
            false);
        final List<RemoteRegion> regions = List.of(oldLow.remote(SERVER, REGION_ID),
            newClientFabric.remote(SERVER, REGION_ID), oldClientFabric.remote(SERVER, REGION_ID));
        Await.until(() -> regions.stream().allMatch(region -> RemoteRegion.Status.READY == region.status()),
            AWAIT_TIMEOUT, "old and new provers all reach the rotating server", () ->
            {
                oldLow.doWork();
                newClientFabric.doWork();
                oldClientFabric.doWork();
            });

        // step 3 done on another server: the old secrets are gone
        final Map<Integer, InetSocketAddress> finished = addresses();
        started(SERVER, finished, FabricCredentials.server(CLUSTER, newServer, newClient, 1), true);
        final TcpFabric stale = started(CLIENT + 2, finished, FabricCredentials.client(CLUSTER, oldClient, 1), false);
        final TcpFabric current = started(CLIENT + 3, finished,
            FabricCredentials.client(CLUSTER, List.of(newClient, oldClient), 1), false);
        final RemoteRegion fromStale = stale.remote(SERVER, REGION_ID);
        final RemoteRegion fromCurrent = current.remote(SERVER, REGION_ID);
        final Runnable step = () ->
        {
            stale.doWork();
            current.doWork();
        };
        Await.until(() -> RemoteRegion.Status.READY == fromCurrent.status(), AWAIT_TIMEOUT, "the new secret gets in", step);
        Await.holdsFor(() -> RemoteRegion.Status.READY != fromStale.status(), Duration.ofMillis(500),
            "a process proving only the dropped secret stays out", step);
    }

    @Test
    void shouldRefuseCredentialsThatCannotWork()
    {
        assertThatThrownBy(() -> FabricCredentials.client(CLUSTER, new byte[16], 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32");
        assertThatThrownBy(() -> FabricCredentials.server(CLUSTER, clientSecret, clientSecret, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ");
        assertThatThrownBy(() -> FabricCredentials.server(CLUSTER, List.of(serverSecret, clientSecret),
            List.of(secret('n'), clientSecret), 1)).as("a client secret accepted as a server secret")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ");
        assertThatThrownBy(() -> new TcpFabric(SERVER, addresses(), options(FabricCredentials.client(CLUSTER, clientSecret, 1))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only the client secret");
        assertThat(server(3).toString()).doesNotContain(new String(serverSecret, StandardCharsets.ISO_8859_1));
    }

    private static List<Byte> handshake(final InetSocketAddress address, final int claimedId, final long incarnation,
        final FabricCredentials credentials, final boolean claimServer) throws IOException
    {
        try (Socket socket = TcpFabricTest.rawConnect(address))
        {
            return handshake(socket, claimedId, incarnation, credentials, claimServer);
        }
    }

    /**
     * Authenticates over a raw socket as {@code claimedId}, then says HELLO.
     *
     * @return the types of the frames the server sent, up to its HELLO or the end of the stream.
     */
    private static List<Byte> handshake(final Socket socket, final int claimedId, final long incarnation,
        final FabricCredentials credentials, final boolean claimServer) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final byte[] nonce = FabricCredentials.newNonce();
        out.write(auth(claimedId, incarnation, nonce));
        out.flush();

        final List<Byte> types = new ArrayList<>();
        final byte[] serverAuth = readFrameOrNull(in);
        if (null == serverAuth)
        {
            return types;
        }
        types.add(serverAuth[TcpFrameDescriptor.TYPE_OFFSET]);
        final ByteBuffer authBuffer = ByteBuffer.wrap(serverAuth).order(ByteOrder.LITTLE_ENDIAN);
        final int serverId = authBuffer.getInt(TcpFrameDescriptor.AUTH_PROCESS_ID_OFFSET);
        final long serverIncarnation = authBuffer.getLong(TcpFrameDescriptor.AUTH_INCARNATION_OFFSET);
        final byte[] serverNonce = Arrays.copyOfRange(serverAuth, TcpFrameDescriptor.AUTH_NONCE_OFFSET,
            TcpFrameDescriptor.AUTH_FRAME_LENGTH);
        final byte[] serverProof = readFrameOrNull(in);
        types.add(serverProof[TcpFrameDescriptor.TYPE_OFFSET]);
        assertThat(Arrays.copyOfRange(serverProof, TcpFrameDescriptor.PROOF_OFFSET, TcpFrameDescriptor.PROOF_FRAME_LENGTH))
            .as("the server's proof over our nonce").isEqualTo(FabricCredentials.server(CLUSTER, secret('s'), secret('c'), 0)
                .proof(serverId, true, serverIncarnation, claimedId, claimServer, nonce, serverNonce));

        final byte[] proof = credentials.proof(claimedId, claimServer, incarnation, serverId, true, serverNonce, nonce);
        final byte[] proofFrame = TcpFabricTest.header(TcpFrameDescriptor.PROOF_FRAME_LENGTH, TcpFrameDescriptor.VERSION,
            TcpFrameDescriptor.TYPE_PROOF, TcpFrameDescriptor.PROOF_FRAME_LENGTH);
        System.arraycopy(proof, 0, proofFrame, TcpFrameDescriptor.PROOF_OFFSET, proof.length);
        out.write(proofFrame);
        out.write(TcpFabricTest.hello(claimedId));
        out.flush();
        final byte[] next = readFrameOrNull(in);
        if (null != next)
        {
            types.add(next[TcpFrameDescriptor.TYPE_OFFSET]);
        }
        return types;
    }

    private static byte[] readFrameOrNull(final DataInputStream in) throws IOException
    {
        try
        {
            return TcpFabricTest.readFrame(in);
        }
        catch (final java.io.EOFException | java.net.SocketException ex)
        {
            return null; // closed by the server
        }
    }

    static byte[] auth(final int processId, final long incarnation, final byte[] nonce)
    {
        final byte[] frame = TcpFabricTest.header(TcpFrameDescriptor.AUTH_FRAME_LENGTH, TcpFrameDescriptor.VERSION,
            TcpFrameDescriptor.TYPE_AUTH, TcpFrameDescriptor.AUTH_FRAME_LENGTH);
        final ByteBuffer buffer = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(TcpFrameDescriptor.AUTH_PROCESS_ID_OFFSET, processId);
        buffer.putLong(TcpFrameDescriptor.AUTH_INCARNATION_OFFSET, incarnation);
        System.arraycopy(nonce, 0, frame, TcpFrameDescriptor.AUTH_NONCE_OFFSET, nonce.length);
        return frame;
    }
}
