package io.ramcast.bench.workload;

import io.ramcast.txn.Destinations;
import io.ramcast.txn.Op;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.HashPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kv workloads without a cluster: one get, three puts of new values, a compare-and-set from
 * and to the loaded value with two puts of loaded values; distinct keys per transaction drawn
 * uniformly; load transactions that write every record once; the partition counts they claim.
 * Fixed seeds, so the statistical bounds (more than five standard deviations wide) hold or fail
 * every run.
 */
class KvWorkloadTest
{
    private static final int OPERATIONS = 20_000;
    private static final Partitioner PARTITIONER = new HashPartitioner(3);

    private static WorkloadSettings settings(final long records)
    {
        return new WorkloadSettings(PARTITIONER, records, 100, "uniform", 0, 2, 32, Map.of());
    }

    private static long record(final KvWorkload.Kind kind, final byte[] key)
    {
        final String text = new String(key, StandardCharsets.US_ASCII);
        assertThat(text).startsWith(kind.keyPrefix()).hasSize(kind.keyPrefix().length() + YcsbWorkload.KEY_DIGITS);
        return Long.parseLong(text.substring(kind.keyPrefix().length()));
    }

    @Test
    void shouldReadOneKeyPerTransaction()
    {
        final OperationGenerator generator = new KvWorkload(KvWorkload.Kind.READ).newGenerator(settings(1_000), 0, 1);
        for (int i = 0; i < 100; i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            assertThat(op.type()).isEqualTo("read");
            assertThat(op.transaction().ops()).hasSize(1).first().isInstanceOf(Op.Get.class);
            assertThat(record(KvWorkload.Kind.READ, op.transaction().ops().get(0).key())).isBetween(0L, 999L);
        }
    }

    @Test
    void shouldWriteThreeDistinctKeysWithNewValues()
    {
        final OperationGenerator generator = new KvWorkload(KvWorkload.Kind.WRITE3).newGenerator(settings(3), 0, 2);
        for (int i = 0; i < 1_000; i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            assertThat(op.type()).isEqualTo("write3");
            final List<Op> ops = op.transaction().ops();
            assertThat(ops).hasSize(3).allMatch(o -> o instanceof Op.Put);
            final Set<Long> records = new HashSet<>();
            ops.forEach(o -> records.add(record(KvWorkload.Kind.WRITE3, o.key())));
            assertThat(records).as("three distinct records of three").containsExactlyInAnyOrder(0L, 1L, 2L);
            for (final Op o : ops)
            {
                final Op.Put put = (Op.Put)o;
                assertThat(put.value()).as("a new value").hasSize(100)
                    .isNotEqualTo(KvWorkload.loadedValue(record(KvWorkload.Kind.WRITE3, put.key()), 100));
            }
        }
    }

    @Test
    void shouldCompareAndSetTheLoadedValueAndPutTheLoadedValuesOfTwoMoreKeys()
    {
        final OperationGenerator generator = new KvWorkload(KvWorkload.Kind.CAS).newGenerator(settings(10), 0, 3);
        for (int i = 0; i < 1_000; i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            assertThat(op.type()).isEqualTo("cas");
            final List<Op> ops = op.transaction().ops();
            assertThat(ops).hasSize(3);
            final Op.CompareAndSet cas = (Op.CompareAndSet)ops.get(0);
            final long a = record(KvWorkload.Kind.CAS, cas.key());
            assertThat(cas.expected()).isEqualTo(KvWorkload.loadedValue(a, 100));
            assertThat(cas.newValue()).isEqualTo(cas.expected());
            final Set<Long> records = new HashSet<>(List.of(a));
            for (final Op o : ops.subList(1, 3))
            {
                final Op.Put put = (Op.Put)o;
                final long r = record(KvWorkload.Kind.CAS, put.key());
                assertThat(put.value()).isEqualTo(KvWorkload.loadedValue(r, 100));
                records.add(r);
            }
            assertThat(records).as("distinct keys").hasSize(3);
        }
    }

    @Test
    void shouldDrawKeysUniformly()
    {
        final OperationGenerator generator = new KvWorkload(KvWorkload.Kind.WRITE3).newGenerator(settings(10), 0, 4);
        final long[] counts = new long[10];
        for (int i = 0; i < OPERATIONS; i++)
        {
            generator.next().transaction().ops().forEach(o -> counts[(int)record(KvWorkload.Kind.WRITE3, o.key())]++);
        }
        // 60,000 keys over 10 records: 6,000 each, standard deviation about 73.
        for (final long count : counts)
        {
            assertThat(count).isBetween(5_600L, 6_400L);
        }
    }

    @Test
    void shouldClaimThePartitionsItsKeysFallOn()
    {
        final OperationGenerator generator = new KvWorkload(KvWorkload.Kind.CAS).newGenerator(settings(1_000), 0, 5);
        final Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            assertThat(Destinations.of(op.transaction(), PARTITIONER)).hasSize(op.partitions());
            seen.add(op.partitions());
        }
        assertThat(seen).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void shouldLoadEveryRecordOnceWithItsLoadedValue()
    {
        for (final KvWorkload.Kind kind : KvWorkload.Kind.values())
        {
            final KvWorkload workload = new KvWorkload(kind);
            final WorkloadSettings settings = settings(1_000);
            final Map<Long, byte[]> loaded = new HashMap<>();
            for (long t = 0; t < workload.loadTransactionCount(settings); t++)
            {
                final Transaction transaction = workload.loadTransaction(t, settings);
                assertThat(Destinations.of(transaction, PARTITIONER)).as("one partition per load transaction").hasSize(1);
                assertThat(transaction.ops()).hasSizeLessThanOrEqualTo(32);
                for (final Op op : transaction.ops())
                {
                    final long r = record(kind, op.key());
                    assertThat(loaded.put(r, ((Op.Put)op).value())).as("record %d loaded once", r).isNull();
                    assertThat(((Op.Put)op).value()).isEqualTo(KvWorkload.loadedValue(r, 100));
                }
            }
            assertThat(loaded).as(kind.workloadName()).hasSize(1_000);
        }
    }

    @Test
    void shouldBeRegisteredWithAThousandRecordsAndUniformKeys()
    {
        for (final KvWorkload.Kind kind : KvWorkload.Kind.values())
        {
            assertThat(Workloads.create(kind.workloadName())).isInstanceOf(KvWorkload.class);
            assertThat(Workloads.defaultRecords(kind.workloadName())).isEqualTo(1_000);
            assertThat(Workloads.defaultDistribution(kind.workloadName())).isEqualTo("uniform");
        }
        assertThat(Workloads.defaultDistribution("ycsb-a")).isEqualTo("zipfian");
    }

    @Test
    void shouldRefuseSettingsItCannotRun()
    {
        final KvWorkload cas = new KvWorkload(KvWorkload.Kind.CAS);
        assertThatThrownBy(() -> cas.newGenerator(settings(2), 0, 1))
            .hasMessageContaining("--records=2 must be in [3, ");
        assertThatThrownBy(() -> cas.loadTransactionCount(new WorkloadSettings(PARTITIONER, 100, 100, "uniform", 0.5, 2,
            32, Map.of()))).hasMessageContaining("--multi-partition=0.5");
        assertThatThrownBy(() -> cas.loadTransactionCount(new WorkloadSettings(PARTITIONER, 100, 100, "uniform", 0, 2,
            32, Map.of("x", "1")))).hasMessageContaining("--param x");
        assertThat(new KvWorkload(KvWorkload.Kind.READ).loadTransactionCount(settings(1))).isOne();
    }
}
