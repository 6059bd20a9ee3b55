package io.ramcast.storage.transfer;

import io.ramcast.multicast.DurableFiles;
import io.ramcast.multicast.fabric.FabricCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Downloads a consistent snapshot of a replica's store from its {@link SnapshotServer} into a
 * directory, and installs it there only once every byte is verified.
 *
 * <p>Where: the files go to a staging directory beside the target,
 * {@code <parent>/.<name>.transfer/files}, with the progress file
 * {@code <parent>/.<name>.transfer/PROGRESS} ({@link TransferProgress}). When every file has
 * passed its checks, the manifest is written into the files directory as
 * {@value SnapshotManifest#FILE_NAME}, the files directory is renamed to the target in one step
 * and the parent directory forced; then the staging directory is deleted. So the target either
 * does not exist (or is the empty directory it was) or holds a complete, verified snapshot, and a
 * half-finished download is never where a store is expected. A directory is a complete snapshot
 * if and only if it holds {@value SnapshotManifest#FILE_NAME}.
 *
 * <p>Checks: CRC32C per chunk (a bad chunk is asked for once more; bad twice stops the transfer
 * with {@link SnapshotTransferException.Kind#VERIFICATION_FAILED}), and SHA-256 per file after
 * its last byte, read back from disk (a mismatch fetches the file once more from its start, then
 * fails the same way). Every manifest file name is a plain name, checked before use.
 *
 * <p>Resuming: the progress file is rewritten after every request ({@value #DEFAULT_REQUEST_BYTES}
 * bytes by default) and at least every second while data arrives, so a killed fetch repeats at
 * most that much. A lost connection, a timeout or a busy source is retried with back-off up to
 * {@link Builder#maxReconnects} times in a row (the count restarts whenever bytes were verified in
 * between), from the verified offsets; a new run with the same target resumes from the progress
 * file. If the source no longer holds the snapshot (its lease expired, it restarted), the staging
 * directory is discarded and the download starts again with a new snapshot, logged as such.
 *
 * <p>Threading: {@link #fetch()} runs on the calling thread and blocks; one fetch per target at a
 * time (nothing locks the staging directory).
 */
public final class SnapshotFetcher
{
    /** Bytes asked for in one GET_FILE; the progress file is rewritten after each. */
    static final long DEFAULT_REQUEST_BYTES = 8L << 20;
    /** New snapshots asked for in one fetch after the source lost the one being downloaded. */
    static final int MAX_SNAPSHOT_RESTARTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFetcher.class);
    private static final String FILES_DIR = "files";
    private static final int STREAM_BUFFER_BYTES = 64 * 1024;
    private static final long BACKOFF_MIN_MS = 100;
    private static final long BACKOFF_MAX_MS = 2_000;
    /** The progress file is rewritten at least this often while data arrives (and after each request). */
    private static final long SAVE_INTERVAL_NS = 1_000_000_000L;

    private final InetSocketAddress source;
    private final Path target;
    private final Path staging;
    private final Path filesDir;
    private final Path progressFile;
    private final int expectedPartition;
    private final String expectedCluster;
    /** The one snapshot to fetch, or {@link SnapshotManifest#NEW_SNAPSHOT} for a new one. */
    private final long snapshotId;
    private final TransferListener listener;
    private final long maxBytesPerSecond;
    private final FabricCredentials credentials;
    private final javax.net.ssl.SSLContext tls;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final int maxReconnects;
    private final long requestBytes;

    private final CRC32C crc = new CRC32C();
    private final Set<String> badChunks = new HashSet<>();
    private final Set<Integer> refetchedFiles = new HashSet<>();
    private TransferProgress progress;
    private long bytesReceived;
    private long resumedBytes = -1;
    private int reconnects;
    private int restarts;
    private int crcFailures;
    private int shaFailures;
    private long lastSaveNs = System.nanoTime();

    private SnapshotFetcher(final Builder b)
    {
        this.source = Objects.requireNonNull(b.source, "source");
        this.target = Objects.requireNonNull(b.target, "target").toAbsolutePath().normalize();
        if (target.getParent() == null || target.getFileName() == null)
        {
            throw new IllegalArgumentException("snapshot target " + target + " must be a directory below another");
        }
        this.staging = target.resolveSibling("." + target.getFileName() + ".transfer");
        this.filesDir = staging.resolve(FILES_DIR);
        this.progressFile = staging.resolve(TransferProgress.FILE_NAME);
        this.expectedPartition = b.expectedPartition;
        this.expectedCluster = b.expectedCluster;
        this.snapshotId = b.snapshotId;
        this.listener = Objects.requireNonNull(b.listener, "listener");
        this.maxBytesPerSecond = b.maxBytesPerSecond;
        this.credentials = b.credentials;
        this.tls = b.tls;
        this.connectTimeoutMs = b.connectTimeoutMs;
        this.readTimeoutMs = b.readTimeoutMs;
        this.maxReconnects = b.maxReconnects;
        this.requestBytes = b.requestBytes;
    }

    /** @return a builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * What a fetch did.
     *
     * @param manifest         the installed snapshot.
     * @param dir              where it is installed (the target).
     * @param bytesReceived    chunk data received by this fetch (chunks that failed their check too).
     * @param resumedBytes     bytes already verified in staging when this fetch started (0 if none).
     * @param elapsedNs        how long this fetch took.
     * @param alreadyInstalled whether the target held the complete snapshot already (nothing fetched).
     * @param reconnects       connections re-opened after a break.
     * @param restarts         times the download started again with a new snapshot.
     * @param crcFailures      chunks that failed CRC32C and were fetched again.
     * @param shaFailures      files that failed SHA-256 and were fetched again.
     */
    public record Result(
        SnapshotManifest manifest,
        Path dir,
        long bytesReceived,
        long resumedBytes,
        long elapsedNs,
        boolean alreadyInstalled,
        int reconnects,
        int restarts,
        int crcFailures,
        int shaFailures)
    {
    }

    /**
     * @param dir a directory.
     * @return whether it holds a complete installed snapshot ({@value SnapshotManifest#FILE_NAME}).
     */
    public static boolean isInstalled(final Path dir)
    {
        return Files.isRegularFile(dir.resolve(SnapshotManifest.FILE_NAME));
    }

    /**
     * @param target a fetch target.
     * @return the staging directory a fetch into {@code target} uses.
     */
    public static Path stagingDir(final Path target)
    {
        final Path t = target.toAbsolutePath().normalize();
        return t.resolveSibling("." + t.getFileName() + ".transfer");
    }

    /**
     * Downloads, verifies and installs a snapshot into the target, resuming a download an earlier
     * run left in the staging directory.
     *
     * @return what was done.
     * @throws SnapshotTransferException if the target is not usable, the data fails its checks
     *                                   twice, or the source cannot be reached or fails; the staging
     *                                   directory stays for a later run (unless the target was bad).
     */
    public Result fetch()
    {
        final long startNs = System.nanoTime();
        if (isInstalled(target))
        {
            final SnapshotManifest installed = readInstalled(target);
            deleteQuietly(staging);
            LOG.info("{} already holds {}; nothing to fetch", target, installed);
            return new Result(installed, target, 0, installed.totalBytes(), System.nanoTime() - startNs, true, 0, 0, 0, 0);
        }
        checkTarget();
        progress = loadProgress();
        resumedBytes = progress == null ? 0 : progress.verifiedTotal();
        int failuresInARow = 0;
        long backoffMs = BACKOFF_MIN_MS;
        while (true)
        {
            final long verifiedBefore = progress == null ? 0 : progress.verifiedTotal();
            try (Session session = new Session())
            {
                session.run();
                install();
                final Result result = new Result(progress.manifest(), target, bytesReceived, resumedBytes,
                    System.nanoTime() - startNs, false, reconnects, restarts, crcFailures, shaFailures);
                LOG.info("installed {} from {} in {}: {} bytes received, {} resumed, {} reconnects, {} restarts",
                    progress.manifest(), source, target, bytesReceived, resumedBytes, reconnects, restarts);
                return result;
            }
            catch (final IOException | RemoteError e)
            {
                if (e instanceof RemoteError remote && remote.code != TransferProtocol.ERROR_BUSY)
                {
                    throw new SnapshotTransferException(SnapshotTransferException.Kind.FAILED, "source " + source +
                        " refused the transfer: " + e.getMessage() + "; " + keptStaging(), e);
                }
                saveProgressQuietly();
                final boolean advanced = progress != null && progress.verifiedTotal() > verifiedBefore;
                failuresInARow = advanced ? 1 : failuresInARow + 1;
                if (advanced)
                {
                    backoffMs = BACKOFF_MIN_MS;
                }
                if (failuresInARow > maxReconnects)
                {
                    throw new SnapshotTransferException(SnapshotTransferException.Kind.FAILED, "cannot fetch a " +
                        "snapshot from " + source + ": " + describe(e) + " (" + failuresInARow + " attempts in a row " +
                        "without progress); " + keptStaging(), e);
                }
                reconnects++;
                final String reason = "connection to " + source + " failed: " + describe(e) + "; retrying in " +
                    backoffMs + " ms from " + (progress == null ? 0 : progress.verifiedTotal()) + " verified bytes";
                LOG.warn(reason);
                listener.onRestart(reason);
                LockSupport.parkNanos(backoffMs * 1_000_000);
                backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
            }
        }
    }

    private String keptStaging()
    {
        return Files.exists(staging) ? "the verified part stays in " + staging + "; run again to resume" :
            "nothing was kept";
    }

    private static String describe(final Exception e)
    {
        return e instanceof RemoteError ? e.getMessage() : e.toString();
    }

    private void checkTarget()
    {
        if (!Files.exists(target))
        {
            return;
        }
        if (!Files.isDirectory(target))
        {
            throw new SnapshotTransferException(SnapshotTransferException.Kind.BAD_TARGET, "snapshot target " + target +
                " exists and is not a directory; give a new or empty directory", null);
        }
        try (Stream<Path> entries = Files.list(target))
        {
            if (entries.findAny().isPresent())
            {
                throw new SnapshotTransferException(SnapshotTransferException.Kind.BAD_TARGET, "snapshot target " +
                    target + " holds files but no " + SnapshotManifest.FILE_NAME + "; refusing to write into it; " +
                    "give a new or empty directory", null);
            }
        }
        catch (final IOException e)
        {
            throw new SnapshotTransferException(SnapshotTransferException.Kind.BAD_TARGET, "cannot list snapshot " +
                "target " + target + ": " + e, e);
        }
    }

    /** @return the progress left by an earlier run, or null (an unusable staging directory is deleted). */
    private TransferProgress loadProgress()
    {
        if (!Files.exists(staging))
        {
            return null;
        }
        try
        {
            final TransferProgress loaded = TransferProgress.read(progressFile);
            LOG.info("resuming the download of {} in {} from {} verified bytes", loaded.manifest(), staging,
                loaded.verifiedTotal());
            return loaded;
        }
        catch (final NoSuchFileException e)
        {
            LOG.info("staging directory {} has no progress file (an earlier run stopped before its first); " +
                "starting afresh", staging);
        }
        catch (final IOException | IllegalArgumentException e)
        {
            LOG.warn("staging directory {} has an unreadable progress file ({}); starting afresh", staging, e.getMessage());
        }
        deleteStaging();
        return null;
    }

    private void startStaging(final SnapshotManifest manifest) throws IOException
    {
        deleteStaging();
        Files.createDirectories(filesDir);
        for (final SnapshotManifest.FileEntry f : manifest.files())
        {
            Files.createFile(filesDir.resolve(f.name()));
        }
        progress = TransferProgress.start(manifest, source.getHostString() + ":" + source.getPort());
        progress.write(progressFile);
        Dirs.forceDirectory(staging.getParent());
    }

    private void deleteStaging()
    {
        try
        {
            Dirs.deleteTree(staging);
        }
        catch (final IOException e)
        {
            throw new SnapshotTransferException(SnapshotTransferException.Kind.FAILED, "cannot delete the staging " +
                "directory " + staging + ": " + e + "; delete it by hand", e);
        }
    }

    private static void deleteQuietly(final Path dir)
    {
        try
        {
            Dirs.deleteTree(dir);
        }
        catch (final IOException e)
        {
            LOG.warn("cannot delete {}: {}", dir, e.toString());
        }
    }

    private void saveProgressQuietly()
    {
        if (progress == null || !Files.isDirectory(staging))
        {
            return;
        }
        try
        {
            forceFiles();
            progress.write(progressFile);
        }
        catch (final IOException e)
        {
            LOG.warn("cannot save the progress of the download in {}: {}; a resume repeats the last part", staging,
                e.toString());
        }
    }

    /** Forces the data of every partly downloaded file, so the progress file may count it. */
    private void forceFiles() throws IOException
    {
        final List<SnapshotManifest.FileEntry> files = progress.manifest().files();
        for (int i = 0; i < files.size(); i++)
        {
            if (progress.verified(i) > 0)
            {
                try (FileChannel ch = FileChannel.open(filesDir.resolve(files.get(i).name()), StandardOpenOption.WRITE))
                {
                    ch.force(false);
                }
            }
        }
    }

    private void install()
    {
        final SnapshotManifest manifest = progress.manifest();
        try
        {
            DurableFiles.replace(filesDir.resolve(SnapshotManifest.FILE_NAME), manifest.toText().getBytes(StandardCharsets.UTF_8));
            if (Files.exists(target))
            {
                Files.delete(target); // checked empty before the download
            }
            Files.move(filesDir, target, StandardCopyOption.ATOMIC_MOVE);
            Dirs.forceDirectory(target.getParent());
        }
        catch (final IOException e)
        {
            throw new SnapshotTransferException(SnapshotTransferException.Kind.FAILED, "cannot install " + manifest +
                " into " + target + ": " + e + "; " + keptStaging(), e);
        }
        deleteQuietly(staging);
    }

    private static SnapshotManifest readInstalled(final Path dir)
    {
        final Path file = dir.resolve(SnapshotManifest.FILE_NAME);
        try
        {
            return SnapshotManifest.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        }
        catch (final IOException | IllegalArgumentException e)
        {
            throw new SnapshotTransferException(SnapshotTransferException.Kind.BAD_TARGET, "cannot read " + file +
                ": " + e.getMessage(), e);
        }
    }

    /** An ERROR frame from the source. */
    private static final class RemoteError extends Exception
    {
        private static final long serialVersionUID = 1L;
        private final byte code;

        RemoteError(final byte code, final String message)
        {
            super(message);
            this.code = code;
        }
    }

    /** One connection to the source: asks for the manifest, then every missing byte. */
    private final class Session implements AutoCloseable
    {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;
        private final RateLimiter rateLimiter = new RateLimiter(maxBytesPerSecond);

        Session() throws IOException
        {
            final Socket plain = new Socket();
            try
            {
                plain.connect(source, connectTimeoutMs);
                plain.setSoTimeout(readTimeoutMs);
                socket = TransferProtocol.clientSide(tls, plain, source);
                in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), STREAM_BUFFER_BYTES));
                out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), STREAM_BUFFER_BYTES));
            }
            catch (final IOException e)
            {
                plain.close();
                throw e;
            }
        }

        void run() throws IOException, RemoteError
        {
            authenticate();
            agreeOnSnapshot();
            while (true)
            {
                final List<SnapshotManifest.FileEntry> files = progress.manifest().files();
                for (int i = 0; i < files.size(); i++)
                {
                    if (progress.verified(i) < files.get(i).sizeBytes() ||
                        !Files.exists(filesDir.resolve(files.get(i).name())))
                    {
                        download(i);
                    }
                }
                if (checkHashes())
                {
                    return;
                }
            }
        }

        /** Gets the manifest of the snapshot in progress, or of a new one; restarts if the source lost it. */
        private void agreeOnSnapshot() throws IOException, RemoteError
        {
            if (progress != null && snapshotId != SnapshotManifest.NEW_SNAPSHOT &&
                progress.manifest().snapshotId() != snapshotId)
            {
                LOG.info("{} holds part of snapshot {}, not {}; starting again", staging, progress.manifest().idText(),
                    SnapshotManifest.idText(snapshotId));
                deleteStaging();
                progress = null;
            }
            if (progress != null)
            {
                final SnapshotManifest wanted = progress.manifest();
                String lost = null;
                try
                {
                    final SnapshotManifest offered = requestManifest(wanted.snapshotId());
                    if (!offered.equals(wanted))
                    {
                        lost = "the source describes snapshot " + wanted.idText() + " differently now";
                    }
                }
                catch (final RemoteError e)
                {
                    if (e.code != TransferProtocol.ERROR_UNKNOWN_SNAPSHOT || snapshotId != SnapshotManifest.NEW_SNAPSHOT)
                    {
                        throw e; // asked for by id: a source that lost it cannot give another
                    }
                    lost = e.getMessage();
                }
                if (lost == null)
                {
                    listener.onManifest(wanted, progress.verifiedTotal());
                    return;
                }
                if (snapshotId == SnapshotManifest.NEW_SNAPSHOT)
                {
                    restart(lost);
                }
                else
                {
                    // the one snapshot asked for, described differently: another replica's copy of the
                    // same checkpoint (a fetch moved to another source); its files are not these
                    LOG.info("{}; discarding {} verified bytes and fetching it from {}", lost,
                        progress.verifiedTotal(), source);
                    deleteStaging();
                    progress = null;
                }
            }
            final SnapshotManifest manifest = requestManifest(snapshotId);
            if (expectedPartition >= 0 && manifest.partition() != expectedPartition ||
                expectedCluster != null && !expectedCluster.equals(manifest.cluster()))
            {
                throw new SnapshotTransferException(SnapshotTransferException.Kind.FAILED, "the replica at " + source +
                    " serves cluster '" + manifest.cluster() + "' partition " + manifest.partition() + ", not " +
                    (expectedCluster == null ? "" : "cluster '" + expectedCluster + "' ") + "partition " +
                    expectedPartition + "; check the address (transferPort) in the config", null);
            }
            startStaging(manifest);
            LOG.info("fetching {} from {} into {}", manifest, source, target);
            listener.onManifest(manifest, 0);
        }

        private void restart(final String why)
        {
            restarts++;
            final String reason = "source " + source + " no longer holds snapshot " + progress.manifest().idText() +
                " (" + why + "); discarding the staging directory (" + progress.verifiedTotal() + " verified bytes) " +
                "and starting again with a new snapshot";
            if (restarts > MAX_SNAPSHOT_RESTARTS)
            {
                throw new SnapshotTransferException(SnapshotTransferException.Kind.FAILED, "source " + source + " lost " +
                    restarts + " snapshots during one fetch; its lease may be shorter than a transfer takes", null);
            }
            LOG.warn(reason);
            listener.onRestart(reason);
            deleteStaging();
            progress = null;
        }

        private SnapshotManifest requestManifest(final long snapshotId) throws IOException, RemoteError
        {
            TransferProtocol.writeGetManifest(out, snapshotId);
            TransferProtocol.Frame frame = readFrame();
            while (frame.type() == TransferProtocol.PREPARING)
            {
                frame = readFrame(); // the source is still checkpointing and hashing; every such frame resets the timeout
            }
            if (frame.type() != TransferProtocol.MANIFEST)
            {
                throw new TransferProtocol.ProtocolException("expected MANIFEST, got " +
                    TransferProtocol.typeName(frame.type()));
            }
            try
            {
                return SnapshotManifest.parse(new String(frame.body(), StandardCharsets.UTF_8), "manifest from " + source);
            }
            catch (final IllegalArgumentException e)
            {
                throw new SnapshotTransferException(SnapshotTransferException.Kind.FAILED, e.getMessage(), e);
            }
        }

        /**
         * Answers the source's CHALLENGE with this side's proof and checks the source's (see
         * {@link TransferProtocol}); an ERROR (busy, or authentication refused) becomes a RemoteError.
         */
        private void authenticate() throws IOException, RemoteError
        {
            final TransferProtocol.Frame challenge = readFrame();
            if (challenge.type() != TransferProtocol.CHALLENGE || challenge.body().length != TransferProtocol.NONCE_BYTES)
            {
                throw new TransferProtocol.ProtocolException("expected CHALLENGE, got " +
                    TransferProtocol.typeName(challenge.type()));
            }
            final byte[] nonce = FabricCredentials.newNonce();
            TransferProtocol.writeBytes(out, TransferProtocol.AUTH, nonce,
                credentials.serverProof(TransferProtocol.proofContext("fetcher", challenge.body(), nonce)));
            final TransferProtocol.Frame ok = readFrame();
            if (ok.type() != TransferProtocol.AUTH_OK || ok.body().length != TransferProtocol.PROOF_BYTES)
            {
                throw new TransferProtocol.ProtocolException("expected AUTH_OK, got " + TransferProtocol.typeName(ok.type()));
            }
            if (!credentials.isServerProof(TransferProtocol.proofContext("source", nonce, challenge.body()), ok.body()))
            {
                throw new SnapshotTransferException(SnapshotTransferException.Kind.FAILED, "source " + source +
                    " did not prove that it holds the replica secret of this cluster (another cluster's replica, or " +
                    "not a replica); nothing fetched from it; " + keptStaging(), null);
            }
        }

        /** Reads a frame; an ERROR frame becomes a RemoteError. */
        private TransferProtocol.Frame readFrame() throws IOException, RemoteError
        {
            final TransferProtocol.Frame frame = TransferProtocol.read(in);
            if (frame.type() == TransferProtocol.ERROR)
            {
                throw new RemoteError(TransferProtocol.errorCode(frame.body()), TransferProtocol.errorMessage(frame.body()));
            }
            return frame;
        }

        private void download(final int fileIndex) throws IOException, RemoteError
        {
            final SnapshotManifest manifest = progress.manifest();
            final SnapshotManifest.FileEntry entry = manifest.files().get(fileIndex);
            final Path file = filesDir.resolve(entry.name());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
            {
                // Bytes past the verified offset were never counted: written but unforced, or unchecked.
                channel.truncate(progress.verified(fileIndex));
                while (progress.verified(fileIndex) < entry.sizeBytes())
                {
                    final long from = progress.verified(fileIndex);
                    final long length = Math.min(requestBytes, entry.sizeBytes() - from);
                    TransferProtocol.writeGetFile(out, manifest.snapshotId(), fileIndex, from, length);
                    receive(channel, fileIndex, entry, from, from + length);
                    channel.force(false);
                    progress.write(progressFile);
                    lastSaveNs = System.nanoTime();
                }
            }
        }

        /** Receives the answer to one GET_FILE for [from, end). */
        private void receive(
            final FileChannel channel,
            final int fileIndex,
            final SnapshotManifest.FileEntry entry,
            final long from,
            final long end) throws IOException, RemoteError
        {
            long expected = from;
            boolean discarding = false;
            while (true)
            {
                final TransferProtocol.Frame frame = readFrame();
                if (frame.type() == TransferProtocol.FILE_END)
                {
                    final long endOffset = frame.body().length == Long.BYTES ? ByteBuffer.wrap(frame.body()).getLong() : -1;
                    if (endOffset != expected || endOffset != end)
                    {
                        throw new TransferProtocol.ProtocolException("file " + entry.name() + ": FILE_END at " +
                            endOffset + " after chunks up to " + expected + ", " + end + " asked for");
                    }
                    return;
                }
                if (frame.type() != TransferProtocol.CHUNK || frame.body().length <= TransferProtocol.CHUNK_HEADER_BYTES)
                {
                    throw new TransferProtocol.ProtocolException("file " + entry.name() + ": expected CHUNK or FILE_END, " +
                        "got " + TransferProtocol.typeName(frame.type()) + " of " + frame.body().length + " bytes");
                }
                final ByteBuffer body = ByteBuffer.wrap(frame.body()).order(ByteOrder.BIG_ENDIAN);
                final long offset = body.getLong();
                final int checksum = body.getInt();
                final int length = body.remaining();
                if (offset != expected || offset + length > end)
                {
                    throw new TransferProtocol.ProtocolException("file " + entry.name() + ": chunk [" + offset + ", " +
                        (offset + length) + ") where [" + expected + ", " + end + ") was due");
                }
                bytesReceived += length;
                rateLimiter.acquire(length);
                expected += length;
                if (discarding)
                {
                    continue; // after a bad chunk: the rest of this answer is asked for again
                }
                crc.reset();
                crc.update(frame.body(), TransferProtocol.CHUNK_HEADER_BYTES, length);
                if ((int)crc.getValue() != checksum)
                {
                    crcFailures++;
                    if (!badChunks.add(fileIndex + "@" + offset))
                    {
                        throw new SnapshotTransferException(SnapshotTransferException.Kind.VERIFICATION_FAILED,
                            "the chunk at offset " + offset + " of file " + entry.name() + " of snapshot " +
                                progress.manifest().idText() + " from " + source + " failed its CRC32C check twice; " +
                                "something between the replica and here corrupts data (network, memory); " +
                                keptStaging(), null);
                    }
                    LOG.warn("the chunk at offset {} of file {} from {} failed its CRC32C check; asking for it again",
                        offset, entry.name(), source);
                    discarding = true;
                    continue;
                }
                final ByteBuffer data = ByteBuffer.wrap(frame.body(), TransferProtocol.CHUNK_HEADER_BYTES, length);
                while (data.hasRemaining())
                {
                    channel.write(data, offset + (data.position() - TransferProtocol.CHUNK_HEADER_BYTES));
                }
                progress.verified(fileIndex, offset + length);
                if (System.nanoTime() - lastSaveNs > SAVE_INTERVAL_NS)
                {
                    // A slow (rate-limited) transfer loses at most a second to a crash.
                    channel.force(false);
                    progress.write(progressFile);
                    lastSaveNs = System.nanoTime();
                }
                listener.onProgress(progress.verifiedTotal(), progress.manifest().totalBytes(), progress.filesDone(),
                    progress.manifest().files().size());
            }
        }

        /** @return whether every file's SHA-256 matches; a mismatching file is reset to be fetched again. */
        private boolean checkHashes() throws IOException
        {
            final List<SnapshotManifest.FileEntry> files = progress.manifest().files();
            boolean all = true;
            for (int i = 0; i < files.size(); i++)
            {
                final SnapshotManifest.FileEntry entry = files.get(i);
                final Path file = filesDir.resolve(entry.name());
                final String actual = Dirs.sha256Hex(file);
                if (actual.equals(entry.sha256Hex()) && Files.size(file) == entry.sizeBytes())
                {
                    continue;
                }
                shaFailures++;
                if (!refetchedFiles.add(i))
                {
                    throw new SnapshotTransferException(SnapshotTransferException.Kind.VERIFICATION_FAILED, "file " +
                        entry.name() + " of snapshot " + progress.manifest().idText() + " from " + source + " failed " +
                        "its SHA-256 check twice (expected " + entry.sha256Hex() + ", got " + actual + "); the source's " +
                        "copy may be damaged; " + keptStaging(), null);
                }
                LOG.warn("file {} of snapshot {} failed its SHA-256 check (expected {}, got {}); fetching it again",
                    entry.name(), progress.manifest().idText(), entry.sha256Hex(), actual);
                progress.verified(i, 0);
                all = false;
            }
            if (!all)
            {
                progress.write(progressFile);
            }
            return all;
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }

    /** Builder; not thread-safe. */
    public static final class Builder
    {
        private InetSocketAddress source;
        private Path target;
        private int expectedPartition = -1;
        private String expectedCluster;
        private long snapshotId = SnapshotManifest.NEW_SNAPSHOT;
        private TransferListener listener = TransferListener.NONE;
        private long maxBytesPerSecond = RateLimiter.UNLIMITED;
        private FabricCredentials credentials;
        private javax.net.ssl.SSLContext tls;
        private int connectTimeoutMs = 5_000;
        private int readTimeoutMs = 60_000;
        private int maxReconnects = 5;
        private long requestBytes = DEFAULT_REQUEST_BYTES;

        private Builder()
        {
        }

        /**
         * @param address the source replica's transfer address.
         * @return this.
         */
        public Builder source(final InetSocketAddress address)
        {
            this.source = address;
            return this;
        }

        /**
         * @param dir where the snapshot is installed: missing or empty, or a complete snapshot already.
         * @return this.
         */
        public Builder target(final Path dir)
        {
            this.target = dir;
            return this;
        }

        /**
         * @param cluster   the cluster the source must belong to, or null not to check.
         * @param partition the partition the source must serve, or -1 not to check.
         * @return this.
         */
        public Builder expect(final String cluster, final int partition)
        {
            this.expectedCluster = cluster;
            this.expectedPartition = partition;
            return this;
        }

        /**
         * @param listener progress reports (default: none).
         * @return this.
         */
        public Builder listener(final TransferListener listener)
        {
            this.listener = listener;
            return this;
        }

        /**
         * @param id the id of the one snapshot to fetch (a checkpoint kept at a checkpoint
         *           transaction); the fetch fails if the source does not hold it. Default: a new
         *           snapshot of the source's store as it is when asked.
         * @return this.
         */
        public Builder snapshot(final long id)
        {
            if (id <= 0)
            {
                throw new IllegalArgumentException("snapshot id " + id + " must be positive");
            }
            this.snapshotId = id;
            return this;
        }

        /**
         * @param bytesPerSecond read at most this fast (0: no limit); TCP back-pressure slows the
         *                       source to match, so it limits the load on the source replica too.
         * @return this.
         */
        public Builder maxBytesPerSecond(final long bytesPerSecond)
        {
            if (bytesPerSecond < 0)
            {
                throw new IllegalArgumentException("maxBytesPerSecond must be >= 0 (0: no limit): " + bytesPerSecond);
            }
            this.maxBytesPerSecond = bytesPerSecond;
            return this;
        }

        /**
         * @param connectMs connect timeout, {@code > 0}.
         * @param readMs    longest wait for the next frame, {@code > 0}.
         * @return this.
         */
        public Builder timeouts(final int connectMs, final int readMs)
        {
            if (connectMs <= 0 || readMs <= 0)
            {
                throw new IllegalArgumentException("timeouts must be positive: connect " + connectMs + " ms, read " +
                    readMs + " ms");
            }
            this.connectTimeoutMs = connectMs;
            this.readTimeoutMs = readMs;
            return this;
        }

        /**
         * @param count failed attempts in a row (without a verified byte in between) tolerated
         *              before the fetch gives up, {@code >= 0}.
         * @return this.
         */
        public Builder maxReconnects(final int count)
        {
            if (count < 0)
            {
                throw new IllegalArgumentException("maxReconnects must be >= 0: " + count);
            }
            this.maxReconnects = count;
            return this;
        }

        /**
         * @param bytes bytes asked for per request (and between two progress file writes), {@code >= 1}.
         * @return this.
         */
        Builder requestBytes(final long bytes)
        {
            if (bytes < 1)
            {
                throw new IllegalArgumentException("requestBytes must be positive: " + bytes);
            }
            this.requestBytes = bytes;
            return this;
        }

        /**
         * @param tls the cluster's TLS context ({@code security.tls}): the connection is encrypted and
         *            this side presents its certificate; null (the default) for plaintext.
         * @return this.
         */
        public Builder tls(final javax.net.ssl.SSLContext tls)
        {
            this.tls = tls;
            return this;
        }

        /**
         * @param credentials the replica credentials (of the cluster's {@code security} section):
         *                    the source serves only a fetcher that proves it holds the replica
         *                    secret, and proves the same. Required.
         * @return this.
         */
        public Builder credentials(final FabricCredentials credentials)
        {
            if (!credentials.holdsServerSecret())
            {
                throw new IllegalArgumentException("fetching a snapshot needs the replica secret; these credentials hold " +
                    "only the client secret");
            }
            this.credentials = credentials;
            return this;
        }

        /** @return the fetcher. */
        public SnapshotFetcher build()
        {
            if (credentials == null)
            {
                throw new IllegalStateException("credentials not set: the snapshot port serves members only");
            }
            return new SnapshotFetcher(this);
        }
    }
}
