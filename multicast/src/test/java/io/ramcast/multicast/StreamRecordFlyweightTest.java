package io.ramcast.multicast;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StreamRecordFlyweightTest
{
    private static final int AT = 2 * Layout.STREAM_RECORD_BYTES;

    private final StreamRecordFlyweight record = new StreamRecordFlyweight();

    @Test
    void shouldReadBackEveryFieldItWrote()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4 * Layout.STREAM_RECORD_BYTES]);

        writeSample(buffer, AT);

        record.wrap(buffer, AT);
        assertThat(record.seq()).isEqualTo(41);
        assertThat(record.ballot()).isEqualTo(0x0000_0007_0000_0002L);
        assertThat(record.kind()).isEqualTo(Layout.KIND_FWD);
        assertThat(record.group()).isEqualTo(2);
        assertThat(record.messageId()).isEqualTo(0x0000_000C_0000_0063L);
        assertThat(record.proposalBallot()).isEqualTo(0x0000_0005_0000_0001L);
        assertThat(record.value()).isEqualTo(1234);
        assertThat(record.ringSeq()).isEqualTo(-17);
        assertThat(record.sealVolatile()).isEqualTo(StreamRecordFlyweight.sealOf(41, 0x0000_0007_0000_0002L,
            Layout.KIND_FWD, 2, 0x0000_000C_0000_0063L, 0x0000_0005_0000_0001L, 1234, -17));
    }

    @Test
    void shouldLeaveTheNeighbouringRecordsUntouched()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4 * Layout.STREAM_RECORD_BYTES]);

        writeSample(buffer, AT);

        for (int i = 0; i < buffer.capacity(); i++)
        {
            if (i < AT || i >= AT + Layout.STREAM_RECORD_BYTES)
            {
                assertThat(buffer.getByte(i)).as("byte %d", i).isZero();
            }
        }
    }

    @Test
    void shouldWriteTheSealLastAndOnlyOnce()
    {
        final StoreOrderBuffer buffer = new StoreOrderBuffer(4 * Layout.STREAM_RECORD_BYTES);

        writeSample(buffer, AT);

        assertThat(buffer.lastStore()).isEqualTo(new StoreOrderBuffer.Store(AT + Layout.STREAM_SEAL_OFFSET, 8));
        assertThat(buffer.storesTouching(AT + Layout.STREAM_SEAL_OFFSET, 8)).isEqualTo(1);
    }

    @Test
    void shouldNotValidateAHalfWrittenOrStaleRecord()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4 * Layout.STREAM_RECORD_BYTES]);
        writeSample(buffer, AT);

        record.wrap(buffer, AT).value(1235); // a newer record half over the old one: seal not yet written

        assertThat(record.sealVolatile()).isNotEqualTo(StreamRecordFlyweight.sealOf(record.seq(), record.ballot(),
            record.kind(), record.group(), record.messageId(), record.proposalBallot(), record.value(),
            record.ringSeq()));
        assertThat(StreamRecordFlyweight.sealOf(0, 0, 0, 0, 0, 0, 0, 0)).as("a zeroed record never validates")
            .isNotZero();
    }

    @Test
    void shouldKeepTheWireLayoutByteForByte()
    {
        final UnsafeBuffer viaFlyweight = new UnsafeBuffer(new byte[Layout.STREAM_RECORD_BYTES]);
        final UnsafeBuffer byHand = new UnsafeBuffer(new byte[Layout.STREAM_RECORD_BYTES]);
        writeSample(viaFlyweight, 0);

        byHand.putLong(0, 41);
        byHand.putLong(8, 0x0000_0007_0000_0002L);
        byHand.putInt(16, 2);
        byHand.putInt(20, 2);
        byHand.putLong(24, 0x0000_000C_0000_0063L);
        byHand.putLong(32, 0x0000_0005_0000_0001L);
        byHand.putLong(40, 1234);
        byHand.putLong(48, -17);
        byHand.putLong(56, Layout.seal(41 ^ (0x0000_0007_0000_0002L * 31), (2L << 32) | 2,
            0x0000_000C_0000_0063L ^ (0x0000_0005_0000_0001L * 17), 1234 ^ (-17 * 0x9E3779B97F4A7C15L)));

        assertThat(viaFlyweight.byteArray()).isEqualTo(byHand.byteArray());
    }

    @Test
    void shouldKeepTheLayoutInvariants()
    {
        assertThat(Layout.STREAM_SEAL_OFFSET).isEqualTo(Layout.STREAM_RECORD_BYTES - Layout.WORD_BYTES);
        assertThat(Layout.STREAM_RECORD_BYTES % 8).isZero();
        assertThat(new int[] {Layout.STREAM_SEQ_OFFSET, Layout.STREAM_BALLOT_OFFSET, Layout.STREAM_KIND_OFFSET,
            Layout.STREAM_MESSAGE_ID_OFFSET, Layout.STREAM_PROPOSAL_BALLOT_OFFSET, Layout.STREAM_VALUE_OFFSET,
            Layout.STREAM_RING_SEQ_OFFSET, Layout.STREAM_SEAL_OFFSET})
            .containsExactly(0, 8, 16, 24, 32, 40, 48, 56);
        assertThat(Layout.STREAM_GROUP_OFFSET).isEqualTo(Layout.STREAM_KIND_OFFSET + 4);
    }

    private void writeSample(final UnsafeBuffer buffer, final int offset)
    {
        record.wrap(buffer, offset).seq(41).ballot(0x0000_0007_0000_0002L).kind(Layout.KIND_FWD).group(2)
            .messageId(0x0000_000C_0000_0063L).proposalBallot(0x0000_0005_0000_0001L).value(1234).ringSeq(-17)
            .seal();
    }
}
