package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.multicast.deliverylog.DeliveryLogWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * One {@code multicast-bench} run: start the cluster, drive the closed-loop load through warm-up,
 * measurement and drain, let the servers go quiet, stop every process, and check the delivery logs.
 *
 * <p>Blocking; run by one thread. Every process it starts is stopped before it returns or throws.
 */
final class MulticastBench
{
    private final BenchSettings settings;

    /**
     * @param settings the validated parameters.
     */
    MulticastBench(final BenchSettings settings)
    {
        this.settings = settings;
    }

    /**
     * Runs the benchmark.
     *
     * @return the measurements, delivery counts and (with a delivery log) the check's verdict.
     * @throws BenchFailureException if a process fails, the protocol stalls or a timeout passes; the
     *                               message says what, with the protocol state for a stall, and
     *                               where the logs are.
     * @throws InterruptedException  if interrupted; every process is stopped.
     */
    BenchResult run() throws InterruptedException
    {
        if (settings.deliveryLog() != null)
        {
            writeTopology();
        }
        final long wallStartNs = System.nanoTime();
        final ClosedLoopLoad.LoadResult load;
        final long[] delivered;
        try (BenchCluster cluster = settings.fabric() == MulticastBenchDeployment.LOCAL ?
            LocalBenchCluster.start(settings) : TcpBenchCluster.start(settings))
        {
            load = drive(cluster);
            cluster.awaitQuiet(load.expectedDeliveries());
            delivered = cluster.stop();
        }
        final HistoryCheck check = settings.deliveryLog() == null ? null : checkHistory();
        return new BenchResult(settings, load, delivered, check, System.nanoTime() - wallStartNs);
    }

    private ClosedLoopLoad.LoadResult drive(final BenchCluster cluster) throws InterruptedException
    {
        final ClosedLoopLoad load = new ClosedLoopLoad(settings, cluster.clients());
        load.start();
        try
        {
            load.awaitIssuersDone(cluster::checkHealthy);
            load.awaitDrained(cluster::checkHealthy);
            return load.result();
        }
        catch (final ClosedLoopLoad.StallException ex)
        {
            load.stop();
            throw new BenchFailureException(ex.getMessage() + "\nprotocol state at the stall:\n" +
                cluster.describeForStall() + logHint(cluster));
        }
        catch (final BenchFailureException ex)
        {
            load.stop();
            throw new BenchFailureException(ex.getMessage() + logHint(cluster), ex.getCause());
        }
        finally
        {
            load.stop();
        }
    }

    private static String logHint(final BenchCluster cluster)
    {
        return cluster.logLocation() == null ? "" : "\nlogs: " + cluster.logLocation();
    }

    private void writeTopology()
    {
        try
        {
            DeliveryLogWriter.writeTopology(settings.deliveryLog(),
                TopologyOptions.groupMembers(settings.topology()), List.of());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the topology of the delivery log in " +
                settings.deliveryLog(), ex);
        }
    }

    private HistoryCheck checkHistory()
    {
        try
        {
            return HistoryCheck.run(settings.deliveryLog(), true);
        }
        catch (final IOException ex)
        {
            throw new BenchFailureException("cannot read the delivery logs in " + settings.deliveryLog() + ": " + ex, ex);
        }
    }
}
