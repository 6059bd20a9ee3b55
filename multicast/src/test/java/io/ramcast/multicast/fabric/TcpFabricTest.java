package io.ramcast.multicast.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.ramcast.multicast.Await;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Behaviour specific to the {@code tcp} fabric: the wire layout as documented in
 * {@link TcpFrameDescriptor} (spoken by a raw socket), validation of what arrives from the wire,
 * back-pressure, size limits, connection retries and option validation.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpFabricTest
{
    private static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(10);
    private static final int SERVER_ID = 1;
    private static final int RAW_CLIENT_ID = 100;
    private static final int REGION_ID = 3;
    private static final int REGION_SIZE_BYTES = 64;
    private static final int SOCKET_TIMEOUT_MS = 5_000;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void shouldApplyWriteFrameSentByRawSocketFollowingTheDocumentedLayout() throws IOException
    {
        final InetSocketAddress address = TcpFabricContractTest.freeLoopbackAddress();
        final TcpFabric server = new TcpFabric(SERVER_ID, Map.of(SERVER_ID, address), TcpFabricContractTest.OPTIONS);
        final LocalRegion region = serve(server, true);

        try (Socket socket = rawConnect(address))
        {
            final OutputStream out = socket.getOutputStream();
            out.write(hello(RAW_CLIENT_ID));
            out.write(write(REGION_ID, 8, 77L, 78L));
            out.flush();

            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final ByteBuffer serverHello = ByteBuffer.wrap(readFrame(in)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(serverHello.get(TcpFrameDescriptor.TYPE_OFFSET)).isEqualTo(TcpFrameDescriptor.TYPE_HELLO);
            assertThat(serverHello.getInt(TcpFrameDescriptor.HELLO_PROCESS_ID_OFFSET)).isEqualTo(SERVER_ID);
            assertThat(serverHello.getInt(TcpFrameDescriptor.HELLO_REGION_COUNT_OFFSET)).isEqualTo(1);
            assertThat(serverHello.getInt(TcpFrameDescriptor.HELLO_TABLE_OFFSET)).isEqualTo(REGION_ID);
            assertThat(serverHello.getInt(TcpFrameDescriptor.HELLO_TABLE_OFFSET + 4)).isEqualTo(REGION_SIZE_BYTES);

            Await.until(() -> region.buffer().getLongVolatile(16) == 78L, AWAIT_TIMEOUT, "the raw write landed");
            assertThat(region.buffer().getLongVolatile(8)).isEqualTo(77L);
        }
    }

    @Test
    void shouldAnswerRejectedWriteWithRejectAndDropLaterWritesUntilReset() throws IOException
    {
        final InetSocketAddress address = TcpFabricContractTest.freeLoopbackAddress();
        final TcpFabric server = new TcpFabric(SERVER_ID, Map.of(SERVER_ID, address), TcpFabricContractTest.OPTIONS);
        final LocalRegion region = serve(server, false);

        try (Socket socket = rawConnect(address))
        {
            final OutputStream out = socket.getOutputStream();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(hello(RAW_CLIENT_ID));
            out.write(write(REGION_ID, 0, 1L));
            out.flush();
            readFrame(in); // server HELLO
            final ByteBuffer reject = ByteBuffer.wrap(readFrame(in)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(reject.get(TcpFrameDescriptor.TYPE_OFFSET)).isEqualTo(TcpFrameDescriptor.TYPE_REJECT);
            assertThat(reject.getInt(TcpFrameDescriptor.CONTROL_REGION_ID_OFFSET)).isEqualTo(REGION_ID);

            // Granted now, but the connection is in the error state for this region until RESET.
            region.grant(RAW_CLIENT_ID);
            out.write(write(REGION_ID, 0, 2L));
            out.write(reset(REGION_ID));
            out.write(write(REGION_ID, 8, 3L));
            out.flush();
            Await.until(() -> region.buffer().getLongVolatile(8) == 3L, AWAIT_TIMEOUT, "the write after RESET landed");
            assertThat(region.buffer().getLongVolatile(0)).as("the write between REJECT and RESET").isZero();
            assertThat(server.droppedWriteFrameCount()).isEqualTo(1);
        }
    }

    static Stream<Arguments> malformedInputs()
    {
        return Stream.of(
            Arguments.of("WRITE beyond the region", concat(hello(RAW_CLIENT_ID), write(REGION_ID, REGION_SIZE_BYTES, 1L))),
            Arguments.of("WRITE overlapping the region end",
                concat(hello(RAW_CLIENT_ID), write(REGION_ID, REGION_SIZE_BYTES - 8, 1L, 2L))),
            Arguments.of("WRITE into an unknown region", concat(hello(RAW_CLIENT_ID), write(REGION_ID + 1, 0, 1L))),
            Arguments.of("WRITE at an unaligned offset", concat(hello(RAW_CLIENT_ID), write(REGION_ID, 4, 1L))),
            Arguments.of("WRITE before HELLO", write(REGION_ID, 0, 1L)),
            Arguments.of("frame length not a multiple of 8",
                concat(hello(RAW_CLIENT_ID), header(12, TcpFrameDescriptor.VERSION, TcpFrameDescriptor.TYPE_WRITE, 16))),
            Arguments.of("frame length beyond maxFrameBytes", concat(hello(RAW_CLIENT_ID),
                header(TcpFabricOptions.DEFAULT_MAX_FRAME_BYTES + 8, TcpFrameDescriptor.VERSION,
                    TcpFrameDescriptor.TYPE_WRITE, 16))),
            Arguments.of("negative frame length",
                concat(hello(RAW_CLIENT_ID), header(-16, TcpFrameDescriptor.VERSION, TcpFrameDescriptor.TYPE_WRITE, 16))),
            Arguments.of("unknown version", header(16, (byte)9, TcpFrameDescriptor.TYPE_HELLO, 16)),
            Arguments.of("unknown type", concat(hello(RAW_CLIENT_ID), header(16, TcpFrameDescriptor.VERSION, (byte)42, 16))),
            Arguments.of("HELLO whose region count does not match its length", helloWithCount(RAW_CLIENT_ID, 5)),
            Arguments.of("HELLO with the server's own id", hello(SERVER_ID)),
            Arguments.of("second HELLO", concat(hello(RAW_CLIENT_ID), hello(RAW_CLIENT_ID))),
            Arguments.of("first frame announced longer than a HELLO may be (closed at its header)",
                header(TcpFrameAdapter.MAX_FIRST_FRAME_BYTES + 8, TcpFrameDescriptor.VERSION, TcpFrameDescriptor.TYPE_HELLO,
                    16)),
            Arguments.of("first frame not a HELLO (closed at its header)",
                header(1024, TcpFrameDescriptor.VERSION, TcpFrameDescriptor.TYPE_WRITE, 16)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedInputs")
    void shouldCloseConnectionOnMalformedInputAndKeepServingOthers(final String description, final byte[] input)
        throws IOException
    {
        final InetSocketAddress address = TcpFabricContractTest.freeLoopbackAddress();
        final Map<Integer, InetSocketAddress> addresses = Map.of(SERVER_ID, address);
        final TcpFabric server = new TcpFabric(SERVER_ID, addresses, TcpFabricContractTest.OPTIONS);
        final LocalRegion region = serve(server, true);

        try (Socket socket = rawConnect(address))
        {
            socket.getOutputStream().write(input);
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            final byte[] drain = new byte[4096];
            while (in.read(drain) >= 0)
            {
                // The server's HELLO, then end of stream once it closed the connection.
            }
        }
        assertThat(region.buffer().getLongVolatile(REGION_SIZE_BYTES - 8)).isZero();
        assertThat(region.buffer().getLongVolatile(0)).isZero();

        final TcpFabric client = new TcpFabric(RAW_CLIENT_ID + 1, addresses, TcpFabricContractTest.OPTIONS);
        client.start();
        resources.add(client);
        final RemoteRegion handle = client.remote(SERVER_ID, REGION_ID);
        Await.until(() -> handle.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT, "a well-behaved client connects",
            client::doWork);
        assertThat(handle.write(0, words(5L), 0, 8)).isEqualTo(WriteResult.ISSUED);
        Await.until(() -> region.buffer().getLongVolatile(0) == 5L, AWAIT_TIMEOUT, "its write lands", client::doWork);
    }

    @Test
    void shouldReportBackPressureWhenSendQueueIsFullAndDrainInOrder()
    {
        final int payloadBytes = 1024;
        final TcpFabricOptions options = TcpFabricOptions.builder()
            .maxFrameBytes(4096)
            .sendBufferBytes(4096 + TcpFabricOptions.CONTROL_RESERVE_BYTES)
            .connectBackoffMinNs(TimeUnit.MILLISECONDS.toNanos(1))
            .connectBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(20))
            .build();
        final Map<Integer, InetSocketAddress> addresses = Map.of(SERVER_ID, TcpFabricContractTest.freeLoopbackAddress());
        final TcpFabric owner = track(new TcpFabric(SERVER_ID, addresses, options));
        final LocalRegion region = owner.register(REGION_ID, 64 * payloadBytes, true);
        final TcpFabric writer = track(new TcpFabric(RAW_CLIENT_ID, addresses, options));
        owner.start();
        writer.start();
        final RemoteRegion handle = writer.remote(SERVER_ID, REGION_ID);
        final Runnable stepBoth = () ->
        {
            owner.doWork();
            writer.doWork();
        };
        Await.until(() -> handle.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT, "connected", stepBoth);

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadBytes]);
        int issued = 0;
        WriteResult result;
        while (true)
        {
            payload.setMemory(0, payloadBytes, (byte)(issued + 1));
            result = handle.write(issued * payloadBytes, payload, 0, payloadBytes);
            if (WriteResult.ISSUED != result)
            {
                break;
            }
            issued++;
        }
        assertThat(result).isEqualTo(WriteResult.BACK_PRESSURE);
        final int frameBytes = payloadBytes + TcpFrameDescriptor.WRITE_PAYLOAD_OFFSET;
        assertThat(issued).isEqualTo(4096 / frameBytes);

        for (int i = issued; i < 16; )
        {
            payload.setMemory(0, payloadBytes, (byte)(i + 1));
            if (WriteResult.ISSUED == handle.write(i * payloadBytes, payload, 0, payloadBytes))
            {
                i++;
            }
            else
            {
                stepBoth.run();
            }
        }
        final int lastWordOffset = 16 * payloadBytes - 8;
        Await.until(() -> region.buffer().getLongVolatile(lastWordOffset) != 0, AWAIT_TIMEOUT, "all writes landed",
            stepBoth);
        for (int i = 0; i < 16; i++)
        {
            assertThat(region.buffer().getByte(i * payloadBytes)).isEqualTo((byte)(i + 1));
            assertThat(region.buffer().getByte((i + 1) * payloadBytes - 1)).isEqualTo((byte)(i + 1));
        }
    }

    @Test
    void shouldRefuseToStartWhenItsOwnHostDoesNotResolveNamingIt()
    {
        final TcpFabric fabric = track(new TcpFabric(SERVER_ID,
            Map.of(SERVER_ID, InetSocketAddress.createUnresolved("no-such-host.invalid", 7000)), TcpFabricContractTest.OPTIONS));
        assertThatThrownBy(fabric::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("cannot listen on no-such-host.invalid:7000")
            .hasMessageContaining("does not resolve");
    }

    /** A host that did not resolve when the config was read is looked up again (off the agent thread). */
    @Test
    void shouldConnectToAPeerWhoseAddressResolvesOnlyOnALaterLookup()
    {
        final InetSocketAddress address = TcpFabricContractTest.freeLoopbackAddress();
        final TcpFabric owner = track(new TcpFabric(SERVER_ID, Map.of(SERVER_ID, address), TcpFabricContractTest.OPTIONS));
        final LocalRegion region = owner.register(REGION_ID, REGION_SIZE_BYTES, true);
        owner.start();
        final InetSocketAddress unresolved = InetSocketAddress.createUnresolved(
            address.getAddress().getHostAddress(), address.getPort());
        assertThat(unresolved.isUnresolved()).isTrue();
        final TcpFabric writer = track(new TcpFabric(RAW_CLIENT_ID, Map.of(SERVER_ID, unresolved),
            TcpFabricContractTest.OPTIONS));
        writer.start();
        final RemoteRegion handle = writer.remote(SERVER_ID, REGION_ID);
        final Runnable stepBoth = () ->
        {
            owner.doWork();
            writer.doWork();
        };
        Await.until(() -> handle.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT, "connected after a new lookup",
            stepBoth);
        assertThat(handle.write(0, words(9L), 0, 8)).isEqualTo(WriteResult.ISSUED);
        Await.until(() -> region.buffer().getLongVolatile(0) == 9L, AWAIT_TIMEOUT, "the write landed", stepBoth);
    }

    @Test
    void shouldKeepWorkingWhileAPeerHostDoesNotResolve()
    {
        final TcpFabric writer = track(new TcpFabric(RAW_CLIENT_ID,
            Map.of(SERVER_ID, InetSocketAddress.createUnresolved("no-such-host.invalid", 7000)),
            TcpFabricContractTest.OPTIONS));
        writer.start();
        final RemoteRegion handle = writer.remote(SERVER_ID, REGION_ID);
        final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        Await.until(() -> System.nanoTime() - untilNs > 0, AWAIT_TIMEOUT, "several attempts", writer::doWork);
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.CONNECTING);
        assertThat(handle.write(0, words(1L), 0, 8)).isEqualTo(WriteResult.NOT_CONNECTED);
    }

    /**
     * More idle connections than may wait for HELLO do not lock anyone out: the longest waiting
     * ones are closed, and a client that says HELLO when it connects gets in. From one address
     * ({@code perSource}) the per-address cap applies; from many, the total cap.
     */
    @ParameterizedTest(name = "idle connections from {0} address(es)")
    @ValueSource(ints = {1, 9})
    void shouldLetAPeerInWhileMoreIdleConnectionsThanTheCapWaitForHello(final int sources) throws IOException
    {
        final InetSocketAddress address = TcpFabricContractTest.freeLoopbackAddress();
        final TcpFabric server = new TcpFabric(SERVER_ID, Map.of(SERVER_ID, address), TcpFabricContractTest.OPTIONS);
        final LocalRegion region = serve(server, true);

        final List<Socket> idle = new ArrayList<>();
        try
        {
            // one source: beyond its cap; nine sources (127.0.0.2 ...): each below its cap, together beyond the total
            final int perSource = 1 == sources ? TcpFabric.MAX_UNIDENTIFIED_PER_SOURCE + 6 :
                TcpFabric.MAX_UNIDENTIFIED_PER_SOURCE - 2;
            assertThat(sources * perSource).isGreaterThan(1 == sources ? TcpFabric.MAX_UNIDENTIFIED_PER_SOURCE :
                TcpFabric.MAX_UNIDENTIFIED_CONNECTIONS);
            for (int source = 0; source < sources; source++)
            {
                final InetAddress from = 1 == sources ? null : InetAddress.getByAddress(new byte[] {127, 0, 0, (byte)(2 + source)});
                for (int i = 0; i < perSource; i++)
                {
                    idle.add(rawConnect(address, from)); // connects, never says HELLO
                }
            }
            final TcpFabric client = track(new TcpFabric(RAW_CLIENT_ID + 1, Map.of(SERVER_ID, address),
                TcpFabricContractTest.OPTIONS));
            client.start();
            final RemoteRegion handle = client.remote(SERVER_ID, REGION_ID);
            Await.until(() -> handle.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT,
                "a client that says HELLO connects past the idle ones", client::doWork);
            assertThat(handle.write(0, words(11L), 0, 8)).isEqualTo(WriteResult.ISSUED);
            Await.until(() -> region.buffer().getLongVolatile(0) == 11L, AWAIT_TIMEOUT, "its write lands", client::doWork);

            int closedByServer = 0;
            for (final Socket socket : idle)
            {
                socket.setSoTimeout(50);
                try
                {
                    if (socket.getInputStream().read() < 0) // nothing comes before the peer's HELLO
                    {
                        closedByServer++;
                    }
                }
                catch (final IOException ex)
                {
                    // still open (read timed out) or reset: only an end of stream counts
                }
            }
            assertThat(closedByServer).as("the longest waiting idle connections were closed").isPositive();
        }
        finally
        {
            for (final Socket socket : idle)
            {
                socket.close();
            }
        }
    }

    /**
     * An accepted connection that says nothing is closed after the HELLO deadline, though the
     * connect timeout is far longer, having been sent nothing; garbage from many connections makes
     * one summary line, not a line each.
     */
    @Test
    void shouldCloseSilentConnectionsAfterTheHelloDeadlineAndSummarizeRefusals() throws IOException
    {
        final InetSocketAddress address = TcpFabricContractTest.freeLoopbackAddress();
        final TcpFabric server = new TcpFabric(SERVER_ID, Map.of(SERVER_ID, address), TcpFabricOptions.builder()
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(60)).build());
        serve(server, true);

        try (Socket silent = rawConnect(address))
        {
            silent.setSoTimeout((int)TimeUnit.NANOSECONDS.toMillis(TcpFabric.HELLO_DEADLINE_NS) * 10);
            assertThat(silent.getInputStream().read()).as("closed, nothing sent").isEqualTo(-1);
        }

        for (int i = 0; i < 40; i++)
        {
            try (Socket garbage = rawConnect(address))
            {
                garbage.getOutputStream().write(header(16, (byte)9, TcpFrameDescriptor.TYPE_HELLO, 16));
                garbage.getOutputStream().flush();
                assertThat(garbage.getInputStream().read()).isEqualTo(-1);
            }
        }
        assertThat(server.refusalSummaryCount()).as("summary lines within one interval").isEqualTo(1);
    }

    @Test
    void shouldRefuseWriteLongerThanTheLargestFrame()
    {
        final TcpFabricOptions options = TcpFabricOptions.builder()
            .maxFrameBytes(4096)
            .sendBufferBytes(4096 + TcpFabricOptions.CONTROL_RESERVE_BYTES)
            .build();
        final Map<Integer, InetSocketAddress> addresses = Map.of(SERVER_ID, TcpFabricContractTest.freeLoopbackAddress());
        final TcpFabric owner = track(new TcpFabric(SERVER_ID, addresses, options));
        owner.register(REGION_ID, 8192, true);
        final TcpFabric writer = track(new TcpFabric(RAW_CLIENT_ID, addresses, options));
        owner.start();
        writer.start();
        final RemoteRegion handle = writer.remote(SERVER_ID, REGION_ID);
        Await.until(() -> handle.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT, "connected", () ->
        {
            owner.doWork();
            writer.doWork();
        });

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8192]);
        assertThatThrownBy(() -> handle.write(0, payload, 0, 4096 - 8)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("4080");
        assertThat(handle.write(0, payload, 0, 4096 - TcpFrameDescriptor.WRITE_PAYLOAD_OFFSET))
            .isEqualTo(WriteResult.ISSUED);
    }

    @Test
    void shouldKeepRetryingUntilThePeerListens()
    {
        final Map<Integer, InetSocketAddress> addresses = Map.of(
            1, TcpFabricContractTest.freeLoopbackAddress(), 2, TcpFabricContractTest.freeLoopbackAddress());
        final TcpFabric connector = track(new TcpFabric(1, addresses, TcpFabricContractTest.OPTIONS));
        connector.start();
        final RemoteRegion handle = connector.remote(2, REGION_ID);
        final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        Await.until(() -> System.nanoTime() - untilNs > 0, AWAIT_TIMEOUT, "several refused attempts", connector::doWork);
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.CONNECTING);
        assertThat(connector.connectedPeers()).as("for status reports: nobody yet").isEmpty();

        final TcpFabric late = track(new TcpFabric(2, addresses, TcpFabricContractTest.OPTIONS));
        final LocalRegion region = late.register(REGION_ID, REGION_SIZE_BYTES, true);
        late.start();
        final Runnable stepBoth = () ->
        {
            connector.doWork();
            late.doWork();
        };
        Await.until(() -> handle.status() == RemoteRegion.Status.READY, AWAIT_TIMEOUT, "connected", stepBoth);
        assertThat(handle.write(0, words(9L), 0, 8)).isEqualTo(WriteResult.ISSUED);
        Await.until(() -> region.buffer().getLongVolatile(0) == 9L, AWAIT_TIMEOUT, "landed", stepBoth);
        assertThat(connector.connectedPeers()).containsExactly(2);
        assertThat(late.connectedPeers()).containsExactly(1);
        late.close();
        Await.until(() -> connector.connectedPeers().length == 0, AWAIT_TIMEOUT, "the peer's loss seen", connector::doWork);
    }

    @Test
    void shouldRefuseRegionsWhoseHelloWouldNotFitOneFrame()
    {
        final TcpFabricOptions options = TcpFabricOptions.builder()
            .maxFrameBytes(TcpFabricOptions.MIN_FRAME_BYTES)
            .sendBufferBytes(TcpFabricOptions.MIN_FRAME_BYTES + TcpFabricOptions.CONTROL_RESERVE_BYTES)
            .build();
        final TcpFabric fabric = track(new TcpFabric(SERVER_ID, Map.of(), options));
        final int fitting = (TcpFabricOptions.MIN_FRAME_BYTES - TcpFrameDescriptor.HELLO_TABLE_OFFSET) /
            TcpFrameDescriptor.HELLO_ENTRY_LENGTH;
        for (int i = 0; i < fitting; i++)
        {
            fabric.register(i, 8, true);
        }
        assertThatThrownBy(() -> fabric.register(fitting, 8, true)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxFrameBytes");
    }

    @Test
    void shouldValidateOptionsNamingTheField()
    {
        assertRejected(b -> b.maxFrameBytes(63), "maxFrameBytes");
        assertRejected(b -> b.maxFrameBytes(100), "maxFrameBytes");
        assertRejected(b -> b.maxFrameBytes(TcpFabricOptions.MAX_FRAME_BYTES_LIMIT + 8), "maxFrameBytes");
        assertRejected(b -> b.sendBufferBytes(TcpFabricOptions.DEFAULT_MAX_FRAME_BYTES), "sendBufferBytes");
        assertRejected(b -> b.connectBackoffMinNs(0), "connectBackoffMinNs");
        assertRejected(b -> b.connectBackoffMinNs(10).connectBackoffMaxNs(9), "connectBackoffMaxNs");
        assertRejected(b -> b.connectTimeoutNs(0), "connectTimeoutNs");
        assertRejected(b -> b.socketSendBufferBytes(-1), "socketSendBufferBytes");
        assertRejected(b -> b.socketReceiveBufferBytes(-1), "socketReceiveBufferBytes");

        final TcpFabricOptions defaults = TcpFabricOptions.defaults();
        assertThat(defaults.maxFrameBytes()).isEqualTo(TcpFabricOptions.DEFAULT_MAX_FRAME_BYTES);
        assertThat(defaults.sendBufferBytes()).isEqualTo(TcpFabricOptions.DEFAULT_SEND_BUFFER_BYTES);
        assertThat(defaults.connectBackoffMinNs()).isEqualTo(TcpFabricOptions.DEFAULT_CONNECT_BACKOFF_MIN_NS);
        assertThat(defaults.connectBackoffMaxNs()).isEqualTo(TcpFabricOptions.DEFAULT_CONNECT_BACKOFF_MAX_NS);
        assertThat(defaults.connectTimeoutNs()).isEqualTo(TcpFabricOptions.DEFAULT_CONNECT_TIMEOUT_NS);
        assertThat(defaults.socketSendBufferBytes()).isZero();
        assertThat(defaults.socketReceiveBufferBytes()).isZero();
    }

    @Test
    void shouldValidateConstructorArguments()
    {
        final InetSocketAddress address = TcpFabricContractTest.freeLoopbackAddress();
        assertThatThrownBy(() -> new TcpFabric(-1, Map.of(), TcpFabricOptions.defaults()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("selfId");
        assertThatThrownBy(() -> new TcpFabric(1, Map.of(-2, address), TcpFabricOptions.defaults()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listenAddresses");
    }

    private static void assertRejected(final Consumer<TcpFabricOptions.Builder> change, final String field)
    {
        final TcpFabricOptions.Builder builder = TcpFabricOptions.builder();
        change.accept(builder);
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(field);
    }

    private <T extends AutoCloseable> T track(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    /**
     * Registers the test region on {@code server}, starts it, and runs it on an agent thread until
     * the test ends.
     *
     * @return the region.
     */
    private LocalRegion serve(final TcpFabric server, final boolean writableByAll)
    {
        final LocalRegion region = server.register(REGION_ID, REGION_SIZE_BYTES, writableByAll);
        server.start();
        resources.add(server);
        runAgent(server);
        return region;
    }

    private void runAgent(final Fabric fabric)
    {
        resources.add(new FabricTestAgent("agent-" + fabric.selfId(), fabric, () -> 0));
    }

    static Socket rawConnect(final InetSocketAddress address) throws IOException
    {
        return rawConnect(address, null);
    }

    /** @param from the local address to connect from (a loopback address other than 127.0.0.1 is another source), or null. */
    private static Socket rawConnect(final InetSocketAddress address, final InetAddress from) throws IOException
    {
        final Socket socket = new Socket();
        if (null != from)
        {
            socket.bind(new InetSocketAddress(from, 0));
        }
        socket.setSoTimeout(SOCKET_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        socket.connect(address, SOCKET_TIMEOUT_MS);
        return socket;
    }

    static byte[] readFrame(final DataInputStream in) throws IOException
    {
        final byte[] lengthBytes = new byte[4];
        in.readFully(lengthBytes);
        final int length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
        final byte[] frame = Arrays.copyOf(lengthBytes, length);
        in.readFully(frame, 4, length - 4);
        return frame;
    }

    static byte[] header(final int length, final byte version, final byte type, final int totalBytes)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(totalBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(TcpFrameDescriptor.LENGTH_OFFSET, length);
        buffer.put(TcpFrameDescriptor.VERSION_OFFSET, version);
        buffer.put(TcpFrameDescriptor.TYPE_OFFSET, type);
        return buffer.array();
    }

    static byte[] hello(final int processId)
    {
        return helloWithCount(processId, 0);
    }

    private static byte[] helloWithCount(final int processId, final int declaredRegionCount)
    {
        final byte[] frame = header(TcpFrameDescriptor.HELLO_TABLE_OFFSET, TcpFrameDescriptor.VERSION,
            TcpFrameDescriptor.TYPE_HELLO, TcpFrameDescriptor.HELLO_TABLE_OFFSET);
        final ByteBuffer buffer = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(TcpFrameDescriptor.HELLO_PROCESS_ID_OFFSET, processId);
        buffer.putInt(TcpFrameDescriptor.HELLO_REGION_COUNT_OFFSET, declaredRegionCount);
        return frame;
    }

    static byte[] write(final int regionId, final int offset, final long... values)
    {
        final int length = TcpFrameDescriptor.WRITE_PAYLOAD_OFFSET + values.length * 8;
        final byte[] frame = header(length, TcpFrameDescriptor.VERSION, TcpFrameDescriptor.TYPE_WRITE, length);
        final ByteBuffer buffer = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(TcpFrameDescriptor.WRITE_REGION_ID_OFFSET, regionId);
        buffer.putInt(TcpFrameDescriptor.WRITE_REGION_OFFSET_OFFSET, offset);
        final ByteBuffer payload = ByteBuffer.wrap(frame).order(ByteOrder.nativeOrder());
        for (int i = 0; i < values.length; i++)
        {
            payload.putLong(TcpFrameDescriptor.WRITE_PAYLOAD_OFFSET + i * 8, values[i]);
        }
        return frame;
    }

    private static byte[] reset(final int regionId)
    {
        final byte[] frame = header(TcpFrameDescriptor.CONTROL_FRAME_LENGTH, TcpFrameDescriptor.VERSION,
            TcpFrameDescriptor.TYPE_RESET, TcpFrameDescriptor.CONTROL_FRAME_LENGTH);
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).putInt(TcpFrameDescriptor.CONTROL_REGION_ID_OFFSET, regionId);
        return frame;
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (final byte[] part : parts)
        {
            buffer.put(part);
        }
        return buffer.array();
    }

    private static UnsafeBuffer words(final long... values)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[values.length * 8]);
        for (int i = 0; i < values.length; i++)
        {
            buffer.putLong(i * 8, values[i]);
        }
        return buffer;
    }
}
