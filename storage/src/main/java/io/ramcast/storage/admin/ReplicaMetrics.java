package io.ramcast.storage.admin;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ramcast.multicast.Ballots;
import io.ramcast.storage.ReplicaServer;
import io.ramcast.txn.PartitionExecutor;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.config.IdRange;
import io.ramcast.txn.store.AppliedMark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A replica's metrics, in a Prometheus registry: what {@code GET /metrics} on its admin port
 * serves, and where {@link #status()} takes its numbers from.
 *
 * <p>Counters and gauges read the replica's own counters when scraped (nothing on the hot path);
 * the latency timers are fed by the executor ({@link PartitionExecutor.Observer}), one
 * {@link Timer#record} per transaction and per group write, and by the RamCast agent, one per
 * delivery. Every meter is named
 * {@code ramcast_*} and tagged with {@code cluster}, {@code partition} and {@code replica}; the JVM
 * and process meters are Micrometer's own binders. {@link #sample()}, called once a second by the
 * admin server, keeps the commit rate of the last 10 seconds.
 */
public final class ReplicaMetrics implements PartitionExecutor.Observer
{
    /** Samples kept for {@link ReplicaStatus#commitsPerSecond()}: one a second. */
    private static final int RATE_SAMPLES = 11;
    /** RocksDB properties exported as gauges: metric suffix, property. */
    private static final String[][] STORE_PROPERTIES = {
        {"store_sst_bytes", "rocksdb.total-sst-files-size"},
        {"store_memtable_bytes", "rocksdb.cur-size-all-mem-tables"},
        {"store_estimated_keys", "rocksdb.estimate-num-keys"},
        {"store_pending_compaction_bytes", "rocksdb.estimate-pending-compaction-bytes"},
        {"store_write_stopped", "rocksdb.is-write-stopped"},
        {"store_delayed_write_rate_bytes", "rocksdb.actual-delayed-write-rate"},
    };

    private final ReplicaServer replica;
    private final String cluster;
    private final IdRange clientIds;
    private final String fabric;
    private final String version;
    private final long startedAtNs = System.nanoTime();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer execution;
    private final Timer ordering;
    private final Timer groupWrite;
    private final DistributionSummary groupSize;
    /* sampler state: one thread (the admin server's) */
    private final long[] executedSamples = new long[RATE_SAMPLES];
    private final long[] sampleTimesNs = new long[RATE_SAMPLES];
    private int samples;
    private final AtomicLong rateMilli = new AtomicLong();
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    /**
     * Registers the replica's meters and JVM meters and starts observing its executor.
     *
     * @param replica   the replica, built (it may be started later).
     * @param cluster   the config's cluster name.
     * @param clientIds the config's client ids, to tell connected clients from replicas.
     * @param fabric    the fabric kind's name, for status.
     */
    public ReplicaMetrics(final ReplicaServer replica, final String cluster, final IdRange clientIds, final String fabric)
    {
        this.replica = replica;
        this.cluster = cluster;
        this.clientIds = clientIds;
        this.fabric = fabric;
        final String v = ReplicaMetrics.class.getPackage().getImplementationVersion();
        this.version = v != null ? v : "dev";
        registry.config().commonTags(Tags.of("cluster", cluster, "partition",
            Integer.toString(replica.replica().partition()), "replica", Integer.toString(replica.replica().id())));

        FunctionCounter.builder("ramcast_transactions_executed", replica, ReplicaServer::executedCount)
            .description("Transactions this replica executed (committed or not)").register(registry);
        for (final ReasonCode reason : ReasonCode.values())
        {
            FunctionCounter.builder("ramcast_transactions_not_committed", replica, r -> r.notCommittedCount(reason))
                .description("Transactions that did not commit, by reason (every involved partition counts them)")
                .tag("reason", reason.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        FunctionCounter.builder("ramcast_deliveries", replica, ReplicaServer::deliveredCount)
            .description("Messages RamCast delivered to this replica").register(registry);
        FunctionCounter.builder("ramcast_store_groups_written", replica, ReplicaServer::groupsWritten)
            .description("Group commits: store batches written, each holding one or more transactions").register(registry);
        FunctionCounter.builder("ramcast_store_syncs", replica, ReplicaServer::storeSyncs)
            .description("Syncs of the store made apart from the group writes (durability fsync: at most one per " +
                "storage.syncIntervalMs); 0 where each group write syncs").register(registry);
        Gauge.builder("ramcast_executor_backlog", replica, ReplicaServer::executorBacklog)
            .description("Deliveries and exchange messages queued for the executor").register(registry);
        Gauge.builder("ramcast_executor_in_flight", replica, ReplicaServer::executorInFlight)
            .description("Transactions the executor holds: taken, not yet finished").register(registry);
        Gauge.builder("ramcast_ballot_round", replica, r -> r.ballot() >>> 16)
            .description("Round of the ballot this replica follows or leads in").register(registry);
        Gauge.builder("ramcast_leader", replica, ReplicaServer::leaderId)
            .description("The replica this one takes for its partition's leader").register(registry);
        Gauge.builder("ramcast_is_leader", replica, r -> r.leaderId() == r.replica().id() ? 1 : 0)
            .description("1 if this replica leads its partition").register(registry);
        Gauge.builder("ramcast_catch_up_behind", replica, r -> behindForMetrics(r.catchUpBehind()))
            .description("Deliveries this replica knows it is behind its partition (0 up; -1 stale: needs a rebuild; " +
                "-2 restarted, not known yet)").register(registry);
        Gauge.builder("ramcast_applied_timestamp", replica, r -> r.lastApplied().timestamp())
            .description("RamCast timestamp of the last transaction the store applied").register(registry);
        Gauge.builder("ramcast_connected_replicas", this, m -> m.connected(false))
            .description("Replicas with a live connection to this one").register(registry);
        Gauge.builder("ramcast_connected_clients", this, m -> m.connected(true))
            .description("Clients with a live connection to this one").register(registry);
        Gauge.builder("ramcast_clients_served", replica, ReplicaServer::servedClients)
            .description("Client ids this replica lets in: the count its store records the cluster serves")
            .register(registry);
        Gauge.builder("ramcast_clients_laid_out", replica, ReplicaServer::laidOutClients)
            .description("Client ids its configuration lays out (clients.count)").register(registry);
        Gauge.builder("ramcast_catch_up_window_deliveries", replica, ReplicaServer::catchUpWindow)
            .description("Deliveries this replica still holds to catch a lagging replica of its partition up; one " +
                "further behind must be rebuilt from a snapshot").register(registry);
        FunctionCounter.builder("ramcast_snapshot_sent_bytes", replica, r -> Math.max(0, r.snapshotBytesSent()))
            .description("Snapshot bytes sent from the transfer port (rebuilds of peers, backups)").register(registry);
        Gauge.builder("ramcast_snapshot_fetchers", replica, ReplicaServer::snapshotFetchers)
            .description("Fetchers connected to the transfer port now (rebuilding peers, backups)").register(registry);
        for (final String[] p : STORE_PROPERTIES)
        {
            Gauge.builder("ramcast_" + p[0], replica, r -> r.storeProperty(p[1]))
                .description("RocksDB " + p[1] + " (-1: not available)").register(registry);
        }
        execution = Timer.builder("ramcast_execution_seconds")
            .description("From a transaction's delivery to its outcome at this replica")
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1).dividedBy(100))
            .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        ordering = Timer.builder("ramcast_ordering_seconds")
            .description("RamCast ordering at this replica: from taking a message's body to delivering it")
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1).dividedBy(100))
            .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        groupWrite = Timer.builder("ramcast_store_write_seconds")
            .description("Writing one group commit to the store (with durability fsync, the sync included)")
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1).dividedBy(100))
            .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        groupSize = DistributionSummary.builder("ramcast_store_group_transactions")
            .description("Transactions per group commit").register(registry);
        FunctionCounter.builder("ramcast_ballot_changes", replica, ReplicaServer::ballotChanges)
            .description("Ballots this replica adopted as follower or leader (leader changes it took part in)")
            .register(registry);
        Gauge.builder("ramcast_commits_per_second", rateMilli, r -> r.get() / 1000.0)
            .description("Transactions executed per second over the last 10 seconds").register(registry);

        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        replica.observeExecutor(this);
        replica.observeOrdering(ns -> ordering.record(ns, TimeUnit.NANOSECONDS));
    }

    private static double behindForMetrics(final long behind)
    {
        return behind == Long.MAX_VALUE ? -2 : behind;
    }

    @Override
    public void onExecuted(final long sinceDeliveryNs)
    {
        execution.record(sinceDeliveryNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onGroupWritten(final long writeNs, final int transactions)
    {
        groupWrite.record(writeNs, TimeUnit.NANOSECONDS);
        groupSize.record(transactions);
    }

    private int connected(final boolean clients)
    {
        return select(replica.connectedPeers(), clients).size();
    }

    /** @return the clients among {@code peers}, or the replicas; none if the fabric does not say. */
    private List<Integer> select(final int[] peers, final boolean clients)
    {
        final List<Integer> selected = new ArrayList<>();
        for (int i = 0; peers != null && i < peers.length; i++)
        {
            if (clientIds.contains(peers[i]) == clients)
            {
                selected.add(peers[i]);
            }
        }
        return selected;
    }

    /** @return the replica's state now ({@link ReplicaStatus#state()}); cheap: it reads no store property. */
    String state()
    {
        return state(replica.catchUpBehind(), replica.failure());
    }

    private static String state(final long behind, final Throwable failure)
    {
        return failure != null ? ReplicaStatus.FAILED : behind == 0 ? ReplicaStatus.UP :
            behind < 0 ? ReplicaStatus.STALE : ReplicaStatus.CATCHING_UP;
    }

    /** @return whether it serves now ({@link ReplicaStatus#ready()}), as cheaply as {@link #state()}. */
    boolean ready()
    {
        return ReplicaStatus.UP.equals(state()) && replica.leaderId() >= 0;
    }

    /** Takes this second's sample of the commit rate's window. Call from one thread. */
    void sample()
    {
        final long now = System.nanoTime();
        final int i = samples % RATE_SAMPLES;
        executedSamples[i] = replica.executedCount();
        sampleTimesNs[i] = now;
        samples++;
        final int oldest = samples >= RATE_SAMPLES ? samples % RATE_SAMPLES : 0;
        final long spanNs = now - sampleTimesNs[oldest];
        rateMilli.set(spanNs <= 0 ? 0 : (executedSamples[i] - executedSamples[oldest]) * 1_000_000_000_000L / spanNs);
    }

    /** @return the registry (for tests and the admin server). */
    public PrometheusMeterRegistry registry()
    {
        return registry;
    }

    /** @return the Prometheus text exposition of every meter. */
    public String scrape()
    {
        return registry.scrape();
    }

    /** @return what the replica says about itself now. */
    public ReplicaStatus status()
    {
        final long behind = replica.catchUpBehind();
        final String state = state(behind, replica.failure());
        final AppliedMark mark = replica.lastApplied();
        final AppliedMark durable = replica.durableMark();
        final int[] peers = replica.connectedPeers();
        long notCommitted = 0;
        for (final ReasonCode reason : ReasonCode.values())
        {
            notCommitted += replica.notCommittedCount(reason);
        }
        final long sst = replica.storeProperty("rocksdb.total-sst-files-size");
        final long mem = replica.storeProperty("rocksdb.cur-size-all-mem-tables");
        return new ReplicaStatus(cluster, replica.replica().id(), replica.replica().partition(), state, behind,
            replica.leaderId(), Ballots.format(replica.ballot()), replica.executedCount(), notCommitted,
            mark.compact(),
            select(peers, false), select(peers, true).size(), sst < 0 || mem < 0 ? -1 : sst + mem,
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAtNs), rateMilli.get() / 1000.0,
            replica.durability().name().toLowerCase(Locale.ROOT), fabric, version, replica.servedClients(),
            replica.laidOutClients(), durable.compact());
    }

    /** Stops observing the executor and closes the registry. */
    void close()
    {
        replica.observeExecutor(PartitionExecutor.Observer.NONE);
        replica.observeOrdering(ns -> { });
        gcMetrics.close();
        registry.close();
    }
}
