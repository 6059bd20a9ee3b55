package io.ramcast.txn.config;

import io.ramcast.txn.Partitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionerTest
{
    private static final int KEY_COUNT = 10_000;

    @Test
    void shouldMatchMurmur3ReferenceVectors()
    {
        // Published MurmurHash3_x86_32 test vectors (SMHasher; Guava's murmur3_32_fixed agrees).
        assertThat(HashPartitioner.murmur3x86x32(new byte[0], 0)).isEqualTo(0);
        assertThat(HashPartitioner.murmur3x86x32(new byte[0], 1)).isEqualTo(0x514E28B7);
        assertThat(HashPartitioner.murmur3x86x32(new byte[0], 0xffffffff)).isEqualTo(0x81F16F39);
        assertThat(HashPartitioner.murmur3x86x32(new byte[] {0, 0, 0, 0}, 0)).isEqualTo(0x2362F9DE);
        assertThat(HashPartitioner.murmur3x86x32(new byte[] {-1, -1, -1, -1}, 0)).isEqualTo(0x76293B50);
        assertThat(HashPartitioner.murmur3x86x32(new byte[] {0x21, 0x43, 0x65, (byte)0x87}, 0)).isEqualTo(0xF55B516B);
        assertThat(HashPartitioner.murmur3x86x32(new byte[] {0x21, 0x43, 0x65}, 0)).isEqualTo(0x7E4A8634);
        assertThat(HashPartitioner.murmur3x86x32(new byte[] {0x21, 0x43}, 0)).isEqualTo(0xA0F7B07A);
        assertThat(HashPartitioner.murmur3x86x32(new byte[] {0x21}, 0)).isEqualTo(0x72661CF4);
        assertThat(HashPartitioner.murmur3x86x32(utf8("aaaa"), 0x9747b28c)).isEqualTo(0x5A97808A);
        assertThat(HashPartitioner.murmur3x86x32(utf8("abc"), 0)).isEqualTo(0xB3DD93FA);
        assertThat(HashPartitioner.murmur3x86x32(utf8("abcd"), 0x9747b28c)).isEqualTo(0xF0478627);
        assertThat(HashPartitioner.murmur3x86x32(utf8("hello"), 0)).isEqualTo(0x248BFA47);
        assertThat(HashPartitioner.murmur3x86x32(utf8("Hello, world!"), 0)).isEqualTo(0xC0363E43);
        assertThat(HashPartitioner.murmur3x86x32(utf8("Hello, world!"), 0x9747b28c)).isEqualTo(0x24884CBA);
        assertThat(HashPartitioner.murmur3x86x32(utf8("The quick brown fox jumps over the lazy dog"), 0x9747b28c))
            .isEqualTo(0x2FA826CD);
    }

    @Test
    void shouldNeverChangeTheHashPartitionOfAKey()
    {
        // The mapping is part of every deployment's data layout: these values must never change.
        final HashPartitioner three = new HashPartitioner(3);
        final HashPartitioner seven = new HashPartitioner(7);
        final String[] keys = {"a", "hello", "user:42", "account/0001", "key-9999", "ramcast"};
        final int[] ofThree = {2, 1, 0, 1, 0, 2};
        final int[] ofSeven = {4, 6, 5, 4, 5, 3};
        for (int i = 0; i < keys.length; i++)
        {
            assertThat(three.partitionOf(utf8(keys[i]))).as(keys[i]).isEqualTo(ofThree[i]);
            assertThat(seven.partitionOf(utf8(keys[i]))).as(keys[i]).isEqualTo(ofSeven[i]);
        }
    }

    @Test
    void shouldTakeTheHashAsUnsigned()
    {
        // murmur3("hello") = 0x248BFA47 is positive; "user:42" hashes to 0xC7A6A375, negative as an int.
        assertThat(new HashPartitioner(3).partitionOf(utf8("user:42"))).isEqualTo((int)(0xC7A6A375L % 3));
        assertThat(new HashPartitioner(5).partitionOf(utf8("user:42"))).isEqualTo((int)(0xC7A6A375L % 5));
    }

    @Test
    void shouldSpreadKeysEvenlyOverHashPartitions()
    {
        for (final int partitions : new int[] {2, 3, 7, 16})
        {
            final HashPartitioner partitioner = new HashPartitioner(partitions);
            final int[] counts = new int[partitions];
            for (int i = 0; i < KEY_COUNT; i++)
            {
                counts[partitioner.partitionOf(utf8("key-" + i))]++;
            }
            final double expected = (double)KEY_COUNT / partitions;
            for (int p = 0; p < partitions; p++)
            {
                assertThat((double)counts[p]).as("partition %d of %d", p, partitions)
                    .isBetween(expected * 0.9, expected * 1.1);
            }
        }
    }

    @Test
    void shouldPutTheEmptyKeyInPartitionZero()
    {
        assertThat(new HashPartitioner(5).partitionOf(new byte[0])).isZero();
        assertThat(RangePartitioner.ofUtf8(List.of("g", "p")).partitionOf(new byte[0])).isZero();
    }

    @Test
    void shouldPutAKeyEqualToASplitKeyInTheUpperPartition()
    {
        final RangePartitioner partitioner = RangePartitioner.ofUtf8(List.of("g", "p"));

        assertThat(partitioner.partitionCount()).isEqualTo(3);
        assertThat(partitioner.partitionOf(utf8("a"))).isEqualTo(0);
        assertThat(partitioner.partitionOf(new byte[] {'f', (byte)0xff})).isEqualTo(0);
        assertThat(partitioner.partitionOf(utf8("g"))).isEqualTo(1);
        assertThat(partitioner.partitionOf(new byte[] {'g', 0})).isEqualTo(1);
        assertThat(partitioner.partitionOf(utf8("ozzz"))).isEqualTo(1);
        assertThat(partitioner.partitionOf(utf8("p"))).isEqualTo(2);
        assertThat(partitioner.partitionOf(utf8("zebra"))).isEqualTo(2);
    }

    @Test
    void shouldCompareRangeKeysAsUnsignedBytes()
    {
        final RangePartitioner partitioner = RangePartitioner.ofUtf8(List.of("m"));

        // "é" is 0xC3 0xA9 in UTF-8: above "m" unsigned, below it if bytes were signed.
        assertThat(partitioner.partitionOf(utf8("é"))).isEqualTo(1);
        assertThat(partitioner.partitionOf(new byte[] {(byte)0x80})).isEqualTo(1);
        assertThat(partitioner.partitionOf(new byte[] {0x7f})).isEqualTo(1);
        assertThat(partitioner.partitionOf(new byte[] {0x00})).isEqualTo(0);
    }

    @Test
    void shouldPutEveryKeyInTheOnlyPartitionWithoutSplitKeys()
    {
        final RangePartitioner partitioner = RangePartitioner.ofUtf8(List.of());

        assertThat(partitioner.partitionCount()).isEqualTo(1);
        assertThat(partitioner.partitionOf(utf8("anything"))).isZero();
        assertThat(partitioner.partitionOfRange(new byte[0], null)).isZero();
    }

    @Test
    void shouldConfineARangeThatDoesNotCrossASplitKey()
    {
        final Partitioner partitioner = RangePartitioner.ofUtf8(List.of("g", "p"));

        assertThat(partitioner.partitionOfRange(new byte[0], utf8("g"))).isEqualTo(0);
        assertThat(partitioner.partitionOfRange(utf8("a"), utf8("f"))).isEqualTo(0);
        assertThat(partitioner.partitionOfRange(utf8("g"), utf8("p"))).isEqualTo(1);
        assertThat(partitioner.partitionOfRange(utf8("h"), utf8("i"))).isEqualTo(1);
        assertThat(partitioner.partitionOfRange(utf8("p"), null)).isEqualTo(2);
        assertThat(partitioner.isSinglePartitionRange(utf8("q"), null)).isTrue();
    }

    @Test
    void shouldNotConfineARangeThatCrossesASplitKey()
    {
        final Partitioner partitioner = RangePartitioner.ofUtf8(List.of("g", "p"));

        assertThat(partitioner.partitionOfRange(utf8("a"), new byte[] {'g', 0})).isEqualTo(Partitioner.NO_SINGLE_PARTITION);
        assertThat(partitioner.partitionOfRange(utf8("f"), utf8("q"))).isEqualTo(Partitioner.NO_SINGLE_PARTITION);
        assertThat(partitioner.partitionOfRange(utf8("o"), null)).isEqualTo(Partitioner.NO_SINGLE_PARTITION);
        assertThat(partitioner.partitionOfRange(new byte[0], null)).isEqualTo(Partitioner.NO_SINGLE_PARTITION);
        assertThat(partitioner.isSinglePartitionRange(utf8("a"), utf8("z"))).isFalse();
    }

    @Test
    void shouldConfineAHashRangeOnlyToASingleKeyOrASinglePartition()
    {
        final HashPartitioner three = new HashPartitioner(3);
        final byte[] abc = utf8("abc");
        final byte[] abcSuccessor = {'a', 'b', 'c', 0};

        assertThat(three.partitionOfRange(utf8("a"), utf8("b"))).isEqualTo(Partitioner.NO_SINGLE_PARTITION);
        assertThat(three.partitionOfRange(new byte[0], null)).isEqualTo(Partitioner.NO_SINGLE_PARTITION);
        assertThat(three.partitionOfRange(abc, abcSuccessor)).isEqualTo(three.partitionOf(abc));
        assertThat(three.partitionOfRange(abc, new byte[] {'a', 'b', 'c', 1})).isEqualTo(Partitioner.NO_SINGLE_PARTITION);
        assertThat(new HashPartitioner(1).partitionOfRange(utf8("a"), null)).isZero();
    }

    @Test
    void shouldRefuseEmptyOrMissingRanges()
    {
        final List<Partitioner> partitioners = List.of(new HashPartitioner(3), RangePartitioner.ofUtf8(List.of("m")));
        for (final Partitioner partitioner : partitioners)
        {
            assertThatThrownBy(() -> partitioner.partitionOfRange(utf8("b"), utf8("b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty range");
            assertThatThrownBy(() -> partitioner.partitionOfRange(utf8("b"), utf8("a")))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> partitioner.partitionOfRange(null, utf8("a")))
                .isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void shouldRefuseInvalidPartitioners()
    {
        assertThatThrownBy(() -> new HashPartitioner(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("partitionCount=0 must be at least 1");
        assertThatThrownBy(() -> RangePartitioner.ofUtf8(List.of("m", "m"))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("strictly ascending");
        assertThatThrownBy(() -> RangePartitioner.ofUtf8(List.of(""))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("empty");
    }

    @Test
    void shouldNotShareSplitKeysWithCallers()
    {
        final byte[] split = utf8("m");
        final RangePartitioner partitioner = new RangePartitioner(List.of(split));
        split[0] = 'a';
        partitioner.splitKeys().get(0)[0] = 'b';

        assertThat(partitioner.partitionOf(utf8("l"))).isZero();
        assertThat(partitioner.splitKeys().get(0)).isEqualTo(utf8("m"));
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
