package io.ramcast.multicast.fabric.rdma;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.ramcast.multicast.fabric.FabricCredentials;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes and decodes the handshake the two ends of an {@code rdma} connection exchange as
 * two-sided SENDs right after the connection is established: the writer introduces itself, the
 * owner answers with its region table (addresses, sizes and the <b>rkeys</b> of the registrations
 * it made for this writer, ramcast-protocol.md §F.5 item 28) and the location of its key table.
 *
 * <p>Why SENDs and not the connection manager's private data: DiSNI 2.1 passes private data out
 * with {@code connect}/{@code accept} but its {@code RdmaCmEvent} does not hand the peer's private
 * data back to Java, and private data is limited to 56 bytes on a connect request anyway.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                      magic 0x52434844 "RCHD"                  |  0
 * +-------------------------------+---------------+---------------+
 * |          version (1)          |     type      |     lane      |  4
 * +-------------------------------+---------------+---------------+
 * |                         process id                            |  8
 * +-------------------------------+-------------------------------+
 * |         region count          |           reserved 0          | 12
 * +-------------------------------+-------------------------------+
 * |                     incarnation, long                         | 16
 * +---------------------------------------------------------------+
 * |                 key table address, long                       | 24
 * +---------------------------------------------------------------+
 * |                 key table rkey                                | 32
 * +---------------------------------------------------------------+
 * |                 key table entries                             | 36
 * +---------------------------------------------------------------+
 * |                 nonce, 32 bytes                               | 40
 * +---------------------------------------------------------------+
 * |                 proof, 32 bytes                               | 72
 * +---------------------------------------------------------------+
 * |  region count x { region id int, size int, address long,      | 104
 * |                   key word long (RegionKey) }  = 24 bytes each |
 * +---------------------------------------------------------------+
 * </pre>
 * With credentials ({@link RdmaFabricOptions#credentials()}) the exchange has four messages: the
 * connecting side sends AUTH (its id, incarnation, lane and nonce); the accepting side answers with
 * a CHALLENGE (its nonce and its proof over the connector's nonce, {@code FabricCredentials}); the
 * connector checks it and only then sends its hello, which carries its proof over the acceptor's
 * nonce; the acceptor checks that before it takes the hello and answers with its own. So neither
 * side's hello (an owner's carries its region table, whose keys are capabilities) reaches a
 * process that has not proved itself. Without credentials the two hellos are the whole exchange
 * and nonce and proof are zero.
 * Native byte order (little-endian on the x86-64 and AArch64 hosts this runs on). A writer hello has no
 * regions and a zero key table. The decoder checks the received length against the region count
 * before reading the table, and every field against its rule.
 * <p>The accepting side may answer a hello with a REFUSE instead of its own hello, then close the
 * connection once it was sent: the header with no region, the code at offset 32 (where an owner's
 * key-table rkey sits), the reason's length at 36, and the reason in UTF-8 after the header, at
 * most {@link #MAX_REFUSE_MESSAGE_BYTES} bytes ({@link #encodeRefusal}, {@link #decodeRefusal}).
 * Codes: {@link #REFUSE_CLIENT_ID_IN_USE}, another live process holds the hello's client id (a
 * client leasing its id takes another); {@link #REFUSE_CLIENT_ID_NOT_SERVED}, the accepting process
 * does not serve that client id.
 *
 * <p>Stateless; thread-safe.
 */
final class HandshakeCodec
{
    /** "RCHD". */
    static final int MAGIC = 0x52434844;
    /** The only version this code speaks (2: nonce and proof, four messages when authenticated). */
    static final int VERSION = 2;
    /** Sent by the process that will write over the connection. */
    static final int TYPE_WRITER_HELLO = 1;
    /** Sent by the process whose regions the connection writes, in answer to the writer hello. */
    static final int TYPE_OWNER_HELLO = 2;
    /** Authenticating: the connecting side's first message, its nonce. */
    static final int TYPE_AUTH = 3;
    /** Authenticating: the accepting side's answer to AUTH, its nonce and its proof. */
    static final int TYPE_CHALLENGE = 4;
    /** Accepting side, instead of its hello: it refuses the connection, with a code and a reason. */
    static final int TYPE_REFUSE = 5;
    /** REFUSE code: another live process holds the hello's client id. */
    static final int REFUSE_CLIENT_ID_IN_USE = 1;
    /** REFUSE code: the accepting process does not serve the hello's client id. */
    static final int REFUSE_CLIENT_ID_NOT_SERVED = 2;
    /** REFUSE: longest reason. */
    static final int MAX_REFUSE_MESSAGE_BYTES = 512;
    /** REFUSE: offset of the code. */
    static final int REFUSE_CODE_OFFSET = 32;
    /** REFUSE: offset of the reason's length. */
    static final int REFUSE_MESSAGE_LENGTH_OFFSET = 36;
    /** Length of the nonce and of the proof fields: those of {@link FabricCredentials}. */
    static final int NONCE_BYTES = FabricCredentials.NONCE_BYTES;
    /** Most regions one process may register (and key-table entries). */
    static final int MAX_REGIONS = 256;
    /** Bytes before the region table. */
    static final int HEADER_BYTES = 104;
    /** Bytes per region entry. */
    static final int ENTRY_BYTES = 24;
    /** Longest message. */
    static final int MAX_MESSAGE_BYTES = HEADER_BYTES + MAX_REGIONS * ENTRY_BYTES;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int TYPE_OFFSET = 6;
    static final int LANE_OFFSET = 7;
    static final int PROCESS_ID_OFFSET = 8;
    static final int REGION_COUNT_OFFSET = 12;
    static final int INCARNATION_OFFSET = 16;
    static final int KEY_TABLE_ADDRESS_OFFSET = 24;
    static final int KEY_TABLE_RKEY_OFFSET = 32;
    static final int KEY_TABLE_ENTRIES_OFFSET = 36;
    static final int NONCE_OFFSET = 40;
    static final int PROOF_OFFSET = 72;
    static final int ENTRY_REGION_ID_OFFSET = 0;
    static final int ENTRY_SIZE_OFFSET = 4;
    static final int ENTRY_ADDRESS_OFFSET = 8;
    static final int ENTRY_KEY_OFFSET = 16;

    private HandshakeCodec()
    {
    }

    /**
     * @param regionCount regions in the table.
     * @return the encoded length.
     */
    static int length(final int regionCount)
    {
        return HEADER_BYTES + regionCount * ENTRY_BYTES;
    }

    /**
     * Encodes a message.
     *
     * @param message the message.
     * @param buffer  destination.
     * @param offset  where to start.
     * @return bytes written.
     * @throws IllegalArgumentException if the message breaks a rule the decoder checks, or does not fit.
     */
    static int encode(final Handshake message, final MutableDirectBuffer buffer, final int offset)
    {
        final int count = message.regions().size();
        if (count > MAX_REGIONS)
        {
            throw new IllegalArgumentException("region count " + count + " exceeds " + MAX_REGIONS);
        }
        if (message.type() < TYPE_WRITER_HELLO || message.type() > TYPE_CHALLENGE)
        {
            throw new IllegalArgumentException("type=" + message.type());
        }
        if (message.nonce().length != NONCE_BYTES || message.proof().length != NONCE_BYTES)
        {
            throw new IllegalArgumentException("nonce and proof must have " + NONCE_BYTES + " bytes");
        }
        if (message.lane() < 0 || message.lane() > 0xFF)
        {
            throw new IllegalArgumentException("lane=" + message.lane() + " must fit a byte");
        }
        final int length = length(count);
        if (offset < 0 || (long)offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException("handshake of " + length + " bytes does not fit at " + offset +
                " in a buffer of " + buffer.capacity());
        }
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC);
        buffer.putShort(offset + VERSION_OFFSET, (short)VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte)message.type());
        buffer.putByte(offset + LANE_OFFSET, (byte)message.lane());
        buffer.putInt(offset + PROCESS_ID_OFFSET, message.processId());
        buffer.putShort(offset + REGION_COUNT_OFFSET, (short)count);
        buffer.putShort(offset + REGION_COUNT_OFFSET + 2, (short)0);
        buffer.putLong(offset + INCARNATION_OFFSET, message.incarnation());
        buffer.putLong(offset + KEY_TABLE_ADDRESS_OFFSET, message.keyTableAddress());
        buffer.putInt(offset + KEY_TABLE_RKEY_OFFSET, message.keyTableRkey());
        buffer.putInt(offset + KEY_TABLE_ENTRIES_OFFSET, message.keyTableEntries());
        buffer.putBytes(offset + NONCE_OFFSET, message.nonce());
        buffer.putBytes(offset + PROOF_OFFSET, message.proof());
        for (int i = 0; i < count; i++)
        {
            final Handshake.Region region = message.regions().get(i);
            final int entry = offset + HEADER_BYTES + i * ENTRY_BYTES;
            buffer.putInt(entry + ENTRY_REGION_ID_OFFSET, region.regionId());
            buffer.putInt(entry + ENTRY_SIZE_OFFSET, region.sizeBytes());
            buffer.putLong(entry + ENTRY_ADDRESS_OFFSET, region.address());
            buffer.putLong(entry + ENTRY_KEY_OFFSET, region.keyWord());
        }
        return length;
    }

    /**
     * Decodes a received message, checking every length before use.
     *
     * @param buffer the received bytes.
     * @param offset where they start.
     * @param length how many were received (from the completion).
     * @return the message.
     * @throws HandshakeException naming the first field that is wrong.
     */
    static Handshake decode(final DirectBuffer buffer, final int offset, final int length) throws HandshakeException
    {
        if (length < HEADER_BYTES)
        {
            throw new HandshakeException("handshake of " + length + " bytes is shorter than its " + HEADER_BYTES +
                "-byte header");
        }
        if (offset < 0 || (long)offset + length > buffer.capacity())
        {
            throw new HandshakeException("handshake length " + length + " exceeds the receive buffer");
        }
        final int magic = buffer.getInt(offset + MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw new HandshakeException(String.format("magic 0x%08x is not 0x%08x: not a RamCast rdma handshake",
                magic, MAGIC));
        }
        final int version = buffer.getShort(offset + VERSION_OFFSET) & 0xFFFF;
        if (version != VERSION)
        {
            throw new HandshakeException("version " + version + " is not the supported version " + VERSION);
        }
        final int type = buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
        if (type < TYPE_WRITER_HELLO || type > TYPE_CHALLENGE)
        {
            throw new HandshakeException("type " + type + " is none of writer hello (1), owner hello (2), auth (3), " +
                "challenge (4)" + (TYPE_REFUSE == type ? " (a refusal: decodeRefusal reads it)" : ""));
        }
        final int lane = buffer.getByte(offset + LANE_OFFSET) & 0xFF;
        final int processId = buffer.getInt(offset + PROCESS_ID_OFFSET);
        if (processId < 0)
        {
            throw new HandshakeException("process id " + processId + " is negative");
        }
        final int count = buffer.getShort(offset + REGION_COUNT_OFFSET) & 0xFFFF;
        if (count > MAX_REGIONS)
        {
            throw new HandshakeException("region count " + count + " exceeds " + MAX_REGIONS);
        }
        if (length != length(count))
        {
            throw new HandshakeException("length " + length + " does not match region count " + count +
                " (expected " + length(count) + ")");
        }
        final long incarnation = buffer.getLong(offset + INCARNATION_OFFSET);
        final long keyTableAddress = buffer.getLong(offset + KEY_TABLE_ADDRESS_OFFSET);
        final int keyTableRkey = buffer.getInt(offset + KEY_TABLE_RKEY_OFFSET);
        final int keyTableEntries = buffer.getInt(offset + KEY_TABLE_ENTRIES_OFFSET);
        if (type != TYPE_OWNER_HELLO && (count != 0 || keyTableEntries != 0))
        {
            throw new HandshakeException("message type " + type + " carries " + count + " regions and " +
                keyTableEntries + " key-table entries; only an owner hello carries any");
        }
        if (type == TYPE_OWNER_HELLO && (keyTableEntries < 1 || keyTableEntries > MAX_REGIONS || 0 == keyTableAddress))
        {
            throw new HandshakeException("owner hello key table of " + keyTableEntries + " entries at address " +
                keyTableAddress + "; it needs 1 to " + MAX_REGIONS + " entries at a non-zero address");
        }
        final List<Handshake.Region> regions = new ArrayList<>(count);
        final Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < count; i++)
        {
            final int entry = offset + HEADER_BYTES + i * ENTRY_BYTES;
            final int regionId = buffer.getInt(entry + ENTRY_REGION_ID_OFFSET);
            final int sizeBytes = buffer.getInt(entry + ENTRY_SIZE_OFFSET);
            final long address = buffer.getLong(entry + ENTRY_ADDRESS_OFFSET);
            final long keyWord = buffer.getLong(entry + ENTRY_KEY_OFFSET);
            if (regionId < 0 || !seen.add(regionId))
            {
                throw new HandshakeException("region entry " + i + ": id " + regionId + " is negative or repeated");
            }
            if (sizeBytes <= 0 || (sizeBytes & 7) != 0)
            {
                throw new HandshakeException("region " + regionId + ": size " + sizeBytes +
                    " is not a positive multiple of 8");
            }
            if (0 == RegionKey.generation(keyWord))
            {
                throw new HandshakeException("region " + regionId + ": key word has generation 0");
            }
            regions.add(new Handshake.Region(regionId, sizeBytes, address, keyWord));
        }
        final byte[] nonce = new byte[NONCE_BYTES];
        final byte[] proof = new byte[NONCE_BYTES];
        buffer.getBytes(offset + NONCE_OFFSET, nonce);
        buffer.getBytes(offset + PROOF_OFFSET, proof);
        return new Handshake(type, lane, processId, incarnation, keyTableAddress, keyTableRkey, keyTableEntries,
            List.copyOf(regions), nonce, proof);
    }

    /**
     * The accepting side's refusal of a connection.
     *
     * @param processId   the refusing process.
     * @param lane        the lane of the refused connection.
     * @param incarnation the refusing process's incarnation.
     * @param code        why ({@code REFUSE_*}).
     * @param message     the reason, for the refused process's log.
     */
    record Refusal(int processId, int lane, long incarnation, int code, String message)
    {
    }

    /**
     * Encodes a refusal; a longer reason is cut to {@link #MAX_REFUSE_MESSAGE_BYTES} bytes.
     *
     * @param refusal the refusal.
     * @param buffer  destination.
     * @param offset  where to start.
     * @return bytes written.
     * @throws IllegalArgumentException if it does not fit or its lane does not fit a byte.
     */
    static int encodeRefusal(final Refusal refusal, final MutableDirectBuffer buffer, final int offset)
    {
        byte[] text = refusal.message().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (text.length > MAX_REFUSE_MESSAGE_BYTES)
        {
            text = java.util.Arrays.copyOf(text, MAX_REFUSE_MESSAGE_BYTES);
        }
        if (refusal.lane() < 0 || refusal.lane() > 0xFF)
        {
            throw new IllegalArgumentException("lane=" + refusal.lane() + " must fit a byte");
        }
        final int length = HEADER_BYTES + text.length;
        if (offset < 0 || (long)offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException("refusal of " + length + " bytes does not fit at " + offset +
                " in a buffer of " + buffer.capacity());
        }
        buffer.setMemory(offset, HEADER_BYTES, (byte)0);
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC);
        buffer.putShort(offset + VERSION_OFFSET, (short)VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte)TYPE_REFUSE);
        buffer.putByte(offset + LANE_OFFSET, (byte)refusal.lane());
        buffer.putInt(offset + PROCESS_ID_OFFSET, refusal.processId());
        buffer.putLong(offset + INCARNATION_OFFSET, refusal.incarnation());
        buffer.putInt(offset + REFUSE_CODE_OFFSET, refusal.code());
        buffer.putInt(offset + REFUSE_MESSAGE_LENGTH_OFFSET, text.length);
        buffer.putBytes(offset + HEADER_BYTES, text);
        return length;
    }

    /**
     * @param buffer the received bytes.
     * @param offset where they start.
     * @param length how many were received.
     * @return whether they are a refusal of this version (decode them with {@link #decodeRefusal}).
     */
    static boolean isRefusal(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= HEADER_BYTES && (long)offset + length <= buffer.capacity() &&
            MAGIC == buffer.getInt(offset + MAGIC_OFFSET) &&
            VERSION == (buffer.getShort(offset + VERSION_OFFSET) & 0xFFFF) &&
            TYPE_REFUSE == (buffer.getByte(offset + TYPE_OFFSET) & 0xFF);
    }

    /**
     * Decodes a refusal, checking every length before use.
     *
     * @param buffer the received bytes.
     * @param offset where they start.
     * @param length how many were received.
     * @return the refusal.
     * @throws HandshakeException naming the first field that is wrong.
     */
    static Refusal decodeRefusal(final DirectBuffer buffer, final int offset, final int length)
        throws HandshakeException
    {
        if (!isRefusal(buffer, offset, length))
        {
            throw new HandshakeException("not a refusal of version " + VERSION + " (" + length + " bytes)");
        }
        final int processId = buffer.getInt(offset + PROCESS_ID_OFFSET);
        final int textLength = buffer.getInt(offset + REFUSE_MESSAGE_LENGTH_OFFSET);
        if (processId < 0 || textLength < 0 || textLength > MAX_REFUSE_MESSAGE_BYTES ||
            length != HEADER_BYTES + textLength)
        {
            throw new HandshakeException("refusal of " + length + " bytes from process " + processId +
                " announces a reason of " + textLength + " bytes");
        }
        final byte[] text = new byte[textLength];
        buffer.getBytes(offset + HEADER_BYTES, text);
        return new Refusal(processId, buffer.getByte(offset + LANE_OFFSET) & 0xFF,
            buffer.getLong(offset + INCARNATION_OFFSET), buffer.getInt(offset + REFUSE_CODE_OFFSET),
            new String(text, java.nio.charset.StandardCharsets.UTF_8));
    }
}
