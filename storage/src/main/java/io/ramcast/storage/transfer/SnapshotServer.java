package io.ramcast.storage.transfer;

import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.storage.StoreIdentity;
import io.ramcast.txn.store.StoreException;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Serves consistent snapshots of one replica's store over TCP ({@link TransferProtocol}): the
 * replica server starts one on the replica's {@code transferPort}; {@link SnapshotFetcher} is its
 * client.
 *
 * <p>Threads: one accept thread, which also expires unused snapshots, closes idle connections and
 * tells fetchers waiting for a new snapshot that it is still being made, about every
 * {@link #TICK_MS} ms, and one thread per connection, which creates snapshots and
 * streams files. None of them touches the replica's agents: creating a snapshot only holds the
 * executor while RocksDB switches memtables (see {@link RocksPartitionStore#checkpoint}).
 *
 * <p>Bounds: at most {@link Options#maxConnections()} connections (one more is answered with a
 * BUSY error and closed); a connection without progress (no request read, no chunk taken by the
 * peer) for {@link Options#idleTimeoutMs()} is closed, unless it is making a snapshot; snapshots as {@link SnapshotSource} says;
 * each connection sends at most {@link Options#maxBytesPerSecond()} (0: unlimited), so that a
 * transfer does not take all of the replica's disk and network bandwidth; per connection memory is
 * one chunk plus socket buffers, and TCP back-pressure holds the sender when the fetcher is slow.
 */
public final class SnapshotServer implements AutoCloseable
{
    /** How often the accept thread expires snapshots and looks for idle connections. */
    static final int TICK_MS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotServer.class);
    private static final int STREAM_BUFFER_BYTES = 64 * 1024;
    private static final long CLOSE_WAIT_MS = 5_000;

    /**
     * How the server behaves.
     *
     * @param maxConnections    concurrent transfer connections, {@code >= 1}.
     * @param idleTimeoutMs     a connection without progress this long is closed, {@code > 0}; must
     *                          exceed the time one chunk takes at {@code maxBytesPerSecond}.
     * @param leaseMs           an unused snapshot is deleted this long after its last use, {@code > 0}.
     * @param maxSnapshots      snapshots held at once, {@code >= 1}.
     * @param maxBytesPerSecond bytes per second each connection sends at most; 0 for no limit.
     * @param chunkBytes        data bytes per chunk, in [1024, 1 MiB].
     */
    public record Options(
        int maxConnections, long idleTimeoutMs, long leaseMs, int maxSnapshots, long maxBytesPerSecond, int chunkBytes)
    {
        /** 4 connections, 30 s idle timeout, 10 min lease, 2 snapshots, no rate limit, 1 MiB chunks. */
        public static final Options DEFAULT = new Options(4, 30_000, 600_000, 2, RateLimiter.UNLIMITED,
            TransferProtocol.MAX_CHUNK_BYTES);

        /**
         * @throws IllegalArgumentException naming the bad value.
         */
        public Options
        {
            if (maxConnections < 1 || idleTimeoutMs <= 0 || leaseMs <= 0 || maxSnapshots < 1 || maxBytesPerSecond < 0 ||
                chunkBytes < 1024 || chunkBytes > TransferProtocol.MAX_CHUNK_BYTES)
            {
                throw new IllegalArgumentException("bad snapshot server options " + Options.this + ": need " +
                    "maxConnections >= 1, idleTimeoutMs > 0, leaseMs > 0, maxSnapshots >= 1, maxBytesPerSecond >= 0 " +
                    "and chunkBytes in [1024, " + TransferProtocol.MAX_CHUNK_BYTES + "]");
            }
        }
    }

    private final ServerSocket serverSocket;
    private final SnapshotSource source;
    private final Options options;
    private final int replicaId;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCount = new AtomicInteger();
    /** Snapshot bytes sent to fetchers since start (rebuilds, backups). */
    private final AtomicLong bytesSent = new AtomicLong();
    private final Thread acceptThread;
    private volatile boolean closed;
    private final FabricCredentials credentials;
    private final javax.net.ssl.SSLContext tls;
    /* fetchers refused for failing authentication since the last summary line; guarded by this */
    private long refusedSinceLog;
    private long refusalLogDueMs;

    private SnapshotServer(final ServerSocket serverSocket, final SnapshotSource source, final Options options,
        final int replicaId, final FabricCredentials credentials, final javax.net.ssl.SSLContext tls)
    {
        this.credentials = credentials;
        this.tls = tls;
        this.serverSocket = serverSocket;
        this.source = source;
        this.options = options;
        this.replicaId = replicaId;
        this.acceptThread = new Thread(this::acceptLoop, "snapshot-server-" + replicaId);
        this.acceptThread.setDaemon(true);
    }

    /**
     * Binds the transfer port and deletes snapshots an earlier run left; {@link #start()} then serves.
     *
     * @param bind     address to listen on (port 0: any free port, see {@link #port()}).
     * @param store    the replica's live store.
     * @param identity whose store it is.
     * @param dataDir  the replica's data directory (snapshots go to {@code <dataDir>/snapshots}).
     * @param options  limits and timeouts.
     * @param credentials the replica's credentials: only a fetcher proving it holds the replica
     *                    secret is served ({@link TransferProtocol}).
     * @return the bound server, not yet accepting.
     * @throws UncheckedIOException if the port cannot be bound or leftover snapshots cannot be deleted.
     */
    public static SnapshotServer open(
        final InetSocketAddress bind,
        final RocksPartitionStore store,
        final StoreIdentity identity,
        final Path dataDir,
        final Options options,
        final FabricCredentials credentials)
    {
        return open(bind, store, identity, dataDir, options, credentials, null, SystemEpochClock.INSTANCE);
    }

    /**
     * As {@link #open(InetSocketAddress, RocksPartitionStore, StoreIdentity, Path, Options, FabricCredentials)},
     * every connection encrypted with TLS 1.3 (the fetcher must present a certificate the context
     * trusts) when {@code tls} is not null.
     *
     * @param tls the cluster's TLS context ({@code security.tls}), or null for plaintext.
     * @return the bound server, not yet accepting.
     */
    public static SnapshotServer open(
        final InetSocketAddress bind,
        final RocksPartitionStore store,
        final StoreIdentity identity,
        final Path dataDir,
        final Options options,
        final FabricCredentials credentials,
        final javax.net.ssl.SSLContext tls)
    {
        return open(bind, store, identity, dataDir, options, credentials, tls, SystemEpochClock.INSTANCE);
    }

    static SnapshotServer open(
        final InetSocketAddress bind,
        final RocksPartitionStore store,
        final StoreIdentity identity,
        final Path dataDir,
        final Options options,
        final FabricCredentials credentials,
        final javax.net.ssl.SSLContext tls,
        final EpochClock clock)
    {
        Objects.requireNonNull(options, "options");
        if (!credentials.holdsServerSecret())
        {
            throw new IllegalArgumentException("serving snapshots needs the replica secret");
        }
        final SnapshotSource source =
            new SnapshotSource(store, identity, dataDir, clock, options.leaseMs(), options.maxSnapshots());
        final ServerSocket socket;
        try
        {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(bind);
            socket.setSoTimeout(TICK_MS);
        }
        catch (final IOException e)
        {
            source.close();
            throw new UncheckedIOException("replica " + identity.replicaId() + " cannot listen for snapshot transfers " +
                "on " + bind + ": " + e.getMessage() + " (is its transferPort used by another process?)", e);
        }
        return new SnapshotServer(socket, source, options, identity.replicaId(), credentials, tls);
    }

    /**
     * Starts the accept thread.
     *
     * @return this.
     */
    public SnapshotServer start()
    {
        acceptThread.start();
        LOG.info("replica {} serves snapshots on {} ({})", replicaId, serverSocket.getLocalSocketAddress(), options);
        return this;
    }

    /** @return snapshot bytes sent to fetchers since start (any thread). */
    public long bytesSent()
    {
        return bytesSent.get();
    }

    /** @return fetchers connected now (rebuilds, backups). */
    public int fetchers()
    {
        return connections.size();
    }

    /** @return the bound port. */
    public int port()
    {
        return serverSocket.getLocalPort();
    }

    /**
     * Keeps a checkpoint of the store as it is now, served to fetchers that ask for this id; for the
     * executor at a checkpoint transaction ({@code PartitionExecutor.Checkpoints}). Takes the RocksDB
     * checkpoint only (a memtable flush and hard links); the files are hashed on the first request.
     *
     * @param checkpointId the checkpoint transaction's id.
     * @throws RuntimeException if it cannot be kept (every slot in use, disk full, closed).
     */
    public void keepCheckpoint(final long checkpointId)
    {
        source.keep(checkpointId);
    }

    /** @return the ids of the snapshots held now (tests, health). */
    List<Long> snapshotIds()
    {
        return source.snapshotIds();
    }

    /** @return the snapshots (tests). */
    SnapshotSource source()
    {
        return source;
    }

    /** @return the directory holding the snapshots. */
    Path snapshotsDir()
    {
        return source.root();
    }

    /** @return connections being served now. */
    int connectionCount()
    {
        return connections.size();
    }

    /**
     * Stops accepting, closes every connection (a transfer in progress breaks; its fetcher may
     * resume elsewhere or later), waits for the threads, and deletes every snapshot. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            serverSocket.close();
        }
        catch (final IOException e)
        {
            LOG.warn("replica {}: closing the snapshot server socket: {}", replicaId, e.toString());
        }
        join(acceptThread);
        final List<Connection> open = new ArrayList<>(connections);
        for (final Connection c : open)
        {
            c.closeSocket();
        }
        for (final Connection c : open)
        {
            join(c.thread);
        }
        source.close();
        LOG.info("replica {}: snapshot server stopped", replicaId);
    }

    private static void join(final Thread thread)
    {
        if (thread == null || thread == Thread.currentThread() || !thread.isAlive())
        {
            return;
        }
        try
        {
            thread.join(CLOSE_WAIT_MS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            LOG.warn("{} did not stop within {} ms", thread.getName(), CLOSE_WAIT_MS);
        }
    }

    private void acceptLoop()
    {
        try
        {
            accept();
        }
        catch (final RuntimeException | Error e)
        {
            LOG.error("replica {}: the snapshot server's accept thread failed; it serves no more transfers", replicaId, e);
        }
        finally
        {
            // A dead accept loop must refuse connections, not leave them waiting in the backlog.
            try
            {
                serverSocket.close();
            }
            catch (final IOException e)
            {
                LOG.warn("replica {}: closing the snapshot server socket: {}", replicaId, e.toString());
            }
        }
    }

    private void accept()
    {
        while (!closed)
        {
            final Socket socket;
            try
            {
                socket = serverSocket.accept();
            }
            catch (final SocketTimeoutException e)
            {
                tick();
                continue;
            }
            catch (final IOException e)
            {
                if (!closed)
                {
                    LOG.error("replica {}: the snapshot server stopped accepting: {}", replicaId, e.toString(), e);
                }
                return;
            }
            tick();
            if (connections.size() >= options.maxConnections())
            {
                refuse(socket);
                continue;
            }
            final Connection c = new Connection(socket);
            connections.add(c);
            c.thread = new Thread(c, "snapshot-transfer-" + replicaId + "-" + connectionCount.incrementAndGet());
            c.thread.setDaemon(true);
            c.thread.start();
        }
    }

    private void tick()
    {
        try
        {
            source.expire();
        }
        catch (final RuntimeException e)
        {
            LOG.error("replica {}: expiring snapshots failed", replicaId, e);
        }
        final long nowNs = System.nanoTime();
        for (final Connection c : connections)
        {
            c.tellPreparing(nowNs);
            final long idleMs = (nowNs - c.lastActivityNs) / 1_000_000;
            if (!c.preparing && idleMs > options.idleTimeoutMs())
            {
                LOG.info("replica {}: closing transfer connection from {}: no progress for {} ms (idle timeout {} ms)",
                    replicaId, c.peer, idleMs, options.idleTimeoutMs());
                c.closeSocket();
            }
        }
    }

    /** Counts a fetcher refused for failing authentication; one summary line per 10 s at most. */
    private synchronized void refused(final String peer, final String why)
    {
        refusedSinceLog++;
        final long nowMs = System.currentTimeMillis();
        if (nowMs - refusalLogDueMs >= 0)
        {
            LOG.warn("replica {}: refused {} snapshot connection(s) that did not authenticate; latest from {}: {} (next " +
                "summary in 10 s at the earliest)", replicaId, refusedSinceLog, peer, why);
            refusedSinceLog = 0;
            refusalLogDueMs = nowMs + 10_000;
        }
    }

    private void refuse(final Socket socket)
    {
        try (socket)
        {
            LOG.info("replica {}: refusing transfer connection from {}: {} transfers in progress, the maximum",
                replicaId, socket.getRemoteSocketAddress(), options.maxConnections());
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            TransferProtocol.writeError(out, TransferProtocol.ERROR_BUSY, "replica " + replicaId + " already serves " +
                options.maxConnections() + " transfers, its maximum; try again later");
        }
        catch (final IOException e)
        {
            LOG.debug("replica {}: refusing a connection: {}", replicaId, e.toString());
        }
    }

    /** One fetcher's connection, on its own thread. */
    private final class Connection implements Runnable
    {
        private final Socket socket;
        private final String peer;
        private final RateLimiter rateLimiter = new RateLimiter(options.maxBytesPerSecond());
        private final CRC32C crc = new CRC32C();
        private ByteBuffer chunk;
        private volatile long lastActivityNs = System.nanoTime();
        /** Guards writes to {@link #out} between this connection's thread and the accept thread. */
        private final Object writeLock = new Object();
        /** Making a snapshot (checkpoint, hashing): busy, not idle, however long it takes. */
        private volatile boolean preparing;
        private long lastPreparingNs;
        private volatile DataOutputStream out;
        private Thread thread;

        Connection(final Socket socket)
        {
            this.socket = socket;
            this.peer = String.valueOf(socket.getRemoteSocketAddress());
        }

        @Override
        public void run()
        {
            try (socket; Socket stream = TransferProtocol.serverSide(tls, socket))
            {
                final DataInputStream in =
                    new DataInputStream(new BufferedInputStream(stream.getInputStream(), STREAM_BUFFER_BYTES));
                final DataOutputStream out =
                    new DataOutputStream(new BufferedOutputStream(stream.getOutputStream(), STREAM_BUFFER_BYTES));
                this.out = out;
                if (!authenticate(in, out))
                {
                    return;
                }
                while (!closed)
                {
                    final TransferProtocol.Frame frame;
                    try
                    {
                        frame = TransferProtocol.read(in);
                    }
                    catch (final EOFException e)
                    {
                        return;
                    }
                    catch (final TransferProtocol.ProtocolException e)
                    {
                        LOG.info("replica {}: bad frame from {}: {}; closing", replicaId, peer, e.getMessage());
                        TransferProtocol.writeError(out, TransferProtocol.ERROR_BAD_REQUEST, e.getMessage());
                        return;
                    }
                    activity();
                    if (!serve(frame, out))
                    {
                        return;
                    }
                }
            }
            catch (final IOException e)
            {
                if (!closed)
                {
                    LOG.info("replica {}: transfer connection from {} ended: {}", replicaId, peer, e.toString());
                }
            }
            catch (final RuntimeException e)
            {
                LOG.error("replica {}: transfer connection from {} failed", replicaId, peer, e);
            }
            finally
            {
                connections.remove(this);
            }
        }

        /**
         * The handshake of {@link TransferProtocol}: CHALLENGE, the fetcher's AUTH within
         * {@link TransferProtocol#AUTH_TIMEOUT_MS}, AUTH_OK.
         *
         * @return whether the fetcher proved it holds the replica secret.
         */
        private boolean authenticate(final DataInputStream in, final DataOutputStream out) throws IOException
        {
            final byte[] nonce = FabricCredentials.newNonce();
            TransferProtocol.writeBytes(out, TransferProtocol.CHALLENGE, nonce);
            final TransferProtocol.Frame frame;
            socket.setSoTimeout(TransferProtocol.AUTH_TIMEOUT_MS);
            try
            {
                frame = TransferProtocol.read(in);
            }
            catch (final SocketTimeoutException | EOFException | TransferProtocol.ProtocolException e)
            {
                refused(peer, "no valid AUTH within " + TransferProtocol.AUTH_TIMEOUT_MS + " ms (" + e + ")");
                return false;
            }
            socket.setSoTimeout(0);
            final byte[] body = frame.body();
            final int length = TransferProtocol.NONCE_BYTES + TransferProtocol.PROOF_BYTES;
            final byte[] fetcherNonce = Arrays.copyOf(body, TransferProtocol.NONCE_BYTES);
            if (frame.type() != TransferProtocol.AUTH || body.length != length ||
                !credentials.isServerProof(TransferProtocol.proofContext("fetcher", nonce, fetcherNonce),
                    Arrays.copyOfRange(body, TransferProtocol.NONCE_BYTES, length)))
            {
                TransferProtocol.writeError(out, TransferProtocol.ERROR_AUTH, "authentication failed: replica " +
                    replicaId + " serves snapshots only to holders of the cluster's replica secret");
                refused(peer, "its AUTH did not prove that it holds the replica secret");
                return false;
            }
            TransferProtocol.writeBytes(out, TransferProtocol.AUTH_OK,
                credentials.serverProof(TransferProtocol.proofContext("source", fetcherNonce, nonce)));
            activity();
            return true;
        }

        /** @return whether to read the next request. */
        private boolean serve(final TransferProtocol.Frame frame, final DataOutputStream out) throws IOException
        {
            final ByteBuffer body = ByteBuffer.wrap(frame.body()).order(ByteOrder.BIG_ENDIAN);
            switch (frame.type())
            {
                case TransferProtocol.GET_MANIFEST ->
                {
                    if (body.remaining() != Long.BYTES)
                    {
                        return badRequest(out, "GET_MANIFEST body has " + body.remaining() + " bytes, expected 8");
                    }
                    final SnapshotSource.Snapshot snapshot = acquire(body.getLong(), out);
                    if (snapshot == null)
                    {
                        return true;
                    }
                    // Released before answering: once the fetcher has the manifest, the lease runs.
                    source.release(snapshot);
                    TransferProtocol.writeManifest(out, snapshot.manifest());
                    return true;
                }
                case TransferProtocol.GET_FILE ->
                {
                    if (body.remaining() != 2 * Long.BYTES + Integer.BYTES + Long.BYTES)
                    {
                        return badRequest(out, "GET_FILE body has " + body.remaining() + " bytes, expected 28");
                    }
                    final long snapshotId = body.getLong();
                    final int fileIndex = body.getInt();
                    final long offset = body.getLong();
                    final long length = body.getLong();
                    if (snapshotId == SnapshotManifest.NEW_SNAPSHOT)
                    {
                        return badRequest(out, "GET_FILE needs the id of a snapshot from a manifest");
                    }
                    final SnapshotSource.Snapshot snapshot = acquire(snapshotId, out);
                    if (snapshot == null)
                    {
                        return true;
                    }
                    final long end;
                    try
                    {
                        final List<SnapshotManifest.FileEntry> files = snapshot.manifest().files();
                        if (fileIndex < 0 || fileIndex >= files.size())
                        {
                            return badRequest(out, "snapshot " + snapshot.manifest().idText() + " has files 0.." +
                                (files.size() - 1) + ", not " + fileIndex);
                        }
                        final long size = files.get(fileIndex).sizeBytes();
                        if (offset < 0 || offset > size || length <= 0)
                        {
                            return badRequest(out, "file " + fileIndex + " has " + size + " bytes; offset " + offset +
                                " must be in [0, size] and length " + length + " positive");
                        }
                        end = Math.min(size, offset + Math.min(length, size));
                        sendChunks(snapshot, fileIndex, offset, end, out);
                    }
                    finally
                    {
                        source.release(snapshot);
                    }
                    TransferProtocol.writeHeader(out, TransferProtocol.FILE_END, Long.BYTES);
                    out.writeLong(end);
                    out.flush();
                    activity();
                    return true;
                }
                default ->
                {
                    return badRequest(out, "expected GET_MANIFEST or GET_FILE, got " +
                        TransferProtocol.typeName(frame.type()));
                }
            }
        }

        /** @return the snapshot, or null after answering with an error. */
        private SnapshotSource.Snapshot acquire(final long snapshotId, final DataOutputStream out) throws IOException
        {
            byte errorCode = 0;
            String error = null;
            synchronized (writeLock)
            {
                preparing = true;
                lastPreparingNs = System.nanoTime();
            }
            try
            {
                return source.acquire(snapshotId);
            }
            catch (final SnapshotSource.UnknownSnapshotException e)
            {
                errorCode = TransferProtocol.ERROR_UNKNOWN_SNAPSHOT;
                error = e.getMessage();
            }
            catch (final SnapshotSource.BusyException e)
            {
                errorCode = TransferProtocol.ERROR_BUSY;
                error = e.getMessage();
            }
            catch (final StoreException | UncheckedIOException | IllegalStateException e)
            {
                LOG.warn("replica {}: cannot make a snapshot for {}: {}", replicaId, peer, e.getMessage());
                errorCode = TransferProtocol.ERROR_SOURCE_FAILED;
                error = "replica " + replicaId + " cannot make a snapshot: " + e.getMessage();
            }
            finally
            {
                // From here on only this thread writes: the accept thread sends PREPARING only before.
                synchronized (writeLock)
                {
                    preparing = false;
                }
                activity();
            }
            TransferProtocol.writeError(out, errorCode, error);
            return null;
        }

        /** On the accept thread: tells a fetcher waiting for a new snapshot that it is being made. */
        void tellPreparing(final long nowNs)
        {
            synchronized (writeLock)
            {
                final DataOutputStream o = out;
                if (!preparing || o == null ||
                    nowNs - lastPreparingNs < TransferProtocol.PREPARING_INTERVAL_MS * 1_000_000)
                {
                    return;
                }
                lastPreparingNs = nowNs;
                try
                {
                    TransferProtocol.writeHeader(o, TransferProtocol.PREPARING, 0);
                    o.flush();
                }
                catch (final IOException e)
                {
                    LOG.info("replica {}: transfer connection from {} lost while making a snapshot: {}", replicaId,
                        peer, e.toString());
                    closeSocket();
                }
            }
        }

        /** Sends the CHUNKs of [offset, end) of one file; the caller sends FILE_END. */
        private void sendChunks(
            final SnapshotSource.Snapshot snapshot,
            final int fileIndex,
            final long offset,
            final long end,
            final DataOutputStream out) throws IOException
        {
            if (chunk == null)
            {
                chunk = ByteBuffer.allocate(options.chunkBytes());
            }
            final Path file = snapshot.file(fileIndex);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                long position = offset;
                while (position < end)
                {
                    final int n = (int)Math.min(chunk.capacity(), end - position);
                    chunk.clear().limit(n);
                    while (chunk.hasRemaining())
                    {
                        if (channel.read(chunk, position + chunk.position()) < 0)
                        {
                            throw new IOException("snapshot file " + file + " is shorter than its manifest says (" +
                                (end) + " bytes)");
                        }
                    }
                    crc.reset();
                    crc.update(chunk.array(), 0, n);
                    rateLimiter.acquire(n);
                    TransferProtocol.writeHeader(out, TransferProtocol.CHUNK, TransferProtocol.CHUNK_HEADER_BYTES + n);
                    out.writeLong(position);
                    out.writeInt((int)crc.getValue());
                    out.write(chunk.array(), 0, n);
                    bytesSent.addAndGet(n);
                    position += n;
                    activity();
                    source.touch(snapshot);
                }
            }
        }

        private boolean badRequest(final DataOutputStream out, final String message) throws IOException
        {
            LOG.info("replica {}: bad request from {}: {}", replicaId, peer, message);
            TransferProtocol.writeError(out, TransferProtocol.ERROR_BAD_REQUEST, message);
            return false;
        }

        private void activity()
        {
            lastActivityNs = System.nanoTime();
        }

        void closeSocket()
        {
            try
            {
                socket.close();
            }
            catch (final IOException e)
            {
                LOG.debug("closing transfer socket from {}: {}", peer, e.toString());
            }
        }
    }
}
