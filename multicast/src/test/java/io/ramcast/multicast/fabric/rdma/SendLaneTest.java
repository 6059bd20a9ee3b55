package io.ramcast.multicast.fabric.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The send log of one lane against a recording connection: signalling, inlining, staging recycled
 * only after a later signalled completion, back-pressure, and error completions.
 */
class SendLaneTest
{
    private static final int RKEY = 0x77;
    private static final long REGION_ADDRESS = 0x1_0000_0000L;

    /** A posted write as the connection saw it. */
    private record Posted(long workRequestId, long localAddress, int length, long remoteAddress, int rkey,
        boolean signalled, boolean inline)
    {
    }

    private final List<Posted> posted = new ArrayList<>();
    private final List<Integer> rejected = new ArrayList<>();
    private final Verbs.Connection connection = new RecordingConnection();
    private final UnsafeBuffer source = new UnsafeBuffer(new byte[1024]);
    private long keyWord = RegionKey.encode(RKEY, 1, true);
    private boolean mayPost = true;
    private SendLane lane;

    private final SendLane.Context context = new SendLane.Context()
    {
        @Override
        public long keyWord(final int regionId)
        {
            return keyWord;
        }

        @Override
        public long regionAddress(final int regionId)
        {
            return REGION_ADDRESS + regionId * 0x1000L;
        }

        @Override
        public long keyTableAddress()
        {
            return 0x9000;
        }

        @Override
        public int keyTableRkey()
        {
            return 0x99;
        }

        @Override
        public boolean mayPost(final int laneIndex, final long peerSeq)
        {
            return mayPost;
        }

        @Override
        public void onRejected(final int regionId)
        {
            rejected.add(regionId);
        }
    };

    @BeforeEach
    void setUp() throws IOException
    {
        lane = lane(RdmaFabricOptions.builder().sendQueueDepth(8).completionQueueDepth(16).signalInterval(4)
            .maxInlineBytes(16).stagingBytes(4096).build());
    }

    private SendLane lane(final RdmaFabricOptions options) throws IOException
    {
        final SendLane created = new SendLane(0, options);
        created.ensureRegistered(new FakeRdmaNetwork().device("test"));
        created.attach(connection);
        return created;
    }

    @Test
    void shouldSignalEveryNthWriteAndInlineSmallOnes() throws IOException
    {
        for (int i = 0; i < 8; i++)
        {
            assertThat(lane.stage(1, i * 8, source, 0, i < 4 ? 8 : 64, i)).isTrue();
        }
        assertThat(lane.post(context, 100)).isEqualTo(8);

        assertThat(posted).extracting(Posted::signalled).containsExactly(false, false, false, true, false, false, false, true);
        assertThat(posted).extracting(Posted::inline).containsExactly(true, true, true, true, false, false, false, false);
        assertThat(posted).extracting(Posted::rkey).containsOnly(RKEY);
        assertThat(posted.get(2).remoteAddress()).isEqualTo(REGION_ADDRESS + 0x1000 + 16);
        assertThat(posted).extracting(p -> WorkRequestIds.kind(p.workRequestId())).containsOnly(WorkRequestIds.KIND_WRITE);
        assertThat(posted).extracting(p -> WorkRequestIds.sequence(p.workRequestId()))
            .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void shouldNotReuseStagingBeforeALaterSignalledCompletion() throws IOException
    {
        // 1 KiB writes into 4 KiB of staging: the quarter-of-staging rule signals every write, so use
        // a lane with more staging to get unsignalled ones.
        lane = lane(RdmaFabricOptions.builder().sendQueueDepth(64).completionQueueDepth(128).signalInterval(4)
            .maxInlineBytes(16).stagingBytes(16 * 1024).build());
        int staged = 0;
        while (lane.stage(1, 0, source, 0, 1024, staged))
        {
            staged++;
        }
        assertThat(staged).isEqualTo(16);
        lane.post(context, 100);
        assertThat(posted).hasSize(16);
        final List<Long> signalled = posted.stream().filter(Posted::signalled)
            .map(p -> WorkRequestIds.sequence(p.workRequestId())).toList();
        assertThat(signalled).containsExactly(3L, 7L, 11L, 15L);

        // No completion yet: the NIC may still read every buffer, so nothing is reused.
        assertThat(lane.stage(1, 0, source, 0, 8, 99)).isFalse();
        assertThat(lane.stagingHeadPosition()).isZero();

        // Unsignalled writes never complete on their own; the completion of signalled #7 proves 0..7 read.
        complete(7, Verbs.CompletionStatus.SUCCESS);
        assertThat(lane.stagingHeadPosition()).isEqualTo(8 * 1024);
        assertThat(lane.pendingCount()).isEqualTo(8);
        assertThat(lane.stage(1, 0, source, 0, 1024, 100)).isTrue();
        assertThat(lane.stagingTailPosition()).isEqualTo(17 * 1024);
    }

    @Test
    void shouldHoldWritesWhileTheSendQueueIsFullAndPostThemAfterACompletion() throws IOException
    {
        for (int i = 0; i < 12; i++)
        {
            assertThat(lane.stage(1, 0, source, 0, 8, i)).isTrue();
        }
        assertThat(lane.post(context, 100)).isEqualTo(8);
        assertThat(posted).hasSize(8);
        assertThat(posted.get(7).signalled()).as("the write that fills the send queue is signalled").isTrue();
        assertThat(lane.post(context, 100)).isZero();

        complete(7, Verbs.CompletionStatus.SUCCESS);
        assertThat(lane.post(context, 100)).isEqualTo(4);
        assertThat(posted).hasSize(12);
    }

    @Test
    void shouldBackPressureWhenTheLogIsFullAndKeepASlotForAFence() throws IOException
    {
        mayPost = false;
        final int capacity = RdmaFabricOptions.builder().sendQueueDepth(8).completionQueueDepth(16).signalInterval(4)
            .maxInlineBytes(16).stagingBytes(4096).build().stagedWriteLimit();
        int staged = 0;
        while (lane.stage(1, 0, source, 0, 8, staged))
        {
            staged++;
        }
        assertThat(staged).isEqualTo(capacity - 1);
        assertThat(lane.stageFence(staged)).isTrue();
        assertThat(lane.stageFence(staged)).as("one fence at a time").isFalse();
    }

    @Test
    void shouldPostAFenceAsASignalledZeroLengthWrite() throws IOException
    {
        lane.stage(1, 0, source, 0, 8, 1);
        lane.post(context, 10);
        assertThat(lane.stageFence(1)).isTrue();
        lane.post(context, 10);

        final Posted fence = posted.get(1);
        assertThat(WorkRequestIds.kind(fence.workRequestId())).isEqualTo(WorkRequestIds.KIND_FENCE);
        assertThat(fence.length()).isZero();
        assertThat(fence.signalled()).isTrue();
        assertThat(fence.rkey()).isEqualTo(0x99);
        complete(1, Verbs.CompletionStatus.SUCCESS);
        assertThat(lane.pendingCount()).isZero();
        assertThat(lane.oldestPendingPeerSeq()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldFailTheRegionOnRemoteAccessErrorAndRepostOtherWritesAfterReconnect() throws IOException
    {
        lane.stage(1, 0, source, 0, 8, 1);
        lane.stage(2, 0, source, 0, 8, 2);
        lane.stage(3, 0, source, 0, 8, 3);
        lane.stage(2, 8, source, 0, 8, 4);
        lane.stage(3, 8, source, 0, 8, 5);
        lane.post(context, 10);
        assertThat(posted).hasSize(5);

        assertThat(lane.onCompletion(context, posted.get(1).workRequestId(),
            Verbs.CompletionStatus.REMOTE_ACCESS_ERROR)).isTrue();
        for (int i = 2; i < 5; i++)
        {
            assertThat(lane.onCompletion(context, posted.get(i).workRequestId(), Verbs.CompletionStatus.FLUSHED)).isTrue();
        }
        assertThat(rejected).containsExactly(2);
        assertThat(lane.flushedCount()).isEqualTo(3);
        assertThat(lane.hasFailedConnection()).isTrue();
        assertThat(lane.post(context, 10)).as("nothing is posted on a failed queue pair").isZero();

        posted.clear();
        lane.attach(connection);
        lane.post(context, 10);
        assertThat(posted).extracting(p -> (int)((p.remoteAddress() - REGION_ADDRESS) / 0x1000))
            .as("writes into region 2 never land; those into region 3 are posted again in order")
            .containsExactly(3, 3);
        assertThat(posted).extracting(p -> (p.remoteAddress() - REGION_ADDRESS) % 0x1000).containsExactly(0L, 8L);
    }

    @Test
    void shouldRejectStagedWritesWhoseKeyIsNotWritable() throws IOException
    {
        keyWord = RegionKey.encode(RKEY, 2, false);
        lane.stage(4, 0, source, 0, 8, 1);
        lane.stage(4, 8, source, 0, 8, 2);
        assertThat(lane.post(context, 10)).isEqualTo(2);
        assertThat(posted).isEmpty();
        assertThat(rejected).containsExactly(4);
        assertThat(lane.pendingCount()).isZero();
    }

    @Test
    void shouldRefuseAWriteLargerThanTheStagingMemory()
    {
        assertThatThrownBy(() -> lane.stage(1, 0, new UnsafeBuffer(new byte[8192]), 0, 8192, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stagingBytes");
    }

    @Test
    void shouldForgetEverythingWhenDiscarded() throws IOException
    {
        lane.stage(1, 0, source, 0, 8, 1);
        lane.post(context, 10);
        lane.discard();
        assertThat(lane.pendingCount()).isZero();
        assertThat(lane.connection()).isNull();
    }

    private void complete(final long seq, final Verbs.CompletionStatus status)
    {
        lane.onCompletion(context, WorkRequestIds.encode(WorkRequestIds.KIND_WRITE, seq), status);
    }

    /** Records posted writes; everything else is unused here. */
    private final class RecordingConnection implements Verbs.Connection
    {
        @Override
        public void createQueuePair(final int s, final int r, final int c, final int i)
        {
        }

        @Override
        public void connect()
        {
        }

        @Override
        public void accept()
        {
        }

        @Override
        public void postWrite(final long workRequestId, final long localAddress, final int length, final int lkey,
            final long remoteAddress, final int rkey, final boolean signalled, final boolean inline)
        {
            posted.add(new Posted(workRequestId, localAddress, length, remoteAddress, rkey, signalled, inline));
        }

        @Override
        public void postSend(final long workRequestId, final long localAddress, final int length, final int lkey)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void postReceive(final long workRequestId, final long localAddress, final int length, final int lkey)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int pollCompletions(final Verbs.CompletionHandler handler, final int limit)
        {
            return 0;
        }

        @Override
        public void disconnect()
        {
        }

        @Override
        public void close()
        {
        }
    }
}
