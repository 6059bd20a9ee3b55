package io.ramcast.multicast;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

class MailboxRecordFlyweightTest
{
    private static final int AT = 64;
    private static final long POSITION = 4096 + AT;
    private static final int SESSION = 0x5E55_1011;
    private static final byte[] MESSAGE = "eleven byte".getBytes(StandardCharsets.US_ASCII);
    private static final int RECORD_BYTES = Layout.mailboxRecordBytes(MESSAGE.length);

    private final MailboxRecordFlyweight record = new MailboxRecordFlyweight();
    private final CRC32C crc = new CRC32C();

    @Test
    void shouldReadBackEveryFieldOfAMessageRecord()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int checksum = MailboxRecordFlyweight.checksumOf(crc, MESSAGE, MESSAGE.length);

        final int written = record.wrap(buffer, AT).writeMessage(POSITION, MESSAGE, checksum, SESSION);

        assertThat(written).isEqualTo(RECORD_BYTES).isEqualTo(40);
        record.wrap(buffer, AT);
        assertThat(record.length()).isEqualTo(MESSAGE.length);
        assertThat(record.type()).isEqualTo(Layout.MAILBOX_TYPE_MESSAGE);
        assertThat(record.checksum()).isEqualTo(checksum);
        final byte[] payload = new byte[MESSAGE.length];
        record.getPayload(payload);
        assertThat(payload).isEqualTo(MESSAGE);
        assertThat(record.sealVolatile(RECORD_BYTES))
            .isEqualTo(MailboxRecordFlyweight.sealOf(POSITION, MESSAGE.length, Layout.MAILBOX_TYPE_MESSAGE, checksum, SESSION));
        assertThat(record.session()).isEqualTo(SESSION);
        assertThat(buffer.getLong(AT - 8)).as("before the record").isZero();
        assertThat(buffer.getLong(AT + RECORD_BYTES)).as("after the record").isZero();
    }

    @Test
    void shouldReadBackEveryFieldOfAPaddingRecord()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        buffer.setMemory(0, 256, (byte)0x5A);

        record.wrap(buffer, AT).writePadding(POSITION, 48, SESSION);

        assertThat(record.length()).isEqualTo(48 - Layout.MAILBOX_MIN_RECORD_BYTES);
        assertThat(record.type()).isEqualTo(Layout.MAILBOX_TYPE_PADDING);
        assertThat(record.checksum()).isZero();
        assertThat(record.session()).isEqualTo(SESSION);
        for (int i = Layout.MAILBOX_PAYLOAD_OFFSET; i < 48 - Layout.WORD_BYTES; i++)
        {
            assertThat(buffer.getByte(AT + i)).as("byte %d", i).isZero();
        }
        assertThat(record.sealVolatile(48)).isEqualTo(MailboxRecordFlyweight.sealOf(POSITION, 48 - 24,
            Layout.MAILBOX_TYPE_PADDING, 0, SESSION));
        assertThat(Layout.mailboxRecordBytes(record.length())).as("a reader skips exactly the padding").isEqualTo(48);
        assertThat(buffer.getByte(AT + 48)).isEqualTo((byte)0x5A);
    }

    @Test
    void shouldWriteTheSealLastAndOnlyOnce()
    {
        final StoreOrderBuffer messageBuffer = new StoreOrderBuffer(256);
        final StoreOrderBuffer paddingBuffer = new StoreOrderBuffer(256);

        record.wrap(messageBuffer, AT).writeMessage(POSITION, MESSAGE, 7, SESSION);
        record.wrap(paddingBuffer, AT).writePadding(POSITION, 32, SESSION);

        assertThat(messageBuffer.lastStore()).isEqualTo(new StoreOrderBuffer.Store(AT + RECORD_BYTES - 8, 8));
        assertThat(messageBuffer.storesTouching(AT + RECORD_BYTES - 8, 8)).isEqualTo(1);
        assertThat(paddingBuffer.lastStore()).isEqualTo(new StoreOrderBuffer.Store(AT + 32 - 8, 8));
        assertThat(paddingBuffer.storesTouching(AT + 32 - 8, 8)).isEqualTo(1);
    }

    @Test
    void shouldNotValidateAHalfWrittenOrEarlierLapRecord()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int checksum = MailboxRecordFlyweight.checksumOf(crc, MESSAGE, MESSAGE.length);
        record.wrap(buffer, AT).writeMessage(POSITION, MESSAGE, checksum, SESSION);

        assertThat(record.sealVolatile(RECORD_BYTES)).as("the same bytes one lap later")
            .isNotEqualTo(MailboxRecordFlyweight.sealOf(POSITION + 4096, record.length(), record.type(), checksum, SESSION));
        assertThat(record.sealVolatile(RECORD_BYTES)).as("the same bytes in another session of the ring")
            .isNotEqualTo(MailboxRecordFlyweight.sealOf(POSITION, record.length(), record.type(), checksum, SESSION + 1));

        buffer.putInt(AT + Layout.MAILBOX_LENGTH_OFFSET, 3); // a shorter record half written over it
        final int shorterBytes = Layout.mailboxRecordBytes(3);
        assertThat(record.sealVolatile(shorterBytes))
            .isNotEqualTo(MailboxRecordFlyweight.sealOf(POSITION, 3, record.type(), record.checksum(), SESSION));
    }

    @Test
    void shouldKeepTheWireLayoutByteForByte()
    {
        final UnsafeBuffer viaFlyweight = new UnsafeBuffer(new byte[RECORD_BYTES]);
        final UnsafeBuffer byHand = new UnsafeBuffer(new byte[RECORD_BYTES]);
        viaFlyweight.setMemory(0, RECORD_BYTES, (byte)0x5A);
        final int checksum = MailboxRecordFlyweight.checksumOf(crc, MESSAGE, MESSAGE.length);
        record.wrap(viaFlyweight, 0).writeMessage(POSITION, MESSAGE, checksum, SESSION);

        final CRC32C reference = new CRC32C();
        reference.update(MESSAGE);
        byHand.putInt(0, MESSAGE.length);
        byHand.putInt(4, 1);
        byHand.putInt(8, (int)reference.getValue());
        byHand.putInt(12, SESSION);
        byHand.putBytes(16, MESSAGE);
        byHand.putLong(32, Layout.seal(POSITION, MESSAGE.length, (1L << 32) | (reference.getValue() & 0xFFFFFFFFL),
            0x6D61696CL ^ ((long)SESSION << 32)));

        assertThat(checksum).isEqualTo((int)reference.getValue());
        assertThat(viaFlyweight.byteArray()).isEqualTo(byHand.byteArray());
        assertThat(Layout.MAILBOX_PAYLOAD_OFFSET).isEqualTo(Layout.MAILBOX_HEADER_BYTES);
        assertThat(Layout.MAILBOX_MIN_RECORD_BYTES).isEqualTo(Layout.mailboxRecordBytes(0));
    }
}
