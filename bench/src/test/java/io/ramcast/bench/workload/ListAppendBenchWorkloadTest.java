package io.ramcast.bench.workload;

import io.ramcast.check.history.EventType;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.MicroOp;
import io.ramcast.check.history.OpValue;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Destinations;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.config.HashPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The list-append workload as a bench workload, without a cluster: generated transactions, their
 * history events for every outcome, the argument codec the events are decoded with, and refused
 * settings.
 */
class ListAppendBenchWorkloadTest
{
    private static final Partitioner PARTITIONER = new HashPartitioner(3);

    private static WorkloadSettings settings(final long keys, final Map<String, String> extra)
    {
        return new WorkloadSettings(PARTITIONER, keys, 100, "zipfian", 0, 3, 5, extra);
    }

    @Test
    void shouldRunMicroOpsOnTheRunsKeysWithValuesUniqueAcrossWorkers()
    {
        final ListAppendBenchWorkload workload = new ListAppendBenchWorkload();
        final WorkloadSettings settings = settings(6, Map.of(ListAppendBenchWorkload.RUN, "t1"));
        final OperationGenerator first = workload.newGenerator(settings, 0, 1);
        final OperationGenerator second = workload.newGenerator(settings, 1, 2);
        final Set<Long> appended = new HashSet<>();
        final Set<Integer> partitionsSeen = new HashSet<>();
        for (int i = 0; i < 2_000; i++)
        {
            final OperationGenerator.PlannedOperation op = (i % 2 == 0 ? first : second).next();
            assertThat(op.type()).isEqualTo(ListAppendBenchWorkload.TXN_TYPE);
            assertThat(op.transaction().procedureName()).isEqualTo(ListAppendProcedures.TXN);
            final int[] partitions = Destinations.of(op.transaction(), PARTITIONER);
            assertThat(partitions).hasSize(op.partitions());
            for (final int p : partitions)
            {
                partitionsSeen.add(p);
            }
            final List<MicroOp> ops = ListAppendProcedures.decodeArguments(op.transaction().procedureArguments());
            assertThat(ops).hasSizeBetween(1, ListAppendBenchWorkload.DEFAULT_MAX_MICRO_OPS);
            for (final MicroOp micro : ops)
            {
                assertThat(micro.key()).startsWith("la/t1/");
                if (micro instanceof MicroOp.Append append)
                {
                    assertThat(appended.add(append.value())).as("value %d appended once", append.value()).isTrue();
                }
            }
        }
        assertThat(partitionsSeen).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void shouldGiveEachRunItsOwnKeyNamespaceByDefault()
    {
        final MicroOp a = firstMicroOp(new ListAppendBenchWorkload());
        final MicroOp b = firstMicroOp(new ListAppendBenchWorkload());

        assertThat(a.key()).startsWith("la/");
        assertThat(a.key().substring(0, a.key().lastIndexOf('/')))
            .isNotEqualTo(b.key().substring(0, b.key().lastIndexOf('/')));
    }

    @Test
    void shouldRecordOkWithTheListsReadFailAndInfoWithTheInvokedMicroOps()
    {
        final ListAppendBenchWorkload workload = new ListAppendBenchWorkload();
        final OperationGenerator generator = workload.newGenerator(settings(2, Map.of()), 0, 5);
        OperationGenerator.PlannedOperation op = generator.next();
        while (ListAppendProcedures.decodeArguments(op.transaction().procedureArguments()).stream()
            .noneMatch(m -> m instanceof MicroOp.Read))
        {
            op = generator.next();
        }
        final List<MicroOp> invoked = ListAppendProcedures.decodeArguments(op.transaction().procedureArguments());
        final long readCount = invoked.stream().filter(m -> m instanceof MicroOp.Read).count();
        final ByteBuffer output = ByteBuffer.allocate((int)readCount * (Integer.BYTES + Long.BYTES));
        for (int i = 0; i < readCount; i++)
        {
            output.putInt(1).putLong(42);
        }

        final HistoryEvent invocation = workload.invocation(3, op, 100);
        final HistoryEvent ok = workload.completion(3, op,
            new TxnOutcome.Committed(1, List.of(new Result.Output(output.array()))), 200);
        final HistoryEvent fail = workload.completion(3, op,
            new TxnOutcome.NotCommitted(2, ReasonCode.PROCEDURE_ABORTED, "aborted"), 300);
        final HistoryEvent info = workload.completion(3, op, new TxnOutcome.Unknown(4, "timeout"), 400);

        assertThat(invocation.type()).isEqualTo(EventType.INVOKE);
        assertThat(((OpValue.Txn)invocation.value()).ops()).isEqualTo(invoked);
        assertThat(ok.type()).isEqualTo(EventType.OK);
        assertThat(((OpValue.Txn)ok.value()).ops()).filteredOn(m -> m instanceof MicroOp.Read)
            .allSatisfy(m -> assertThat(((MicroOp.Read)m).values()).containsExactly(42L));
        assertThat(fail.type()).isEqualTo(EventType.FAIL);
        assertThat(((OpValue.Txn)fail.value()).ops()).isEqualTo(invoked);
        assertThat(info.type()).isEqualTo(EventType.INFO);
        assertThatThrownBy(() -> workload.completion(3, workload.newGenerator(settings(2, Map.of()), 0, 5).next(),
            new TxnOutcome.Committed(5, List.of()), 500))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("one procedure output");
    }

    @Test
    void shouldDecodeTheArgumentsItEncodesAndRejectMalformedOnes()
    {
        final List<MicroOp> ops = List.of(MicroOp.append("la/x/0.0", 7), MicroOp.pendingRead("la/x/1.3"),
            MicroOp.append("la/x/1.3", Long.MAX_VALUE));
        final byte[] args = ListAppendProcedures.encodeArguments(ops);

        assertThat(ListAppendProcedures.decodeArguments(args)).isEqualTo(ops);
        assertThatThrownBy(() -> ListAppendProcedures.decodeArguments(new byte[0]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> ListAppendProcedures.decodeArguments(Arrays.copyOf(args, args.length - 1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("end inside micro-op 2");
        assertThatThrownBy(() -> ListAppendProcedures.decodeArguments(Arrays.copyOf(args, args.length + 1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after the last micro-op");
        final byte[] badKind = args.clone();
        badKind[1] = 9;
        assertThatThrownBy(() -> ListAppendProcedures.decodeArguments(badKind))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown kind 9");
    }

    @Test
    void shouldLoadNothingAndRefuseSettingsOutOfRange()
    {
        final ListAppendBenchWorkload workload = new ListAppendBenchWorkload();

        assertThat(workload.loadTransactionCount(settings(8, Map.of()))).isZero();
        assertThat(workload.needsHistory()).isTrue();
        assertThatThrownBy(() -> workload.loadTransactionCount(settings(0, Map.of())))
            .hasMessageContaining("--records=0 must be in [1, " + ListAppendBenchWorkload.MAX_KEYS + "]");
        assertThatThrownBy(() -> workload.loadTransactionCount(settings(8, Map.of("maxMicroOps", "256"))))
            .hasMessageContaining("--param maxMicroOps=256 must be in [1, 255]");
        assertThatThrownBy(() -> workload.loadTransactionCount(settings(8, Map.of("maxListLength", "0"))))
            .hasMessageContaining("--param maxListLength=0 must be at least 1");
        assertThatThrownBy(() -> workload.loadTransactionCount(settings(8, Map.of("maxListLength", "x"))))
            .hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> workload.loadTransactionCount(settings(8, Map.of("run", "a/b"))))
            .hasMessageContaining("--param run=a/b must be 1 to 32 letters");
        assertThatThrownBy(() -> workload.loadTransactionCount(settings(8, Map.of("readFraction", "0.5"))))
            .hasMessageContaining("knows only maxMicroOps, maxListLength and run");
    }

    private static MicroOp firstMicroOp(final ListAppendBenchWorkload workload)
    {
        final OperationGenerator.PlannedOperation op = workload.newGenerator(settings(4, Map.of()), 0, 1).next();
        return ListAppendProcedures.decodeArguments(op.transaction().procedureArguments()).get(0);
    }
}
