package io.ramcast.bench.workload;

import io.ramcast.txn.Transaction;

/**
 * Produces the operations of one worker thread, in order. Not thread-safe: one per worker.
 */
public interface OperationGenerator
{
    /** @return the next operation to execute. */
    PlannedOperation next();

    /**
     * One operation: its type label (per-type statistics, e.g. "read", "update", "transfer") and the
     * transaction that performs it.
     *
     * @param type        the label.
     * @param transaction the transaction.
     * @param partitions  how many partitions it involves (for multi-partition statistics).
     */
    record PlannedOperation(String type, Transaction transaction, int partitions)
    {
    }
}
