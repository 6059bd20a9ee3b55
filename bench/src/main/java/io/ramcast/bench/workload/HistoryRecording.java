package io.ramcast.bench.workload;

import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.client.TxnOutcome;

/**
 * Optional capability of a {@link BenchWorkload}: its operations can be written to a client
 * history ({@code bench --history FILE}, format of {@code HistoryWriter}) and the history checked
 * after the run. The driver owns the file and the clock; the workload only says what each
 * operation means in the history's vocabulary.
 *
 * <p>Contract: for every operation a worker runs, the driver calls {@link #invocation} just before
 * executing it and, if that returned an event, {@link #completion} with its outcome just after;
 * {@code process} is the worker's index, which has one operation outstanding at a time. Both are
 * called on worker threads, concurrently for different workers: implementations must be
 * stateless or thread-safe, must not block, and must return events whose time is the given one.
 * {@link #checkHistory} is called once, after every worker stopped and the file was closed.
 */
public interface HistoryRecording
{
    /**
     * @param process the worker (history process), non-negative.
     * @param op      the operation about to run.
     * @param timeNs  the invocation time (the driver's monotonic clock).
     * @return its invocation event, or null if this operation is not recorded.
     */
    HistoryEvent invocation(int process, OperationGenerator.PlannedOperation op, long timeNs);

    /**
     * @param process the worker.
     * @param op      the operation that ran, whose invocation was recorded.
     * @param outcome its outcome.
     * @param timeNs  the completion time.
     * @return its completion event: ok if committed, fail if definitely not, info if unknown.
     */
    HistoryEvent completion(int process, OperationGenerator.PlannedOperation op, TxnOutcome outcome, long timeNs);

    /**
     * @return whether the workload is checked only through its history, so that the driver records
     *         one even when the user asked for no history file (to a temporary file); false by default.
     */
    default boolean needsHistory()
    {
        return false;
    }

    /**
     * @param history  the recorded history.
     * @param settings the run's settings.
     * @return what was checked and whether it held.
     */
    BenchWorkload.WorkloadCheck checkHistory(History history, WorkloadSettings settings);
}
