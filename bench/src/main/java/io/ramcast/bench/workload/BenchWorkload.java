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
 *
 * <p>Settings a workload cannot run are refused by {@link #loadTransactionCount} and
 * {@link #newGenerator} with an {@link IllegalArgumentException} whose message names the option,
 * its value and the rule (for example {@code --records=0 must be in [1, 50000000]}); the
 * {@code load} and {@code bench} commands call both before connecting and turn a refusal into
 * exit code 2. A workload whose operations can be checked from a client history also implements
 * {@link HistoryRecording}. Workloads are listed by name in {@link Workloads}.
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
