package io.ramcast.bench.workload;

import io.ramcast.txn.Op;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.HashPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings validation, the load transactions and the initial balances. */
class SmallBankWorkloadTest
{
    private static final Partitioner PARTITIONER = new HashPartitioner(3);
    private final SmallBankWorkload workload = new SmallBankWorkload();

    private static WorkloadSettings settings(final long records, final int batchSize, final Map<String, String> extra)
    {
        return new WorkloadSettings(PARTITIONER, records, 100, "zipfian", 0.5, 4, batchSize, extra);
    }

    @Test
    void shouldLoadEveryCustomersThreeRowsOnceInBatchesOfBatchSize()
    {
        final WorkloadSettings settings = settings(23, 5, Map.of());
        assertThat(workload.loadTransactionCount(settings)).isEqualTo(5);
        final Map<String, byte[]> rows = new HashMap<>();
        final List<Integer> sizes = new ArrayList<>();
        for (long i = 0; i < 5; i++)
        {
            final Transaction t = workload.loadTransaction(i, settings);
            sizes.add(t.ops().size());
            for (final Op op : t.ops())
            {
                assertThat(op).isInstanceOf(Op.Put.class);
                assertThat(rows.put(new String(op.key(), StandardCharsets.UTF_8), ((Op.Put)op).value())).isNull();
            }
        }
        assertThat(sizes).containsExactly(15, 15, 15, 15, 9);
        assertThat(rows).hasSize(69);
        for (long id = 0; id < 23; id++)
        {
            final SmallBankCustomer c = SmallBankCustomer.placed(id, PARTITIONER);
            assertThat(rows.get(utf8(c.accountKey()))).isEqualTo(c.name());
            assertThat(SmallBankProcedures.decodeBalance(rows.get(utf8(c.savingsKey()))))
                .isEqualTo(SmallBankWorkload.initialSavingsCents(id));
            assertThat(SmallBankProcedures.decodeBalance(rows.get(utf8(c.checkingKey()))))
                .isEqualTo(SmallBankWorkload.initialCheckingCents(id));
        }
    }

    @Test
    void shouldBuildTheSameLoadTransactionEveryTime()
    {
        final WorkloadSettings settings = settings(100, 7, Map.of());
        final Transaction first = workload.loadTransaction(3, settings);
        final Transaction again = workload.loadTransaction(3, settings);
        assertThat(again.ops()).hasSameSizeAs(first.ops());
        for (int i = 0; i < first.ops().size(); i++)
        {
            assertThat(again.ops().get(i).key()).isEqualTo(first.ops().get(i).key());
            assertThat(((Op.Put)again.ops().get(i)).value()).isEqualTo(((Op.Put)first.ops().get(i)).value());
        }
        assertThatThrownBy(() -> workload.loadTransaction(15, settings)).hasMessage("load transaction index 15 is not in [0, 15)");
    }

    @Test
    void shouldDrawFixedInitialBalancesInTheDocumentedRange()
    {
        long total = 0;
        final Set<Long> distinct = new HashSet<>();
        for (long id = 0; id < 1_000; id++)
        {
            for (final long balance : new long[] {SmallBankWorkload.initialSavingsCents(id), SmallBankWorkload.initialCheckingCents(id)})
            {
                assertThat(balance).isBetween(SmallBankWorkload.MIN_INITIAL_BALANCE_CENTS, SmallBankWorkload.MAX_INITIAL_BALANCE_CENTS);
                distinct.add(balance);
                total += balance;
            }
        }
        assertThat(distinct).as("distinct balances").hasSizeGreaterThan(1_990);
        assertThat(SmallBankWorkload.initialTotalCents(1_000)).isEqualTo(total);
        assertThat(total / 2_000.0).as("mean balance").isBetween(2_900_000.0, 3_100_000.0);
        // pinned: a data set loaded by one version must match what another version expects
        assertThat(SmallBankWorkload.initialSavingsCents(0)).isEqualTo(4_915_822);
        assertThat(SmallBankWorkload.initialCheckingCents(0)).isEqualTo(2_943_497);
        assertThat(SmallBankWorkload.initialSavingsCents(123_456_789)).isEqualTo(4_162_548);
        assertThat(SmallBankWorkload.initialCheckingCents(123_456_789)).isEqualTo(4_955_011);
    }

    @Test
    void shouldRefuseInvalidSettingsNamingFieldValueAndRule()
    {
        assertThatThrownBy(() -> workload.loadTransactionCount(settings(1, 5, Map.of())))
            .hasMessageStartingWith("records=1: smallbank needs at least 2 customers");
        assertThatThrownBy(() -> workload.loadTransactionCount(settings(10, 0, Map.of())))
            .hasMessage("batchSize=0 must be at least 1");
        assertThatThrownBy(() -> workload.newGenerator(settings(10, 5, Map.of("hotspots", "3")), 0, 1))
            .hasMessage("unknown smallbank option hotspots=3; known: hotspot, hotspotFraction");
        assertThatThrownBy(() -> workload.newGenerator(settings(10, 5, Map.of("hotspot", "-1")), 0, 1))
            .hasMessage("hotspot=-1 must be at least 0 (0: uniform)");
        assertThatThrownBy(() -> workload.newGenerator(settings(10, 5, Map.of("hotspot", "ten")), 0, 1))
            .hasMessage("hotspot=ten must be a whole number");
        assertThatThrownBy(() -> workload.newGenerator(settings(10, 5, Map.of("hotspotFraction", "1.5")), 0, 1))
            .hasMessage("hotspotFraction=1.5 must be in [0, 1]");
        assertThatThrownBy(() -> workload.newGenerator(settings(10, 5, Map.of("hotspotFraction", "NaN")), 0, 1))
            .hasMessage("hotspotFraction=NaN must be in [0, 1]");
        assertThat(SmallBankWorkload.options(settings(10, 5, Map.of("hotspot", "500"))))
            .as("a hotspot larger than the data set is the whole data set")
            .isEqualTo(new SmallBankWorkload.Options(10, 0.9));
    }

    private static String utf8(final byte[] key)
    {
        return new String(key, StandardCharsets.UTF_8);
    }
}
