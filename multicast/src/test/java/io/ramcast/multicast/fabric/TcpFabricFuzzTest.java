package io.ramcast.multicast.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Property-based fuzzing of an authenticated {@link TcpFabric} server's handshake and framing, a
 * few thousand connections per build: random bytes, frame sequences with random headers and
 * bodies, well-formed AUTH frames followed by forged proofs (wrong secret, another cluster, the
 * client secret claiming a server id, random bytes) and replayed handshakes. For every case the
 * server must close the connection without ever sending its HELLO (its region table), never report
 * a peer lost, and hold no connection afterwards (nothing leaks); its duty cycle never throws.
 *
 * <p>The server runs on the test thread (each case drives its duty cycle), so its state is read
 * without races.
 */
class TcpFabricFuzzTest
{
    private static final String CLUSTER = "fuzz";
    private static final int SERVER = 1;
    private static final int CLIENT = 100;
    private static final int REGION_ID = 3;
    private static final long CASE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final byte[] SERVER_SECRET = TcpFabricAuthTest.secret('s');
    private static final byte[] CLIENT_SECRET = TcpFabricAuthTest.secret('c');
    private static final byte[] FRAME_TYPES = {
        0, TcpFrameDescriptor.TYPE_HELLO, TcpFrameDescriptor.TYPE_WRITE, TcpFrameDescriptor.TYPE_REJECT,
        TcpFrameDescriptor.TYPE_RESET, TcpFrameDescriptor.TYPE_AUTH, TcpFrameDescriptor.TYPE_PROOF, 7, 42, -1};

    private TcpFabric server;
    private InetSocketAddress address;
    private final List<Integer> peersLost = new ArrayList<>();

    @BeforeProperty
    void startServer()
    {
        address = TcpFabricContractTest.freeLoopbackAddress();
        server = new TcpFabric(SERVER, Map.of(SERVER, address), TcpFabricOptions.builder()
            .credentials(FabricCredentials.server(CLUSTER, SERVER_SECRET, CLIENT_SECRET, 1)).build());
        server.register(REGION_ID, 64, true);
        server.listener(new FabricListener()
        {
            @Override
            public void onPeerDown(final int peerId)
            {
                peersLost.add(peerId);
            }
        });
        server.start();
    }

    @AfterProperty
    void closeServer()
    {
        server.close();
    }

    @Property(tries = 1000)
    void randomBytesAreRefused(@ForAll @Size(max = 4096) final byte[] bytes) throws IOException
    {
        assertRefused(exchange(bytes));
    }

    @Property(tries = 1000)
    void randomFramesAreRefused(@ForAll("frameSequences") final byte[] frames) throws IOException
    {
        assertRefused(exchange(frames));
    }

    /**
     * A well-formed AUTH claiming a server or client id, then a proof over the server's real nonce
     * computed with credentials that must not pass, then a HELLO.
     */
    @Property(tries = 600)
    void forgedProofsAreRefused(@ForAll("forgeries") final Forgery forgery) throws IOException
    {
        try (SocketChannel channel = connect())
        {
            final byte[] nonce = FabricCredentials.newNonce();
            write(channel, TcpFabricAuthTest.auth(forgery.claimedId, forgery.incarnation, nonce));
            final byte[] serverAuth = readExactly(channel, TcpFrameDescriptor.AUTH_FRAME_LENGTH +
                TcpFrameDescriptor.PROOF_FRAME_LENGTH);
            if (serverAuth.length < TcpFrameDescriptor.AUTH_FRAME_LENGTH + TcpFrameDescriptor.PROOF_FRAME_LENGTH)
            {
                assertRefused(finish(channel, new byte[0])); // the claim alone was refused (no such server)
                return;
            }
            assertThat(serverAuth[TcpFrameDescriptor.TYPE_OFFSET]).isEqualTo(TcpFrameDescriptor.TYPE_AUTH);
            final ByteBuffer view = ByteBuffer.wrap(serverAuth).order(ByteOrder.LITTLE_ENDIAN);
            final byte[] serverNonce = Arrays.copyOfRange(serverAuth, TcpFrameDescriptor.AUTH_NONCE_OFFSET,
                TcpFrameDescriptor.AUTH_FRAME_LENGTH);
            final byte[] proof = forgery.proof(view.getInt(TcpFrameDescriptor.AUTH_PROCESS_ID_OFFSET),
                view.getLong(TcpFrameDescriptor.AUTH_INCARNATION_OFFSET), serverNonce, nonce);
            final ByteArrayOutputStream rest = new ByteArrayOutputStream();
            rest.writeBytes(proofFrame(proof));
            rest.writeBytes(TcpFabricTest.hello(forgery.claimedId));
            assertRefused(finish(channel, rest.toByteArray()));
        }
    }

    /**
     * A member's handshake recorded and replayed on new connections (the same AUTH and nonce, the
     * same proof) is refused, because the server's nonce is fresh; the member's live connection is
     * untouched throughout.
     */
    @Example
    void replayedHandshakesAreRefusedAndTheLiveConnectionStays() throws IOException
    {
        final FabricCredentials member = FabricCredentials.client(CLUSTER, CLIENT_SECRET, 5);
        try (SocketChannel live = connect())
        {
            final byte[] nonce = FabricCredentials.newNonce();
            final byte[] auth = TcpFabricAuthTest.auth(CLIENT, 5, nonce);
            write(live, auth);
            final byte[] reply = readExactly(live, TcpFrameDescriptor.AUTH_FRAME_LENGTH + TcpFrameDescriptor.PROOF_FRAME_LENGTH);
            final byte[] serverNonce = Arrays.copyOfRange(reply, TcpFrameDescriptor.AUTH_NONCE_OFFSET,
                TcpFrameDescriptor.AUTH_FRAME_LENGTH);
            final byte[] proof = proofFrame(member.proof(CLIENT, false, 5, SERVER, true, serverNonce, nonce));
            write(live, proof);
            write(live, TcpFabricTest.hello(CLIENT));
            final byte[] hello = readExactly(live, TcpFrameDescriptor.HEADER_LENGTH);
            assertThat(hello[TcpFrameDescriptor.TYPE_OFFSET]).as("the member is in").isEqualTo(TcpFrameDescriptor.TYPE_HELLO);

            for (int i = 0; i < 20; i++)
            {
                final ByteArrayOutputStream replay = new ByteArrayOutputStream();
                replay.writeBytes(auth);
                replay.writeBytes(proof);
                replay.writeBytes(TcpFabricTest.hello(CLIENT));
                final byte[] response = exchangeKeeping(replay.toByteArray(), 1);
                assertThat(frameTypes(response)).as("replay %d", i).doesNotContain(TcpFrameDescriptor.TYPE_HELLO);
            }
            assertThat(peersLost).as("the member's connection was never replaced").isEmpty();
            assertThat(server.connectionCount()).as("only the member's connection is open").isEqualTo(1);
        }
    }

    @Provide
    Arbitrary<byte[]> frameSequences()
    {
        final Arbitrary<byte[]> frame = Combinators.combine(
            Arbitraries.oneOf(Arbitraries.integers().between(-16, 512).map(n -> n * 8),
                Arbitraries.integers(), Arbitraries.of(TcpFrameAdapter.MAX_FIRST_FRAME_BYTES + 8, Integer.MAX_VALUE)),
            Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, Arbitraries.just(TcpFrameDescriptor.VERSION)), net.jqwik.api.Tuple.of(1, Arbitraries.bytes())),
            Arbitraries.of(FRAME_TYPES[0], FRAME_TYPES[1], FRAME_TYPES[2], FRAME_TYPES[3], FRAME_TYPES[4], FRAME_TYPES[5],
                FRAME_TYPES[6], FRAME_TYPES[7], FRAME_TYPES[8], FRAME_TYPES[9]),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(600)).as((length, version, type, body) ->
            {
                final ByteBuffer buffer = ByteBuffer.allocate(TcpFrameDescriptor.HEADER_LENGTH + body.length)
                    .order(ByteOrder.LITTLE_ENDIAN);
                buffer.putInt(TcpFrameDescriptor.LENGTH_OFFSET, length);
                buffer.put(TcpFrameDescriptor.VERSION_OFFSET, version);
                buffer.put(TcpFrameDescriptor.TYPE_OFFSET, type);
                buffer.position(TcpFrameDescriptor.HEADER_LENGTH);
                buffer.put(body);
                return buffer.array();
            });
        return frame.list().ofMinSize(1).ofMaxSize(6).map(frames ->
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            frames.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    @Provide
    Arbitrary<Forgery> forgeries()
    {
        return Combinators.combine(Arbitraries.of(Forgery.Kind.values()), Arbitraries.of(0, SERVER, 2, CLIENT, 4096, -1),
            Arbitraries.longs()).as(Forgery::new);
    }

    /** How a forged proof is made, and the id and incarnation its AUTH claims. */
    record Forgery(Kind kind, int claimedId, long incarnation)
    {
        enum Kind
        {
            /** Another server secret. */
            WRONG_SERVER_SECRET,
            /** The right secrets, another cluster's name. */
            OTHER_CLUSTER,
            /** The client secret, claiming to be a server. */
            CLIENT_SECRET_AS_SERVER,
            /** Another client secret. */
            WRONG_CLIENT_SECRET,
            /** The right proof for another claimed id. */
            OTHER_ID,
            /** 32 random bytes. */
            RANDOM
        }

        byte[] proof(final int serverId, final long serverIncarnation, final byte[] serverNonce, final byte[] nonce)
        {
            final boolean claimServer = claimedId < CLIENT;
            return switch (kind)
            {
                case WRONG_SERVER_SECRET -> FabricCredentials.server(CLUSTER, TcpFabricAuthTest.secret('x'), CLIENT_SECRET, incarnation)
                    .proof(claimedId, true, incarnation, serverId, true, serverNonce, nonce);
                case OTHER_CLUSTER -> FabricCredentials.server("other", SERVER_SECRET, CLIENT_SECRET, incarnation)
                    .proof(claimedId, claimServer, incarnation, serverId, true, serverNonce, nonce);
                case CLIENT_SECRET_AS_SERVER -> FabricCredentials.server(CLUSTER, CLIENT_SECRET, TcpFabricAuthTest.secret('z'), incarnation)
                    .proof(claimedId, true, incarnation, serverId, true, serverNonce, nonce);
                case WRONG_CLIENT_SECRET -> FabricCredentials.client(CLUSTER, TcpFabricAuthTest.secret('y'), incarnation)
                    .proof(claimedId, false, incarnation, serverId, true, serverNonce, nonce);
                case OTHER_ID -> FabricCredentials.server(CLUSTER, SERVER_SECRET, CLIENT_SECRET, incarnation)
                    .proof(claimedId + 1, claimServer, incarnation, serverId, true, serverNonce, nonce);
                case RANDOM -> FabricCredentials.newNonce();
            };
        }
    }


    private static byte[] proofFrame(final byte[] proof)
    {
        final byte[] frame = TcpFabricTest.header(TcpFrameDescriptor.PROOF_FRAME_LENGTH, TcpFrameDescriptor.VERSION,
            TcpFrameDescriptor.TYPE_PROOF, TcpFrameDescriptor.PROOF_FRAME_LENGTH);
        System.arraycopy(proof, 0, frame, TcpFrameDescriptor.PROOF_OFFSET, proof.length);
        return frame;
    }

    private void assertRefused(final byte[] response)
    {
        assertThat(frameTypes(response)).as("the server never says HELLO to a stranger")
            .doesNotContain(TcpFrameDescriptor.TYPE_HELLO);
        assertThat(peersLost).as("no stranger ever counted as a peer").isEmpty();
        assertThat(server.connectionCount()).as("no connection left behind").isZero();
    }

    /** The types of the whole frames in a response (which holds at most AUTH and PROOF). */
    private static List<Byte> frameTypes(final byte[] response)
    {
        final List<Byte> types = new ArrayList<>();
        final ByteBuffer view = ByteBuffer.wrap(response).order(ByteOrder.LITTLE_ENDIAN);
        int offset = 0;
        while (response.length - offset >= TcpFrameDescriptor.HEADER_LENGTH)
        {
            types.add(response[offset + TcpFrameDescriptor.TYPE_OFFSET]);
            final int length = view.getInt(offset + TcpFrameDescriptor.LENGTH_OFFSET);
            if (length < TcpFrameDescriptor.HEADER_LENGTH)
            {
                break;
            }
            offset += length;
        }
        return types;
    }

    private SocketChannel connect() throws IOException
    {
        final SocketChannel channel = SocketChannel.open(address);
        channel.configureBlocking(false);
        return channel;
    }

    /** Sends the bytes on a new connection, ends the stream and returns all the server sent until it closed. */
    private byte[] exchange(final byte[] sent) throws IOException
    {
        return exchangeKeeping(sent, 0);
    }

    /**
     * Like {@link #exchange(byte[])}; afterwards {@code keptConnections} connections other than
     * this one are expected to stay open.
     */
    private byte[] exchangeKeeping(final byte[] sent, final int keptConnections) throws IOException
    {
        try (SocketChannel channel = connect())
        {
            final byte[] response = finish(channel, sent);
            assertThat(server.connectionCount()).isEqualTo(keptConnections);
            return response;
        }
    }

    /** Writes the bytes, ends the stream, then drives the server until it closed the connection. */
    private byte[] finish(final SocketChannel channel, final byte[] sent) throws IOException
    {
        write(channel, sent);
        try
        {
            channel.shutdownOutput();
        }
        catch (final IOException ex)
        {
            // the server already closed (reset) the connection
        }
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        final long deadlineNs = System.nanoTime() + CASE_TIMEOUT_NS;
        while (true)
        {
            step();
            buffer.clear();
            int read;
            try
            {
                read = channel.read(buffer);
            }
            catch (final IOException ex)
            {
                read = -1; // reset by the server
            }
            if (read < 0)
            {
                // the socket is closed; let the server finish its own bookkeeping
                for (int i = 0; i < 3 && server.connectionCount() > 0; i++)
                {
                    step();
                }
                return received.toByteArray();
            }
            received.write(buffer.array(), 0, read);
            assertThat(System.nanoTime() - deadlineNs).as("the server closed the connection within 5 s").isNegative();
        }
    }

    private void write(final SocketChannel channel, final byte[] bytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final long deadlineNs = System.nanoTime() + CASE_TIMEOUT_NS;
        try
        {
            while (buffer.hasRemaining())
            {
                if (0 == channel.write(buffer))
                {
                    step(); // the server reads what fills the socket buffer
                }
                assertThat(System.nanoTime() - deadlineNs).isNegative();
            }
        }
        catch (final IOException ex)
        {
            // the server closed the connection before it read everything: a refusal like any other
        }
    }

    private byte[] readExactly(final SocketChannel channel, final int length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        final long deadlineNs = System.nanoTime() + CASE_TIMEOUT_NS;
        while (buffer.hasRemaining())
        {
            step();
            if (channel.read(buffer) < 0)
            {
                break;
            }
            assertThat(System.nanoTime() - deadlineNs).isNegative();
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    /** One duty cycle of the server, or a short wait when it had nothing to do. */
    private void step()
    {
        if (0 == server.doWork())
        {
            server.awaitActivity(TcpFabric.SELECT_WAIT_MIN_NS);
        }
    }
}
