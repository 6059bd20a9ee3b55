package io.ramcast.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.ramcast.txn.config.Durability;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.StoreBatch;
import io.ramcast.txn.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real disk-full: the store on a 2 MiB tmpfs, filled through its write-ahead log until RocksDB
 * reports ENOSPC. Opt-in ({@code RAMCAST_TMPFS_TESTS=1}) because mounting needs root.
 *
 * <p>Checks that the failing apply throws {@link StoreException}, that the store then refuses
 * everything, and that after the file system grows a reopened store reflects a whole prefix of the
 * batches: every acknowledged batch, possibly the failed one (its outcome is unknown), never part
 * of one.
 */
@EnabledOnOs(OS.LINUX)
@EnabledIfEnvironmentVariable(named = "RAMCAST_TMPFS_TESTS", matches = "1")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RocksPartitionStoreDiskFullTest
{
    private static final int VALUE_BYTES = 4096;
    private static final int MAX_BATCHES = 10_000;

    @TempDir
    Path tempDir;

    private Path mountPoint;
    private boolean mounted;

    @BeforeEach
    void mountSmallTmpfs() throws IOException, InterruptedException
    {
        mountPoint = tempDir.resolve("tmpfs");
        Files.createDirectories(mountPoint);
        run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.toString());
        mounted = true;
    }

    @AfterEach
    void unmount() throws IOException, InterruptedException
    {
        if (mounted)
        {
            run("umount", mountPoint.toString());
        }
    }

    @Test
    void shouldFailStopOnDiskFullAndReopenWithAWholePrefixOfBatches() throws IOException, InterruptedException
    {
        final Path dir = mountPoint.resolve("store");
        long failedAt = -1;
        StoreException failure = null;
        final RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.WAL);
        try
        {
            for (long i = 1; i <= MAX_BATCHES; i++)
            {
                try
                {
                    store.apply(new StoreBatch(mark(i)).put(key(i), value(i)).putMeta(metaKey(i), key(i)));
                }
                catch (final StoreException e)
                {
                    failedAt = i;
                    failure = e;
                    break;
                }
            }

            assertThat(failure).as("a 2 MiB file system fills before %d batches of %d bytes", MAX_BATCHES, VALUE_BYTES)
                .isNotNull();
            assertThat(failure).hasMessageContaining(dir.toString()).hasMessageContaining("apply batch");
            assertThat(failure.getMessage().toLowerCase(Locale.ROOT)).contains("space");
            assertThat(store.state()).isEqualTo(RocksPartitionStore.State.FAILED);
            assertThatThrownBy(() -> store.get(key(1)))
                .isInstanceOf(StoreException.class).hasMessageStartingWith("store " + dir + " failed earlier: ");
            final long next = failedAt + 1;
            assertThatThrownBy(() -> store.apply(new StoreBatch(mark(next)).put(key(next), value(next))))
                .isInstanceOf(StoreException.class).hasMessageStartingWith("store " + dir + " failed earlier: ");
        }
        finally
        {
            store.close(); // a failed store closes without throwing and releases the directory
        }

        run("mount", "-o", "remount,size=64m", mountPoint.toString());

        try (RocksPartitionStore reopened = RocksPartitionStore.open(dir, Durability.WAL))
        {
            final long last = reopened.lastApplied().timestamp();
            assertThat(last).as("failed at batch %d", failedAt).isBetween(failedAt - 1, failedAt);
            for (long i = 1; i <= last; i++)
            {
                assertThat(reopened.get(key(i))).as("batch %d", i).isEqualTo(value(i));
                assertThat(reopened.getMeta(metaKey(i))).as("batch %d", i).isEqualTo(key(i));
            }
            assertThat(reopened.get(key(last + 1))).isNull();
            assertThat(reopened.getMeta(metaKey(last + 1))).isNull();

            reopened.apply(new StoreBatch(mark(last + 1)).put(key(last + 1), value(last + 1)));
            assertThat(reopened.lastApplied()).isEqualTo(mark(last + 1));
        }
    }

    private static AppliedMark mark(final long i)
    {
        return new AppliedMark(i, 0, i);
    }

    private static byte[] key(final long i)
    {
        return String.format("k%08d", i).getBytes(UTF_8);
    }

    private static byte[] metaKey(final long i)
    {
        return String.format("m%08d", i).getBytes(UTF_8);
    }

    private static byte[] value(final long i)
    {
        final byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte)i);
        return value;
    }

    private static void run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s finishes", String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
    }
}
