package io.ramcast.bench.load;

import io.ramcast.bench.workload.BenchWorkload;
import io.ramcast.bench.workload.BenchWorkload.WorkloadCheck;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.client.KvClient;

import java.io.PrintWriter;
import java.util.List;

/**
 * This store's cluster as a {@code bench} target: {@code --clients} {@link KvClient}s with
 * consecutive ids of the config's client range ({@link ClientSet}); loading with the batched
 * {@link Loader}; the workload's own check through the first client.
 */
final class RamcastTarget implements BenchTarget
{
    private final TargetSetup.Ramcast setup;
    private final ClientSet clients;

    /**
     * @param setup   the cluster and the first client id.
     * @param clients the connected clients, owned from now on.
     */
    RamcastTarget(final TargetSetup.Ramcast setup, final ClientSet clients)
    {
        this.setup = setup;
        this.clients = clients;
    }

    @Override
    public TargetSetup setup()
    {
        return setup;
    }

    @Override
    public List<BenchRun.Executor> executors()
    {
        return clients.clients().stream().map(client -> (BenchRun.Executor)client::execute).toList();
    }

    @Override
    public Loader.Result load(final BenchWorkload workload, final WorkloadSettings settings, final PrintWriter err)
        throws Loader.LoadFailedException, InterruptedException
    {
        final Loader loader = new Loader(workload, settings, clients.clients(), setup.config().buffers().clientWindow(),
            LoadCommand.DEFAULT_MAX_ATTEMPTS, setup.config().timeouts().requestTimeout());
        return loader.run(LoadProgress.create("load " + workload.name(), loader.transactionCount(), err,
            System.console() != null));
    }

    @Override
    public WorkloadCheck check(final BenchWorkload workload, final WorkloadSettings settings)
    {
        try
        {
            return workload.check(clients.first(), settings);
        }
        catch (final RuntimeException ex)
        {
            // A check that cannot read what it checks (no data set, unknown outcomes) did not pass.
            return new WorkloadCheck(false, workload.name() + ": the check could not run: " + ex);
        }
    }

    @Override
    public void close()
    {
        clients.close();
    }
}
