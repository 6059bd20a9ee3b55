package io.ramcast.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.ramcast.txn.config.Durability;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.StoreBatch;
import io.ramcast.txn.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica's store directory records whose it is, and a replica refuses another's directory
 * without changing a byte of it.
 */
class StoreIdentityTest
{
    private static final StoreIdentity REPLICA_1 = new StoreIdentity("local", 0, 1);

    @TempDir
    Path tempDir;

    @Test
    void shouldClaimNewDirectoryAndReopenIt()
    {
        final Path dir = tempDir.resolve("r1");
        try (RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.WAL, REPLICA_1))
        {
            store.apply(new StoreBatch(new AppliedMark(1, 0, 1)).put(utf8("k"), utf8("v")));
        }
        assertThat(StoreIdentity.read(dir)).isEqualTo(REPLICA_1);
        try (RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.WAL, REPLICA_1))
        {
            assertThat(store.get(utf8("k"))).isEqualTo(utf8("v"));
        }
    }

    @Test
    void shouldClaimEmptyExistingDirectory() throws IOException
    {
        final Path dir = Files.createDirectories(tempDir.resolve("empty"));
        RocksPartitionStore.open(dir, Durability.WAL, REPLICA_1).close();
        assertThat(StoreIdentity.read(dir)).isEqualTo(REPLICA_1);
    }

    @Test
    void shouldRefuseAnotherReplicasPartitionsOrClustersDirectoryUntouched() throws Exception
    {
        final Path dir = tempDir.resolve("r1");
        try (RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.WAL, REPLICA_1))
        {
            store.apply(new StoreBatch(new AppliedMark(1, 0, 1)).put(utf8("k"), utf8("v")));
        }
        final Map<String, String> before = fingerprint(dir);

        for (final StoreIdentity other : new StoreIdentity[] {
            new StoreIdentity("local", 0, 2), new StoreIdentity("local", 1, 1), new StoreIdentity("prod", 0, 1)})
        {
            assertThatThrownBy(() -> RocksPartitionStore.open(dir, Durability.WAL, other))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("belongs to cluster 'local', partition 0, replica 1")
                .hasMessageContaining("not to " + other.describe())
                .hasMessageContaining("nothing in it was changed");
            assertThat(fingerprint(dir)).isEqualTo(before);
        }
    }

    @Test
    void shouldRefuseDirectoryWithFilesButNoIdentityUntouched() throws Exception
    {
        final Path dir = tempDir.resolve("legacy");
        RocksPartitionStore.open(dir, Durability.WAL).close(); // a store opened by path only: no identity
        final Map<String, String> before = fingerprint(dir);

        assertThatThrownBy(() -> RocksPartitionStore.open(dir, Durability.WAL, REPLICA_1))
            .isInstanceOf(StoreException.class)
            .hasMessageContaining("holds files but no " + StoreIdentity.FILE_NAME);
        assertThat(fingerprint(dir)).isEqualTo(before);
    }

    @Test
    void shouldRefuseDamagedOrFutureIdentityFile() throws IOException
    {
        final Path damaged = Files.createDirectories(tempDir.resolve("damaged"));
        Files.writeString(damaged.resolve(StoreIdentity.FILE_NAME), "format=1\ncluster=local\npartition=zero\n");
        assertThatThrownBy(() -> RocksPartitionStore.open(damaged, Durability.WAL, REPLICA_1))
            .isInstanceOf(StoreException.class).hasMessageContaining("is damaged");

        final Path future = Files.createDirectories(tempDir.resolve("future"));
        Files.writeString(future.resolve(StoreIdentity.FILE_NAME), "format=2\ncluster=local\npartition=0\nreplica=1\n");
        assertThatThrownBy(() -> RocksPartitionStore.open(future, Durability.WAL, REPLICA_1))
            .isInstanceOf(StoreException.class).hasMessageContaining("has format 2");
    }

    @Test
    void shouldRejectMeaninglessIdentities()
    {
        assertThatThrownBy(() -> new StoreIdentity("", 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StoreIdentity("c", -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StoreIdentity("c", 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Every file under dir with its size, modification time and content hash. */
    private static Map<String, String> fingerprint(final Path dir) throws IOException, NoSuchAlgorithmException
    {
        final Map<String, String> out = new TreeMap<>();
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator)
            {
                final FileTime modified = Files.getLastModifiedTime(f);
                out.put(dir.relativize(f).toString(), Files.size(f) + " " + modified.toMillis() + " " +
                    HexFormat.of().formatHex(sha.digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
