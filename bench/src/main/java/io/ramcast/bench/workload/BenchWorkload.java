package io.ramcast.bench.workload;

import io.ramcast.client.KvClient;
import io.ramcast.txn.Transaction;

/**
 * A workload the {@code load} and {@code bench} commands can run: what to load, and what each
 * worker does. Implementations are stateless factories; the state of a run lives in the
 * {@link OperationGenerator}s they create, one per worker thread.
 *
 * <p>Loading must be idempotent: applying the load transactions again leaves the store as one
 * application does (write fixed values, never add to existing ones), so a second {@code load}
 * does not double-count.
 */
public interface BenchWorkload
{
    /** @return the name used on the command line ({@code --workload NAME}). */
    String name();

    /** @return one line saying what the workload does, for help and reports. */
    String description();

    /**
     * @param settings the run's settings.
     * @return how many load transactions {@link #loadTransaction} can produce (indexes 0..n-1).
     */
    long loadTransactionCount(WorkloadSettings settings);

    /**
     * @param index    a load transaction index.
     * @param settings the run's settings.
     * @return the transaction; idempotent, deterministic in (index, settings).
     */
    Transaction loadTransaction(long index, WorkloadSettings settings);

    /**
     * @param records how many records one load transaction writes, for progress reporting.
     * @return records written by load transaction {@code index} (default 1).
     */
    default long recordsIn(final long records)
    {
        return 1;
    }

    /**
     * @param settings the run's settings.
     * @param worker   the worker's index (0-based).
     * @param seed     the worker's seed.
     * @return a generator used by one worker thread only.
     */
    OperationGenerator newGenerator(WorkloadSettings settings, int worker, long seed);

    /**
     * Checks the store after a run (for example the bank's total). Called once, after every
     * worker stopped.
     *
     * @param client   a client of the cluster.
     * @param settings the run's settings.
     * @return what was checked and whether it held, or null if the workload checks nothing.
     */
    default WorkloadCheck check(final KvClient client, final WorkloadSettings settings)
    {
        return null;
    }

    /** The result of {@link #check}. */
    record WorkloadCheck(boolean passed, String description)
    {
    }
}
