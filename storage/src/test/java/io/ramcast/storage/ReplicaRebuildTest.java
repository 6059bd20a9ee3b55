package io.ramcast.storage;

import io.ramcast.storage.transfer.SnapshotFetcher;
import io.ramcast.storage.transfer.SnapshotServer;
import io.ramcast.storage.transfer.TransferListener;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.StoreBatch;
import io.ramcast.txn.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rebuilding a replica whose disk was lost, on real RocksDB stores and a real snapshot server: the
 * empty data directory is filled from a peer of the same partition and taken over under the
 * replica's own identity; a directory holding anything else, or a partition without a reachable
 * source, is refused with nothing written.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicaRebuildTest
{
    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    private ClusterConfig config(final int sourceTransferPort) throws ConfigException
    {
        return ClusterConfig.parse("cluster: rebuild\nfabric: tcp\npartitioner:\n  type: hash\nstorage:\n" +
            "  durability: wal\n  dataRoot: " + dir.resolve("data") + "\npartitions:\n" +
            "  - id: 0\n    replicas:\n" +
            "      - { id: 0, host: 127.0.0.1, port: 7400, transferPort: " + sourceTransferPort + " }\n" +
            "      - { id: 1, host: 127.0.0.1, port: 7401 }\n" +
            "      - { id: 2, host: 127.0.0.1, port: 7402 }\n" +
            "  - id: 1\n    replicas:\n" +
            "      - { id: 3, host: 127.0.0.1, port: 7403, transferPort: " + (sourceTransferPort + 1) + " }\n" +
            "clients:\n  firstId: 100\n  count: 1\n" +
            "security: { replicaSecretFile: " + dir.resolve("replica.key") + ", clientSecretFile: " +
            dir.resolve("client.key") + " }\n", "rebuild.yaml");
    }

    /** The replica credentials of the configs {@link #config} makes (their secrets live in the test's directory). */
    private io.ramcast.multicast.fabric.FabricCredentials replicaCredentials()
    {
        try
        {
            return config(1).replicaCredentials(1);
        }
        catch (final ConfigException e)
        {
            throw new IllegalStateException(e);
        }
    }

    /** Replica 0's store with data and an applied mark, served on an ephemeral port. */
    private int startSource()
    {
        final Path sourceDir = dir.resolve("data").resolve("replica-0");
        final StoreIdentity identity = new StoreIdentity("rebuild", 0, 0);
        final RocksPartitionStore store = RocksPartitionStore.open(sourceDir, Durability.WAL, identity);
        toClose.add(store);
        for (int b = 0; b < 20; b++)
        {
            final StoreBatch batch = new StoreBatch(new AppliedMark(100 + b, 0, 5000L + b));
            for (int i = 0; i < 50; i++)
            {
                batch.put(utf8("key-" + b + "-" + i), utf8("value-" + b + "-" + i));
            }
            batch.putMeta(utf8("outcome/" + b), utf8("ok"));
            store.apply(batch);
        }
        final SnapshotServer server = SnapshotServer.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            store, identity, sourceDir, SnapshotServer.Options.DEFAULT, replicaCredentials()).start();
        toClose.add(server);
        return server.port();
    }

    @Test
    void shouldFillAnEmptyDataDirectoryFromAPeerAndOpenItAsItsOwnStore() throws Exception
    {
        final ClusterConfig config = config(startSource());
        final Path target = config.replica(1).dataDir();
        assertThat(ReplicaRebuild.isRebuildable(target)).isTrue();
        assertThat(ReplicaRebuild.isMarkedForRebuild(target)).as("missing or empty: a new replica's, not marked")
            .isFalse();

        final ReplicaRebuild.Result result = ReplicaRebuild.rebuild(config, 1, Duration.ofSeconds(20), TransferListener.NONE);

        assertThat(result.sourceReplica()).isZero();
        assertThat(result.manifest().appliedMark()).isEqualTo(new AppliedMark(119, 0, 5019));
        assertThat(result.bytes()).isPositive();
        assertThat(StoreIdentity.read(target)).isEqualTo(new StoreIdentity("rebuild", 0, 1));
        assertThat(SnapshotFetcher.stagingDir(target)).doesNotExist();
        assertThat(ReplicaRebuild.isRebuildable(target)).as("a rebuilt directory is a store now").isFalse();
        try (RocksPartitionStore rebuilt = RocksPartitionStore.open(target, Durability.WAL,
            new StoreIdentity("rebuild", 0, 1)))
        {
            assertThat(rebuilt.lastApplied()).isEqualTo(new AppliedMark(119, 0, 5019));
            assertThat(contents(rebuilt)).hasSize(20 * 50).containsEntry("key-7-3", "value-7-3");
        }
        assertThatThrownBy(() -> RocksPartitionStore.open(target, Durability.WAL, new StoreIdentity("rebuild", 0, 2)))
            .isInstanceOf(StoreException.class).hasMessageContaining("belongs to cluster 'rebuild', partition 0, replica 1");
    }

    @Test
    void shouldMoveAStaleStoreAsideAndRebuildItWhenItWasMarked() throws Exception
    {
        final ClusterConfig config = config(startSource());
        final Path target = config.replica(1).dataDir();
        try (RocksPartitionStore old = RocksPartitionStore.open(target, Durability.WAL, new StoreIdentity("rebuild", 0, 1)))
        {
            old.apply(new StoreBatch(new AppliedMark(3, 0, 77)).put(utf8("old-key"), utf8("old")));
        }
        assertThat(ReplicaRebuild.isRebuildable(target)).isFalse();
        assertThat(ReplicaRebuild.isMarkedForRebuild(target)).isFalse();
        ReplicaRebuild.markForRebuild(target, "replica 1 is stale");
        assertThat(ReplicaRebuild.isRebuildable(target)).isTrue();
        assertThat(ReplicaRebuild.isMarkedForRebuild(target)).as("what --rebuild-if-marked rebuilds").isTrue();

        ReplicaRebuild.rebuild(config, 1, Duration.ofSeconds(20), TransferListener.NONE);

        try (Stream<Path> siblings = Files.list(target.getParent()))
        {
            final List<Path> aside = siblings.filter(p -> p.getFileName().toString().startsWith("replica-1.stale-"))
                .toList();
            assertThat(aside).hasSize(1);
            assertThat(aside.get(0).resolve(ReplicaRebuild.MARKER)).hasContent("replica 1 is stale");
            try (RocksPartitionStore kept = RocksPartitionStore.openReadOnly(aside.get(0)))
            {
                assertThat(contents(kept)).containsOnlyKeys("old-key");
            }
        }
        assertThat(target.resolve(ReplicaRebuild.MARKER)).doesNotExist();
        try (RocksPartitionStore rebuilt = RocksPartitionStore.open(target, Durability.WAL,
            new StoreIdentity("rebuild", 0, 1)))
        {
            assertThat(rebuilt.lastApplied()).isEqualTo(new AppliedMark(119, 0, 5019));
            assertThat(contents(rebuilt)).doesNotContainKey("old-key").containsEntry("key-0-0", "value-0-0");
        }
    }

    @Test
    void shouldRefuseADirectoryThatHoldsAStoreOrOtherFilesAndWriteNothing() throws Exception
    {
        final ClusterConfig config = config(startSource());
        final Path target = config.replica(1).dataDir();
        RocksPartitionStore.open(target, Durability.WAL, new StoreIdentity("rebuild", 0, 1)).close();
        final List<String> before = listing(target);

        assertThatThrownBy(() -> ReplicaRebuild.rebuild(config, 1, Duration.ofSeconds(5), TransferListener.NONE))
            .isInstanceOf(StoreException.class)
            .hasMessageContaining("already holds the store of cluster 'rebuild', partition 0, replica 1")
            .hasMessageContaining("move the directory aside");
        assertThat(listing(target)).isEqualTo(before);

        final Path other = config.replica(2).dataDir();
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "not a store");
        assertThatThrownBy(() -> ReplicaRebuild.rebuild(config, 2, Duration.ofSeconds(5), TransferListener.NONE))
            .isInstanceOf(StoreException.class).hasMessageContaining("holds files but no store");
        assertThat(listing(other)).containsExactly("notes.txt");
    }

    @Test
    void shouldGiveUpNamingTheSourcesWhenNoneServesAndLeaveTheDirectoryAlone() throws Exception
    {
        final int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            closedPort = s.getLocalPort();
        }
        final ClusterConfig config = config(closedPort);
        final Path target = config.replica(2).dataDir();

        assertThatThrownBy(() -> ReplicaRebuild.rebuild(config, 2, Duration.ofSeconds(2), TransferListener.NONE))
            .isInstanceOf(StoreException.class).hasMessageContaining("could not be rebuilt within 2 s")
            .hasMessageContaining("replica 0: ");
        assertThat(StoreIdentity.read(target)).isNull();
        assertThat(ReplicaRebuild.isRebuildable(target)).isTrue();

        assertThatThrownBy(() -> ReplicaRebuild.rebuild(config, 3, Duration.ofSeconds(2), TransferListener.NONE))
            .isInstanceOf(StoreException.class).hasMessageContaining("no other replica of partition 1 has a transferPort");
    }

    private static TreeMap<String, String> contents(final RocksPartitionStore store)
    {
        final TreeMap<String, String> all = new TreeMap<>();
        store.scan(new byte[0], null, Integer.MAX_VALUE,
            (k, v) -> all.put(new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
        return all;
    }

    private static List<String> listing(final Path d) throws IOException
    {
        try (Stream<Path> files = Files.list(d))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
