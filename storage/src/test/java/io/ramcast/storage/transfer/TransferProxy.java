package io.ramcast.storage.transfer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real TCP proxy between a fetcher and a snapshot server that misbehaves on request: it cuts
 * its first connection after a number of bytes from the server, or flips one data byte in a
 * number of CHUNK frames. It reads the server's stream frame by frame (length first), so it can
 * pick chunk data; what the fetcher sends passes through untouched.
 */
final class TransferProxy implements AutoCloseable
{
    private final ServerSocket listener;
    private final InetSocketAddress server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesToClient = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger chunksToCorrupt = new AtomicInteger();
    private final AtomicInteger chunksCorrupted = new AtomicInteger();
    private volatile long cutFirstConnectionAfterBytes = -1;
    private volatile boolean closed;
    private final Thread acceptThread;

    TransferProxy(final InetSocketAddress server) throws IOException
    {
        this.server = server;
        this.listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        this.acceptThread = new Thread(this::acceptLoop, "transfer-proxy");
        this.acceptThread.setDaemon(true);
        this.acceptThread.start();
    }

    InetSocketAddress address()
    {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** Cut the first connection once this many bytes of the server's stream went through. */
    void cutFirstConnectionAfter(final long bytes)
    {
        cutFirstConnectionAfterBytes = bytes;
    }

    /** Flip a data byte in the next {@code count} CHUNK frames. */
    void corruptChunks(final int count)
    {
        chunksToCorrupt.set(count);
    }

    long bytesToClient()
    {
        return bytesToClient.get();
    }

    int connections()
    {
        return connections.get();
    }

    int chunksCorrupted()
    {
        return chunksCorrupted.get();
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final Socket client = listener.accept();
                final Socket upstream = new Socket();
                upstream.connect(server, 5_000);
                sockets.add(client);
                sockets.add(upstream);
                final int number = connections.incrementAndGet();
                start(() -> pumpRaw(client, upstream), "proxy-up-" + number);
                start(() -> pumpFrames(upstream, client, number == 1 ? cutFirstConnectionAfterBytes : -1),
                    "proxy-down-" + number);
            }
            catch (final IOException e)
            {
                return; // closed
            }
        }
    }

    private static void start(final Runnable r, final String name)
    {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private void pumpRaw(final Socket from, final Socket to)
    {
        final byte[] buffer = new byte[8192];
        try
        {
            final InputStream in = from.getInputStream();
            final OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0)
            {
                out.write(buffer, 0, n);
                out.flush();
            }
        }
        catch (final IOException e)
        {
            // one side closed
        }
        finally
        {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void pumpFrames(final Socket from, final Socket to, final long cutAfter)
    {
        long forwarded = 0;
        try
        {
            final DataInputStream in = new DataInputStream(new BufferedInputStream(from.getInputStream()));
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(to.getOutputStream()));
            while (true)
            {
                final int length = in.readInt();
                final byte[] frame = new byte[4 + length];
                frame[0] = (byte)(length >>> 24);
                frame[1] = (byte)(length >>> 16);
                frame[2] = (byte)(length >>> 8);
                frame[3] = (byte)length;
                in.readFully(frame, 4, length);
                final int dataLength = length - 2 - TransferProtocol.CHUNK_HEADER_BYTES;
                if (frame[5] == TransferProtocol.CHUNK && dataLength > 0 && chunksToCorrupt.getAndUpdate(
                    c -> Math.max(0, c - 1)) > 0)
                {
                    frame[4 + 2 + TransferProtocol.CHUNK_HEADER_BYTES + dataLength / 2] ^= 0x10;
                    chunksCorrupted.incrementAndGet();
                }
                if (cutAfter >= 0 && forwarded + frame.length > cutAfter)
                {
                    out.write(frame, 0, (int)(cutAfter - forwarded));
                    out.flush();
                    bytesToClient.addAndGet(cutAfter - forwarded);
                    return;
                }
                out.write(frame);
                out.flush();
                forwarded += frame.length;
                bytesToClient.addAndGet(frame.length);
            }
        }
        catch (final IOException e)
        {
            // one side closed
        }
        finally
        {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(final Socket s)
    {
        try
        {
            s.close();
        }
        catch (final IOException e)
        {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        listener.close();
        for (final Socket s : sockets)
        {
            closeQuietly(s);
        }
    }
}
