package io.ramcast.multicast;

import java.util.zip.CRC32C;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Typed view of one mailbox record in a byte ring: the fields of the "Mailbox record" diagram in
 * {@link Layout}, at its {@code MAILBOX_*_OFFSET} constants. A record's length follows from its
 * payload length ({@link Layout#mailboxRecordBytes}); its seal sits in its last word and mixes in
 * the record's ring position, so a record left over from an earlier lap never validates.
 *
 * <p>Writing: {@link #writeMessage} or {@link #writePadding}, which store the seal last;
 * {@code Outbox.write} stores the last word (the seal) after the rest. Reading: {@link #length()}
 * once and bounded, then {@link #sealVolatile(int)} (acquire), then the other fields, and accept the
 * record only if its length reads the same and the seal equals {@link #sealOf} of those values.
 *
 * <p>Not thread-safe: one instance per reader or writer, re-wrapped per record (no allocation).
 */
final class MailboxRecordFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** Points this view at the record starting at byte {@code offset} of {@code buffer}; returns this. */
    MailboxRecordFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** @return the payload length in bytes as written; unchecked. */
    int length()
    {
        return buffer.getInt(offset + Layout.MAILBOX_LENGTH_OFFSET);
    }

    /** @return {@link Layout#MAILBOX_TYPE_MESSAGE} or {@link Layout#MAILBOX_TYPE_PADDING} as written; unchecked. */
    int type()
    {
        return buffer.getInt(offset + Layout.MAILBOX_TYPE_OFFSET);
    }

    /** @return the CRC32C of the payload (0 in a padding record). */
    int checksum()
    {
        return buffer.getInt(offset + Layout.MAILBOX_CHECKSUM_OFFSET);
    }

    /** @return the session of the writer's ring this record belongs to, as written; unchecked. */
    int session()
    {
        return buffer.getInt(offset + Layout.MAILBOX_SESSION_OFFSET);
    }

    /** Copies the payload into {@code message}, whose length must be {@link #length()}. */
    void getPayload(final byte[] message)
    {
        buffer.getBytes(offset + Layout.MAILBOX_PAYLOAD_OFFSET, message);
    }

    /** @return the seal word of a record of {@code recordBytes}, read with acquire semantics. */
    long sealVolatile(final int recordBytes)
    {
        return buffer.getLongVolatile(offset + recordBytes - Layout.WORD_BYTES);
    }

    /**
     * Writes a MESSAGE record for ring position {@code position}: header, payload padded with zeros
     * to 8 bytes, and the seal last.
     *
     * @param checksum {@link #checksumOf} the message.
     * @return the record's length in bytes.
     */
    int writeMessage(final long position, final byte[] message, final int checksum, final int session)
    {
        final int recordBytes = Layout.mailboxRecordBytes(message.length);
        buffer.putInt(offset + Layout.MAILBOX_LENGTH_OFFSET, message.length);
        buffer.putInt(offset + Layout.MAILBOX_TYPE_OFFSET, Layout.MAILBOX_TYPE_MESSAGE);
        buffer.putInt(offset + Layout.MAILBOX_CHECKSUM_OFFSET, checksum);
        buffer.putInt(offset + Layout.MAILBOX_SESSION_OFFSET, session);
        buffer.putBytes(offset + Layout.MAILBOX_PAYLOAD_OFFSET, message);
        buffer.setMemory(offset + Layout.MAILBOX_PAYLOAD_OFFSET + message.length,
            recordBytes - Layout.WORD_BYTES - Layout.MAILBOX_PAYLOAD_OFFSET - message.length, (byte)0);
        buffer.putLong(offset + recordBytes - Layout.WORD_BYTES,
            sealOf(position, message.length, Layout.MAILBOX_TYPE_MESSAGE, checksum, session));
        return recordBytes;
    }

    /**
     * Writes a PADDING record of {@code paddingBytes} (at least {@link Layout#MAILBOX_MIN_RECORD_BYTES})
     * for ring position {@code position}: header, zeros, and the seal last.
     */
    void writePadding(final long position, final int paddingBytes, final int session)
    {
        final int length = paddingBytes - Layout.MAILBOX_MIN_RECORD_BYTES;
        buffer.putInt(offset + Layout.MAILBOX_LENGTH_OFFSET, length);
        buffer.putInt(offset + Layout.MAILBOX_TYPE_OFFSET, Layout.MAILBOX_TYPE_PADDING);
        buffer.setMemory(offset + Layout.MAILBOX_CHECKSUM_OFFSET,
            paddingBytes - Layout.WORD_BYTES - Layout.MAILBOX_CHECKSUM_OFFSET, (byte)0);
        buffer.putInt(offset + Layout.MAILBOX_SESSION_OFFSET, session);
        buffer.putLong(offset + paddingBytes - Layout.WORD_BYTES,
            sealOf(position, length, Layout.MAILBOX_TYPE_PADDING, 0, session));
    }

    /**
     * @return the seal of a record at ring position {@code position} with these fields, in the
     *         writer's ring session {@code session}; never 0.
     */
    static long sealOf(final long position, final int length, final int type, final int checksum, final int session)
    {
        return Layout.seal(position, length, ((long)type << 32) | (checksum & 0xFFFFFFFFL),
            0x6D61696CL ^ ((long)session << 32));
    }

    /** @return the seal of a consumed-up-to word {@code consumed} of the ring session {@code session}; never 0. */
    static long creditSealOf(final long consumed, final int session)
    {
        return Layout.seal(consumed, session, 0x63726564L, 0);
    }

    /** @return the CRC32C of the first {@code length} bytes of {@code message}, computed with {@code crc}. */
    static int checksumOf(final CRC32C crc, final byte[] message, final int length)
    {
        crc.reset();
        crc.update(message, 0, length);
        return (int)crc.getValue();
    }
}
