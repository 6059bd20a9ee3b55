package io.ramcast.multicast.fabric.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.ramcast.multicast.Await;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.multicast.fabric.FabricListener;
import io.ramcast.multicast.fabric.LocalRegion;
import io.ramcast.multicast.fabric.RemoteRegion;
import io.ramcast.multicast.fabric.WriteResult;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rdma fabric's handling of what only RDMA has: error completions (remote access error, flushes,
 * retry exceeded, a local error), cross-lane order, inline and selectively signalled writes, and
 * per-peer registrations; two processes on a {@link FakeRdmaNetwork}, stepped from the test thread.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RdmaFabricFaultTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int OWNER = 1;
    private static final int WRITER = 2;
    private static final int STREAM = RdmaFabricOptions.LEADER_STREAM_REGION_ID;

    private final FakeRdmaNetwork network = new FakeRdmaNetwork();
    private final FakeVerbs ownerVerbs = network.device("owner");
    private final FakeVerbs writerVerbs = network.device("writer");
    private final List<String> writerEvents = new ArrayList<>();
    private RdmaFabric owner;
    private RdmaFabric writer;
    private LocalRegion region1;
    private LocalRegion region2;
    private LocalRegion stream;

    @BeforeEach
    void start()
    {
        final Map<Integer, java.net.InetSocketAddress> addresses = Map.of(
            OWNER, FakeVerbsRdmaFabricContractTest.address(OWNER), WRITER, FakeVerbsRdmaFabricContractTest.address(WRITER));
        owner = new RdmaFabric(OWNER, addresses, FakeVerbsRdmaFabricContractTest.OPTIONS, ownerVerbs,
            SystemNanoClock.INSTANCE);
        writer = new RdmaFabric(WRITER, addresses, FakeVerbsRdmaFabricContractTest.OPTIONS, writerVerbs,
            SystemNanoClock.INSTANCE);
        region1 = owner.register(1, 4096, true);
        region2 = owner.register(2, 4096, true);
        stream = owner.register(STREAM, 4096, false);
        stream.grant(WRITER);
        writer.register(1, 64, true);
        writer.listener(new FabricListener()
        {
            @Override
            public void onPeerDown(final int peerId)
            {
                writerEvents.add("down " + peerId);
            }

            @Override
            public void onWriteRejected(final int peerId, final int regionId)
            {
                writerEvents.add("rejected " + peerId + "/" + regionId);
            }
        });
        owner.start();
        writer.start();
    }

    @AfterEach
    void close()
    {
        writer.close();
        owner.close();
    }

    @Test
    void shouldFailOnlyTheRevokedRegionsHandleAndRepostFlushedWritesOfOthers()
    {
        final RemoteRegion handle1 = connect(1);
        final RemoteRegion handle2 = connect(2);
        network.hold(writerVerbs, ownerVerbs);
        assertThat(handle1.write(0, words(11), 0, 8)).isEqualTo(WriteResult.ISSUED);
        assertThat(handle2.write(0, words(21), 0, 8)).isEqualTo(WriteResult.ISSUED);
        assertThat(handle1.write(8, words(12), 0, 8)).isEqualTo(WriteResult.ISSUED);
        assertThat(handle2.write(8, words(22), 0, 8)).isEqualTo(WriteResult.ISSUED);

        // The writer has not seen the revocation's key update yet: its writes are on the wire.
        region1.revoke(WRITER);
        network.release(writerVerbs, ownerVerbs);

        awaitUntil(() -> RemoteRegion.Status.FAILED == handle1.status(), "the revoked handle failed");
        awaitUntil(() -> region2.buffer().getLongVolatile(8) == 22, "region 2's flushed write was posted again");
        assertThat(region2.buffer().getLongVolatile(0)).isEqualTo(21);
        assertThat(region1.buffer().getLongVolatile(0)).isZero();
        assertThat(region1.buffer().getLongVolatile(8)).isZero();
        assertThat(writer.flushedWorkRequestCount()).as("flushes are counted").isGreaterThanOrEqualTo(1);
        assertThat(handle2.status()).isEqualTo(RemoteRegion.Status.READY);
        assertThat(writerEvents).containsExactly("rejected 1/1");
    }

    /**
     * At most once: a write on the wire when the link is lost may have been placed although its
     * completion says flushed (the acknowledgement was lost). The writer must not post it again on
     * a new queue pair (it would land twice, a monotonic word going back meanwhile): the owner is
     * reported down instead, once, and nothing is posted again.
     */
    @Test
    void shouldReportThePeerDownInsteadOfPostingAgainAWriteOfUnknownFate()
    {
        final RemoteRegion handle1 = connect(1);
        assertThat(handle1.write(0, words(1), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitUntil(() -> region1.buffer().getLongVolatile(0) == 1, "the first write landed");

        network.hold(writerVerbs, ownerVerbs);
        assertThat(handle1.write(0, words(2), 0, 8)).isEqualTo(WriteResult.ISSUED);
        for (int i = 0; i < 5; i++)
        {
            step();
        }
        final long postedBeforeLoss = writerVerbs.dataWritesPosted();
        writerVerbs.landHeldWritesOnLoss();
        writerVerbs.breakQueuePairs(); // flushed completions, and no remote access error before them
        network.release(writerVerbs, ownerVerbs);

        awaitUntil(() -> writerEvents.contains("down " + OWNER), "the owner was reported down");
        assertThat(region1.buffer().getLongVolatile(0)).as("the write of unknown fate landed, once").isEqualTo(2);
        // the writer connects again (a new session with the owner); a new write lands, the old one is not re-sent
        awaitUntil(() -> RemoteRegion.Status.READY == handle1.status(), "the handle READY again after reconnecting");
        region1.buffer().putLongVolatile(0, 0);
        assertThat(handle1.write(8, words(3), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitUntil(() -> region1.buffer().getLongVolatile(8) == 3, "a new write landed");
        for (int i = 0; i < 20; i++)
        {
            step();
        }
        assertThat(region1.buffer().getLongVolatile(0)).as("the write of unknown fate was not posted again").isZero();
        assertThat(writerVerbs.dataWritesPosted()).as("only the new write posted").isEqualTo(postedBeforeLoss + 1);
        assertThat(writerEvents).containsExactly("down " + OWNER);
    }

    @Test
    void shouldKeepLaneZeroTrafficWhenTheLeaderStreamIsRevoked()
    {
        final RemoteRegion streamHandle = connect(STREAM);
        final RemoteRegion handle1 = connect(1);
        assertThat(streamHandle.write(0, words(1), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitUntil(() -> stream.buffer().getLongVolatile(0) == 1, "the stream write landed");

        network.hold(writerVerbs, ownerVerbs);
        assertThat(streamHandle.write(8, words(2), 0, 8)).isEqualTo(WriteResult.ISSUED);
        stream.revoke(WRITER);
        network.release(writerVerbs, ownerVerbs);
        awaitUntil(() -> RemoteRegion.Status.FAILED == streamHandle.status(), "the stream handle failed");

        final long flushedBefore = writer.flushedWorkRequestCount();
        for (int i = 0; i < 20; i++)
        {
            assertThat(handle1.write(i * 8, words(100 + i), 0, 8)).isEqualTo(WriteResult.ISSUED);
        }
        awaitUntil(() -> region1.buffer().getLongVolatile(19 * 8) == 119, "lane-0 writes land");
        assertThat(writer.flushedWorkRequestCount()).as("lane 0 lost nothing").isEqualTo(flushedBefore);
        assertThat(stream.buffer().getLongVolatile(8)).isZero();
        assertThat(writerEvents).containsExactly("rejected 1/" + STREAM);
    }

    @Test
    void shouldKeepIssueOrderAcrossLanesWithAFence()
    {
        final RemoteRegion handle1 = connect(1);
        final RemoteRegion streamHandle = connect(STREAM);
        final long zeroLengthBefore = writerVerbs.zeroLengthWrites();
        final long postedBefore = writerVerbs.writesPosted();
        network.hold(writerVerbs, ownerVerbs);
        assertThat(handle1.write(0, words(1), 0, 8)).isEqualTo(WriteResult.ISSUED);
        assertThat(streamHandle.write(0, words(2), 0, 8)).isEqualTo(WriteResult.ISSUED);
        for (int i = 0; i < 10; i++)
        {
            step();
        }
        assertThat(writerVerbs.writesExecuted()).isEqualTo(writesBeforeHold);
        assertThat(writerVerbs.writesPosted() - postedBefore)
            .as("the lane-0 write and its fence are posted; the stream write waits for the fence's completion")
            .isEqualTo(2);

        network.release(writerVerbs, ownerVerbs);
        awaitUntil(() -> stream.buffer().getLongVolatile(0) == 2, "the stream write landed after the lane-0 write");
        assertThat(region1.buffer().getLongVolatile(0)).isEqualTo(1);
        assertThat(writerVerbs.zeroLengthWrites()).as("a fence confirmed lane 0 first").isGreaterThan(zeroLengthBefore);
    }

    @Test
    void shouldReportPeerDownOnceOnRetryExceeded()
    {
        final RemoteRegion handle1 = connect(1);
        writerVerbs.failNextWrite(Verbs.CompletionStatus.RETRY_EXCEEDED);
        assertThat(handle1.write(0, words(1), 0, 8)).isEqualTo(WriteResult.ISSUED);

        awaitUntil(() -> writerEvents.contains("down " + OWNER), "the owner was reported down");
        assertThat(handle1.status()).isEqualTo(RemoteRegion.Status.PEER_DOWN);
        assertThat(handle1.write(0, words(1), 0, 8)).isEqualTo(WriteResult.PEER_DOWN);
        assertThat(writerEvents).containsExactly("down " + OWNER);
        assertThat(writer.lastDownReason(OWNER)).as("the status and the NIC's own error code are reported")
            .contains("completed with RETRY_EXCEEDED (status 12, vendor error 0x" +
                Integer.toHexString(FakeVerbs.FAKE_VENDOR_ERROR_BASE + 12) + ")");
    }

    @Test
    void shouldStopTheAgentOnALocalError()
    {
        final RemoteRegion handle1 = connect(1);
        writerVerbs.failNextWrite(Verbs.CompletionStatus.LOCAL_ERROR);
        handle1.write(0, words(1), 0, 8);
        // A local error is a bug here (a wrong lkey or length): fail-stop rather than carry on.
        assertThatThrownBy(() ->
        {
            for (int i = 0; i < 100; i++)
            {
                step();
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("local error");
    }

    @Test
    void shouldInlineSmallWritesAndSignalSelectively()
    {
        final RemoteRegion handle1 = connect(1);
        final long inlineBefore = writerVerbs.inlineWrites();
        final long signalledBefore = writerVerbs.signalledWrites();
        for (int i = 0; i < 64; i++)
        {
            assertThat(handle1.write(i * 8, words(i + 1), 0, 8)).isEqualTo(WriteResult.ISSUED);
        }
        assertThat(handle1.write(1024, new UnsafeBuffer(new byte[256]), 0, 256)).isEqualTo(WriteResult.ISSUED);
        awaitUntil(() -> region1.buffer().getLongVolatile(63 * 8) == 64, "the writes landed");
        assertThat(writerVerbs.inlineWrites() - inlineBefore).as("8-byte writes inline, the 256-byte one not")
            .isEqualTo(64);
        assertThat(writerVerbs.signalledWrites() - signalledBefore).as("every 8th of 65 writes signalled")
            .isBetween(8L, 9L);
    }

    @Test
    void shouldRegisterEachRegionOncePerPeerAndReplaceOnlyOnPermissionChange()
    {
        connect(1);
        final int registrations = ownerVerbs.liveRegistrations();
        region1.grant(WRITER);
        stream.grant(WRITER);
        assertThat(ownerVerbs.liveRegistrations()).as("granting what is granted re-registers nothing")
            .isEqualTo(registrations);
        region1.revoke(WRITER);
        assertThat(ownerVerbs.liveRegistrations()).as("the writable registration was replaced by a read-only one")
            .isEqualTo(registrations);
        assertThat(region1.isGranted(WRITER)).isFalse();
    }

    private long writesBeforeHold;

    /**
     * A real acceptor can poll the peer's first SEND (its hello) before its own ESTABLISHED event:
     * the connection must come up all the same, and the late event must not move it back (it used
     * to throw on the agent: UP to HANDSHAKING is not allowed).
     */
    @ParameterizedTest(name = "authenticated: {0}")
    @ValueSource(booleans = {false, true})
    void shouldComeUpWhenTheAcceptorSeesTheHelloBeforeEstablished(final boolean authenticated)
    {
        writer.close();
        owner.close();
        final FakeRdmaNetwork late = new FakeRdmaNetwork();
        final FakeVerbs acceptorVerbs = late.device("owner");
        final FakeVerbs connectorVerbs = late.device("writer");
        acceptorVerbs.establishedAfterFirstReceive();
        connectorVerbs.establishedAfterFirstReceive();
        final Map<Integer, java.net.InetSocketAddress> addresses = Map.of(
            OWNER, FakeVerbsRdmaFabricContractTest.address(OWNER), WRITER, FakeVerbsRdmaFabricContractTest.address(WRITER));
        final FabricCredentials ownerCredentials = authenticated ?
            FabricCredentials.server("late", AuthenticatedRdmaFabricContractTest.secret('s'),
                AuthenticatedRdmaFabricContractTest.secret('c'), 1) : null;
        final FabricCredentials writerCredentials = authenticated ?
            FabricCredentials.server("late", AuthenticatedRdmaFabricContractTest.secret('s'),
                AuthenticatedRdmaFabricContractTest.secret('c'), 2) : null;
        owner = new RdmaFabric(OWNER, addresses, authenticated ?
            AuthenticatedRdmaFabricContractTest.options(ownerCredentials) : FakeVerbsRdmaFabricContractTest.OPTIONS,
            acceptorVerbs, SystemNanoClock.INSTANCE);
        writer = new RdmaFabric(WRITER, addresses, authenticated ?
            AuthenticatedRdmaFabricContractTest.options(writerCredentials) : FakeVerbsRdmaFabricContractTest.OPTIONS,
            connectorVerbs, SystemNanoClock.INSTANCE);
        region1 = owner.register(1, 4096, true);
        writer.register(1, 64, true);
        owner.start();
        writer.start();

        final RemoteRegion handle = writer.remote(OWNER, 1);
        awaitUntil(() -> RemoteRegion.Status.READY == handle.status(), "handle READY with ESTABLISHED late");
        assertThat(handle.write(0, words(42), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitUntil(() -> region1.buffer().getLongVolatile(0) == 42, "the write landed");
        for (int i = 0; i < 100; i++)
        {
            step(); // every late ESTABLISHED delivered and handled
        }
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.READY);
        assertThat(handle.write(8, words(43), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitUntil(() -> region1.buffer().getLongVolatile(8) == 43, "a later write landed");
    }

    /**
     * A peer that sends a handshake larger than any this version sends (IBV_WC_LOC_LEN_ERR on the
     * acceptor's receive) loses its connection; the acceptor's agent goes on (it used to take the
     * error for a local bug and stop) and serves a proper peer afterwards.
     */
    @Test
    void shouldDropAPeerWhoseHandshakeDoesNotFitInsteadOfStopping() throws Exception
    {
        final FakeVerbs strange = network.device("strange");
        final Verbs.Connection cm = strange.connect(FakeVerbsRdmaFabricContractTest.address(OWNER), 1000);
        final java.util.concurrent.atomic.AtomicReference<Verbs.CmEvent> last = new java.util.concurrent.atomic.AtomicReference<>();
        final Runnable stepAll = () ->
        {
            step();
            strange.pollCmEvents((event, connection, detail) -> last.set(event), 16);
        };
        Await.until(() -> Verbs.CmEvent.ROUTE_RESOLVED == last.get(), TIMEOUT, "route resolved", stepAll);
        cm.createQueuePair(4, 4, 16, 0);
        cm.connect();
        Await.until(() -> Verbs.CmEvent.ESTABLISHED == last.get(), TIMEOUT, "established", stepAll);
        final java.nio.ByteBuffer big = java.nio.ByteBuffer.allocateDirect(RdmaConnection.HANDSHAKE_BUFFER_BYTES + 64);
        final Verbs.Memory memory = strange.register(big, Verbs.ACCESS_LOCAL_WRITE);
        cm.postSend(1, memory.address(), big.capacity(), memory.lkey());
        Await.until(() -> Verbs.CmEvent.DISCONNECTED == last.get(), TIMEOUT, "the acceptor dropped the connection",
            stepAll);

        final RemoteRegion handle = connect(1); // the acceptor's agent still runs and serves others
        assertThat(handle.write(0, words(7), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitUntil(() -> region1.buffer().getLongVolatile(0) == 7, "a proper peer's write landed");
    }

    private RemoteRegion connect(final int regionId)
    {
        final RemoteRegion handle = writer.remote(OWNER, regionId);
        awaitUntil(() -> RemoteRegion.Status.READY == handle.status(), "handle " + handle + " READY");
        writesBeforeHold = writerVerbs.writesExecuted();
        return handle;
    }

    private void step()
    {
        owner.doWork();
        writer.doWork();
    }

    private void awaitUntil(final BooleanSupplier condition, final String description)
    {
        Await.until(condition, TIMEOUT, description, this::step);
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
