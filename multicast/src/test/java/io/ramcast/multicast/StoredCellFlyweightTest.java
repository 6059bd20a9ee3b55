package io.ramcast.multicast;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class StoredCellFlyweightTest
{
    private static final int AT = Layout.STORED_CELL_BYTES;

    private final StoredCellFlyweight cell = new StoredCellFlyweight();

    @Test
    void shouldReadBackEveryFieldItWrote()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[3 * Layout.STORED_CELL_BYTES]);

        cell.wrap(buffer, AT).ballot(0x0000_0004_0000_0002L).storedSeq(812).seal();

        cell.wrap(buffer, AT);
        assertThat(cell.ballot()).isEqualTo(0x0000_0004_0000_0002L);
        assertThat(cell.storedSeq()).isEqualTo(812);
        assertThat(cell.sealVolatile()).isEqualTo(StoredCellFlyweight.sealOf(0x0000_0004_0000_0002L, 812));
        assertThat(buffer.getLong(AT - 8)).as("the cell before").isZero();
        assertThat(buffer.getLong(AT + Layout.STORED_CELL_BYTES)).as("the cell after").isZero();
    }

    @Test
    void shouldZeroTheReservedWordOverWhateverWasThere()
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[Layout.STORED_CELL_BYTES]);
        scratch.setMemory(0, Layout.STORED_CELL_BYTES, (byte)0x5A); // a scratch buffer holding another record

        cell.wrap(scratch, 0).ballot(1).storedSeq(2).seal();

        assertThat(scratch.getLong(16)).isZero();
    }

    @Test
    void shouldWriteTheSealLastAndOnlyOnce()
    {
        final StoreOrderBuffer buffer = new StoreOrderBuffer(3 * Layout.STORED_CELL_BYTES);

        cell.wrap(buffer, AT).ballot(1).storedSeq(2).seal();

        assertThat(buffer.lastStore()).isEqualTo(new StoreOrderBuffer.Store(AT + Layout.STORED_SEAL_OFFSET, 8));
        assertThat(buffer.storesTouching(AT + Layout.STORED_SEAL_OFFSET, 8)).isEqualTo(1);
    }

    @Test
    void shouldNotValidateAHalfWrittenOrStaleCell()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Layout.STORED_CELL_BYTES]);
        cell.wrap(buffer, 0).ballot(3).storedSeq(10).seal();

        cell.storedSeq(11); // the next publication half written

        assertThat(cell.sealVolatile()).isNotEqualTo(StoredCellFlyweight.sealOf(cell.ballot(), cell.storedSeq()));
        assertThat(StoredCellFlyweight.sealOf(0, 0)).as("a zeroed cell never validates").isNotZero();
    }

    @Test
    void shouldKeepTheWireLayoutByteForByte()
    {
        final UnsafeBuffer viaFlyweight = new UnsafeBuffer(new byte[Layout.STORED_CELL_BYTES]);
        final byte[] byHand = new byte[Layout.STORED_CELL_BYTES];
        final UnsafeBuffer byHandBuffer = new UnsafeBuffer(byHand);
        cell.wrap(viaFlyweight, 0).ballot(21).storedSeq(22).seal();

        byHandBuffer.putLong(0, 21);
        byHandBuffer.putLong(8, 22);
        byHandBuffer.putLong(24, Layout.seal(21, 22, 0, 32));

        assertThat(Arrays.equals(viaFlyweight.byteArray(), byHand)).isTrue();
        assertThat(Layout.STORED_SEAL_OFFSET).isEqualTo(Layout.STORED_CELL_BYTES - Layout.WORD_BYTES);
    }
}
