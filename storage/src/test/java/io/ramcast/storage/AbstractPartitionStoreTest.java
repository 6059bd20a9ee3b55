package io.ramcast.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.Keys;
import io.ramcast.txn.store.PartitionStore;
import io.ramcast.txn.store.StoreBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link PartitionStore} honours, written once and run against each
 * implementation by a subclass ({@link MemoryPartitionStoreTest}, {@link RocksPartitionStoreTest}).
 * It lives in the storage module so the RocksDB store can run it without a test-jar; the memory
 * store reaches this module's class path through {@code ramcast-txn}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class AbstractPartitionStoreTest
{
    /** Scan limit meaning "everything" in these small tests. */
    protected static final int ALL = Integer.MAX_VALUE;

    /** The store under test, fresh for each test and closed after it. */
    protected PartitionStore store;

    /**
     * @return a new, empty store; the suite closes it.
     */
    protected abstract PartitionStore newStore();

    @BeforeEach
    void openStore()
    {
        store = newStore();
    }

    @AfterEach
    void closeStore()
    {
        store.close();
    }

    @Test
    void shouldStartEmptyWithNoAppliedMark()
    {
        assertThat(store.lastApplied()).isEqualTo(AppliedMark.NONE);
        assertThat(store.get(utf8("a"))).isNull();
        assertThat(store.getMeta(utf8("a"))).isNull();
        assertThat(scan(store, new byte[0], null, ALL)).isEmpty();
        assertThat(scanMeta(store, new byte[0])).isEmpty();
    }

    @Test
    void shouldReadBackWhatABatchPut()
    {
        store.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("1")).put(utf8("b"), utf8("2")));

        assertThat(store.get(utf8("a"))).isEqualTo(utf8("1"));
        assertThat(store.get(utf8("b"))).isEqualTo(utf8("2"));
        assertThat(store.get(utf8("c"))).isNull();
        assertThat(store.get(new byte[0])).isNull();
    }

    @Test
    void shouldOverwriteAndDeleteKeys()
    {
        store.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("1")).put(utf8("b"), utf8("1")));
        store.apply(new StoreBatch(mark(2)).put(utf8("a"), utf8("2")).delete(utf8("b")).delete(utf8("absent")));

        assertThat(store.get(utf8("a"))).isEqualTo(utf8("2"));
        assertThat(store.get(utf8("b"))).isNull();
        assertThat(store.get(utf8("absent"))).isNull();
        assertThat(scan(store, new byte[0], null, ALL)).containsExactly("a=2");
    }

    @Test
    void shouldApplyChangesToOneKeyInTheOrderTheyWereAdded()
    {
        store.apply(new StoreBatch(mark(1))
            .put(utf8("k"), utf8("1")).delete(utf8("k"))
            .put(utf8("j"), utf8("1")).put(utf8("j"), utf8("2"))
            .delete(utf8("m")).put(utf8("m"), utf8("3"))
            .putMeta(utf8("n"), utf8("1")).deleteMeta(utf8("n")));

        assertThat(store.get(utf8("k"))).isNull();
        assertThat(store.get(utf8("j"))).isEqualTo(utf8("2"));
        assertThat(store.get(utf8("m"))).isEqualTo(utf8("3"));
        assertThat(store.getMeta(utf8("n"))).isNull();
    }

    @Test
    void shouldAcceptEmptyDataKeysAndValues()
    {
        store.apply(new StoreBatch(mark(1)).put(new byte[0], utf8("empty key")).put(utf8("v"), new byte[0]));

        assertThat(store.get(new byte[0])).isEqualTo(utf8("empty key"));
        assertThat(store.get(utf8("v"))).isEqualTo(new byte[0]);
        assertThat(scan(store, new byte[0], null, ALL)).containsExactly("=empty key", "v=");
    }

    @Test
    void shouldOrderKeysAsUnsignedBytes()
    {
        final byte[][] sorted = {
            bytes(0x00), bytes(0x01), bytes(0x7f), bytes(0x7f, 0x00), bytes(0x7f, 0xff),
            bytes(0x80), bytes(0x80, 0x00), bytes(0xfe), bytes(0xff), bytes(0xff, 0xff)};
        final StoreBatch batch = new StoreBatch(mark(1));
        for (int i = sorted.length - 1; i >= 0; i -= 2)
        {
            batch.put(sorted[i], sorted[i]).putMeta(metaKey(sorted[i]), sorted[i]);
        }
        for (int i = sorted.length - 2; i >= 0; i -= 2)
        {
            batch.put(sorted[i], sorted[i]).putMeta(metaKey(sorted[i]), sorted[i]);
        }
        store.apply(batch);

        assertThat(scanKeys(store, new byte[0], null, ALL)).containsExactly(hex(sorted));
        assertThat(scanKeys(store, bytes(0x80), null, ALL))
            .containsExactly(hex(Arrays.copyOfRange(sorted, 5, sorted.length)));
        assertThat(scanKeys(store, bytes(0x01), bytes(0x80), ALL))
            .containsExactly(hex(Arrays.copyOfRange(sorted, 1, 5)));

        final List<String> metaKeys = new ArrayList<>();
        store.scanMeta(new byte[] {'m'}, (key, value) -> metaKeys.add(Keys.toString(Arrays.copyOfRange(key, 1, key.length))));
        assertThat(metaKeys).containsExactly(hex(sorted));
    }

    @Test
    void shouldScanFromStartInclusiveToEndExclusive()
    {
        putAll("a", "b", "c", "d", "e");

        assertThat(scan(store, utf8("b"), utf8("d"), ALL)).containsExactly("b=b", "c=c");
        assertThat(scan(store, utf8("bb"), utf8("d"), ALL)).containsExactly("c=c");
        assertThat(scan(store, utf8("a"), utf8("a0"), ALL)).containsExactly("a=a");
        assertThat(scan(store, utf8("d"), utf8("zz"), ALL)).containsExactly("d=d", "e=e");
    }

    @Test
    void shouldScanToTheEndWhenEndIsNull()
    {
        putAll("a", "b", "c");

        assertThat(scan(store, utf8("b"), null, ALL)).containsExactly("b=b", "c=c");
        assertThat(scan(store, utf8("c0"), null, ALL)).isEmpty();
    }

    @Test
    void shouldScanFromTheBeginningWhenStartIsEmpty()
    {
        putAll("a", "b", "c");

        assertThat(scan(store, new byte[0], utf8("c"), ALL)).containsExactly("a=a", "b=b");
        assertThat(scan(store, new byte[0], null, ALL)).containsExactly("a=a", "b=b", "c=c");
    }

    @Test
    void shouldStopAtTheLimitAndReturnTheCount()
    {
        putAll("a", "b", "c", "d");

        final List<String> seen = new ArrayList<>();
        assertThat(store.scan(new byte[0], null, 2, (key, value) -> seen.add(new String(key, UTF_8)))).isEqualTo(2);
        assertThat(seen).containsExactly("a", "b");
        assertThat(store.scan(utf8("c"), null, 10, (key, value) -> { })).isEqualTo(2);
        assertThat(store.scan(utf8("b"), utf8("d"), 1, (key, value) -> { })).isEqualTo(1);
    }

    @Test
    void shouldVisitNothingForEmptyOrInvertedRanges()
    {
        putAll("a", "b", "c", "d");

        assertThat(scan(store, utf8("c"), utf8("c"), ALL)).isEmpty();
        assertThat(scan(store, utf8("d"), utf8("b"), ALL)).isEmpty();
        assertThat(scan(store, utf8("b0"), utf8("c"), ALL)).isEmpty();
        assertThat(scan(store, utf8("x"), utf8("z"), ALL)).isEmpty();
        assertThat(scan(store, utf8("e"), null, ALL)).isEmpty();
        assertThat(store.scan(utf8("d"), utf8("b"), ALL, (key, value) -> { })).isZero();
    }

    @Test
    void shouldRefuseANonPositiveScanLimit()
    {
        assertThatThrownBy(() -> store.scan(new byte[0], null, 0, (key, value) -> { }))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> store.scan(new byte[0], null, -1, (key, value) -> { }))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }

    @Test
    void shouldPropagateAVisitorExceptionAndStayUsable()
    {
        putAll("a", "b");

        final IllegalStateException thrown = new IllegalStateException("visitor gave up");
        assertThatThrownBy(() -> store.scan(new byte[0], utf8("z"), ALL, (key, value) -> { throw thrown; }))
            .isSameAs(thrown);
        assertThatThrownBy(() -> store.scan(new byte[0], null, ALL, (key, value) -> { throw thrown; }))
            .isSameAs(thrown);

        store.apply(new StoreBatch(mark(2)).put(utf8("c"), utf8("c")));
        assertThat(scan(store, new byte[0], null, ALL)).containsExactly("a=a", "b=b", "c=c");
    }

    @Test
    void shouldKeepTheMetaKeyspaceSeparateFromData()
    {
        store.apply(new StoreBatch(mark(1))
            .put(utf8("k"), utf8("data")).putMeta(utf8("k"), utf8("meta")).putMeta(utf8("only-meta"), utf8("m")));

        assertThat(store.get(utf8("k"))).isEqualTo(utf8("data"));
        assertThat(store.getMeta(utf8("k"))).isEqualTo(utf8("meta"));
        assertThat(store.get(utf8("only-meta"))).isNull();
        assertThat(scan(store, new byte[0], null, ALL)).containsExactly("k=data");
        assertThat(scanMeta(store, new byte[0])).containsExactly("k=meta", "only-meta=m");

        store.apply(new StoreBatch(mark(2)).delete(utf8("k")));
        assertThat(store.get(utf8("k"))).isNull();
        assertThat(store.getMeta(utf8("k"))).isEqualTo(utf8("meta"));

        store.apply(new StoreBatch(mark(3)).put(utf8("k"), utf8("again")).deleteMeta(utf8("k")));
        assertThat(store.get(utf8("k"))).isEqualTo(utf8("again"));
        assertThat(store.getMeta(utf8("k"))).isNull();
    }

    @Test
    void shouldScanMetaEntriesByPrefix()
    {
        store.apply(new StoreBatch(mark(1))
            .putMeta(utf8("q"), utf8("q")).putMeta(utf8("r/1"), utf8("1")).putMeta(utf8("r/2"), utf8("2"))
            .putMeta(utf8("r0"), utf8("r0")).putMeta(utf8("s"), utf8("s"))
            .putMeta(bytes(0x01, 0xff, 0x05), utf8("x")).putMeta(bytes(0x02), utf8("y"))
            .putMeta(bytes(0xff), utf8("f")).putMeta(bytes(0xff, 0x00), utf8("f0")).putMeta(bytes(0xff, 0xff), utf8("ff")));

        assertThat(scanMeta(store, utf8("r/"))).containsExactly("r/1=1", "r/2=2");
        assertThat(scanMeta(store, utf8("r"))).containsExactly("r/1=1", "r/2=2", "r0=r0");
        assertThat(scanMeta(store, utf8("r/2"))).containsExactly("r/2=2");
        assertThat(scanMeta(store, utf8("t"))).isEmpty();
        assertThat(scanMetaKeys(store, bytes(0x01, 0xff))).containsExactly(hex(bytes(0x01, 0xff, 0x05)));
        assertThat(scanMetaKeys(store, bytes(0xff))).containsExactly(hex(bytes(0xff), bytes(0xff, 0x00), bytes(0xff, 0xff)));
        assertThat(scanMetaKeys(store, new byte[0])).hasSize(10);
    }

    @Test
    void shouldApplyABatchTogetherWithItsMark()
    {
        final AppliedMark mark = new AppliedMark(42, 3, 0x0001_0000_0000_0007L);
        store.apply(new StoreBatch(mark)
            .put(utf8("x"), utf8("1")).put(utf8("y"), utf8("2")).putMeta(utf8("outcome/7"), utf8("ok")));

        assertThat(store.lastApplied()).isEqualTo(mark);
        assertThat(store.get(utf8("x"))).isEqualTo(utf8("1"));
        assertThat(store.get(utf8("y"))).isEqualTo(utf8("2"));
        assertThat(store.getMeta(utf8("outcome/7"))).isEqualTo(utf8("ok"));
    }

    @Test
    void shouldAcceptABatchWithNoChangesAndMoveTheMark()
    {
        store.apply(new StoreBatch(mark(1)));

        assertThat(store.lastApplied()).isEqualTo(mark(1));
        assertThat(scan(store, new byte[0], null, ALL)).isEmpty();
        assertThat(scanMeta(store, new byte[0])).isEmpty();
    }

    @Test
    void shouldApplyChangesAtTheSameMarkWithoutMovingIt()
    {
        final AppliedMark applied = new AppliedMark(10, 2, 5);
        store.apply(new StoreBatch(applied).put(utf8("a"), utf8("1")));
        // changes of deliveries after the mark, applied while an earlier one waits
        store.apply(new StoreBatch(applied).put(utf8("b"), utf8("2")).putMeta(utf8("m"), utf8("3")));

        assertThat(store.lastApplied()).isEqualTo(applied);
        assertThat(store.get(utf8("b"))).isEqualTo(utf8("2"));
        assertThat(store.getMeta(utf8("m"))).isEqualTo(utf8("3"));
    }

    @Test
    void shouldRefuseAMarkNotAfterTheLastAppliedAndChangeNothing()
    {
        final AppliedMark applied = new AppliedMark(10, 2, 5);
        store.apply(new StoreBatch(applied).put(utf8("a"), utf8("1")));

        for (final AppliedMark stale : List.of(
            new AppliedMark(9, 2, 5), new AppliedMark(10, 1, 99), new AppliedMark(10, 2, 4), AppliedMark.NONE))
        {
            assertThatThrownBy(() -> store.apply(new StoreBatch(stale)
                .put(utf8("a"), utf8("stale")).put(utf8("b"), utf8("stale")).putMeta(utf8("m"), utf8("stale"))))
                .as("mark %s", stale)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not after")
                .hasMessageContaining(stale.toString());
        }

        assertThat(store.lastApplied()).isEqualTo(applied);
        assertThat(store.get(utf8("a"))).isEqualTo(utf8("1"));
        assertThat(store.get(utf8("b"))).isNull();
        assertThat(store.getMeta(utf8("m"))).isNull();

        final AppliedMark next = new AppliedMark(10, 2, 6);
        store.apply(new StoreBatch(next).put(utf8("b"), utf8("2")));
        assertThat(store.lastApplied()).isEqualTo(next);
        assertThat(store.get(utf8("b"))).isEqualTo(utf8("2"));
    }

    @Test
    void shouldRefuseReservedMetaKeysAndChangeNothing()
    {
        final byte[] reserved = bytes(0x00, 0x01);
        for (final StoreBatch batch : List.of(
            new StoreBatch(mark(1)).put(utf8("a"), utf8("1")).putMeta(reserved, utf8("mine")),
            new StoreBatch(mark(1)).put(utf8("a"), utf8("1")).deleteMeta(reserved),
            new StoreBatch(mark(1)).put(utf8("a"), utf8("1")).putMeta(new byte[0], utf8("empty")),
            new StoreBatch(mark(1)).put(utf8("a"), utf8("1")).putMeta(bytes(0x00), utf8("zero"))))
        {
            assertThatThrownBy(() -> store.apply(batch))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        }
        assertThatThrownBy(() -> store.getMeta(reserved)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.getMeta(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.scanMeta(bytes(0x00), (key, value) -> { }))
            .isInstanceOf(IllegalArgumentException.class);

        assertThat(store.lastApplied()).isEqualTo(AppliedMark.NONE);
        assertThat(store.get(utf8("a"))).isNull();

        store.apply(new StoreBatch(mark(1)).putMeta(bytes(0x01), utf8("lowest allowed")));
        assertThat(scanMeta(store, new byte[0])).containsExactly("\u0001=lowest allowed");
    }

    @Test
    void shouldNotShareArraysWithTheCaller()
    {
        final byte[] key = utf8("k");
        final byte[] value = utf8("v");
        final byte[] metaKey = utf8("m");
        final byte[] metaValue = utf8("w");
        store.apply(new StoreBatch(mark(1)).put(key, value).putMeta(metaKey, metaValue));
        key[0] = 'x';
        value[0] = 'x';
        metaKey[0] = 'x';
        metaValue[0] = 'x';

        store.get(utf8("k"))[0] = 'y';
        store.getMeta(utf8("m"))[0] = 'y';
        store.scan(new byte[0], null, ALL, (k, v) -> { k[0] = 'y'; v[0] = 'y'; });
        store.scanMeta(new byte[0], (k, v) -> { k[0] = 'y'; v[0] = 'y'; });

        assertThat(scan(store, new byte[0], null, ALL)).containsExactly("k=v");
        assertThat(scanMeta(store, new byte[0])).containsExactly("m=w");
    }

    @Test
    void shouldCloseIdempotentlyAndRefuseUseAfterClose()
    {
        store.apply(new StoreBatch(mark(1)).put(utf8("a"), utf8("1")));
        store.close();
        store.close();

        assertThatThrownBy(() -> store.get(utf8("a"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.apply(new StoreBatch(mark(2)))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.lastApplied()).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 0x5eed})
    void shouldMatchASortedMapModelOverRandomBatches(final long seed)
    {
        final Random random = new Random(seed);
        final NavigableMap<byte[], byte[]> model = new TreeMap<>(Keys.COMPARATOR);
        final NavigableMap<byte[], byte[]> metaModel = new TreeMap<>(Keys.COMPARATOR);
        final int[] alphabet = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};

        for (int b = 1; b <= 200; b++)
        {
            final StoreBatch batch = new StoreBatch(new AppliedMark(b, random.nextInt(3), b));
            final int changeCount = random.nextInt(6);
            for (int c = 0; c < changeCount; c++)
            {
                final byte[] key = randomKey(random, alphabet);
                final byte[] value = random.nextInt(4) == 0 ? null : randomKey(random, alphabet);
                final boolean meta = random.nextInt(4) == 0;
                if (meta)
                {
                    key[0] = (byte)'m';
                }
                final NavigableMap<byte[], byte[]> target = meta ? metaModel : model;
                if (value == null)
                {
                    target.remove(key);
                    if (meta)
                    {
                        batch.deleteMeta(key);
                    }
                    else
                    {
                        batch.delete(key);
                    }
                }
                else
                {
                    target.put(key, value);
                    if (meta)
                    {
                        batch.putMeta(key, value);
                    }
                    else
                    {
                        batch.put(key, value);
                    }
                }
            }
            store.apply(batch);

            final byte[] start = random.nextInt(5) == 0 ? new byte[0] : randomKey(random, alphabet);
            final byte[] end = random.nextInt(3) == 0 ? null : randomKey(random, alphabet);
            final int limit = 1 + random.nextInt(8);
            assertThat(scanKeys(store, start, end, limit))
                .as("seed %d, batch %d: scan [%s, %s) limit %d", seed, b, Keys.toString(start), Keys.toString(end), limit)
                .containsExactlyElementsOf(modelScan(model, start, end, limit));
        }

        assertThat(scanKeys(store, new byte[0], null, ALL)).as("seed %d: final data", seed)
            .containsExactlyElementsOf(modelScan(model, new byte[0], null, ALL));
        assertThat(scanMetaKeys(store, new byte[0])).as("seed %d: final meta", seed)
            .containsExactlyElementsOf(modelScan(metaModel, new byte[0], null, ALL));
        for (final Map.Entry<byte[], byte[]> entry : model.entrySet())
        {
            assertThat(store.get(entry.getKey())).as("seed %d", seed).isEqualTo(entry.getValue());
        }
    }

    // ---- helpers shared with subclasses

    /**
     * @param timestamp a timestamp.
     * @return a mark with that timestamp, group 1 and message id = timestamp.
     */
    protected static AppliedMark mark(final long timestamp)
    {
        return new AppliedMark(timestamp, 1, timestamp);
    }

    protected static byte[] utf8(final String s)
    {
        return s.getBytes(UTF_8);
    }

    protected static byte[] bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }

    /** @return every data entry in range as "key=value", UTF-8. */
    protected static List<String> scan(final PartitionStore store, final byte[] start, final byte[] end, final int limit)
    {
        final List<String> entries = new ArrayList<>();
        store.scan(start, end, limit, (key, value) -> entries.add(new String(key, UTF_8) + "=" + new String(value, UTF_8)));
        return entries;
    }

    /** @return every meta entry with the prefix as "key=value", UTF-8. */
    protected static List<String> scanMeta(final PartitionStore store, final byte[] prefix)
    {
        final List<String> entries = new ArrayList<>();
        store.scanMeta(prefix, (key, value) -> entries.add(new String(key, UTF_8) + "=" + new String(value, UTF_8)));
        return entries;
    }

    private void putAll(final String... keys)
    {
        final StoreBatch batch = new StoreBatch(mark(1));
        for (final String key : keys)
        {
            batch.put(utf8(key), utf8(key));
        }
        store.apply(batch);
    }

    private static List<String> scanKeys(final PartitionStore store, final byte[] start, final byte[] end, final int limit)
    {
        final List<String> keys = new ArrayList<>();
        store.scan(start, end, limit, (key, value) -> keys.add(Keys.toString(key)));
        return keys;
    }

    private static List<String> scanMetaKeys(final PartitionStore store, final byte[] prefix)
    {
        final List<String> keys = new ArrayList<>();
        store.scanMeta(prefix, (key, value) -> keys.add(Keys.toString(key)));
        return keys;
    }

    private static List<String> modelScan(
        final NavigableMap<byte[], byte[]> model, final byte[] start, final byte[] end, final int limit)
    {
        final List<String> keys = new ArrayList<>();
        for (final byte[] key : model.tailMap(start, true).keySet())
        {
            if (keys.size() == limit || (end != null && Keys.compare(key, end) >= 0))
            {
                break;
            }
            keys.add(Keys.toString(key));
        }
        return keys;
    }

    private static byte[] randomKey(final Random random, final int[] alphabet)
    {
        final byte[] key = new byte[1 + random.nextInt(3)];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)alphabet[random.nextInt(alphabet.length)];
        }
        return key;
    }

    private static byte[] metaKey(final byte[] suffix)
    {
        final byte[] key = new byte[suffix.length + 1];
        key[0] = 'm';
        System.arraycopy(suffix, 0, key, 1, suffix.length);
        return key;
    }

    private static String[] hex(final byte[]... keys)
    {
        return Arrays.stream(keys).map(Keys::toString).toArray(String[]::new);
    }
}
