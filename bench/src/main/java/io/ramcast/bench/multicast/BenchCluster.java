package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.multicast.RamcastClient;

import java.util.List;

/**
 * A running RamCast deployment for a benchmark: servers somewhere (in this JVM or in child
 * processes) and started clients in this JVM.
 *
 * <p>Lifecycle: created started by a factory method; {@link #clients()} are ready to multicast;
 * {@link #stop()} ends every process (and returns what the servers delivered); {@link #close()}
 * releases whatever {@code stop} did not reach, including after a failure. Threading: one
 * controlling thread, except {@link #checkHealthy()}, which is also safe from the load's waits.
 */
interface BenchCluster extends AutoCloseable
{
    /** @return the started clients, in topology order. */
    List<RamcastClient> clients();

    /**
     * @throws BenchFailureException if a server or client stopped (agent error, process exit),
     *                               naming it and where its logs are.
     */
    void checkHealthy();

    /**
     * Waits after the last completion so that every delivery is taken and logged.
     *
     * @param expectedDeliveries deliveries the completed multicasts call for.
     * @throws InterruptedException if interrupted.
     */
    void awaitQuiet(long expectedDeliveries) throws InterruptedException;

    /**
     * Stops clients, then servers, flushing their delivery logs.
     *
     * @return deliveries per server in server ordinal order; -1 where a server did not report.
     * @throws BenchFailureException if a process could not be stopped cleanly.
     */
    long[] stop();

    /**
     * @return a description of every in-JVM process's protocol state, for a stall report; a racy
     *         snapshot taken while the processes run (see {@link ProtocolStateReader}).
     */
    String describeForStall();

    /** @return where process output and logs are, for failure messages; null if nowhere special. */
    String logLocation();

    /** Stops and releases everything still running. Idempotent; never throws for a stopped cluster. */
    @Override
    void close();
}
