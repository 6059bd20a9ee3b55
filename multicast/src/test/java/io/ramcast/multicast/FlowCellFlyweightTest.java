package io.ramcast.multicast;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FlowCellFlyweightTest
{
    private static final int AT = 2 * Layout.FLOW_CELL_BYTES;

    private final FlowCellFlyweight cell = new FlowCellFlyweight();

    @Test
    void shouldReadBackEveryFieldItWrote()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4 * Layout.FLOW_CELL_BYTES]);

        cell.wrap(buffer, AT).freedUpTo(65).nextRingSeq(70).lastSequence(301).incarnation(0x1_0000_0002L).seal();

        cell.wrap(buffer, AT);
        assertThat(cell.freedUpTo()).isEqualTo(65);
        assertThat(cell.nextRingSeq()).isEqualTo(70);
        assertThat(cell.lastSequence()).isEqualTo(301);
        assertThat(cell.incarnation()).isEqualTo(0x1_0000_0002L);
        assertThat(cell.sealVolatile()).isEqualTo(FlowCellFlyweight.sealOf(65, 70, 301, 0x1_0000_0002L));
        assertThat(buffer.getLong(AT - 8)).as("the cell before").isZero();
        assertThat(buffer.getLong(AT + Layout.FLOW_CELL_BYTES)).as("the cell after").isZero();
    }

    @Test
    void shouldWriteTheSealLastAndOnlyOnce()
    {
        final StoreOrderBuffer buffer = new StoreOrderBuffer(4 * Layout.FLOW_CELL_BYTES);

        cell.wrap(buffer, AT).freedUpTo(1).nextRingSeq(2).lastSequence(3).incarnation(4).seal();

        assertThat(buffer.lastStore()).isEqualTo(new StoreOrderBuffer.Store(AT + Layout.FLOW_SEAL_OFFSET, 8));
        assertThat(buffer.storesTouching(AT + Layout.FLOW_SEAL_OFFSET, 8)).isEqualTo(1);
    }

    @Test
    void shouldNotValidateAHalfWrittenOrStaleCell()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Layout.FLOW_CELL_BYTES]);
        cell.wrap(buffer, 0).freedUpTo(1).nextRingSeq(2).lastSequence(3).incarnation(4).seal();

        cell.freedUpTo(9); // the next cell half written

        assertThat(cell.sealVolatile()).isNotEqualTo(FlowCellFlyweight.sealOf(cell.freedUpTo(), cell.nextRingSeq(),
            cell.lastSequence(), cell.incarnation()));
        assertThat(FlowCellFlyweight.sealOf(0, 0, 0, 0)).as("a zeroed cell never validates").isNotZero();
    }

    @Test
    void shouldKeepTheWireLayoutByteForByte()
    {
        final UnsafeBuffer viaFlyweight = new UnsafeBuffer(new byte[Layout.FLOW_CELL_BYTES]);
        final UnsafeBuffer byHand = new UnsafeBuffer(new byte[Layout.FLOW_CELL_BYTES]);
        cell.wrap(viaFlyweight, 0).freedUpTo(31).nextRingSeq(32).lastSequence(33).incarnation(34).seal();

        byHand.putLong(0, 31);
        byHand.putLong(8, 32);
        byHand.putLong(16, 33);
        byHand.putLong(24, 34);
        byHand.putLong(32, Layout.seal(31, 32, 33, 34 ^ 0x666C6F77L));

        assertThat(viaFlyweight.byteArray()).isEqualTo(byHand.byteArray());
        assertThat(Layout.FLOW_SEAL_OFFSET).isEqualTo(Layout.FLOW_CELL_BYTES - Layout.WORD_BYTES);
    }
}
