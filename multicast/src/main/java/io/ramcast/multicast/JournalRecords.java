package io.ramcast.multicast;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The byte format of {@link AcceptorJournal} records, shared by every journal backend.
 *
 * <pre>
 * frame:  length int32 (whole frame) | type int8 | payload | crc32c int32 (over type and payload)
 * BODY       id i64, client i32, k i32, (group i32, ringSeq i64) x k, payloadLength i32 (-1: none), payload
 * PROPOSAL   id i64, group i32, proposalBallot i64, value i64, streamBallot i64, streamSeq i64
 * STREAM_POS ballot i64, seq i64, reissuedUpTo i64
 * FORGET     ballot i64
 * DELIVERED  id i64, finalValue i64, finalGroup i32
 * FORGOTTEN  id i64, finalValue i64, finalGroup i32
 * RING_OP    op i8, client i32, argument i64
 * RING_ROW   client i32, nextRingSeq, freedUpTo, takenUpTo, lastSequence i64, then three sets
 *            (freed ahead, taken ahead, skipped below), each count i32 and i64 x count
 * BEGIN      checkpoint start (first record of a segment that starts a checkpoint)
 * END        checkpoint complete
 * CONTINUE   first record of a segment that continues the previous one
 * </pre>
 *
 * A frame whose length is 0, runs past the end, or whose checksum does not match ends the
 * readable journal (a torn write at the moment of a crash). Little-endian throughout.
 *
 * <p>Threading: an {@link Encoder} belongs to one thread; {@link #read} is stateless.
 */
final class JournalRecords
{
    static final byte BODY = 1;
    static final byte PROPOSAL = 2;
    static final byte STREAM_POS = 3;
    static final byte FORGET = 4;
    static final byte DELIVERED = 5;
    static final byte RING_OP = 6;
    static final byte RING_ROW = 7;
    static final byte BEGIN = 8;
    static final byte END = 9;
    static final byte CONTINUE = 10;
    static final byte FORGOTTEN = 11;

    /** Frame bytes besides the payload: length, type, checksum. */
    static final int FRAME_OVERHEAD = 4 + 1 + 4;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private JournalRecords()
    {
    }

    /** Where an {@link Encoder} puts finished frames. */
    interface FrameSink
    {
        /** Appends the {@code length} bytes of a whole frame held in {@code frame} from offset 0. */
        void append(DirectBuffer frame, int length);
    }

    /** Encodes records into frames, one at a time, and hands each to a sink. */
    static final class Encoder implements AcceptorJournal.Records
    {
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        private final CRC32C crc = new CRC32C();
        private final FrameSink sink;
        private int position;
        private long records;

        Encoder(final FrameSink sink)
        {
            this.sink = sink;
        }

        /** @return frames written so far. */
        long records()
        {
            return records;
        }

        private void begin(final byte type)
        {
            buffer.putByte(4, type);
            position = 5;
        }

        private void putInt(final int v)
        {
            buffer.putInt(position, v, ORDER);
            position += 4;
        }

        private void putLong(final long v)
        {
            buffer.putLong(position, v, ORDER);
            position += 8;
        }

        private void putSet(final long[] values)
        {
            putInt(values.length);
            for (final long v : values)
            {
                putLong(v);
            }
        }

        private void finish()
        {
            final int length = position + 4;
            buffer.putInt(0, length, ORDER);
            crc.reset();
            crc.update(buffer.byteArray(), 4, position - 4);
            buffer.putInt(position, (int)crc.getValue(), ORDER);
            records++;
            sink.append(buffer, length);
        }

        void marker(final byte type)
        {
            begin(type);
            finish();
        }

        @Override
        public void body(
            final long messageId, final int clientOrdinal, final int[] destinations, final long[] ringSeqs,
            final byte[] payload)
        {
            begin(BODY);
            putLong(messageId);
            putInt(clientOrdinal);
            putInt(destinations.length);
            for (int d = 0; d < destinations.length; d++)
            {
                putInt(destinations[d]);
                putLong(ringSeqs[d]);
            }
            if (payload == null)
            {
                putInt(-1);
            }
            else
            {
                putInt(payload.length);
                buffer.putBytes(position, payload);
                position += payload.length;
            }
            finish();
        }

        @Override
        public void proposal(
            final long messageId, final int group, final long proposalBallot, final long value, final long streamBallot,
            final long streamSeq)
        {
            begin(PROPOSAL);
            putLong(messageId);
            putInt(group);
            putLong(proposalBallot);
            putLong(value);
            putLong(streamBallot);
            putLong(streamSeq);
            finish();
        }

        @Override
        public void streamPosition(final long ballot, final long seq, final long reissuedUpTo)
        {
            begin(STREAM_POS);
            putLong(ballot);
            putLong(seq);
            putLong(reissuedUpTo);
            finish();
        }

        @Override
        public void forget(final long ballot)
        {
            begin(FORGET);
            putLong(ballot);
            finish();
        }

        @Override
        public void delivered(final long messageId, final long finalValue, final int finalGroup)
        {
            begin(DELIVERED);
            putLong(messageId);
            putLong(finalValue);
            putInt(finalGroup);
            finish();
        }

        @Override
        public void forgotten(final long messageId, final long finalValue, final int finalGroup)
        {
            begin(FORGOTTEN);
            putLong(messageId);
            putLong(finalValue);
            putInt(finalGroup);
            finish();
        }

        @Override
        public void ringOp(final int op, final int clientOrdinal, final long argument)
        {
            begin(RING_OP);
            buffer.putByte(position++, (byte)op);
            putInt(clientOrdinal);
            putLong(argument);
            finish();
        }

        @Override
        public void ringRow(final int clientOrdinal, final ClientRings.RowState row)
        {
            begin(RING_ROW);
            putInt(clientOrdinal);
            putLong(row.nextRingSeq());
            putLong(row.freedUpTo());
            putLong(row.takenUpTo());
            putLong(row.lastSequence());
            putSet(row.freedAhead());
            putSet(row.takenAhead());
            putSet(row.skippedBelow());
            finish();
        }
    }

    /** What {@link #read} found: records (segment markers not counted), where the good frames end, the first frame's type, whether an END marker was read. */
    record ReadResult(long records, int end, byte firstType, boolean checkpointComplete)
    {
    }

    /**
     * Reads the frames of {@code buffer} from offset 0 up to {@code limit}, handing every record to
     * {@code into} (null: only scan) until the first frame that is not whole.
     *
     * @return the records read, the offset after the last good frame, the first frame's type (0
     *         if none) and whether an END marker was read.
     */
    static ReadResult read(final DirectBuffer buffer, final int limit, final AcceptorJournal.Records into)
    {
        final CRC32C crc = new CRC32C();
        byte[] scratch = new byte[256];
        int offset = 0;
        long records = 0;
        byte first = 0;
        boolean complete = false;
        while (offset + FRAME_OVERHEAD <= limit)
        {
            final int length = buffer.getInt(offset, ORDER);
            if (length < FRAME_OVERHEAD || length > limit - offset)
            {
                break;
            }
            if (scratch.length < length)
            {
                scratch = new byte[Math.max(length, 2 * scratch.length)];
            }
            buffer.getBytes(offset, scratch, 0, length);
            crc.reset();
            crc.update(scratch, 4, length - 8);
            if ((int)crc.getValue() != buffer.getInt(offset + length - 4, ORDER))
            {
                break;
            }
            final byte type = scratch[4];
            if (offset == 0)
            {
                first = type;
            }
            if (type == END)
            {
                complete = true;
            }
            if (type != BEGIN && type != END && type != CONTINUE)
            {
                records++;
                if (into != null)
                {
                    decode(new org.agrona.concurrent.UnsafeBuffer(scratch, 0, length), type, into);
                }
            }
            offset += length;
        }
        return new ReadResult(records, offset, first, complete);
    }

    private static void decode(final DirectBuffer b, final byte type, final AcceptorJournal.Records into)
    {
        int p = 5;
        switch (type)
        {
            case BODY ->
            {
                final long id = b.getLong(p, ORDER);
                final int client = b.getInt(p + 8, ORDER);
                final int k = b.getInt(p + 12, ORDER);
                p += 16;
                final int[] destinations = new int[k];
                final long[] ringSeqs = new long[k];
                for (int d = 0; d < k; d++)
                {
                    destinations[d] = b.getInt(p, ORDER);
                    ringSeqs[d] = b.getLong(p + 4, ORDER);
                    p += 12;
                }
                final int payloadLength = b.getInt(p, ORDER);
                byte[] payload = null;
                if (payloadLength >= 0)
                {
                    payload = new byte[payloadLength];
                    b.getBytes(p + 4, payload);
                }
                into.body(id, client, destinations, ringSeqs, payload);
            }
            case PROPOSAL -> into.proposal(b.getLong(p, ORDER), b.getInt(p + 8, ORDER), b.getLong(p + 12, ORDER),
                b.getLong(p + 20, ORDER), b.getLong(p + 28, ORDER), b.getLong(p + 36, ORDER));
            case STREAM_POS -> into.streamPosition(b.getLong(p, ORDER), b.getLong(p + 8, ORDER), b.getLong(p + 16, ORDER));
            case FORGET -> into.forget(b.getLong(p, ORDER));
            case DELIVERED -> into.delivered(b.getLong(p, ORDER), b.getLong(p + 8, ORDER), b.getInt(p + 16, ORDER));
            case FORGOTTEN -> into.forgotten(b.getLong(p, ORDER), b.getLong(p + 8, ORDER), b.getInt(p + 16, ORDER));
            case RING_OP -> into.ringOp(b.getByte(p), b.getInt(p + 1, ORDER), b.getLong(p + 5, ORDER));
            case RING_ROW ->
            {
                final int client = b.getInt(p, ORDER);
                final long next = b.getLong(p + 4, ORDER);
                final long freed = b.getLong(p + 12, ORDER);
                final long takenUpTo = b.getLong(p + 20, ORDER);
                final long lastSequence = b.getLong(p + 28, ORDER);
                p += 36;
                final long[][] sets = new long[3][];
                for (int s = 0; s < 3; s++)
                {
                    final int n = b.getInt(p, ORDER);
                    p += 4;
                    sets[s] = new long[n];
                    for (int i = 0; i < n; i++)
                    {
                        sets[s][i] = b.getLong(p, ORDER);
                        p += 8;
                    }
                }
                into.ringRow(client, new ClientRings.RowState(next, freed, takenUpTo, lastSequence, sets[0], sets[1], sets[2]));
            }
            default -> throw new IllegalStateException("journal record of unknown type " + type +
                " with a valid checksum: written by a newer version?");
        }
    }
}
