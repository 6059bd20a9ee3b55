package io.ramcast.storage.transfer;

import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.storage.StoreIdentity;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.PartitionStore;
import io.ramcast.txn.store.StoreBatch;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * State transfer end to end on real RocksDB stores and real sockets: a {@link SnapshotServer} over
 * a live store, a {@link SnapshotFetcher} downloading into a directory, and a {@link TransferProxy}
 * that cuts or corrupts the stream in between.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SnapshotTransferTest
{
    private static final int KEYS = 3000;
    private static final int VALUE_BYTES = 300;
    private static final int CHUNK_BYTES = 16 * 1024;
    private static final long REQUEST_BYTES = 64 * 1024;
    private static final long LEASE_MS = 60_000;
    private static final StoreIdentity IDENTITY = new StoreIdentity("test", 1, 4);
    /** The replica credentials source and fetchers use, unless a test says otherwise. */
    static final FabricCredentials CREDENTIALS = credentials('r');

    /** @return replica credentials of cluster "test" whose replica secret is 32 bytes of {@code fill}. */
    static FabricCredentials credentials(final char fill)
    {
        final byte[] replica = new byte[FabricCredentials.MIN_SECRET_BYTES];
        final byte[] client = new byte[FabricCredentials.MIN_SECRET_BYTES];
        java.util.Arrays.fill(replica, (byte)fill);
        java.util.Arrays.fill(client, (byte)'c');
        return FabricCredentials.server("test", replica, client, 1);
    }

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private RocksPartitionStore store;
    private SnapshotServer server;

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Durability.class, names = {"NONE", "WAL"})
    void shouldFetchASnapshotHoldingTheSameDataAndAppliedMark(final Durability durability) throws Exception
    {
        startSource(durability, SnapshotServer.Options.DEFAULT);
        final Digest expected = digest(store);
        final Path target = dir.resolve("backup");

        final SnapshotFetcher.Result result = fetcher(source(), target).build().fetch();

        assertThat(result.alreadyInstalled()).isFalse();
        assertThat(result.manifest().appliedMark()).isEqualTo(store.lastApplied());
        assertThat(result.manifest().partition()).isEqualTo(IDENTITY.partition());
        assertThat(result.manifest().sourceReplica()).isEqualTo(IDENTITY.replicaId());
        assertThat(result.bytesReceived()).isEqualTo(result.manifest().totalBytes());
        assertThat(result.reconnects()).isZero();
        assertThat(SnapshotFetcher.isInstalled(target)).isTrue();
        assertThat(SnapshotFetcher.stagingDir(target)).doesNotExist();
        assertThat(SnapshotManifest.parse(Files.readString(target.resolve(SnapshotManifest.FILE_NAME)), "installed"))
            .isEqualTo(result.manifest());
        assertThat(server.snapshotsDir()).isDirectory().isEqualTo(dir.resolve("replica").resolve("snapshots"));

        final List<String> filesBefore = listing(target);
        assertThat(digest(target)).isEqualTo(expected);
        assertThat(listing(target)).as("a read-only open writes nothing").isEqualTo(filesBefore);

        final SnapshotFetcher.Result again = fetcher(source(), target).build().fetch();
        assertThat(again.alreadyInstalled()).isTrue();
        assertThat(again.manifest()).isEqualTo(result.manifest());
        assertThat(again.bytesReceived()).isZero();
    }

    @Test
    void shouldSnapshotConsistentlyWhileBatchesAreApplied() throws Exception
    {
        // A separate store: here one writer thread owns it, as the executor owns a replica's store.
        final RocksPartitionStore live = RocksPartitionStore.open(dir.resolve("live"), Durability.NONE);
        toClose.add(live);
        final SnapshotServer liveServer = SnapshotServer.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            live, IDENTITY, dir.resolve("live"), SnapshotServer.Options.DEFAULT, CREDENTIALS, null, clock).start();
        toClose.add(0, live);
        toClose.add(liveServer);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong applied = new AtomicLong();
        final Thread writer = new Thread(() ->
        {
            // Batch k writes counter=k and item-k under mark k: the data says which mark it is at.
            for (long k = 1; k <= 1_000_000 && !stop.get(); k++)
            {
                live.apply(new StoreBatch(new AppliedMark(k, 1, k)).put(utf8("counter"), utf8(Long.toString(k)))
                    .put(utf8(String.format("item-%08d", k)), new byte[64]));
                applied.set(k);
            }
        }, "writer");
        writer.start();
        try
        {
            await(() -> applied.get() >= 2000, "2000 batches applied");
            final Path target = dir.resolve("backup");
            final SnapshotFetcher.Result result = fetcher(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), liveServer.port()), target).build().fetch();
            final long mark = result.manifest().appliedMark().timestamp();
            assertThat(mark).isGreaterThanOrEqualTo(2000);
            try (RocksPartitionStore copy = RocksPartitionStore.openReadOnly(target))
            {
                assertThat(copy.lastApplied()).isEqualTo(new AppliedMark(mark, 1, mark));
                assertThat(new String(copy.get(utf8("counter")), StandardCharsets.UTF_8)).isEqualTo(Long.toString(mark));
                assertThat(copy.get(utf8(String.format("item-%08d", mark)))).isNotNull();
                assertThat(copy.get(utf8(String.format("item-%08d", mark + 1)))).isNull();
                final int[] items = {0};
                copy.scan(utf8("item-"), utf8("item."), Integer.MAX_VALUE, (k, v) -> items[0]++);
                assertThat(items[0]).isEqualTo((int)mark);
            }
        }
        finally
        {
            stop.set(true);
            writer.join();
        }
    }

    @Test
    void shouldResumeFromTheVerifiedOffsetsAfterTheConnectionIsCut() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);
        final Digest expected = digest(store);
        final TransferProxy proxy = proxy();
        final long size = storeSize();
        proxy.cutFirstConnectionAfter(size / 2);
        final Path target = dir.resolve("backup");

        final SnapshotFetcher.Result result = fetcher(proxy.address(), target).build().fetch();

        assertThat(proxy.connections()).isEqualTo(2);
        assertThat(result.reconnects()).isEqualTo(1);
        assertThat(result.restarts()).isZero();
        final long total = result.manifest().totalBytes();
        assertThat(result.bytesReceived()).as("chunk bytes received").isGreaterThanOrEqualTo(total)
            .isLessThan(total + total / 2);
        assertThat(proxy.bytesToClient()).as("bytes through the proxy").isLessThan(total + total / 2 + 64 * 1024);
        assertThat(digest(target)).isEqualTo(expected);
    }

    @Test
    void shouldResumeFromTheProgressFileAfterTheFetcherWasStopped() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);
        final Digest expected = digest(store);
        final Path target = dir.resolve("backup");
        final RuntimeException killed = new RuntimeException("fetcher killed");

        final RuntimeException thrown = catchThrowableOfType(RuntimeException.class, () -> fetcher(source(), target)
            .listener(new TransferListener()
            {
                @Override
                public void onProgress(final long verifiedBytes, final long totalBytes, final int done, final int count)
                {
                    if (verifiedBytes > totalBytes / 2)
                    {
                        throw killed;
                    }
                }
            }).build().fetch());

        assertThat(thrown).isSameAs(killed);
        final Path staging = SnapshotFetcher.stagingDir(target);
        assertThat(target).doesNotExist();
        assertThat(staging.resolve(TransferProgress.FILE_NAME)).isRegularFile();
        assertThat(SnapshotFetcher.isInstalled(staging.resolve("files"))).isFalse();
        assertThatThrownBy(() -> RocksPartitionStore.openReadOnly(target)).hasMessageContaining("no such directory");
        final long savedBytes = TransferProgress.read(staging.resolve(TransferProgress.FILE_NAME)).verifiedTotal();
        assertThat(savedBytes).isPositive();

        final SnapshotFetcher.Result resumed = fetcher(source(), target).build().fetch();

        assertThat(resumed.resumedBytes()).isEqualTo(savedBytes);
        assertThat(resumed.restarts()).isZero();
        assertThat(resumed.bytesReceived()).isEqualTo(resumed.manifest().totalBytes() - savedBytes);
        assertThat(staging).doesNotExist();
        assertThat(digest(target)).isEqualTo(expected);
    }

    @Test
    void shouldFetchACorruptedChunkAgain() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);
        final Digest expected = digest(store);
        final TransferProxy proxy = proxy();
        proxy.corruptChunks(1);
        final Path target = dir.resolve("backup");

        final SnapshotFetcher.Result result = fetcher(proxy.address(), target).build().fetch();

        assertThat(proxy.chunksCorrupted()).isEqualTo(1);
        assertThat(result.crcFailures()).isEqualTo(1);
        assertThat(result.shaFailures()).isZero();
        assertThat(result.reconnects()).as("repaired on the same connection").isZero();
        assertThat(digest(target)).isEqualTo(expected);
    }

    @Test
    void shouldFailNamingTheChunkWhenItStaysCorrupt() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);
        final TransferProxy proxy = proxy();
        proxy.corruptChunks(Integer.MAX_VALUE);
        final Path target = dir.resolve("backup");

        final SnapshotTransferException e = catchThrowableOfType(SnapshotTransferException.class, () -> fetcher(proxy.address(), target).build().fetch());

        assertThat(e.kind()).isEqualTo(SnapshotTransferException.Kind.VERIFICATION_FAILED);
        assertThat(e.getMessage()).contains("failed its CRC32C check twice").contains("run again to resume");
        assertThat(target).doesNotExist();
    }

    @Test
    void shouldFailWhenAFileStaysDifferentFromItsManifest() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);
        final Path target = dir.resolve("backup");
        final SnapshotManifest manifest = stopAtManifest(target);
        // Damage the source's CURRENT, which a checkpoint writes afresh (never a link into the live store).
        final SnapshotManifest.FileEntry options = manifest.files().stream()
            .filter(f -> f.name().equals("CURRENT")).findFirst().orElseThrow();
        final Path damaged = server.snapshotsDir().resolve(manifest.idText()).resolve(options.name());
        final byte[] content = Files.readAllBytes(damaged);
        content[content.length / 2] ^= 0x01;
        Files.write(damaged, content);

        final SnapshotTransferException e = catchThrowableOfType(SnapshotTransferException.class, () -> fetcher(source(), target).build().fetch());

        assertThat(e.kind()).isEqualTo(SnapshotTransferException.Kind.VERIFICATION_FAILED);
        assertThat(e.getMessage()).contains("file " + options.name()).contains("failed its SHA-256 check twice");
        assertThat(target).doesNotExist();
    }

    @Test
    void shouldStartAgainWithANewSnapshotWhenTheSourceLetTheOldOneExpire() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);
        final Digest expected = digest(store);
        final Path target = dir.resolve("backup");
        final SnapshotManifest first = stopAtManifest(target);
        final Path firstDir = server.snapshotsDir().resolve(first.idText());
        assertThat(firstDir).isDirectory();

        clock.advance(LEASE_MS + 1);
        await(() -> !Files.exists(firstDir), "the expired snapshot deleted by the server's tick");
        final List<String> restartReasons = new ArrayList<>();
        final SnapshotFetcher.Result result = fetcher(source(), target).listener(new TransferListener()
        {
            @Override
            public void onRestart(final String reason)
            {
                restartReasons.add(reason);
            }
        }).build().fetch();

        assertThat(result.restarts()).isEqualTo(1);
        assertThat(restartReasons).singleElement().asString().contains("no longer holds snapshot " + first.idText())
            .contains("starting again with a new snapshot");
        assertThat(result.manifest().snapshotId()).isNotEqualTo(first.snapshotId());
        assertThat(digest(target)).isEqualTo(expected);
    }

    /**
     * A checkpoint kept by id (as the executor keeps one at a checkpoint transaction) is fetched by
     * that id with the store as it was then, however the store changed since; an id the source
     * does not hold fails the fetch instead of fetching a new snapshot.
     */
    @Test
    void shouldFetchAKeptCheckpointByItsIdAsTheStoreWasWhenKept() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);
        final Digest atCheckpoint = digest(store);
        final long id = 0x5eedL;
        server.keepCheckpoint(id);
        store.apply(new StoreBatch(new AppliedMark(store.lastApplied().timestamp() + 1, 1, 99))
            .put(utf8("after"), utf8("the checkpoint")));
        assertThat(digest(store)).isNotEqualTo(atCheckpoint);

        final SnapshotFetcher.Result result = fetcher(source(), dir.resolve("kept")).snapshot(id).build().fetch();

        assertThat(result.manifest().snapshotId()).isEqualTo(id);
        assertThat(result.manifest().appliedMark()).isEqualTo(atCheckpoint.lastApplied());
        assertThat(digest(dir.resolve("kept"))).isEqualTo(atCheckpoint);

        final SnapshotTransferException unknown = catchThrowableOfType(SnapshotTransferException.class,
            () -> fetcher(source(), dir.resolve("unknown")).snapshot(id + 1).build().fetch());
        assertThat(unknown.kind()).isEqualTo(SnapshotTransferException.Kind.FAILED);
        assertThat(unknown.getMessage()).contains("holds no snapshot " + SnapshotManifest.idText(id + 1));
        assertThat(server.snapshotIds()).containsExactly(id);
    }

    @Test
    void shouldAnswerRequestsForUnknownSnapshotsAndBadRequestsWithErrors() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);
        try (RawClient client = new RawClient(source()))
        {
            TransferProtocol.writeGetManifest(client.out, 0x1234);
            assertError(client.read(), TransferProtocol.ERROR_UNKNOWN_SNAPSHOT, "holds no snapshot 0000000000001234");
            TransferProtocol.writeGetFile(client.out, 0x1234, 0, 0, 100);
            assertError(client.read(), TransferProtocol.ERROR_UNKNOWN_SNAPSHOT, "holds no snapshot 0000000000001234");

            TransferProtocol.writeGetManifest(client.out, SnapshotManifest.NEW_SNAPSHOT);
            final TransferProtocol.Frame manifestFrame = client.read();
            assertThat(manifestFrame.type()).isEqualTo(TransferProtocol.MANIFEST);
            final SnapshotManifest manifest =
                SnapshotManifest.parse(new String(manifestFrame.body(), StandardCharsets.UTF_8), "test");
            TransferProtocol.writeGetFile(client.out, manifest.snapshotId(), manifest.files().size(), 0, 100);
            assertError(client.read(), TransferProtocol.ERROR_BAD_REQUEST, "not " + manifest.files().size());
            assertThatThrownBy(client::read).as("the server closes after a bad request").isInstanceOf(EOFException.class);
        }
        try (RawClient client = new RawClient(source()))
        {
            TransferProtocol.writeHeader(client.out, TransferProtocol.CHUNK, 0);
            client.out.flush();
            assertError(client.read(), TransferProtocol.ERROR_BAD_REQUEST, "expected GET_MANIFEST or GET_FILE, got CHUNK");
        }
        try (RawClient client = new RawClient(source()))
        {
            client.out.writeInt(TransferProtocol.MAX_FRAME_LENGTH + 1);
            client.out.flush();
            assertError(client.read(), TransferProtocol.ERROR_BAD_REQUEST, "frame length");
        }
    }

    @Test
    void shouldRefuseConnectionsBeyondTheLimit() throws Exception
    {
        startSource(Durability.WAL, new SnapshotServer.Options(2, 30_000, LEASE_MS, 2, 0, CHUNK_BYTES));
        try (RawClient first = new RawClient(source()); RawClient second = new RawClient(source()))
        {
            for (final RawClient c : List.of(first, second))
            {
                TransferProtocol.writeGetManifest(c.out, 7);
                assertError(c.read(), TransferProtocol.ERROR_UNKNOWN_SNAPSHOT, "holds no snapshot");
            }
            try (RawClient third = new RawClient(source(), null))
            {
                assertError(third.read(), TransferProtocol.ERROR_BUSY, "already serves 2 transfers, its maximum");
            }
        }
        await(() -> server.connectionCount() == 0, "both connections gone");
        final SnapshotFetcher.Result result = fetcher(source(), dir.resolve("backup")).build().fetch();
        assertThat(result.manifest().files()).isNotEmpty();
    }

    @Test
    void shouldCloseIdleConnections() throws Exception
    {
        startSource(Durability.WAL, new SnapshotServer.Options(4, 300, LEASE_MS, 2, 0, CHUNK_BYTES));
        try (RawClient idle = new RawClient(source()))
        {
            assertThatThrownBy(idle::read).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void shouldTellAWaitingFetcherThatASnapshotIsBeingMadeAndNotTakeItForIdle() throws Exception
    {
        startSource(Durability.WAL, new SnapshotServer.Options(4, 500, LEASE_MS, 2, 0, CHUNK_BYTES));
        final CountDownLatch release = new CountDownLatch(1);
        server.source().beforeCheckpoint = () ->
        {
            try
            {
                release.await();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        };
        try (RawClient client = new RawClient(source()))
        {
            TransferProtocol.writeGetManifest(client.out, SnapshotManifest.NEW_SNAPSHOT);
            // Two PREPARING frames span more than the 500 ms idle timeout: the connection stays open.
            assertThat(TransferProtocol.typeName(client.read().type())).isEqualTo("PREPARING");
            assertThat(TransferProtocol.typeName(client.read().type())).isEqualTo("PREPARING");
            release.countDown();
            TransferProtocol.Frame frame = client.read();
            while (frame.type() == TransferProtocol.PREPARING)
            {
                frame = client.read();
            }
            assertThat(TransferProtocol.typeName(frame.type())).isEqualTo("MANIFEST");
            assertThat(SnapshotManifest.parse(new String(frame.body(), StandardCharsets.UTF_8), "m").files()).isNotEmpty();
        }
        finally
        {
            release.countDown();
        }
    }

    @Test
    void shouldKeepAtMostTheMaximumOfSnapshotsAndDeleteLeftovers() throws Exception
    {
        final Path leftover = dir.resolve("replica").resolve("snapshots").resolve("00000000000000aa");
        Files.createDirectories(leftover);
        Files.writeString(leftover.resolve("CURRENT"), "MANIFEST-000001\n");
        startSource(Durability.WAL, new SnapshotServer.Options(4, 30_000, LEASE_MS, 1, 0, CHUNK_BYTES));
        assertThat(leftover).doesNotExist();

        try (RawClient client = new RawClient(source()))
        {
            TransferProtocol.writeGetManifest(client.out, SnapshotManifest.NEW_SNAPSHOT);
            final SnapshotManifest a = SnapshotManifest.parse(new String(client.read().body(), StandardCharsets.UTF_8), "a");
            TransferProtocol.writeGetManifest(client.out, SnapshotManifest.NEW_SNAPSHOT);
            final SnapshotManifest b = SnapshotManifest.parse(new String(client.read().body(), StandardCharsets.UTF_8), "b");

            assertThat(server.snapshotIds()).containsExactly(b.snapshotId());
            assertThat(server.snapshotsDir().resolve(a.idText())).doesNotExist();
            TransferProtocol.writeGetManifest(client.out, a.snapshotId());
            assertError(client.read(), TransferProtocol.ERROR_UNKNOWN_SNAPSHOT, "holds no snapshot " + a.idText());
        }
        server.close();
        assertThat(listing(server.snapshotsDir())).as("close deletes every snapshot").isEmpty();
    }

    /**
     * Only holders of the replica secret are served, and a fetcher takes data only from a source
     * that proves it holds it too; a connection that says nothing is closed after the AUTH deadline.
     */
    @Test
    void shouldServeAndFetchOnlyBetweenHoldersOfTheReplicaSecret() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);

        final Path refusedTarget = dir.resolve("refused");
        final SnapshotTransferException refused = catchThrowableOfType(SnapshotTransferException.class,
            () -> fetcher(source(), refusedTarget).credentials(credentials('x')).build().fetch());
        assertThat(refused.kind()).isEqualTo(SnapshotTransferException.Kind.FAILED);
        assertThat(refused.getMessage()).contains("refused the transfer").contains("authentication failed");
        assertThat(server.snapshotIds()).as("no snapshot made for it").isEmpty();

        assertThatThrownBy(() -> new RawClient(source(), credentials('y')).close()).as("a stranger gets no AUTH_OK")
            .isInstanceOf(AssertionError.class).hasMessageContaining("AUTH_OK");

        try (RawClient silent = new RawClient(source(), null))
        {
            assertThat(silent.read().type()).isEqualTo(TransferProtocol.CHALLENGE);
            assertThatThrownBy(silent::read).as("closed after the AUTH deadline").isInstanceOf(EOFException.class);
        }

        // an impostor that takes any AUTH and answers with a made-up proof
        try (ServerSocket impostor = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Thread answer = new Thread(() ->
            {
                try (Socket s = impostor.accept())
                {
                    final DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    TransferProtocol.writeBytes(out, TransferProtocol.CHALLENGE, FabricCredentials.newNonce());
                    TransferProtocol.read(new DataInputStream(s.getInputStream()));
                    TransferProtocol.writeBytes(out, TransferProtocol.AUTH_OK, new byte[TransferProtocol.PROOF_BYTES]);
                    s.getInputStream().read();
                }
                catch (final IOException e)
                {
                    // the fetcher hung up
                }
            }, "impostor");
            answer.start();
            final SnapshotTransferException unproven = catchThrowableOfType(SnapshotTransferException.class,
                () -> fetcher(new InetSocketAddress(InetAddress.getLoopbackAddress(), impostor.getLocalPort()),
                    dir.resolve("unproven")).build().fetch());
            assertThat(unproven.getMessage()).contains("did not prove that it holds the replica secret");
            answer.join(10_000);
        }
    }

    /**
     * With TLS ({@code security.tls}) the transfer runs encrypted between holders of the cluster's
     * stores; a plaintext fetcher, or one with another cluster's stores, gets nothing.
     */
    @Test
    void shouldTransferOverTlsOnlyWithTheClustersCertificate() throws Exception
    {
        final char[] password = "pw-of-the-stores".toCharArray();
        io.ramcast.multicast.fabric.FabricTls.createSelfSigned(dir.resolve("key.p12"), dir.resolve("trust.p12"),
            password, "cluster", 30);
        io.ramcast.multicast.fabric.FabricTls.createSelfSigned(dir.resolve("other-key.p12"),
            dir.resolve("other-trust.p12"), password, "other", 30);
        final javax.net.ssl.SSLContext tls =
            io.ramcast.multicast.fabric.FabricTls.context(dir.resolve("key.p12"), dir.resolve("trust.p12"), password);
        final javax.net.ssl.SSLContext other = io.ramcast.multicast.fabric.FabricTls.context(
            dir.resolve("other-key.p12"), dir.resolve("other-trust.p12"), password);
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT, tls);
        final Digest expected = digest(store);

        for (final javax.net.ssl.SSLContext refusedContext : java.util.Arrays.asList(null, other))
        {
            final Path refusedTarget = dir.resolve("refused-" + (null == refusedContext ? "plain" : "other"));
            assertThatThrownBy(() -> fetcher(source(), refusedTarget).tls(refusedContext).timeouts(2_000, 2_000).maxReconnects(0).build()
                .fetch())
                .isInstanceOf(SnapshotTransferException.class);
            assertThat(server.snapshotIds()).as("no snapshot made for it").isEmpty();
        }

        final Path target = dir.resolve("backup");
        final SnapshotFetcher.Result result = fetcher(source(), target).tls(tls).build().fetch();
        assertThat(result.bytesReceived()).isEqualTo(result.manifest().totalBytes());
        assertThat(digest(target)).isEqualTo(expected);
    }

    @Test
    void shouldRefuseATargetHoldingOtherFiles() throws Exception
    {
        startSource(Durability.WAL, SnapshotServer.Options.DEFAULT);
        final Path target = dir.resolve("backup");
        Files.createDirectories(target);
        Files.writeString(target.resolve("notes.txt"), "mine");

        final SnapshotTransferException e = catchThrowableOfType(SnapshotTransferException.class, () -> fetcher(source(), target).build().fetch());

        assertThat(e.kind()).isEqualTo(SnapshotTransferException.Kind.BAD_TARGET);
        assertThat(e.getMessage()).contains("holds files but no SNAPSHOT-MANIFEST");
        assertThat(target.resolve("notes.txt")).hasContent("mine");
    }

    @Test
    void shouldFailClearlyWhenTheSourceIsUnreachable() throws Exception
    {
        final InetSocketAddress nowhere;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            nowhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        final SnapshotTransferException e = catchThrowableOfType(SnapshotTransferException.class, () -> fetcher(nowhere, dir.resolve("backup")).maxReconnects(1).build().fetch());

        assertThat(e.kind()).isEqualTo(SnapshotTransferException.Kind.FAILED);
        assertThat(e.getMessage()).contains("cannot fetch a snapshot from").contains("Connection refused");
    }

    // ---------------------------------------------------------------------------------------------

    private void startSource(final Durability durability, final SnapshotServer.Options options)
    {
        startSource(durability, options, null);
    }

    private void startSource(final Durability durability, final SnapshotServer.Options options,
        final javax.net.ssl.SSLContext tls)
    {
        final Path replicaDir = dir.resolve("replica");
        store = RocksPartitionStore.open(replicaDir, durability);
        toClose.add(store);
        fill(store);
        server = SnapshotServer.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), store, IDENTITY,
            replicaDir, new SnapshotServer.Options(options.maxConnections(), options.idleTimeoutMs(), LEASE_MS,
                options.maxSnapshots(), options.maxBytesPerSecond(), CHUNK_BYTES), CREDENTIALS, tls, clock).start();
        toClose.add(server);
    }

    private InetSocketAddress source()
    {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
    }

    private TransferProxy proxy() throws IOException
    {
        final TransferProxy proxy = new TransferProxy(source());
        toClose.add(proxy);
        return proxy;
    }

    private static SnapshotFetcher.Builder fetcher(final InetSocketAddress source, final Path target)
    {
        return SnapshotFetcher.builder().source(source).target(target).expect(IDENTITY.cluster(), IDENTITY.partition())
            .requestBytes(REQUEST_BYTES).timeouts(2_000, 10_000).maxReconnects(2).credentials(CREDENTIALS);
    }

    /** Starts a fetch and stops it as soon as the manifest is known, leaving a staging directory. */
    private SnapshotManifest stopAtManifest(final Path target)
    {
        final SnapshotManifest[] seen = new SnapshotManifest[1];
        final RuntimeException stop = new RuntimeException("stopped after the manifest");
        assertThatThrownBy(() -> fetcher(source(), target).listener(new TransferListener()
        {
            @Override
            public void onManifest(final SnapshotManifest manifest, final long resumedBytes)
            {
                seen[0] = manifest;
                throw stop;
            }
        }).build().fetch()).isSameAs(stop);
        return seen[0];
    }

    /** @return bytes of the source's store files, roughly what a snapshot transfers. */
    private long storeSize() throws IOException
    {
        store.checkpoint(dir.resolve("size-probe"));
        try (Stream<Path> files = Files.list(dir.resolve("size-probe")))
        {
            long total = 0;
            for (final Path f : files.toList())
            {
                total += Files.size(f);
            }
            assertThat(total).as("a store worth cutting in the middle").isGreaterThan(8L * CHUNK_BYTES);
            return total;
        }
    }

    private static void fill(final PartitionStore store)
    {
        final Random random = new Random(42);
        final int perBatch = 100;
        for (int b = 0; b < KEYS / perBatch; b++)
        {
            final StoreBatch batch = new StoreBatch(new AppliedMark(b + 1, 0, 1000L + b));
            for (int i = 0; i < perBatch; i++)
            {
                final byte[] value = new byte[VALUE_BYTES];
                random.nextBytes(value);
                batch.put(utf8(String.format("key-%06d", b * perBatch + i)), value);
            }
            batch.putMeta(utf8("outcome/" + b), utf8("ok"));
            store.apply(batch);
        }
    }

    /** SHA-256 of a full scan, entry count and mark: what the bench compares replicas by. */
    private record Digest(String sha256Hex, long entries, AppliedMark lastApplied)
    {
    }

    private static Digest digest(final PartitionStore store) throws Exception
    {
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        final long[] entries = {0};
        store.scan(new byte[0], null, Integer.MAX_VALUE, (k, v) ->
        {
            sha.update(k);
            sha.update(v);
            entries[0]++;
        });
        return new Digest(HexFormat.of().formatHex(sha.digest()), entries[0], store.lastApplied());
    }

    private static Digest digest(final Path snapshot) throws Exception
    {
        try (RocksPartitionStore copy = RocksPartitionStore.openReadOnly(snapshot))
        {
            final Digest d = digest(copy);
            assertThat(d.entries()).isGreaterThanOrEqualTo(KEYS);
            return d;
        }
    }

    private static List<String> listing(final Path d) throws IOException
    {
        try (Stream<Path> files = Files.list(d))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertError(final TransferProtocol.Frame frame, final byte code, final String text)
    {
        assertThat(TransferProtocol.typeName(frame.type())).isEqualTo("ERROR");
        assertThat(TransferProtocol.errorMessage(frame.body())).contains(text);
        assertThat(TransferProtocol.errorCode(frame.body())).isEqualTo(code);
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A bare protocol client, for requests the fetcher never sends. */
    private static final class RawClient implements AutoCloseable
    {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;

        /** Connects and authenticates with {@link #CREDENTIALS}. */
        RawClient(final InetSocketAddress address) throws IOException
        {
            this(address, CREDENTIALS);
        }

        /** Connects; authenticates with {@code credentials} unless null. */
        RawClient(final InetSocketAddress address, final FabricCredentials credentials) throws IOException
        {
            socket = new Socket();
            socket.connect(address, 2_000);
            socket.setSoTimeout(10_000);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = new DataOutputStream(socket.getOutputStream());
            if (credentials != null)
            {
                final TransferProtocol.Frame challenge = read();
                assertThat(challenge.type()).isEqualTo(TransferProtocol.CHALLENGE);
                final byte[] nonce = FabricCredentials.newNonce();
                TransferProtocol.writeBytes(out, TransferProtocol.AUTH, nonce,
                    credentials.serverProof(TransferProtocol.proofContext("fetcher", challenge.body(), nonce)));
                final TransferProtocol.Frame ok = read();
                assertThat(ok.type()).as("AUTH_OK").isEqualTo(TransferProtocol.AUTH_OK);
            }
        }

        TransferProtocol.Frame read() throws IOException
        {
            return TransferProtocol.read(in);
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
