package io.ramcast.multicast;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

class SlotFlyweightTest
{
    private static final int SLOT_BYTES = 256;
    private static final int AT = SLOT_BYTES;
    private static final byte[] PAYLOAD = "thirteen byte".getBytes(StandardCharsets.US_ASCII);
    private static final int K = 2;
    private static final int RECORD_BYTES = Layout.slotRecordBytes(PAYLOAD.length, K);

    private final SlotFlyweight slot = new SlotFlyweight();
    private final CRC32C crc = new CRC32C();
    private final byte[] scratch = new byte[SLOT_BYTES];

    @Test
    void shouldReadBackEveryFieldItWrote()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[3 * SLOT_BYTES]);

        writeSample(buffer, AT, 9);

        slot.wrap(buffer, AT);
        assertThat(slot.ringSeqVolatile()).isEqualTo(9);
        assertThat(slot.messageId()).isEqualTo(0x0000_000B_0000_0004L);
        assertThat(slot.payloadLength()).isEqualTo(PAYLOAD.length);
        assertThat(slot.destinationCount()).isEqualTo(K);
        assertThat(slot.destinationGroup(0)).isEqualTo(0);
        assertThat(slot.destinationRingSeq(0)).isEqualTo(9);
        assertThat(slot.destinationGroup(1)).isEqualTo(2);
        assertThat(slot.destinationRingSeq(1)).isEqualTo(5);
        final int checksummed = SlotFlyweight.checksummedBytes(PAYLOAD.length, K);
        assertThat(slot.computeChecksum(crc, scratch, checksummed)).isEqualTo(slot.checksum(RECORD_BYTES));
        assertThat(Arrays.copyOfRange(scratch, checksummed - PAYLOAD.length, checksummed)).isEqualTo(PAYLOAD);
        assertThat(slot.sealVolatile(RECORD_BYTES)).isEqualTo(9);
        assertThat(buffer.getLong(AT - 8)).as("the slot before").isZero();
        assertThat(buffer.getLong(AT + RECORD_BYTES)).as("after the record").isZero();
    }

    @Test
    void shouldWriteTheSealLastAndOnlyOnce()
    {
        final StoreOrderBuffer buffer = new StoreOrderBuffer(3 * SLOT_BYTES);

        writeSample(buffer, AT, 9);

        assertThat(buffer.lastStore()).isEqualTo(new StoreOrderBuffer.Store(AT + RECORD_BYTES - 8, 8));
        assertThat(buffer.storesTouching(AT + RECORD_BYTES - 8, 8)).isEqualTo(1);
    }

    @Test
    void shouldNotValidateAHalfWrittenRecord()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SLOT_BYTES]);
        writeSample(buffer, 0, 9);

        // the same slot one ring later (9 + Q), written up to its head but not yet sealed
        slot.wrap(buffer, 0).ringSeq(9 + 64);

        assertThat(slot.ringSeqVolatile()).isEqualTo(9 + 64);
        assertThat(slot.sealVolatile(RECORD_BYTES)).isNotEqualTo(9 + 64);
    }

    @Test
    void shouldNotPassTheChecksumOfACorruptedPayload()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SLOT_BYTES]);
        writeSample(buffer, 0, 9);

        buffer.putByte(Layout.payloadOffset(K) + 3, (byte)'X');

        slot.wrap(buffer, 0);
        assertThat(slot.computeChecksum(crc, scratch, SlotFlyweight.checksummedBytes(PAYLOAD.length, K)))
            .isNotEqualTo(slot.checksum(RECORD_BYTES));
    }

    @Test
    void shouldKeepTheWireLayoutByteForByte()
    {
        final UnsafeBuffer viaFlyweight = new UnsafeBuffer(new byte[SLOT_BYTES]);
        final UnsafeBuffer byHand = new UnsafeBuffer(new byte[SLOT_BYTES]);
        viaFlyweight.setMemory(0, SLOT_BYTES, (byte)0x5A); // the client's record buffer holds an older record
        byHand.setMemory(0, SLOT_BYTES, (byte)0x5A);
        writeSample(viaFlyweight, 0, 9);

        byHand.putLong(0, 9);
        byHand.putLong(8, 0x0000_000B_0000_0004L);
        byHand.putInt(16, PAYLOAD.length);
        byHand.putInt(20, K);
        byHand.putInt(24, 0);
        byHand.putInt(28, 0);
        byHand.putLong(32, 9);
        byHand.putInt(40, 2);
        byHand.putInt(44, 0);
        byHand.putLong(48, 5);
        byHand.putBytes(56, PAYLOAD);
        byHand.setMemory(56 + PAYLOAD.length, 3, (byte)0);
        crc.reset();
        crc.update(byHand.byteArray(), 8, 56 + PAYLOAD.length - 8);
        byHand.putInt(72, (int)crc.getValue());
        byHand.putInt(76, 0);
        byHand.putLong(80, 9);

        assertThat(RECORD_BYTES).isEqualTo(88);
        assertThat(viaFlyweight.byteArray()).isEqualTo(byHand.byteArray());
    }

    @Test
    void shouldEncodeASkipRecordAsTheHeaderAZeroTrailerAndTheSeal()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SLOT_BYTES]);
        buffer.setMemory(0, SLOT_BYTES, (byte)0x5A);
        final int skipBytes = Layout.slotRecordBytes(0, 0);

        slot.wrap(buffer, 0).ringSeq(12).messageId(0).payloadLength(0).destinationCount(0).checksum(skipBytes, 0)
            .seal(skipBytes, SlotFlyweight.skipSealOf(12));

        assertThat(skipBytes).isEqualTo(40);
        assertThat(buffer.getLong(0)).isEqualTo(12);
        assertThat(buffer.getLong(8)).isZero();
        assertThat(buffer.getLong(16)).isZero();
        assertThat(buffer.getLong(24)).isZero();
        assertThat(buffer.getLong(32)).isEqualTo(0xC5C1_0000_0000_000CL);
        assertThat(SlotFlyweight.skipSealOf(12)).as("never a ring sequence, which a message record's destination " +
            "entry holds at the same offset").isNotEqualTo(12).isNegative();
        assertThat(buffer.getLong(40)).as("beyond the record").isEqualTo(0x5A5A5A5A5A5A5A5AL);
    }

    @Test
    void shouldKeepTheLayoutInvariants()
    {
        assertThat(new int[] {Layout.SLOT_RING_SEQ_OFFSET, Layout.SLOT_MESSAGE_ID_OFFSET,
            Layout.SLOT_PAYLOAD_LENGTH_OFFSET, Layout.SLOT_DESTINATION_COUNT_OFFSET, Layout.SLOT_DESTINATIONS_OFFSET})
            .containsExactly(0, 8, 16, 20, 24);
        for (int k = 1; k <= 8; k++)
        {
            for (int length = 0; length <= 40; length++)
            {
                final int recordBytes = Layout.slotRecordBytes(length, k);
                assertThat(recordBytes % 8).isZero();
                assertThat(SlotFlyweight.checksummedBytes(length, k) + Layout.SLOT_MESSAGE_ID_OFFSET)
                    .isLessThanOrEqualTo(recordBytes - Layout.SLOT_TRAILER_BYTES);
            }
            final int maxPayload = Layout.maxPayloadBytes(1280, k);
            assertThat(Layout.slotRecordBytes(maxPayload, k)).isLessThanOrEqualTo(1280);
        }
    }

    private void writeSample(final UnsafeBuffer buffer, final int offset, final long ringSeq)
    {
        slot.wrap(buffer, offset).messageId(0x0000_000B_0000_0004L).payloadLength(PAYLOAD.length).destinationCount(K)
            .destination(0, 0, ringSeq).destination(1, 2, 5).payload(K, PAYLOAD, RECORD_BYTES);
        slot.checksum(RECORD_BYTES, slot.computeChecksum(crc, scratch, SlotFlyweight.checksummedBytes(PAYLOAD.length, K)));
        slot.ringSeq(ringSeq).seal(RECORD_BYTES, ringSeq);
    }
}
