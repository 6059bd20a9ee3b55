package io.ramcast.storage.transfer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The snapshot transfer protocol: frames over one TCP connection, requests from the fetcher,
 * answers from the source, strictly one answer (or one answer stream) per request.
 *
 * <p>Every frame, big-endian:
 * <pre>
 *   0              4           5          6
 *   +--------------+-----------+----------+---------------------------+
 *   | length int32 | version u8| type u8  | body (length - 2 bytes)   |
 *   +--------------+-----------+----------+---------------------------+
 * </pre>
 * {@code length} counts version, type and body and is checked against
 * [{@link #MIN_FRAME_LENGTH}, {@link #MAX_FRAME_LENGTH}] before anything is allocated; a frame of
 * another {@link #VERSION} is refused.
 *
 * <p>Bodies:
 * <pre>
 *   GET_MANIFEST  snapshotId int64                 0 = create a new snapshot
 *   MANIFEST      manifest text, UTF-8             see SnapshotManifest
 *   GET_FILE      snapshotId int64, fileIndex int32, offset int64, length int64
 *   CHUNK         offset int64, crc32c int32, data (at most MAX_CHUNK_BYTES)
 *   FILE_END      endOffset int64                  offset after the last byte sent
 *   ERROR         code u8, message UTF-8
 *   PREPARING     (empty)                          the source is still making the snapshot
 *   CHALLENGE     nonce (32 bytes)                 the source's first frame
 *   AUTH          nonce (32 bytes), proof (32)     the fetcher's first frame
 *   AUTH_OK       proof (32 bytes)                 the source's answer to a valid AUTH
 * </pre>
 * Authentication comes first: the source sends CHALLENGE as it accepts; the fetcher answers AUTH,
 * its proof of holding the replica secret ({@link io.ramcast.multicast.fabric.FabricCredentials#serverProof})
 * over "fetcher", the source's nonce and its own; the source checks it within
 * {@link #AUTH_TIMEOUT_MS} and answers AUTH_OK, its own proof over "source" and both nonces the
 * other way round, or ERROR {@link #ERROR_AUTH} and closes. Nothing else is read or sent before.
 * So only a replica of the cluster (or an operator's tool holding the replica secret) gets data,
 * and a fetcher knows the data comes from one.
 * While the source makes a new snapshot (checkpoint, hashing every file: long for a large store)
 * it sends PREPARING about every {@link #PREPARING_INTERVAL_MS} ms before the MANIFEST, so the
 * fetcher can tell a busy source from a dead one with an ordinary read timeout.
 * {@code GET_FILE} is answered by CHUNKs covering [offset, min(offset + length, size)) in order,
 * then FILE_END; or by one ERROR. An ERROR with code {@link #ERROR_BUSY} may also come unasked,
 * as the first frame of a connection the source refuses.
 *
 * <p>Flow control is TCP's: the source writes a chunk only when the socket takes it, so a slow
 * fetcher slows the source; both sides buffer at most a few chunks.
 */
final class TransferProtocol
{
    static final byte VERSION = 1;

    static final byte GET_MANIFEST = 1;
    static final byte MANIFEST = 2;
    static final byte GET_FILE = 3;
    static final byte CHUNK = 4;
    static final byte FILE_END = 5;
    static final byte ERROR = 6;
    static final byte PREPARING = 7;
    static final byte CHALLENGE = 8;
    static final byte AUTH = 9;
    static final byte AUTH_OK = 10;

    /** The snapshot id is not (or no longer) held by the source: expired, evicted or restarted. */
    static final byte ERROR_UNKNOWN_SNAPSHOT = 1;
    /** The request is malformed or out of range (file index, offset, length). */
    static final byte ERROR_BAD_REQUEST = 2;
    /** The source serves its maximum of transfers or snapshots; try again later. */
    static final byte ERROR_BUSY = 3;
    /** The source failed to serve (checkpoint or file I/O failed). */
    static final byte ERROR_SOURCE_FAILED = 4;
    /** The fetcher did not prove it holds the replica secret. */
    static final byte ERROR_AUTH = 5;

    /** How long the source waits for the fetcher's AUTH. */
    static final int AUTH_TIMEOUT_MS = 5_000;
    /** Length of a nonce in CHALLENGE and AUTH. */
    static final int NONCE_BYTES = io.ramcast.multicast.fabric.FabricCredentials.NONCE_BYTES;
    /** Length of a proof in AUTH and AUTH_OK. */
    static final int PROOF_BYTES = io.ramcast.multicast.fabric.FabricCredentials.PROOF_BYTES;

    /** How often a source making a snapshot tells the waiting fetcher so. */
    static final long PREPARING_INTERVAL_MS = 2_000;
    /** Largest data payload of one CHUNK. */
    static final int MAX_CHUNK_BYTES = 1 << 20;
    /** Header of a CHUNK body before its data: offset and CRC32C. */
    static final int CHUNK_HEADER_BYTES = Long.BYTES + Integer.BYTES;
    static final int MIN_FRAME_LENGTH = 2;
    /** Largest frame after the length field: a full CHUNK (a manifest must fit as well). */
    static final int MAX_FRAME_LENGTH = 2 + CHUNK_HEADER_BYTES + MAX_CHUNK_BYTES;
    /** Files a manifest may list; with names of RocksDB's length it stays far below a frame. */
    static final int MAX_MANIFEST_FILES = 8192;
    /** Longest ERROR message sent (characters). */
    static final int MAX_ERROR_MESSAGE_CHARS = 1000;

    /** The only TLS version the snapshot port speaks, as the tcp fabric. */
    static final String TLS_PROTOCOL = "TLSv1.3";

    private TransferProtocol()
    {
    }

    /** A decoded frame; {@code body} is exactly the body's bytes. */
    record Frame(byte type, byte[] body)
    {
    }

    /** The other side broke the protocol (bad length, version or type): the connection is dropped. */
    static final class ProtocolException extends IOException
    {
        private static final long serialVersionUID = 1L;

        ProtocolException(final String message)
        {
            super(message);
        }
    }

    /**
     * Reads one frame, checking length and version before allocating.
     *
     * @param in the stream.
     * @return the frame.
     * @throws java.io.EOFException if the stream ends (also inside a frame).
     * @throws ProtocolException    for a bad length or version.
     * @throws IOException          on I/O errors and read timeouts.
     */
    static Frame read(final DataInputStream in) throws IOException
    {
        final int length = in.readInt();
        if (length < MIN_FRAME_LENGTH || length > MAX_FRAME_LENGTH)
        {
            throw new ProtocolException("frame length " + length + " outside [" + MIN_FRAME_LENGTH + ", " +
                MAX_FRAME_LENGTH + "]");
        }
        final byte version = in.readByte();
        if (version != VERSION)
        {
            throw new ProtocolException("frame version " + version + "; this side speaks version " + VERSION);
        }
        final byte type = in.readByte();
        final byte[] body = new byte[length - 2];
        in.readFully(body);
        return new Frame(type, body);
    }

    static void writeHeader(final DataOutputStream out, final byte type, final int bodyLength) throws IOException
    {
        out.writeInt(2 + bodyLength);
        out.writeByte(VERSION);
        out.writeByte(type);
    }

    static void writeGetManifest(final DataOutputStream out, final long snapshotId) throws IOException
    {
        writeHeader(out, GET_MANIFEST, Long.BYTES);
        out.writeLong(snapshotId);
        out.flush();
    }

    static void writeGetFile(
        final DataOutputStream out, final long snapshotId, final int fileIndex, final long offset, final long length)
        throws IOException
    {
        writeHeader(out, GET_FILE, Long.BYTES + Integer.BYTES + Long.BYTES + Long.BYTES);
        out.writeLong(snapshotId);
        out.writeInt(fileIndex);
        out.writeLong(offset);
        out.writeLong(length);
        out.flush();
    }

    static void writeManifest(final DataOutputStream out, final SnapshotManifest manifest) throws IOException
    {
        final byte[] text = manifest.toText().getBytes(StandardCharsets.UTF_8);
        if (text.length + 2 > MAX_FRAME_LENGTH)
        {
            throw new IOException("manifest of " + manifest + " has " + text.length + " bytes, more than a frame holds");
        }
        writeHeader(out, MANIFEST, text.length);
        out.write(text);
        out.flush();
    }

    static void writeError(final DataOutputStream out, final byte code, final String message) throws IOException
    {
        final String cut = message.length() > MAX_ERROR_MESSAGE_CHARS ? message.substring(0, MAX_ERROR_MESSAGE_CHARS) : message;
        final byte[] text = cut.getBytes(StandardCharsets.UTF_8);
        writeHeader(out, ERROR, 1 + text.length);
        out.writeByte(code);
        out.write(text);
        out.flush();
    }

    /** Writes a frame whose body is the given byte arrays, one after the other. */
    static void writeBytes(final DataOutputStream out, final byte type, final byte[]... parts) throws IOException
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        writeHeader(out, type, length);
        for (final byte[] part : parts)
        {
            out.write(part);
        }
        out.flush();
    }

    /**
     * @param role         who proves: "fetcher" or "source".
     * @param verifierNonce the nonce of the side the proof is for.
     * @param proverNonce   the prover's own nonce.
     * @return what a proof on the snapshot port is made over.
     */
    static byte[] proofContext(final String role, final byte[] verifierNonce, final byte[] proverNonce)
    {
        final byte[] name = ("snapshot-" + role).getBytes(StandardCharsets.US_ASCII);
        final byte[] context = new byte[name.length + verifierNonce.length + proverNonce.length];
        System.arraycopy(name, 0, context, 0, name.length);
        System.arraycopy(verifierNonce, 0, context, name.length, verifierNonce.length);
        System.arraycopy(proverNonce, 0, context, name.length + verifierNonce.length, proverNonce.length);
        return context;
    }

    /** @return the message of an ERROR body. */
    static String errorMessage(final byte[] body)
    {
        return body.length < 1 ? "" : new String(body, 1, body.length - 1, StandardCharsets.UTF_8);
    }

    /** @return the code of an ERROR body, 0 if empty. */
    static byte errorCode(final byte[] body)
    {
        return body.length < 1 ? 0 : body[0];
    }

    /** @return a name for a frame type, for messages. */
    static String typeName(final byte type)
    {
        return switch (type)
        {
            case GET_MANIFEST -> "GET_MANIFEST";
            case MANIFEST -> "MANIFEST";
            case GET_FILE -> "GET_FILE";
            case CHUNK -> "CHUNK";
            case FILE_END -> "FILE_END";
            case ERROR -> "ERROR";
            case PREPARING -> "PREPARING";
            case CHALLENGE -> "CHALLENGE";
            case AUTH -> "AUTH";
            case AUTH_OK -> "AUTH_OK";
            default -> "type " + type;
        };
    }

    /**
     * Layers TLS 1.3 over an accepted socket (the snapshot source's side), requiring the fetcher's
     * certificate; the handshake runs on the first read or write, within the socket's timeout.
     *
     * @param tls    the cluster's TLS context, or null for plaintext.
     * @param socket the accepted socket.
     * @return the socket to speak through.
     * @throws IOException if TLS cannot be layered.
     */
    static Socket serverSide(final SSLContext tls, final Socket socket) throws IOException
    {
        if (null == tls)
        {
            return socket;
        }
        final SSLSocket secured = (SSLSocket)tls.getSocketFactory().createSocket(socket, null, true);
        secured.setUseClientMode(false);
        secured.setNeedClientAuth(true);
        secured.setEnabledProtocols(new String[] {TLS_PROTOCOL});
        return secured;
    }

    /**
     * Layers TLS 1.3 over a connected socket (the fetcher's side).
     *
     * @param tls    the cluster's TLS context, or null for plaintext.
     * @param socket the connected socket.
     * @param source the source's address.
     * @return the socket to speak through.
     * @throws IOException if TLS cannot be layered.
     */
    static Socket clientSide(final SSLContext tls, final Socket socket, final InetSocketAddress source) throws IOException
    {
        if (null == tls)
        {
            return socket;
        }
        final SSLSocket secured = (SSLSocket)tls.getSocketFactory().createSocket(socket, source.getHostString(),
            source.getPort(), true);
        secured.setUseClientMode(true);
        secured.setEnabledProtocols(new String[] {TLS_PROTOCOL});
        return secured;
    }
}
