package io.ramcast.bench.load;

import io.ramcast.bench.etcd.EtcdClient;
import io.ramcast.bench.workload.BenchWorkload;
import io.ramcast.bench.workload.BenchWorkload.WorkloadCheck;
import io.ramcast.bench.workload.KvWorkload;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.HashPartitioner;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An etcd cluster as a {@code bench} target ({@code --target etcd --endpoints URL,...}): one
 * {@link EtcdClient} per {@code --clients}, client {@code i} pinned to endpoint {@code i mod n}
 * (round-robin, as etcd's benchmark tool pins its clients), each running the workload's
 * transactions as etcd requests. Runs the {@code kv-*} workloads only ({@link KvWorkload}), whose
 * transactions etcd performs exactly as this store does; they check nothing afterwards.
 *
 * <p>Loading: up to {@value #LOAD_THREADS} threads, each taking the next load transaction and
 * running it to commit on a client of its own, an unknown outcome retried up to
 * {@link LoadCommand#DEFAULT_MAX_ATTEMPTS} attempts in all (load transactions are idempotent puts,
 * and etcd has no request ids to deduplicate a retry, so a retry may apply twice, which writes the
 * same bytes again).
 */
final class EtcdTarget implements BenchTarget
{
    /** Most {@code --clients} with {@code --target etcd}. */
    static final int MAX_CLIENTS = 256;
    /** Threads that load at once. */
    static final int LOAD_THREADS = 4;
    /** What the workloads may do on etcd: one partition (etcd does not partition), etcd's default limits. */
    static final WorkloadOptions.Limits LIMITS = new WorkloadOptions.Limits(new HashPartitioner(1),
        EtcdClient.MAX_VALUE_BYTES, "the etcd target's limit, below etcd's default --max-request-bytes of 1.5 MiB",
        EtcdClient.MAX_TXN_OPS, "etcd's default --max-txn-ops", "the etcd target");

    private final TargetSetup.Etcd setup;
    private final List<EtcdClient> clients;

    private EtcdTarget(final TargetSetup.Etcd setup, final List<EtcdClient> clients)
    {
        this.setup = setup;
        this.clients = List.copyOf(clients);
    }

    /**
     * Asks every endpoint for its version: shows that each answers, before anything is measured.
     *
     * @param endpoints      the members' client URLs (checked with {@link EtcdClient#checkEndpoint}).
     * @param requestTimeout the request timeout.
     * @return the setup to report.
     * @throws io.ramcast.bench.etcd.EtcdException naming the endpoint that does not answer as etcd.
     */
    static TargetSetup.Etcd probe(final List<URI> endpoints, final Duration requestTimeout)
    {
        final List<EtcdClient.Version> versions = new ArrayList<>();
        for (final URI endpoint : endpoints)
        {
            versions.add(EtcdClient.create(endpoint, requestTimeout).version());
        }
        return new TargetSetup.Etcd(endpoints, versions, requestTimeout);
    }

    /**
     * @param setup   the probed endpoints.
     * @param clients how many clients, at least 1.
     * @return the target; nothing is sent until the first request.
     */
    static EtcdTarget connect(final TargetSetup.Etcd setup, final int clients)
    {
        final List<EtcdClient> list = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++)
        {
            list.add(EtcdClient.create(EtcdClient.pinnedEndpoint(setup.endpoints(), i), setup.requestTimeout()));
        }
        return new EtcdTarget(setup, list);
    }

    @Override
    public TargetSetup setup()
    {
        return setup;
    }

    @Override
    public List<BenchRun.Executor> executors()
    {
        return clients.stream().map(client -> (BenchRun.Executor)client::execute).toList();
    }

    @Override
    public Loader.Result load(final BenchWorkload workload, final WorkloadSettings settings, final PrintWriter err)
        throws Loader.LoadFailedException, InterruptedException
    {
        final long transactions = workload.loadTransactionCount(settings);
        final AtomicLong next = new AtomicLong();
        final AtomicLong committed = new AtomicLong();
        final AtomicLong records = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long startNs = System.nanoTime();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < Math.min(LOAD_THREADS, clients.size()); i++)
        {
            final EtcdClient client = clients.get(i);
            final Thread t = new Thread(() ->
            {
                try
                {
                    for (long index = next.getAndIncrement(); index < transactions && failure.get() == null;
                        index = next.getAndIncrement())
                    {
                        final Transaction transaction = workload.loadTransaction(index, settings);
                        retries.addAndGet(commit(client, index, transaction));
                        committed.incrementAndGet();
                        records.addAndGet(transaction.writeKeys().size());
                    }
                }
                catch (final Loader.LoadFailedException | RuntimeException | Error ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }, "ramcast-etcd-load-" + i);
            threads.add(t);
            t.start();
        }
        try
        {
            for (final Thread t : threads)
            {
                t.join();
            }
        }
        finally
        {
            if (threads.stream().anyMatch(Thread::isAlive))
            {
                failure.compareAndSet(null, new Loader.LoadFailedException("load interrupted", null));
                threads.forEach(Thread::interrupt);
                for (final Thread t : threads)
                {
                    t.join();
                }
            }
        }
        final Throwable error = failure.get();
        if (error instanceof Loader.LoadFailedException ex)
        {
            throw ex;
        }
        if (error != null)
        {
            throw new Loader.LoadFailedException("load failed: " + error, error);
        }
        return new Loader.Result(committed.get(), records.get(), retries.get(), System.nanoTime() - startNs);
    }

    /**
     * Runs one load transaction until it commits.
     *
     * @return attempts beyond the first.
     * @throws Loader.LoadFailedException if it did not commit, or stayed unknown for every attempt.
     */
    private static long commit(final EtcdClient client, final long index, final Transaction transaction)
        throws Loader.LoadFailedException
    {
        TxnOutcome outcome = null;
        for (int attempt = 1; attempt <= LoadCommand.DEFAULT_MAX_ATTEMPTS; attempt++)
        {
            outcome = client.execute(transaction);
            if (outcome instanceof TxnOutcome.Committed)
            {
                return attempt - 1;
            }
            if (outcome instanceof TxnOutcome.NotCommitted no)
            {
                throw new Loader.LoadFailedException("load transaction " + index + " did not commit on " +
                    client.endpoint() + ": " + no.reason() + " " + no.detail(), null);
            }
            if (Thread.currentThread().isInterrupted())
            {
                break;
            }
        }
        throw new Loader.LoadFailedException("load transaction " + index + " stayed unknown on " + client.endpoint() +
            " (" + outcome + ")", null);
    }

    @Override
    public WorkloadCheck check(final BenchWorkload workload, final WorkloadSettings settings)
    {
        return null;
    }

    @Override
    public void close()
    {
        // The clients' HttpClients hold no resources beyond their threads, which end with them.
    }
}
