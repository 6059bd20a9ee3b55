package io.ramcast.check.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Hand-written list-append histories for checker tests: each transaction is given with its
 * process, times, outcome and micro-ops (reads with their results). Events are put in time order.
 * In these tests each transaction has its own process, so the process id names the transaction.
 */
final class TxnHistoryBuilder
{
    private final List<HistoryEvent> events = new ArrayList<>();

    TxnHistoryBuilder ok(final int process, final long invokeNs, final long completeNs, final MicroOp... ops)
    {
        return add(process, invokeNs, completeNs, EventType.OK, ops);
    }

    TxnHistoryBuilder fail(final int process, final long invokeNs, final long completeNs, final MicroOp... ops)
    {
        return add(process, invokeNs, completeNs, EventType.FAIL, ops);
    }

    TxnHistoryBuilder info(final int process, final long invokeNs, final long completeNs, final MicroOp... ops)
    {
        return add(process, invokeNs, completeNs, EventType.INFO, ops);
    }

    /** A transaction the history ends before it completes. */
    TxnHistoryBuilder pending(final int process, final long invokeNs, final MicroOp... ops)
    {
        events.add(HistoryEvent.invoke(process, OpFunction.TXN, OpValue.Txn.of(ops).withoutReadResults(), invokeNs));
        return this;
    }

    History build()
    {
        final List<HistoryEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(HistoryEvent::timeNs));
        return History.of(sorted);
    }

    private TxnHistoryBuilder add(
        final int process, final long invokeNs, final long completeNs, final EventType outcome, final MicroOp... ops)
    {
        final OpValue.Txn txn = OpValue.Txn.of(ops);
        events.add(HistoryEvent.invoke(process, OpFunction.TXN, txn.withoutReadResults(), invokeNs));
        events.add(HistoryEvent.complete(process, outcome, OpFunction.TXN,
            outcome == EventType.OK ? txn : txn.withoutReadResults(), completeNs));
        return this;
    }
}
