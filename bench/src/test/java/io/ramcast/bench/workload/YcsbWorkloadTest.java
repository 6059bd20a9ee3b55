package io.ramcast.bench.workload;

import io.ramcast.txn.Destinations;
import io.ramcast.txn.Op;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.HashPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * The YCSB workloads without a cluster: operation mixes, the zipfian skew, multi-partition
 * transactions over exactly the partitions they claim, and load transactions that are
 * deterministic, single-partition and cover every record once. Fixed seeds, so the statistical
 * bounds (at least four standard deviations wide) either hold or fail every run.
 */
class YcsbWorkloadTest
{
    private static final int OPERATIONS = 20_000;
    private static final Partitioner PARTITIONER = new HashPartitioner(3);

    private static WorkloadSettings settings(final long records, final String distribution, final double multi,
        final int maxPartitions)
    {
        return new WorkloadSettings(PARTITIONER, records, 100, distribution, multi, maxPartitions, 16, Map.of());
    }

    private static Map<String, Integer> typeCounts(final YcsbWorkload.Mix mix, final double multi, final long seed)
    {
        final OperationGenerator generator = new YcsbWorkload(mix).newGenerator(settings(1_000, "zipfian", multi, 3), 0,
            seed);
        final Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < OPERATIONS; i++)
        {
            counts.merge(generator.next().type(), 1, Integer::sum);
        }
        return counts;
    }

    private static double share(final Map<String, Integer> counts, final String... types)
    {
        return Arrays.stream(types).mapToInt(t -> counts.getOrDefault(t, 0)).sum() / (double)OPERATIONS;
    }

    @ParameterizedTest
    @EnumSource(YcsbWorkload.Mix.class)
    void shouldFollowTheMixWithinTwoPercentagePoints(final YcsbWorkload.Mix mix)
    {
        final Map<String, Integer> counts = typeCounts(mix, 0, 11);
        System.out.println(mix.workloadName() + " " + counts);
        assertThat(counts.keySet()).isSubsetOf("read", "update", "rmw");
        assertThat(share(counts, "read")).as("reads").isCloseTo(mix.readFraction(), within(0.02));
        assertThat(share(counts, "update")).as("updates").isCloseTo(mix.updateFraction(), within(0.02));
        assertThat(share(counts, "rmw")).as("read-modify-writes").isCloseTo(mix.readModifyWriteFraction(), within(0.02));
    }

    @ParameterizedTest
    @EnumSource(YcsbWorkload.Mix.class)
    void shouldKeepTheMixWhenAShareOfOperationsSpansPartitions(final YcsbWorkload.Mix mix)
    {
        final Map<String, Integer> counts = typeCounts(mix, 0.3, 12);
        System.out.println(mix.workloadName() + " --multi-partition 0.3 " + counts);
        assertThat(share(counts, "multi-read", "multi-update", "multi-rmw")).as("multi-partition share")
            .isCloseTo(0.3, within(0.02));
        assertThat(share(counts, "read", "multi-read")).as("reads").isCloseTo(mix.readFraction(), within(0.02));
        assertThat(share(counts, "update", "multi-update")).as("updates").isCloseTo(mix.updateFraction(), within(0.02));
        assertThat(share(counts, "rmw", "multi-rmw")).as("read-modify-writes")
            .isCloseTo(mix.readModifyWriteFraction(), within(0.02));
    }

    @Test
    void shouldMakeTheMostPopularZipfianRecordFarMorePopularThanTheMedianOne()
    {
        final int[] zipfian = recordCounts("zipfian");
        final int[] uniform = recordCounts("uniform");
        System.out.println("zipfian: max " + zipfian[zipfian.length - 1] + ", median " + zipfian[zipfian.length / 2] +
            "; uniform: max " + uniform[uniform.length - 1] + ", median " + uniform[uniform.length / 2]);
        assertThat(zipfian[zipfian.length - 1]).as("draws of the most popular record (zipfian)")
            .isGreaterThan(10 * zipfian[zipfian.length / 2]);
        assertThat(uniform[uniform.length - 1]).as("draws of the most popular record (uniform)")
            .isLessThan(3 * uniform[uniform.length / 2]);
    }

    /** @return draws per record of 20k single-record reads over 1000 records, ascending. */
    private static int[] recordCounts(final String distribution)
    {
        final OperationGenerator generator = new YcsbWorkload(YcsbWorkload.Mix.C)
            .newGenerator(settings(1_000, distribution, 0, 3), 0, 5);
        final int[] counts = new int[1_000];
        for (int i = 0; i < OPERATIONS; i++)
        {
            final Transaction t = generator.next().transaction();
            assertThat(t.readKeys()).hasSize(1);
            counts[recordOf(t.readKeys().get(0))]++;
        }
        Arrays.sort(counts);
        return counts;
    }

    @Test
    void shouldDrawZipfianRanksWithYcsbsProbabilities()
    {
        final SplittableRandom random = new SplittableRandom(99);
        final int draws = 200_000;
        final int[] firstRanks = new int[10];
        for (int i = 0; i < draws; i++)
        {
            final long rank = ScrambledZipfian.INSTANCE.zipfian(random);
            assertThat(rank).isBetween(0L, ScrambledZipfian.ITEM_COUNT);
            if (rank < firstRanks.length)
            {
                firstRanks[(int)rank]++;
            }
        }
        // P(rank = r) = (r + 1)^-theta / zeta(n, theta): exact for ranks 0 and 1; beyond them Gray's
        // formula approximates it (about 5 % high for the first ten ranks together).
        double zeta10 = 0;
        for (int r = 1; r <= 10; r++)
        {
            zeta10 += Math.pow(r, -ScrambledZipfian.ZIPFIAN_CONSTANT);
        }
        assertThat(firstRanks[0] / (double)draws).as("P(rank 0)").isCloseTo(1 / ScrambledZipfian.ZETAN, within(0.002));
        assertThat(firstRanks[1] / (double)draws).as("P(rank 1)")
            .isCloseTo(Math.pow(2, -ScrambledZipfian.ZIPFIAN_CONSTANT) / ScrambledZipfian.ZETAN, within(0.0015));
        assertThat(Arrays.stream(firstRanks).sum() / (double)draws).as("P(rank < 10)")
            .isCloseTo(zeta10 / ScrambledZipfian.ZETAN, withinPercentage(10));
    }

    @Test
    void shouldSpanExactlyTheClaimedPartitionsWithOneRecordOnEach()
    {
        final WorkloadSettings settings = settings(1_000, "zipfian", 0.3, 3);
        final OperationGenerator generator = new YcsbWorkload(YcsbWorkload.Mix.F).newGenerator(settings, 0, 21);
        final Map<Integer, Integer> byPartitionCount = new TreeMap<>();
        for (int i = 0; i < OPERATIONS; i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            final int[] partitions = Destinations.of(op.transaction(), PARTITIONER);
            assertThat(partitions).as("destinations of %s", op.type()).hasSize(op.partitions());
            byPartitionCount.merge(op.partitions(), 1, Integer::sum);
            final List<Op> ops = op.transaction().ops();
            final Set<String> keys = new HashSet<>();
            op.transaction().readKeys().forEach(k -> keys.add(new String(k, StandardCharsets.US_ASCII)));
            op.transaction().writeKeys().forEach(k -> keys.add(new String(k, StandardCharsets.US_ASCII)));
            assertThat(keys).as("one record per partition").hasSize(op.partitions());
            if (op.type().startsWith("multi-"))
            {
                assertThat(op.partitions()).isBetween(2, 3);
            }
            else
            {
                assertThat(op.partitions()).isOne();
            }
            if (op.type().endsWith("rmw"))
            {
                // get k, put k for every record: the read and the write of one record in one transaction.
                assertThat(ops).hasSize(2 * op.partitions());
                for (int j = 0; j < ops.size(); j += 2)
                {
                    assertThat(ops.get(j)).isInstanceOf(Op.Get.class);
                    assertThat(ops.get(j + 1)).isInstanceOf(Op.Put.class);
                    assertThat(ops.get(j + 1).key()).isEqualTo(ops.get(j).key());
                    assertThat(((Op.Put)ops.get(j + 1)).value()).hasSize(100);
                }
            }
        }
        System.out.println("operations by partitions involved: " + byPartitionCount);
        assertThat(byPartitionCount).containsOnlyKeys(1, 2, 3);
        assertThat(byPartitionCount.get(2) + byPartitionCount.get(3)).isCloseTo(6_000, within(400));
        assertThat(byPartitionCount.get(2)).isCloseTo(byPartitionCount.get(3), within(400));
    }

    @Test
    void shouldRespectMaxPartitions()
    {
        final OperationGenerator generator = new YcsbWorkload(YcsbWorkload.Mix.A)
            .newGenerator(settings(1_000, "uniform", 1.0, 2), 0, 3);
        for (int i = 0; i < 2_000; i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            assertThat(op.partitions()).isEqualTo(2);
            assertThat(Destinations.of(op.transaction(), PARTITIONER)).hasSize(2);
        }
    }

    @Test
    void shouldGenerateTheSameOperationsFromTheSameSeed()
    {
        final WorkloadSettings settings = settings(1_000, "zipfian", 0.3, 3);
        final OperationGenerator a = new YcsbWorkload(YcsbWorkload.Mix.A).newGenerator(settings, 0, 77);
        final OperationGenerator b = new YcsbWorkload(YcsbWorkload.Mix.A).newGenerator(settings, 5, 77);
        for (int i = 0; i < 1_000; i++)
        {
            final OperationGenerator.PlannedOperation x = a.next();
            final OperationGenerator.PlannedOperation y = b.next();
            assertThat(y.type()).isEqualTo(x.type());
            assertThat(describe(y.transaction())).isEqualTo(describe(x.transaction()));
        }
    }

    @Test
    void shouldLoadEveryRecordOnceInSinglePartitionTransactionsDeterministically()
    {
        final WorkloadSettings settings = new WorkloadSettings(PARTITIONER, 1_000, 64, "zipfian", 0, 3, 16, Map.of());
        final YcsbWorkload first = new YcsbWorkload(YcsbWorkload.Mix.A);
        final YcsbWorkload second = new YcsbWorkload(YcsbWorkload.Mix.B);
        final long count = first.loadTransactionCount(settings);
        assertThat(second.loadTransactionCount(settings)).isEqualTo(count);
        assertThat(count).as("load transactions").isBetween(1_000L / 16, 1_000L / 16 + 3);
        final Map<Integer, Integer> seen = new HashMap<>();
        for (long i = 0; i < count; i++)
        {
            final Transaction t = first.loadTransaction(i, settings);
            assertThat(describe(second.loadTransaction(i, settings))).as("load transaction %d again", i)
                .isEqualTo(describe(t));
            assertThat(Destinations.of(t, PARTITIONER)).as("partitions of load transaction %d", i).hasSize(1);
            assertThat(t.ops()).hasSizeLessThanOrEqualTo(16).allSatisfy(op -> assertThat(op).isInstanceOf(Op.Put.class));
            for (final Op op : t.ops())
            {
                final int record = recordOf(op.key());
                seen.merge(record, 1, Integer::sum);
                assertThat(((Op.Put)op).value()).as("loaded value of record %d", record)
                    .isEqualTo(YcsbWorkload.value(record, 0, 64));
            }
        }
        assertThat(seen).as("records loaded").hasSize(1_000);
        assertThat(seen.values()).as("times each record is loaded").containsOnly(1);
        assertThatThrownBy(() -> first.loadTransaction(count, settings)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNameRecordsAndFillValuesAsDocumented()
    {
        assertThat(new String(YcsbWorkload.key(42), StandardCharsets.US_ASCII)).isEqualTo("user0000000042");
        assertThat(new String(YcsbWorkload.key(9_999_999_999L), StandardCharsets.US_ASCII)).isEqualTo("user9999999999");
        final byte[] value = YcsbWorkload.value(7, 3, 1000);
        assertThat(value).hasSize(1000).isEqualTo(YcsbWorkload.value(7, 3, 1000));
        for (final byte b : value)
        {
            assertThat(b).isBetween((byte)0x21, (byte)0x7e);
        }
        assertThat(YcsbWorkload.value(7, 4, 1000)).isNotEqualTo(value);
        assertThat(YcsbWorkload.value(8, 3, 1000)).isNotEqualTo(value);
    }

    @Test
    void shouldRefuseSettingsItCannotRunNamingTheOption()
    {
        final YcsbWorkload ycsb = new YcsbWorkload(YcsbWorkload.Mix.A);
        assertThatThrownBy(() -> ycsb.newGenerator(settings(0, "zipfian", 0, 3), 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--records=0");
        assertThatThrownBy(() -> ycsb.newGenerator(settings(100, "pareto", 0, 3), 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--distribution=pareto");
        assertThatThrownBy(() -> ycsb.newGenerator(settings(100, "zipfian", 0.5, 4), 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--max-partitions=4");
        assertThatThrownBy(() -> ycsb.newGenerator(settings(2, "zipfian", 0.5, 3), 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--records=2");
        assertThatThrownBy(() -> ycsb.loadTransactionCount(
            new WorkloadSettings(PARTITIONER, 100, 100, "zipfian", 0, 3, 16, Map.of("x", "1"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--param x");
    }

    private static int recordOf(final byte[] key)
    {
        final String text = new String(key, StandardCharsets.US_ASCII);
        assertThat(text).startsWith(YcsbWorkload.KEY_PREFIX).hasSize(YcsbWorkload.KEY_PREFIX.length() +
            YcsbWorkload.KEY_DIGITS);
        return Integer.parseInt(text.substring(YcsbWorkload.KEY_PREFIX.length()));
    }

    private static List<String> describe(final Transaction t)
    {
        final List<String> ops = new ArrayList<>();
        for (final Op op : t.ops())
        {
            ops.add(op.getClass().getSimpleName() + " " + new String(op.key(), StandardCharsets.US_ASCII) +
                (op instanceof Op.Put put ? " " + new String(put.value(), StandardCharsets.US_ASCII) : ""));
        }
        return ops;
    }
}
