package io.ramcast.multicast.fabric.rdma;

import static io.ramcast.multicast.fabric.rdma.AuthenticatedRdmaFabricContractTest.CLUSTER;
import static io.ramcast.multicast.fabric.rdma.AuthenticatedRdmaFabricContractTest.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ramcast.multicast.Await;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.multicast.fabric.RemoteRegion;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rdma fabric's authenticated handshake on the in-memory network: an owner sends its region
 * table (whose keys are capabilities) only to a writer that proved it holds the secret its id
 * needs, and a writer takes a table only from an owner that proved itself.
 */
class RdmaFabricAuthTest
{
    private static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOW_SERVER = 0;
    private static final int SERVER = 1;
    private static final int CLIENT = 100;
    private static final int REGION_ID = 1;

    private final FakeRdmaNetwork network = new FakeRdmaNetwork();
    private final Map<Integer, InetSocketAddress> addresses = Map.of(
        LOW_SERVER, FakeVerbsRdmaFabricContractTest.address(LOW_SERVER),
        SERVER, FakeVerbsRdmaFabricContractTest.address(SERVER));
    private final List<RdmaFabric> fabrics = new ArrayList<>();

    @AfterEach
    void close()
    {
        for (int i = fabrics.size() - 1; i >= 0; i--)
        {
            fabrics.get(i).close();
        }
    }

    private RdmaFabric started(final int id, final FakeVerbs verbs, final FabricCredentials credentials)
    {
        final RdmaFabric fabric = new RdmaFabric(id, addresses, AuthenticatedRdmaFabricContractTest.options(credentials),
            verbs, SystemNanoClock.INSTANCE);
        fabric.register(REGION_ID, 4096, true);
        fabric.start();
        fabrics.add(fabric);
        return fabric;
    }

    private static FabricCredentials server()
    {
        return FabricCredentials.server(CLUSTER, secret('s'), secret('c'), 1);
    }

    /**
     * A member client connects; a client with another client secret, and a process claiming
     * server 0 with the client secret as its server secret, get challenges and nothing more: never a
     * hello (an owner's carries its region table), never a READY handle.
     */
    @Test
    void shouldSendTheRegionTableOnlyToMembersThatProvedThemselves()
    {
        final RdmaFabric owner = started(SERVER, network.device("owner"), server());
        final FakeVerbs memberVerbs = network.device("member");
        final RdmaFabric member = started(CLIENT, memberVerbs, FabricCredentials.client(CLUSTER, secret('c'), 1));
        final FakeVerbs strangerVerbs = network.device("stranger");
        final RdmaFabric stranger = started(CLIENT + 1, strangerVerbs,
            FabricCredentials.client(CLUSTER, secret('x'), 1));
        final FakeVerbs forgerVerbs = network.device("forger");
        final RdmaFabric forger = started(LOW_SERVER, forgerVerbs,
            FabricCredentials.server(CLUSTER, secret('c'), secret('z'), 1));

        final RemoteRegion fromMember = member.remote(SERVER, REGION_ID);
        final RemoteRegion fromStranger = stranger.remote(SERVER, REGION_ID);
        final RemoteRegion fromForger = forger.remote(SERVER, REGION_ID);
        final Runnable step = () ->
        {
            owner.doWork();
            member.doWork();
            stranger.doWork();
            forger.doWork();
        };
        Await.until(() -> RemoteRegion.Status.READY == fromMember.status(), AWAIT_TIMEOUT, "the member connects", step);
        Await.holdsFor(() -> RemoteRegion.Status.READY != fromStranger.status() &&
            RemoteRegion.Status.READY != fromForger.status(), Duration.ofMillis(500),
            "neither a wrong client secret nor the client secret claiming a server id connects", step);

        assertThat(memberVerbs.receivedMessageTypes()).contains(HandshakeCodec.TYPE_CHALLENGE,
            HandshakeCodec.TYPE_OWNER_HELLO, HandshakeCodec.TYPE_WRITER_HELLO);
        for (final FakeVerbs refused : List.of(strangerVerbs, forgerVerbs))
        {
            assertThat(refused.receivedMessageTypes()).as("a process that cannot prove itself gets challenges, no hello")
                .contains(HandshakeCodec.TYPE_CHALLENGE)
                .doesNotContain(HandshakeCodec.TYPE_OWNER_HELLO, HandshakeCodec.TYPE_WRITER_HELLO);
        }
    }

    /**
     * An attacker that ignores the challenge's proof and sends a hello with a made-up proof (as a
     * process that does not check the server would): the server closes the connection without its
     * own hello. Raw verbs on the in-memory network, the attacker driven by hand.
     */
    @Test
    void shouldRefuseAHelloWhoseProofDoesNotHold() throws Exception
    {
        final RdmaFabric owner = started(SERVER, network.device("owner"), server());
        final FakeVerbs attacker = network.device("attacker");
        final Verbs.Connection cm = attacker.connect(addresses.get(SERVER), 1_000);
        final java.util.List<Verbs.CmEvent> events = new ArrayList<>();
        final Runnable step = () ->
        {
            owner.doWork();
            attacker.pollCmEvents((event, connection, detail) -> events.add(event), 16);
        };
        Await.until(() -> events.contains(Verbs.CmEvent.ROUTE_RESOLVED), AWAIT_TIMEOUT, "route resolved", step);
        cm.createQueuePair(4, 2, 8, 0);
        final java.nio.ByteBuffer receiveMemory = java.nio.ByteBuffer.allocateDirect(HandshakeCodec.MAX_MESSAGE_BYTES);
        final java.nio.ByteBuffer sendMemory = java.nio.ByteBuffer.allocateDirect(HandshakeCodec.MAX_MESSAGE_BYTES);
        final Verbs.Memory receive = attacker.register(receiveMemory, Verbs.ACCESS_LOCAL_WRITE);
        final Verbs.Memory send = attacker.register(sendMemory, Verbs.ACCESS_LOCAL_WRITE);
        final org.agrona.concurrent.UnsafeBuffer sendBuffer = new org.agrona.concurrent.UnsafeBuffer(sendMemory);
        cm.postReceive(1, receive.address(), HandshakeCodec.MAX_MESSAGE_BYTES, receive.lkey());
        cm.connect();
        Await.until(() -> events.contains(Verbs.CmEvent.ESTABLISHED), AWAIT_TIMEOUT, "established", step);

        int length = HandshakeCodec.encode(new Handshake(HandshakeCodec.TYPE_AUTH, 0, CLIENT, 9, 0, 0, 0, List.of(),
            FabricCredentials.newNonce(), Handshake.NONE), sendBuffer, 0);
        cm.postSend(2, send.address(), length, send.lkey());
        final List<Integer> received = new ArrayList<>();
        final Runnable stepAndPoll = () ->
        {
            step.run();
            try
            {
                cm.pollCompletions((id, status, raw, vendor, bytes) ->
                {
                    if (1 == id && Verbs.CompletionStatus.SUCCESS == status)
                    {
                        received.add(new org.agrona.concurrent.UnsafeBuffer(receiveMemory)
                            .getByte(HandshakeCodec.TYPE_OFFSET) & 0xFF);
                    }
                }, 8);
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        };
        Await.until(() -> !received.isEmpty(), AWAIT_TIMEOUT, "the server's challenge", stepAndPoll);
        assertThat(received).containsExactly(HandshakeCodec.TYPE_CHALLENGE);

        cm.postReceive(1, receive.address(), HandshakeCodec.MAX_MESSAGE_BYTES, receive.lkey());
        length = HandshakeCodec.encode(new Handshake(HandshakeCodec.TYPE_WRITER_HELLO, 0, CLIENT, 9, 0, 0, 0, List.of(),
            FabricCredentials.newNonce(), FabricCredentials.newNonce()), sendBuffer, 0);
        cm.postSend(2, send.address(), length, send.lkey());
        Await.holdsFor(() -> received.size() == 1, Duration.ofMillis(500), "no hello answers a made-up proof",
            stepAndPoll);
        assertThat(attacker.receivedMessageTypes()).containsExactly(HandshakeCodec.TYPE_CHALLENGE);
    }

    /** A writer checks the owner's proof: an owner with another server secret never hands it a table. */
    @Test
    void shouldNotTakeATableFromAnOwnerThatCannotProveItself()
    {
        final RdmaFabric impostor = started(SERVER, network.device("impostor"),
            FabricCredentials.server(CLUSTER, secret('i'), secret('j'), 1));
        final FakeVerbs writerVerbs = network.device("writer");
        final RdmaFabric writer = started(LOW_SERVER, writerVerbs, server());
        final RemoteRegion region = writer.remote(SERVER, REGION_ID);
        Await.holdsFor(() -> RemoteRegion.Status.READY != region.status(), Duration.ofMillis(500),
            "the writer refuses the impostor", () ->
            {
                impostor.doWork();
                writer.doWork();
            });
        assertThat(writerVerbs.receivedMessageTypes()).doesNotContain(HandshakeCodec.TYPE_OWNER_HELLO,
            HandshakeCodec.TYPE_WRITER_HELLO);
    }

    @Test
    void shouldRefuseAServerHoldingOnlyTheClientSecret()
    {
        assertThatThrownBy(() -> started(SERVER, network.device("server"), FabricCredentials.client(CLUSTER,
            secret('c'), 1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only the client secret");
    }

    /**
     * Two live client processes with one id, with and without credentials: the second is refused
     * with a REFUSE that says why (kept as its {@code refusal}), the first keeps its connection; once
     * the first closed, the second connects and its refusal is cleared. Before the REFUSE, the
     * second's hello was taken as the first's restart and the two took the id from each other.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "credentials: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void shouldRefuseASecondLiveProcessWithAClientIdInUse(final boolean authenticated)
    {
        final RdmaFabric owner = started(SERVER, network.device("owner"), authenticated ? server() : null);
        final RdmaFabric first = started(CLIENT, network.device("first"),
            authenticated ? FabricCredentials.client(CLUSTER, secret('c'), 1) : null);
        final FakeVerbs secondVerbs = network.device("second");
        final RdmaFabric second = started(CLIENT, secondVerbs,
            authenticated ? FabricCredentials.client(CLUSTER, secret('c'), 2) : null);
        final RemoteRegion fromFirst = first.remote(SERVER, REGION_ID);
        Await.until(() -> RemoteRegion.Status.READY == fromFirst.status(), AWAIT_TIMEOUT, "the first client connects",
            () ->
            {
                owner.doWork();
                first.doWork();
            });

        final RemoteRegion fromSecond = second.remote(SERVER, REGION_ID);
        final Runnable all = () ->
        {
            owner.doWork();
            first.doWork();
            second.doWork();
        };
        Await.until(() -> null != second.refusal(SERVER), AWAIT_TIMEOUT, "the second client is refused", all);
        assertThat(second.refusal(SERVER).reason()).isEqualTo(io.ramcast.multicast.fabric.Fabric.Refusal.Reason
            .CLIENT_ID_IN_USE);
        assertThat(second.refusal(SERVER).message()).contains("process " + SERVER + ": client id " + CLIENT +
            " is in use by a live process");
        assertThat(secondVerbs.receivedMessageTypes()).contains(HandshakeCodec.TYPE_REFUSE)
            .doesNotContain(HandshakeCodec.TYPE_OWNER_HELLO);
        Await.holdsFor(() -> RemoteRegion.Status.READY == fromFirst.status() &&
            RemoteRegion.Status.READY != fromSecond.status(), Duration.ofMillis(500),
            "the holder keeps its connection, the second never gets one", all);

        fabrics.remove(first);
        first.close();
        Await.until(() -> RemoteRegion.Status.READY == fromSecond.status(), AWAIT_TIMEOUT,
            "the id is free once its holder closed", () ->
            {
                owner.doWork();
                second.doWork();
            });
        assertThat(second.refusal(SERVER)).as("cleared once connected").isNull();
    }

    /**
     * A client id the owner does not serve ({@code clientAdmission}) is refused with its reason and
     * gets no table; once the owner serves it, the client connects.
     */
    @Test
    void shouldRefuseAClientIdTheOwnerDoesNotServeUntilItDoes()
    {
        final java.util.concurrent.atomic.AtomicBoolean serving = new java.util.concurrent.atomic.AtomicBoolean();
        final RdmaFabric owner = new RdmaFabric(SERVER, addresses, AuthenticatedRdmaFabricContractTest.options(server()),
            network.device("owner"), SystemNanoClock.INSTANCE);
        owner.register(REGION_ID, 4096, true);
        owner.clientAdmission(id -> serving.get() ? null : "client id " + id + " is not served yet");
        owner.start();
        fabrics.add(owner);
        final FakeVerbs clientVerbs = network.device("client");
        final RdmaFabric client = started(CLIENT, clientVerbs, FabricCredentials.client(CLUSTER, secret('c'), 1));
        final RemoteRegion handle = client.remote(SERVER, REGION_ID);
        final Runnable step = () ->
        {
            owner.doWork();
            client.doWork();
        };
        Await.until(() -> null != client.refusal(SERVER), AWAIT_TIMEOUT, "the client is refused", step);
        assertThat(client.refusal(SERVER).reason()).isEqualTo(
            io.ramcast.multicast.fabric.Fabric.Refusal.Reason.CLIENT_ID_NOT_SERVED);
        assertThat(client.refusal(SERVER).message()).isEqualTo("process " + SERVER + ": client id " + CLIENT +
            " is not served yet");
        assertThat(clientVerbs.receivedMessageTypes()).doesNotContain(HandshakeCodec.TYPE_OWNER_HELLO);
        assertThat(handle.status()).isNotEqualTo(RemoteRegion.Status.READY);

        serving.set(true);
        Await.until(() -> RemoteRegion.Status.READY == handle.status(), AWAIT_TIMEOUT, "served, it connects", step);
        assertThat(client.refusal(SERVER)).isNull();
    }
}
