package io.ramcast.multicast.fabric.rdma;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The self-validating records {@link RdmaCheck} writes: one record is one RDMA WRITE, and the owner
 * accepts it only once its trailer word names the expected sequence and the CRC32C over the rest
 * of the record matches, since the bytes of one write may be placed in any order and only each
 * aligned 8-byte word is placed whole.
 *
 * <pre>
 *   A record of 8 bytes is its sequence word alone (placed whole, so it validates itself):
 *   0                                                               8
 *   +---------------------------------------------------------------+
 *   |                     sequence (int64, >= 1)                    |
 *   +---------------------------------------------------------------+
 *
 *   A record of L >= 16 bytes (L a multiple of 8):
 *   0                8                              L-8             L
 *   +----------------+------------------------------+---------------+
 *   | sequence       | payload: random bytes        | trailer word  |
 *   | (int64, >= 1)  | (L-16 bytes, none if L = 16) |               |
 *   +----------------+------------------------------+---------------+
 *   trailer word (int64): high 32 bits the low 32 bits of the sequence,
 *                         low 32 bits the CRC32C of bytes [0, L-8)
 * </pre>
 *
 * <p>Words are in the platform's byte order: writer and owner are the same process.
 *
 * <p>Not thread-safe: one instance per thread (it keeps a CRC and a scratch array).
 */
final class RdmaCheckRecord
{
    /** Offset of the sequence word. */
    static final int SEQUENCE_OFFSET = 0;
    /** Size of the sequence and trailer words. */
    static final int WORD_BYTES = 8;
    /** Smallest record: the sequence word alone. */
    static final int MIN_LENGTH = WORD_BYTES;

    /** What the owner finds where a record is expected. */
    enum Verdict
    {
        /** The trailer (or, for 8 bytes, the sequence word) does not name the record yet. */
        ABSENT,
        /** The trailer names the record but the bytes do not match its CRC yet (placement under way). */
        INCOMPLETE,
        /** The record validates and every byte is the one written. */
        VALID,
        /** The record validates but some byte differs from the one written. */
        WRONG
    }

    private final CRC32C crc = new CRC32C();
    private final byte[] scratch;

    /**
     * @param maxLength the longest record this instance handles, a multiple of 8.
     */
    RdmaCheckRecord(final int maxLength)
    {
        this.scratch = new byte[maxLength];
    }

    /**
     * Fills {@code record[0, length)} with a record: the sequence, payload bytes from {@code pool}
     * at a random 8-aligned position, and the trailer.
     *
     * @param record   where the record is built (the writer's copy, kept to check the landed bytes).
     * @param length   the record's length, a multiple of 8, at least {@link #MIN_LENGTH}.
     * @param sequence the record's sequence, at least 1, unique in the run.
     * @param pool     random bytes, at least {@code length} long.
     * @param random   chooses the payload's position in the pool.
     */
    void encode(final byte[] record, final int length, final long sequence, final byte[] pool,
        final SplittableRandom random)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(record);
        buffer.putLong(SEQUENCE_OFFSET, sequence);
        if (length == MIN_LENGTH)
        {
            return;
        }
        final int payloadLength = length - 2 * WORD_BYTES;
        if (payloadLength > 0)
        {
            final int from = random.nextInt((pool.length - payloadLength) / WORD_BYTES + 1) * WORD_BYTES;
            System.arraycopy(pool, from, record, WORD_BYTES, payloadLength);
        }
        buffer.putLong(length - WORD_BYTES, trailer(sequence, crcOf(record, length - WORD_BYTES)));
    }

    /**
     * Checks the record expected at {@code offset} of the owner's region.
     *
     * @param region   the owner's region.
     * @param offset   where the record goes.
     * @param length   its length.
     * @param sequence its sequence.
     * @param expected the writer's copy, {@code [0, length)}.
     * @return what is there.
     */
    Verdict check(final AtomicBuffer region, final int offset, final int length, final long sequence,
        final byte[] expected)
    {
        if (length == MIN_LENGTH)
        {
            return region.getLongVolatile(offset) == sequence ? Verdict.VALID : Verdict.ABSENT;
        }
        final long trailer = region.getLongVolatile(offset + length - WORD_BYTES);
        if ((int)(trailer >>> 32) != (int)sequence)
        {
            return Verdict.ABSENT;
        }
        region.getBytes(offset, scratch, 0, length);
        if ((int)trailer != crcOf(scratch, length - WORD_BYTES) ||
            new UnsafeBuffer(scratch).getLong(SEQUENCE_OFFSET) != sequence)
        {
            return Verdict.INCOMPLETE;
        }
        return Arrays.equals(scratch, 0, length, expected, 0, length) ? Verdict.VALID : Verdict.WRONG;
    }

    /**
     * @param region   the owner's region.
     * @param offset   where the record goes.
     * @param length   its length.
     * @param expected the writer's copy.
     * @return the first offset within the record whose landed byte differs from the written one,
     *         or -1 if none does.
     */
    int firstMismatch(final DirectBuffer region, final int offset, final int length, final byte[] expected)
    {
        region.getBytes(offset, scratch, 0, length);
        return Arrays.mismatch(scratch, 0, length, expected, 0, length);
    }

    private int crcOf(final byte[] bytes, final int length)
    {
        crc.reset();
        crc.update(bytes, 0, length);
        return (int)crc.getValue();
    }

    private static long trailer(final long sequence, final int crc32c)
    {
        return ((long)(int)sequence << 32) | (crc32c & 0xFFFF_FFFFL);
    }
}
