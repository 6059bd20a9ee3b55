package io.ramcast.bench.workload;

import io.ramcast.check.history.EventType;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.OpFunction;
import io.ramcast.check.history.OpValue;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Destinations;
import io.ramcast.txn.Op;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.HashPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The bank as a bench workload, without a cluster: transfers between accounts on different
 * partitions, the share of whole-bank reads, the load, the history events, and refused settings.
 */
class BankBenchWorkloadTest
{
    private static final Partitioner PARTITIONER = new HashPartitioner(3);

    private static WorkloadSettings settings(final long accounts, final Map<String, String> extra)
    {
        return new WorkloadSettings(PARTITIONER, accounts, 100, "zipfian", 0, 3, 5, extra);
    }

    @Test
    void shouldTransferBetweenAccountsOnDifferentPartitionsAndReadTheWholeBankOneTimeInTen()
    {
        final OperationGenerator generator = new BankBenchWorkload().newGenerator(settings(12, Map.of()), 0, 8);
        final Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 20_000; i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            counts.merge(op.type(), 1, Integer::sum);
            final int[] partitions = Destinations.of(op.transaction(), PARTITIONER);
            assertThat(partitions).hasSize(op.partitions());
            if (op.type().equals(BankBenchWorkload.TRANSFER))
            {
                assertThat(op.transaction().procedureName()).isEqualTo(BankProcedures.TRANSFER);
                assertThat(partitions).as("partitions of a transfer").hasSize(2);
                final ByteBuffer args = ByteBuffer.wrap(op.transaction().procedureArguments());
                final int from = args.getInt();
                final int to = args.getInt();
                assertThat(from).isNotEqualTo(to).isBetween(0, 11);
                assertThat(to).isBetween(0, 11);
                assertThat(args.getLong()).isBetween(1L, BankBenchWorkload.DEFAULT_INITIAL_BALANCE / 2);
            }
            else
            {
                assertThat(op.type()).isEqualTo(BankBenchWorkload.READ_ALL);
                assertThat(op.transaction().readKeys()).hasSize(12);
                assertThat(partitions).hasSize(3);
            }
        }
        assertThat(counts.get(BankBenchWorkload.READ_ALL) / 20_000.0).isCloseTo(0.1, within(0.01));
    }

    @Test
    void shouldLoadEveryAccountWithTheInitialBalanceInBatchesOfOnePartition()
    {
        final BankBenchWorkload bank = new BankBenchWorkload();
        final WorkloadSettings settings = settings(12, Map.of(BankBenchWorkload.INITIAL_BALANCE, "70"));
        final List<String> loaded = new ArrayList<>();
        for (long i = 0; i < bank.loadTransactionCount(settings); i++)
        {
            final Transaction t = bank.loadTransaction(i, settings);
            assertThat(Destinations.of(t, PARTITIONER)).hasSize(1);
            assertThat(t.ops()).hasSizeLessThanOrEqualTo(5);
            for (final Op op : t.ops())
            {
                assertThat(((Op.Put)op).value()).isEqualTo(BankWorkload.encode(70));
                loaded.add(new String(op.key(), StandardCharsets.UTF_8));
            }
        }
        assertThat(loaded).hasSize(12).doesNotHaveDuplicates();
        assertThat(loaded).allSatisfy(k -> assertThat(k).startsWith("bank/account/"));
    }

    @Test
    void shouldDescribeOperationsInTheBankHistoryVocabulary()
    {
        final BankBenchWorkload bank = new BankBenchWorkload();
        final OperationGenerator generator = bank.newGenerator(settings(4, Map.of(BankBenchWorkload.READ_FRACTION, "0.5")),
            0, 3);
        boolean sawTransfer = false;
        boolean sawRead = false;
        for (int i = 0; i < 100 && !(sawTransfer && sawRead); i++)
        {
            final OperationGenerator.PlannedOperation op = generator.next();
            final HistoryEvent invoke = bank.invocation(7, op, 100);
            if (op.type().equals(BankBenchWorkload.TRANSFER))
            {
                sawTransfer = true;
                assertThat(invoke.f()).isEqualTo(OpFunction.TRANSFER);
                final HistoryEvent fail = bank.completion(7, op,
                    new TxnOutcome.NotCommitted(1, ReasonCode.PROCEDURE_ABORTED, "insufficient funds"), 200);
                assertThat(fail.type()).isEqualTo(EventType.FAIL);
                assertThat(fail.value()).isEqualTo(invoke.value());
            }
            else
            {
                sawRead = true;
                assertThat(invoke.f()).isEqualTo(OpFunction.READ);
                final List<Result> results = new ArrayList<>();
                for (int a = 0; a < 4; a++)
                {
                    results.add(new Result.Value(BankWorkload.encode(10 * a)));
                }
                final HistoryEvent ok = bank.completion(7, op, new TxnOutcome.Committed(2, results), 300);
                assertThat(ok.type()).isEqualTo(EventType.OK);
                assertThat(((OpValue.Balances)ok.value()).balances())
                    .isEqualTo(new TreeMap<>(Map.of(0, 0L, 1, 10L, 2, 20L, 3, 30L)));
                assertThat(bank.completion(7, op, new TxnOutcome.Unknown(3, "timeout"), 400).type())
                    .isEqualTo(EventType.INFO);
            }
        }
        assertThat(sawTransfer).isTrue();
        assertThat(sawRead).isTrue();
    }

    @Test
    void shouldRefuseSettingsItCannotRunNamingTheOption()
    {
        final BankBenchWorkload bank = new BankBenchWorkload();
        assertThatThrownBy(() -> bank.loadTransactionCount(settings(201, Map.of())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--records=201");
        assertThatThrownBy(() -> bank.newGenerator(settings(1, Map.of()), 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--records=1");
        assertThatThrownBy(() -> bank.newGenerator(settings(12, Map.of("accounts", "3")), 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--param accounts=3");
        assertThatThrownBy(() -> bank.newGenerator(settings(12, Map.of(BankBenchWorkload.READ_FRACTION, "2")), 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--param readFraction=2");
        assertThatThrownBy(() -> bank.newGenerator(settings(12, Map.of(BankBenchWorkload.INITIAL_BALANCE, "x")), 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--param initialBalance=x");
    }
}
