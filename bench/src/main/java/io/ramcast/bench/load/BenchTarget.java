package io.ramcast.bench.load;

import io.ramcast.bench.workload.BenchWorkload;
import io.ramcast.bench.workload.BenchWorkload.WorkloadCheck;
import io.ramcast.bench.workload.WorkloadSettings;

import java.io.PrintWriter;
import java.util.List;

/**
 * The system a {@code bench} run drives, connected: one {@link BenchRun.Executor} per client for
 * the workers, loading the data set, and the workload's check afterwards. Either this store's
 * cluster ({@link RamcastTarget}) or an etcd cluster ({@link EtcdTarget}).
 *
 * <p>Threading: the command connects, loads, checks and closes from one thread; the executors are
 * thread-safe.
 */
interface BenchTarget extends AutoCloseable
{
    /** @return what is driven, for the report. */
    TargetSetup setup();

    /** @return one executor per client, in client order. */
    List<BenchRun.Executor> executors();

    /**
     * Loads a workload's data set (idempotent).
     *
     * @param workload the workload.
     * @param settings its settings (validated).
     * @param err      where progress goes.
     * @return what was loaded.
     * @throws Loader.LoadFailedException if a load transaction did not commit.
     * @throws InterruptedException       if interrupted; loading stopped.
     */
    Loader.Result load(BenchWorkload workload, WorkloadSettings settings, PrintWriter err)
        throws Loader.LoadFailedException, InterruptedException;

    /**
     * Runs the workload's check after the workers stopped.
     *
     * @param workload the workload.
     * @param settings its settings.
     * @return the verdict, or null if the workload checks nothing.
     */
    WorkloadCheck check(BenchWorkload workload, WorkloadSettings settings);

    /** Closes the connections; transactions still in flight complete as unknown. */
    @Override
    void close();
}
