package io.ramcast.multicast;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AckCellFlyweightTest
{
    private static final int AT = 3 * Layout.ACK_CELL_BYTES;

    private final AckCellFlyweight cell = new AckCellFlyweight();

    @Test
    void shouldReadBackEveryFieldItWrote()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[5 * Layout.ACK_CELL_BYTES]);

        cell.wrap(buffer, AT).ballot(0x0000_0003_0000_0001L).value(77).messageId(0x0000_000A_0000_0005L).seal();

        cell.wrap(buffer, AT);
        assertThat(cell.ballot()).isEqualTo(0x0000_0003_0000_0001L);
        assertThat(cell.value()).isEqualTo(77);
        assertThat(cell.messageId()).isEqualTo(0x0000_000A_0000_0005L);
        assertThat(cell.sealVolatile()).isEqualTo(AckCellFlyweight.sealOf(0x0000_0003_0000_0001L, 77,
            0x0000_000A_0000_0005L));
        assertThat(buffer.getLong(AT - 8)).as("the cell before").isZero();
        assertThat(buffer.getLong(AT + Layout.ACK_CELL_BYTES)).as("the cell after").isZero();
    }

    @Test
    void shouldWriteTheSealLastAndOnlyOnce()
    {
        final StoreOrderBuffer buffer = new StoreOrderBuffer(5 * Layout.ACK_CELL_BYTES);

        cell.wrap(buffer, AT).ballot(1).value(2).messageId(3).seal();

        assertThat(buffer.lastStore()).isEqualTo(new StoreOrderBuffer.Store(AT + Layout.ACK_SEAL_OFFSET, 8));
        assertThat(buffer.storesTouching(AT + Layout.ACK_SEAL_OFFSET, 8)).isEqualTo(1);
    }

    @Test
    void shouldNotValidateAHalfWrittenOrStaleCell()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Layout.ACK_CELL_BYTES]);
        cell.wrap(buffer, 0).ballot(5).value(6).messageId(7).seal();

        cell.ballot(9); // the next ack half written: its seal is not there yet

        assertThat(cell.sealVolatile()).isNotEqualTo(AckCellFlyweight.sealOf(cell.ballot(), cell.value(),
            cell.messageId()));
        assertThat(AckCellFlyweight.sealOf(0, 0, 0)).as("a zeroed cell never validates").isNotZero();
    }

    @Test
    void shouldKeepTheWireLayoutByteForByte()
    {
        final UnsafeBuffer viaFlyweight = new UnsafeBuffer(new byte[Layout.ACK_CELL_BYTES]);
        final UnsafeBuffer byHand = new UnsafeBuffer(new byte[Layout.ACK_CELL_BYTES]);
        cell.wrap(viaFlyweight, 0).ballot(11).value(12).messageId(13).seal();

        byHand.putLong(0, 11);
        byHand.putLong(8, 12);
        byHand.putLong(16, 13);
        byHand.putLong(24, Layout.seal(11, 12, 13, 32));

        assertThat(viaFlyweight.byteArray()).isEqualTo(byHand.byteArray());
        assertThat(Layout.ACK_SEAL_OFFSET).isEqualTo(Layout.ACK_CELL_BYTES - Layout.WORD_BYTES);
    }
}
