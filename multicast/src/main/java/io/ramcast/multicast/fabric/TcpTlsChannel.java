package io.ramcast.multicast.fabric;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * TLS over one non-blocking socket of the {@code tcp} fabric: a {@link ByteChannel} whose
 * {@link #read} and {@link #write} carry plaintext, encrypted with a JDK {@link SSLEngine}. It
 * never blocks; the fabric's duty cycle drives it.
 *
 * <ul>
 *   <li>Until the TLS handshake is done, {@link #read} and {@link #write} move no plaintext (they
 *       return 0) and only advance the handshake; the fabric's own frames (AUTH, PROOF, HELLO) wait
 *       in its send queue meanwhile, so authentication runs inside the encrypted channel.</li>
 *   <li>Ciphertext that the socket did not take stays in {@link #hasPendingOutput() pending output};
 *       plaintext decrypted beyond what the caller's buffer took stays in
 *       {@link #hasBufferedInput() buffered input}. The fabric calls {@link #progress()} every duty
 *       cycle and reads again while input is buffered, because the selector cannot see either.</li>
 *   <li>A TLS failure (untrusted certificate, bad record) surfaces as an {@link SSLException} from
 *       any call; the connection must then be closed.</li>
 * </ul>
 *
 * <p>Threading: agent thread only.
 */
final class TcpTlsChannel implements ByteChannel
{
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** A TLS record's header: type, version (2 bytes), length (2 bytes, big-endian). */
    private static final int RECORD_HEADER_BYTES = 5;

    private final SocketChannel socket;
    private final SSLEngine engine;
    /** Ciphertext read from the socket and not yet decrypted; kept in write mode. */
    private ByteBuffer netIn;
    /** Ciphertext produced and not yet written to the socket; kept in write mode. */
    private final ByteBuffer netOut;
    /** Plaintext decrypted and not yet handed to the caller; kept in write mode. */
    private ByteBuffer appIn;
    private boolean handshakeDone;
    private boolean inboundClosed;

    /**
     * @param socket the connected or connecting non-blocking socket.
     * @param engine an engine in client mode on the connecting side, its handshake begun.
     */
    TcpTlsChannel(final SocketChannel socket, final SSLEngine engine)
    {
        this.socket = socket;
        this.engine = engine;
        final int packetBytes = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(packetBytes);
        this.netOut = ByteBuffer.allocateDirect(packetBytes);
        this.appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize());
    }

    /**
     * Advances the handshake (or a post-handshake message) as far as the socket allows and writes
     * pending ciphertext.
     *
     * @return 1 if anything moved, else 0.
     * @throws IOException an I/O or TLS failure, or the peer closed the connection during the handshake.
     */
    int progress() throws IOException
    {
        final int pendingBefore = netOut.position();
        final boolean doneBefore = handshakeDone;
        flushNet();
        handshake();
        return pendingBefore != netOut.position() || doneBefore != handshakeDone ? 1 : 0;
    }

    /** @return whether the TLS handshake has completed. */
    boolean isHandshakeDone()
    {
        return handshakeDone;
    }

    /** @return whether ciphertext waits for the socket (watch it for writability). */
    boolean hasPendingOutput()
    {
        return netOut.position() > 0;
    }

    /**
     * @return whether decrypted plaintext, or a whole undecrypted record, waits to be read (a
     *         partial record waits for the socket, which the selector sees).
     */
    boolean hasBufferedInput()
    {
        return handshakeDone && (appIn.position() > 0 || hasWholeRecord());
    }

    private boolean hasWholeRecord()
    {
        final int buffered = netIn.position();
        if (buffered < RECORD_HEADER_BYTES)
        {
            return false;
        }
        final int recordLength = ((netIn.get(3) & 0xFF) << 8) | (netIn.get(4) & 0xFF);
        return buffered >= RECORD_HEADER_BYTES + recordLength;
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        flushNet();
        handshake();
        if (!handshakeDone)
        {
            return inboundClosed ? -1 : 0;
        }
        int transferred = transfer(dst);
        boolean socketDrained = false;
        while (dst.hasRemaining())
        {
            if (unwrap())
            {
                transferred += transfer(dst);
                if (SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING != engine.getHandshakeStatus())
                {
                    handshake(); // a post-handshake message (key update) may want an answer
                }
                continue;
            }
            if (inboundClosed || socketDrained)
            {
                break;
            }
            final int room = netIn.remaining();
            final int fromSocket = socket.read(netIn);
            if (fromSocket < 0)
            {
                inboundClosed = true;
            }
            else if (fromSocket < room)
            {
                socketDrained = true; // it had less than the buffer's room: do not ask again
            }
            if (0 == fromSocket)
            {
                break;
            }
        }
        if (0 == transferred && inboundClosed && 0 == appIn.position())
        {
            return -1;
        }
        return transferred;
    }

    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        flushNet();
        handshake();
        if (!handshakeDone || netOut.position() > 0)
        {
            return 0;
        }
        int consumed = 0;
        while (src.hasRemaining())
        {
            final SSLEngineResult result = engine.wrap(src, netOut);
            consumed += result.bytesConsumed();
            if (SSLEngineResult.Status.CLOSED == result.getStatus())
            {
                throw new SSLException("TLS session closed while writing");
            }
            flushNet();
            if (netOut.position() > 0)
            {
                break; // the socket is full: the rest waits
            }
        }
        return consumed;
    }

    @Override
    public boolean isOpen()
    {
        return socket.isOpen();
    }

    /** Closes the socket; no close_notify is awaited (the fabric's peers treat any close alike). */
    @Override
    public void close() throws IOException
    {
        engine.closeOutbound();
        socket.close();
    }

    private void handshake() throws IOException
    {
        while (true)
        {
            final SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
            switch (status)
            {
                case NEED_TASK:
                    Runnable task;
                    while (null != (task = engine.getDelegatedTask()))
                    {
                        task.run(); // on the agent thread: only at connection set-up, a few milliseconds
                    }
                    break;
                case NEED_WRAP:
                    if (netOut.position() > 0)
                    {
                        flushNet();
                        if (netOut.position() > 0)
                        {
                            return; // wait for the socket
                        }
                    }
                    final SSLEngineResult wrapped = engine.wrap(EMPTY, netOut);
                    if (SSLEngineResult.Status.CLOSED == wrapped.getStatus())
                    {
                        throw new SSLException("TLS handshake: session closed (" + wrapped + ")");
                    }
                    flushNet();
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    if (!unwrap())
                    {
                        if (SSLEngineResult.HandshakeStatus.NEED_UNWRAP_AGAIN == status)
                        {
                            return;
                        }
                        final int fromSocket = socket.read(netIn);
                        if (fromSocket < 0)
                        {
                            inboundClosed = true;
                            if (!handshakeDone)
                            {
                                throw new java.io.EOFException("TLS handshake: the peer closed the connection");
                            }
                            return;
                        }
                        if (0 == fromSocket || !unwrap())
                        {
                            return; // wait for more ciphertext
                        }
                    }
                    break;
                case FINISHED:
                case NOT_HANDSHAKING:
                default:
                    handshakeDone = true;
                    return;
            }
        }
    }

    /**
     * Decrypts what {@link #netIn} holds into {@link #appIn}.
     *
     * @return whether a record was consumed.
     */
    private boolean unwrap() throws SSLException
    {
        if (0 == netIn.position())
        {
            return false;
        }
        netIn.flip();
        final SSLEngineResult result;
        try
        {
            result = engine.unwrap(netIn, appIn);
        }
        finally
        {
            netIn.compact();
        }
        switch (result.getStatus())
        {
            case BUFFER_UNDERFLOW:
                final int packetBytes = engine.getSession().getPacketBufferSize();
                if (netIn.capacity() < packetBytes)
                {
                    netIn = grow(netIn, packetBytes);
                }
                return false;
            case BUFFER_OVERFLOW:
                if (0 == appIn.position())
                {
                    appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                }
                return false; // the caller must take plaintext first
            case CLOSED:
                inboundClosed = true;
                return result.bytesConsumed() > 0;
            case OK:
            default:
                return result.bytesConsumed() > 0 || result.bytesProduced() > 0;
        }
    }

    private int transfer(final ByteBuffer dst)
    {
        if (0 == appIn.position())
        {
            return 0;
        }
        appIn.flip();
        final int count = Math.min(appIn.remaining(), dst.remaining());
        final int limit = appIn.limit();
        appIn.limit(appIn.position() + count);
        dst.put(appIn);
        appIn.limit(limit);
        appIn.compact();
        return count;
    }

    private void flushNet() throws IOException
    {
        if (0 == netOut.position())
        {
            return;
        }
        netOut.flip();
        try
        {
            socket.write(netOut);
        }
        finally
        {
            netOut.compact();
        }
    }

    private static ByteBuffer grow(final ByteBuffer buffer, final int capacity)
    {
        final ByteBuffer grown = ByteBuffer.allocateDirect(Math.max(capacity, buffer.capacity() * 2));
        buffer.flip();
        grown.put(buffer);
        return grown;
    }
}
