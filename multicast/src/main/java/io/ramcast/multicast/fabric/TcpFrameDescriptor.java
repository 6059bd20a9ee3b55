package io.ramcast.multicast.fabric;

import java.nio.ByteOrder;

/**
 * Layout of the frames the {@code tcp} fabric exchanges over one connection per process pair.
 *
 * <p>All integers are little-endian. Every frame length is a multiple of 8, so payloads stay word
 * aligned in the receive buffer. A frame starts with an 8-byte header:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              Frame Length (bytes, header included)            |  0
 *  +---------------+---------------+-------------------------------+
 *  |    Version    |     Type      |           Reserved            |  4
 *  +---------------+---------------+-------------------------------+
 *  |                           Body ...                           ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>HELLO ({@link #TYPE_HELLO}), the first frame in each direction: the sender's process id and its
 * registered regions. Length {@code 16 + 8 * Region Count}.
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                          Process Id                           |  8
 *  +---------------------------------------------------------------+
 *  |                         Region Count                          | 12
 *  +---------------------------------------------------------------+
 *  |                 Region Id            (Region Count times)     | 16 + 8i
 *  +---------------------------------------------------------------+
 *  |                 Region Size (bytes)  (Region Count times)     | 20 + 8i
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>AUTH ({@link #TYPE_AUTH}) and PROOF ({@link #TYPE_PROOF}) come before HELLO when the fabric
 * authenticates ({@link FabricCredentials}): the connecting side sends AUTH; the accepting side
 * answers AUTH and PROOF (its proof over the connecting side's nonce); the connecting side checks
 * it and sends PROOF, then HELLO; the accepting side checks that PROOF before it takes the HELLO
 * and answers with its own. AUTH has length 56, PROOF 40:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                          Process Id                           |  8   AUTH
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             | 12
 *  +---------------------------------------------------------------+
 *  |                  Incarnation (8 bytes)                        | 16
 *  +---------------------------------------------------------------+
 *  |                  Nonce (32 bytes)                            ... 24
 *  +---------------------------------------------------------------+
 *
 *  +---------------------------------------------------------------+
 *  |                  HMAC-SHA-256 proof (32 bytes)               ...  8   PROOF
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>WRITE ({@link #TYPE_WRITE}), writer to owner: bytes to store into a region of the receiver.
 * The payload length is {@code Frame Length - 16}, a positive multiple of 8.
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                          Region Id                            |  8
 *  +---------------------------------------------------------------+
 *  |                     Offset in region (bytes)                  | 12
 *  +---------------------------------------------------------------+
 *  |                          Payload ...                         ... 16
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>REJECT ({@link #TYPE_REJECT}), owner to writer: a WRITE into the region was refused for lack
 * of permission; the owner drops every later WRITE from this connection into that region until it
 * receives RESET. RESET ({@link #TYPE_RESET}), writer to owner: accept writes into the region again
 * (subject to permission). Both have length 16:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                          Region Id                            |  8
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             | 12
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>REFUSE ({@link #TYPE_REFUSE}), accepting side to connecting side, instead of its HELLO: the
 * connection is refused for a reason the connecting process should act on (sent after both sides
 * proved themselves, then the connection is closed once it is flushed). Codes:
 * {@link #REFUSE_CLIENT_ID_IN_USE}, another live process holds the client id;
 * {@link #REFUSE_CLIENT_ID_NOT_SERVED}, the accepting side does not serve the client id. Length
 * {@code 16 + message length} rounded up to 8, the message at most {@link #MAX_REFUSE_MESSAGE_BYTES}:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                          Code                                 |  8
 *  +---------------------------------------------------------------+
 *  |                     Message length (bytes)                    | 12
 *  +---------------------------------------------------------------+
 *  |                     Message (UTF-8) ...                      ... 16
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class TcpFrameDescriptor
{
    /** Byte order of every integer field. */
    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Wire version this code speaks; a frame with any other version is malformed. */
    static final byte VERSION = 1;

    /** Frame type: identity and region table. */
    static final byte TYPE_HELLO = 1;
    /** Frame type: one-sided write. */
    static final byte TYPE_WRITE = 2;
    /** Frame type: a write was refused. */
    static final byte TYPE_REJECT = 3;
    /** Frame type: accept writes into a region again. */
    static final byte TYPE_RESET = 4;
    /** Frame type: identity, incarnation and nonce of an authenticating process. */
    static final byte TYPE_AUTH = 5;
    /** Frame type: proof of holding the secret, over the other side's nonce. */
    static final byte TYPE_PROOF = 6;
    /** Frame type: the connection is refused, with a code and a message. */
    static final byte TYPE_REFUSE = 7;

    /** Offset of the frame length field. */
    static final int LENGTH_OFFSET = 0;
    /** Offset of the version field. */
    static final int VERSION_OFFSET = 4;
    /** Offset of the type field. */
    static final int TYPE_OFFSET = 5;
    /** Offset of the reserved header field. */
    static final int HEADER_RESERVED_OFFSET = 6;
    /** Length of the header. */
    static final int HEADER_LENGTH = 8;

    /** HELLO: offset of the sender's process id. */
    static final int HELLO_PROCESS_ID_OFFSET = 8;
    /** HELLO: offset of the region count. */
    static final int HELLO_REGION_COUNT_OFFSET = 12;
    /** HELLO: offset of the first region table entry. */
    static final int HELLO_TABLE_OFFSET = 16;
    /** HELLO: offset of the region id within a table entry. */
    static final int HELLO_ENTRY_REGION_ID_OFFSET = 0;
    /** HELLO: offset of the region size within a table entry. */
    static final int HELLO_ENTRY_SIZE_OFFSET = 4;
    /** HELLO: length of one region table entry. */
    static final int HELLO_ENTRY_LENGTH = 8;

    /** AUTH: offset of the sender's process id. */
    static final int AUTH_PROCESS_ID_OFFSET = 8;
    /** AUTH: offset of the sender's incarnation. */
    static final int AUTH_INCARNATION_OFFSET = 16;
    /** AUTH: offset of the sender's nonce. */
    static final int AUTH_NONCE_OFFSET = 24;
    /** AUTH: frame length. */
    static final int AUTH_FRAME_LENGTH = AUTH_NONCE_OFFSET + FabricCredentials.NONCE_BYTES;
    /** PROOF: offset of the proof. */
    static final int PROOF_OFFSET = 8;
    /** PROOF: frame length. */
    static final int PROOF_FRAME_LENGTH = PROOF_OFFSET + FabricCredentials.PROOF_BYTES;
    /** REFUSE: offset of the code. */
    static final int REFUSE_CODE_OFFSET = 8;
    /** REFUSE: offset of the message length. */
    static final int REFUSE_MESSAGE_LENGTH_OFFSET = 12;
    /** REFUSE: offset of the message. */
    static final int REFUSE_MESSAGE_OFFSET = 16;
    /** REFUSE: longest message. */
    static final int MAX_REFUSE_MESSAGE_BYTES = 512;
    /** REFUSE code: the connecting side's client id is held by another live process. */
    static final int REFUSE_CLIENT_ID_IN_USE = 1;
    /** REFUSE code: the accepting side does not serve the connecting side's client id. */
    static final int REFUSE_CLIENT_ID_NOT_SERVED = 2;

    /** WRITE: offset of the target region id. */
    static final int WRITE_REGION_ID_OFFSET = 8;
    /** WRITE: offset of the byte offset in the region. */
    static final int WRITE_REGION_OFFSET_OFFSET = 12;
    /** WRITE: offset of the payload, also the length of a WRITE without payload. */
    static final int WRITE_PAYLOAD_OFFSET = 16;

    /** REJECT and RESET: offset of the region id. */
    static final int CONTROL_REGION_ID_OFFSET = 8;
    /** REJECT and RESET: offset of the reserved field. */
    static final int CONTROL_RESERVED_OFFSET = 12;
    /** REJECT and RESET: frame length. */
    static final int CONTROL_FRAME_LENGTH = 16;

    private TcpFrameDescriptor()
    {
    }

    /**
     * @param regionCount number of registered regions.
     * @return the length of a HELLO frame announcing them.
     */
    static long helloLength(final int regionCount)
    {
        return HELLO_TABLE_OFFSET + (long)regionCount * HELLO_ENTRY_LENGTH;
    }

    /**
     * @param type a frame type.
     * @return its name for messages.
     */
    static String typeName(final int type)
    {
        switch (type)
        {
            case TYPE_HELLO:
                return "HELLO";
            case TYPE_WRITE:
                return "WRITE";
            case TYPE_REJECT:
                return "REJECT";
            case TYPE_RESET:
                return "RESET";
            case TYPE_AUTH:
                return "AUTH";
            case TYPE_PROOF:
                return "PROOF";
            default:
                return "UNKNOWN(" + type + ")";
        }
    }
}
