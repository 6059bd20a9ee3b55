package io.ramcast.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ramcast.txn.config.Durability;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.PartitionStore;
import io.ramcast.txn.store.StoreBatch;
import io.ramcast.txn.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The partition store contract over {@link RocksPartitionStore} on a real RocksDB in a temporary
 * directory, plus what only a disk-backed store has: reopening, the reserved meta key on disk,
 * fail-stop after a RocksDB error and the one-open-per-directory rule.
 */
class RocksPartitionStoreTest extends AbstractPartitionStoreTest
{
    @TempDir
    Path tempDir;

    @Override
    protected PartitionStore newStore()
    {
        return RocksPartitionStore.open(tempDir.resolve("contract"), Durability.WAL);
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void shouldKeepDataMetaAndMarkAcrossReopen(final Durability durability)
    {
        final Path dir = tempDir.resolve("reopen-" + durability);
        final AppliedMark last = new AppliedMark(7, 2, 0x0003_0000_0000_0009L);
        try (RocksPartitionStore first = RocksPartitionStore.open(dir, durability))
        {
            assertThat(first.lastApplied()).isEqualTo(AppliedMark.NONE);
            assertThat(first.durability()).isEqualTo(durability);
            first.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("1")).put(utf8("b"), utf8("1"))
                .putMeta(utf8("outcome/1"), utf8("ok")));
            first.apply(new StoreBatch(last).put(utf8("a"), utf8("2")).delete(utf8("b"))
                .put(bytes(0x80), utf8("high")).putMeta(utf8("outcome/2"), utf8("ok")));
        }

        try (RocksPartitionStore second = RocksPartitionStore.open(dir, durability))
        {
            assertThat(second.lastApplied()).isEqualTo(last);
            assertThat(second.get(utf8("a"))).isEqualTo(utf8("2"));
            assertThat(second.get(bytes(0x80))).isEqualTo(utf8("high"));
            assertThat(second.scan(new byte[0], null, ALL, (key, value) -> { })).isEqualTo(2);
            assertThat(second.get(utf8("b"))).isNull();
            assertThat(scanMeta(second, new byte[0])).containsExactly("outcome/1=ok", "outcome/2=ok");

            assertThatThrownBy(() -> second.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("again"))))
                .as("the mark survives the reopen: an earlier one is refused")
                .isInstanceOf(IllegalArgumentException.class);
            second.apply(new StoreBatch(new AppliedMark(8, 0, 1)).put(utf8("a"), utf8("3")));
            assertThat(second.get(utf8("a"))).isEqualTo(utf8("3"));
        }
    }

    /**
     * applyUnsynced writes the WAL without syncing (what a process crash keeps), sync() syncs it
     * from another thread while batches keep coming; a reopen replays every batch from the WAL.
     */
    @Test
    void shouldApplyUnsyncedWhileAnotherThreadSyncs() throws Exception
    {
        final Path dir = tempDir.resolve("unsynced");
        final int batches = 2_000;
        try (RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.FSYNC))
        {
            final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            final java.util.concurrent.atomic.AtomicInteger syncs = new java.util.concurrent.atomic.AtomicInteger();
            final Thread syncer = new Thread(() ->
            {
                while (!done.get())
                {
                    store.sync();
                    syncs.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
            });
            syncer.start();
            for (int i = 1; i <= batches; i++)
            {
                store.applyUnsynced(new StoreBatch(mark(i)).put(utf8("k" + i), utf8("v" + i)));
            }
            done.set(true);
            syncer.join();
            store.sync();
            assertThat(syncs.get()).as("syncs ran while batches were applied").isPositive();
            assertThat(store.lastApplied()).isEqualTo(mark(batches));
        }
        final RocksPartitionStore again = RocksPartitionStore.open(dir, Durability.FSYNC);
        try
        {
            assertThat(again.lastApplied()).isEqualTo(mark(batches));
            assertThat(again.scan(new byte[0], null, ALL, (key, value) -> { })).isEqualTo(batches);
        }
        finally
        {
            again.close();
        }
        assertThatThrownBy(again::sync).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void shouldReopenWithAnotherDurability()
    {
        final Path dir = tempDir.resolve("switch");
        try (RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.FSYNC))
        {
            store.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("1")));
        }
        try (RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.NONE))
        {
            assertThat(store.lastApplied()).isEqualTo(mark(1));
            store.apply(new StoreBatch(mark(2)).put(utf8("b"), utf8("2")));
        }
        try (RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.WAL))
        {
            assertThat(store.lastApplied()).isEqualTo(mark(2));
            assertThat(scan(store, new byte[0], null, ALL)).containsExactly("a=1", "b=2");
        }
    }

    @Test
    void shouldKeepTheMarkInTheMetaFamilyUnderTheReservedKey() throws RocksDBException
    {
        final Path dir = tempDir.resolve("layout");
        final AppliedMark mark = new AppliedMark(-5, 4, -1L);
        try (RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.WAL))
        {
            store.apply(new StoreBatch(mark).put(utf8("k"), utf8("v")).putMeta(utf8("m"), utf8("w")));
        }

        withRawDb(dir, (db, families) ->
        {
            try
            {
                assertThat(AppliedMarkRecord.decode(db.get(families.get(1), AppliedMarkRecord.KEY))).isEqualTo(mark);
                assertThat(db.get(families.get(1), utf8("m"))).isEqualTo(utf8("w"));
                assertThat(db.get(families.get(0), utf8("k"))).isEqualTo(utf8("v"));
                assertThat(db.get(families.get(0), AppliedMarkRecord.KEY)).isNull();
            }
            catch (final RocksDBException e)
            {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void shouldRefuseToOpenAStoreWithAnUnreadableMark() throws RocksDBException
    {
        final Path dir = tempDir.resolve("corrupt-mark");
        RocksPartitionStore.open(dir, Durability.WAL).close();
        withRawDb(dir, (db, families) ->
        {
            try
            {
                db.put(families.get(1), AppliedMarkRecord.KEY, bytes(9, 9, 9));
            }
            catch (final RocksDBException e)
            {
                throw new AssertionError(e);
            }
        });

        assertThatThrownBy(() -> RocksPartitionStore.open(dir, Durability.WAL))
            .isInstanceOf(StoreException.class)
            .hasMessageContaining(dir.toString())
            .hasMessageContaining("unreadable applied mark");
        // The failed open released the directory's lock: plain RocksDB can open it and repair it.
        withRawDb(dir, (db, families) ->
        {
            try
            {
                db.delete(families.get(1), AppliedMarkRecord.KEY);
            }
            catch (final RocksDBException e)
            {
                throw new AssertionError(e);
            }
        });
        try (RocksPartitionStore repaired = RocksPartitionStore.open(dir, Durability.WAL))
        {
            assertThat(repaired.lastApplied()).isEqualTo(AppliedMark.NONE);
        }
    }

    @Test
    void shouldRefuseEveryOperationAfterARocksDbFailure() throws RocksDBException
    {
        final Path dir = tempDir.resolve("failing");
        final RocksPartitionStore failing = RocksPartitionStore.open(dir, Durability.WAL);
        try
        {
            failing.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("1")));
            failing.dropMetaFamilyForTest();

            assertThatThrownBy(() -> failing.apply(new StoreBatch(mark(2)).put(utf8("b"), utf8("2"))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("apply batch " + mark(2))
                .hasCauseInstanceOf(RocksDBException.class);
            assertThat(failing.state()).isEqualTo(RocksPartitionStore.State.FAILED);

            final String failedEarlier = "store " + dir + " failed earlier: ";
            final List<Runnable> calls = List.of(
                () -> failing.get(utf8("a")),
                () -> failing.scan(new byte[0], null, ALL, (key, value) -> { }),
                () -> failing.scan(new byte[0], utf8("z"), ALL, (key, value) -> { }),
                () -> failing.getMeta(utf8("m")),
                () -> failing.scanMeta(new byte[0], (key, value) -> { }),
                () -> failing.apply(new StoreBatch(mark(3)).put(utf8("c"), utf8("3"))),
                failing::lastApplied);
            for (final Runnable call : calls)
            {
                assertThatThrownBy(call::run)
                    .isInstanceOf(StoreException.class)
                    .hasMessageStartingWith(failedEarlier)
                    .hasMessageContaining("apply batch " + mark(2));
            }
        }
        finally
        {
            failing.close();
        }
        assertThat(failing.state()).isEqualTo(RocksPartitionStore.State.CLOSED);
        assertThatThrownBy(() -> failing.get(utf8("a"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameDirectory()
    {
        final Path dir = tempDir.resolve("locked");
        try (RocksPartitionStore first = RocksPartitionStore.open(dir, Durability.WAL))
        {
            first.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("1")));

            assertThatThrownBy(() -> RocksPartitionStore.open(dir, Durability.WAL))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("already open");

            assertThat(first.get(utf8("a"))).isEqualTo(utf8("1"));
            first.apply(new StoreBatch(mark(2)).put(utf8("b"), utf8("2")));
        }
        try (RocksPartitionStore again = RocksPartitionStore.open(dir, Durability.WAL))
        {
            assertThat(again.lastApplied()).isEqualTo(mark(2));
        }
    }

    @Test
    void shouldNameTheDirectoryWhenItCannotBeCreated() throws IOException
    {
        final Path file = Files.createFile(tempDir.resolve("not-a-directory"));

        assertThatThrownBy(() -> RocksPartitionStore.open(file, Durability.WAL))
            .isInstanceOf(StoreException.class)
            .hasMessageContaining(file.toString());
        assertThatThrownBy(() -> RocksPartitionStore.open(file.resolve("below"), Durability.WAL))
            .isInstanceOf(StoreException.class)
            .hasMessageContaining(file.resolve("below").toString());
    }

    @ParameterizedTest
    @EnumSource(value = Durability.class, names = {"NONE", "WAL"})
    void shouldWriteACheckpointThatOpensReadOnlyWithTheSameDataAndMark(final Durability durability) throws IOException
    {
        final Path dir = tempDir.resolve("live-" + durability);
        final Path checkpoint = tempDir.resolve("checkpoint-" + durability);
        try (RocksPartitionStore store = RocksPartitionStore.open(dir, durability))
        {
            store.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("1")).putMeta(utf8("outcome/1"), utf8("ok")));
            store.apply(new StoreBatch(mark(2)).put(utf8("b"), utf8("2")));
            // With durability NONE these batches are only in the memtable: the checkpoint flushes them.
            store.checkpoint(checkpoint);
            store.apply(new StoreBatch(mark(3)).put(utf8("c"), utf8("3")));
        }
        final List<String> before;
        try (var files = Files.list(checkpoint))
        {
            before = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        try (RocksPartitionStore copy = RocksPartitionStore.openReadOnly(checkpoint))
        {
            assertThat(copy.lastApplied()).isEqualTo(mark(2));
            assertThat(copy.get(utf8("a"))).isEqualTo(utf8("1"));
            assertThat(copy.get(utf8("b"))).isEqualTo(utf8("2"));
            assertThat(copy.get(utf8("c"))).isNull();
            assertThat(copy.getMeta(utf8("outcome/1"))).isEqualTo(utf8("ok"));
            assertThatThrownBy(() -> copy.apply(new StoreBatch(mark(3)).put(utf8("c"), utf8("3"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> copy.checkpoint(tempDir.resolve("again")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
        }
        try (var files = Files.list(checkpoint))
        {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                .as("a read-only open writes no file").isEqualTo(before);
        }
    }

    @Test
    void shouldRefuseACheckpointOfAClosedStoreOrIntoAnExistingDirectory() throws IOException
    {
        final Path dir = tempDir.resolve("closed");
        final RocksPartitionStore store = RocksPartitionStore.open(dir, Durability.WAL);
        store.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("1")));
        final Path existing = Files.createDirectories(tempDir.resolve("existing"));
        Files.writeString(existing.resolve("CURRENT"), "x");
        assertThatThrownBy(() -> store.checkpoint(existing)).isInstanceOf(StoreException.class)
            .hasMessageContaining("checkpoint to " + existing + " failed");
        assertThat(store.lastApplied()).as("a failed checkpoint does not fail the store").isEqualTo(mark(1));
        store.close();
        assertThatThrownBy(() -> store.checkpoint(tempDir.resolve("after-close"))).isInstanceOf(StoreException.class)
            .hasMessageContaining("is closed");
        assertThatThrownBy(() -> RocksPartitionStore.openReadOnly(tempDir.resolve("missing")))
            .isInstanceOf(StoreException.class).hasMessageContaining("no such directory");
    }

    /** Opens the directory with plain RocksDB (families default, meta) and hands them over. */
    private static void withRawDb(final Path dir, final RawDbAction action) throws RocksDBException
    {
        final List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
            RocksDB db = RocksDB.open(options, dir.toString(), List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor(RocksPartitionStore.META_FAMILY)), handles))
        {
            try
            {
                action.accept(db, handles);
            }
            finally
            {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    @FunctionalInterface
    private interface RawDbAction
    {
        void accept(RocksDB db, List<ColumnFamilyHandle> families);
    }
}
