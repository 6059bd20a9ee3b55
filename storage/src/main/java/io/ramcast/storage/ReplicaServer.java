package io.ramcast.storage;

import io.ramcast.multicast.AcceptorJournal;
import io.ramcast.multicast.Delivery;
import io.ramcast.multicast.FileAcceptorJournal;
import io.ramcast.multicast.FileVoteStore;
import io.ramcast.multicast.FabricIdleStrategy;
import io.ramcast.multicast.RamcastServer;
import io.ramcast.multicast.VoteStore;
import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.multicast.fabric.TcpFabric;
import io.ramcast.multicast.fabric.rdma.RdmaFabric;
import io.ramcast.storage.admin.AdminServer;
import io.ramcast.storage.transfer.SnapshotServer;
import io.ramcast.txn.ExecutionLimits;
import io.ramcast.txn.PartitionExecutor;
import io.ramcast.txn.ProcedureRegistry;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.FabricKind;
import io.ramcast.txn.config.Limits;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.PartitionStore;
import io.ramcast.txn.wire.TxnCodec;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One replica of one partition: the RamCast server agent, the executor agent and the RocksDB
 * store, wired together (DESIGN.md, "Storage").
 *
 * <pre>
 *   fabric ──► RamCast agent ──deliveries──► [bounded queue] ──► executor agent ──► RocksDB
 *                  ▲   │       ──exchanges──► [bounded queue] ──►      │
 *                  │   └──────────── replies / exchanges (mailboxes) ◄─┘
 * </pre>
 *
 * <p>Threads: two agents, each on its own thread with its own idle strategy from
 * {@link Builder#idleStrategy} (Agrona's back-off by default). When the executor
 * falls behind, its delivery queue fills and the RamCast agent waits for room: ordering slows down
 * instead of memory growing (back-pressure reaches clients through RamCast's flow control).
 *
 * <p>Fail-stop: a storage error or any executor error stops the executor; {@link #failure()} then
 * reports it and the process is expected to exit (the command-line replica does). Nothing is
 * acknowledged after a storage error, because replies are sent only after the batch is applied.
 *
 * <p>Snapshots: a replica whose config entry sets a {@code transferPort} (and that runs on its own
 * RocksDB store) also runs a {@link SnapshotServer} there, on threads of its own, serving
 * consistent snapshots of its store for backups and state transfer.
 */
public final class ReplicaServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaServer.class);
    private static final int QUEUE_CAPACITY = 4096;

    private final ReplicaConfig replica;
    private final Durability durability;
    private final int laidOutClients;
    private final PartitionStore store;
    private final RamcastServer server;
    private final Fabric fabric;
    /** The executor agent's default idle strategy, woken when work is queued for it; null with a configured one. */
    private volatile WakeableIdleStrategy executorIdle;
    private final PartitionExecutor executor;
    /** Syncs the store off the executor's path (durability fsync with a journal); null otherwise. */
    private final StoreSyncer storeSyncer;
    /** Serves snapshots of the store on the transfer port; null if the replica has none. */
    private final SnapshotServer snapshotServer;
    /** Serves status, health and metrics on the admin port; null if the replica has none. */
    private final AdminServer adminServer;
    private final OneToOneConcurrentArrayQueue<Delivery> deliveries = new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final OneToOneConcurrentArrayQueue<byte[]> exchanges = new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Supplier<? extends IdleStrategy> newIdleStrategy;
    private volatile Throwable failure;
    private volatile boolean closing;
    private AgentRunner serverRunner;
    private AgentRunner executorRunner;

    private ReplicaServer(final Builder b)
    {
        final ClusterConfig config = Objects.requireNonNull(b.config, "config");
        replica = config.replica(b.replicaId);
        durability = config.durability();
        laidOutClients = config.clientIds().count();
        newIdleStrategy = b.newIdleStrategy;
        // read (or first create) the secrets once, for the fabric and the snapshot port, if either needs them
        final boolean fabricNeedsThem = b.fabric == null && config.fabric() != FabricKind.LOCAL;
        final FabricCredentials credentials = fabricNeedsThem || (b.store == null && replica.servesSnapshots()) ?
            config.replicaCredentials(FabricCredentials.newIncarnation()) : null;
        final Fabric fabric = b.fabric != null ? b.fabric : configuredFabric(config, replica, credentials);
        this.fabric = fabric;
        final Path dataDir = b.dataDir != null ? b.dataDir : replica.dataDir();
        try
        {
            store = b.store != null ? b.store :
                RocksPartitionStore.open(dataDir, config.durability(),
                    new StoreIdentity(config.clusterName(), replica.partition(), replica.id()));
        }
        catch (final RuntimeException ex)
        {
            fabric.close(); // nothing started yet; release what the fabric holds before refusing
            throw ex;
        }
        try
        {
            final Limits limits = config.limits();
            final List<ReplicaConfig> all = config.allReplicas();
            executor = new PartitionExecutor(replica.partition(), config.partitioner(), store,
                b.procedures != null ? b.procedures : ProcedureRegistry.withProviders(),
                new ExecutionLimits(limits.maxKeyBytes(), limits.maxValueBytes(), limits.maxKeysPerTransaction(),
                    limits.maxScanEntries()),
                new TxnCodec(),
                new PartitionExecutor.Output()
                {
                    @Override
                    public void toPartition(final int partition, final byte[] message)
                    {
                        for (final ReplicaConfig r : all)
                        {
                            if (r.partition() == partition)
                            {
                                send(r.id(), message);
                            }
                        }
                    }

                    @Override
                    public void toClient(final int clientId, final byte[] message)
                    {
                        send(clientId, message);
                    }
                },
                config.toMulticastOptions().maxMailboxMessageBytes());
            final AppliedMark baseline = deliveredBaseline(store);
            final int servedClients = servedClients(store, config);
            server = RamcastServer.builder()
                .servedClients(servedClients)
                .topology(config.toTopology())
                .options(config.toMulticastOptions())
                .fabric(fabric)
                .deliveryLog(b.deliveryLogDir)
                .deliveryLogClock(b.deliveryLogClock)
                .deliveryHandler(this::enqueueDelivery)
                .messageHandler((sender, message) -> offer(exchanges, message))
                .voteStore(b.store != null ? VoteStore.inMemory() : new FileVoteStore(dataDir.resolve(FileVoteStore.FILE_NAME)))
                .minimumClock(Math.max(0, store.lastApplied().timestamp()))
                .deliveredUpTo(baseline.timestamp(), baseline.group(), baseline.messageId())
                .journal(b.store != null ? AcceptorJournal.none() : FileAcceptorJournal.open(
                    dataDir.resolve(FileAcceptorJournal.DIRECTORY), FileAcceptorJournal.DEFAULT_SEGMENT_BYTES,
                    config.durability() == Durability.FSYNC))
                .appliedDeliveries((value, group, messageId) ->
                    executor.durableMark().compareTo(new AppliedMark(value, group, messageId)) >= 0)
                .build();
        }
        catch (final RuntimeException ex)
        {
            store.close();
            throw ex;
        }
        // Deferring the store's sync is sound only with a journal that keeps every delivery above the
        // synced mark; a replica on a store it was handed (tests, in-process clusters) has none.
        if (config.durability() == Durability.FSYNC && b.store == null)
        {
            storeSyncer = new StoreSyncer(executor, config.syncIntervalMs(), "replica-store-sync-" + replica.id(),
                this::onError);
            executor.deferStoreSync(storeSyncer::written);
        }
        else
        {
            storeSyncer = null;
        }
        try
        {
            snapshotServer = b.store == null && replica.servesSnapshots() ?
                SnapshotServer.open(replica.transferAddress(), (RocksPartitionStore)store,
                    new StoreIdentity(config.clusterName(), replica.partition(), replica.id()), dataDir,
                    b.snapshotOptions, credentials, config.tlsContext()) :
                    null;
            if (snapshotServer != null)
            {
                executor.checkpoints((id, mark) -> snapshotServer.keepCheckpoint(id));
            }
            final int laidOut = laidOutClients;
            executor.clientsServed(count ->
            {
                if (count > laidOut)
                {
                    throw new IllegalStateException("the cluster now serves " + count + " client ids, but replica " +
                        replica.id() + " lays out " + laidOut + " (clients.count in " + config.source() + "): it " +
                        "could not hold their messages; restart it with the cluster's configuration");
                }
                server.serveClients(count);
            });
        }
        catch (final RuntimeException ex)
        {
            try
            {
                server.close();
            }
            finally
            {
                store.close();
            }
            throw ex;
        }
        try
        {
            adminServer = replica.servesAdmin() ? AdminServer.open(this, config) : null;
        }
        catch (final RuntimeException ex)
        {
            try
            {
                if (snapshotServer != null)
                {
                    snapshotServer.close();
                }
                server.close();
            }
            finally
            {
                store.close();
            }
            throw ex;
        }
    }

    /**
     * How many client ids this replica lets in at start: what its store recorded the cluster serves
     * ({@link io.ramcast.txn.Transaction#serveClients}), or, in a store that recorded none (a new
     * one), the configuration's count, recorded now. A configuration that lays out fewer client ids
     * than the cluster serves is refused: the replica could not hold their messages.
     */
    private static int servedClients(final PartitionStore store, final ClusterConfig config)
    {
        final int laidOut = config.clientIds().count();
        final int served = PartitionExecutor.servedClients(store);
        if (served < 0)
        {
            PartitionExecutor.recordServedClients(store, laidOut);
            return laidOut;
        }
        if (served > laidOut)
        {
            throw new io.ramcast.txn.store.StoreException("the cluster serves " + served + " client ids (recorded in " +
                "this replica's store), but " + config.source() + " lays out " + laidOut + " (clients.count): start " +
                "the replica with the cluster's configuration (clients.count of at least " + served + ")");
        }
        return served;
    }

    /**
     * What the store holds for the multicast layer: with an empty acceptor journal (a store rebuilt
     * from a snapshot of another replica) deliveries continue after the store's applied mark.
     */
    private static AppliedMark deliveredBaseline(final PartitionStore store)
    {
        final AppliedMark mark = store.lastApplied();
        return mark.equals(AppliedMark.NONE) ? new AppliedMark(Long.MIN_VALUE, -1, 0) : mark;
    }

    private static Fabric configuredFabric(final ClusterConfig config, final ReplicaConfig replica,
        final FabricCredentials credentials)
    {
        if (config.fabric() == FabricKind.RDMA)
        {
            // Throws RdmaUnavailableException, naming what is missing, before the store is opened.
            return RdmaFabric.open(replica.id(), config.listenAddresses(), config.toRdmaFabricOptions(credentials));
        }
        if (config.fabric() != FabricKind.TCP)
        {
            throw new IllegalArgumentException(config.source() + ": fabric " + config.fabric().name().toLowerCase() +
                " cannot start a replica process; use tcp or rdma");
        }
        return new TcpFabric(replica.id(), config.listenAddresses(), config.toTcpFabricOptions(credentials));
    }

    /** @return a builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** On the RamCast agent: hand a delivery to the executor, waiting while its queue is full. */
    private void enqueueDelivery(final Delivery d)
    {
        offer(deliveries, d);
    }

    private <T> void offer(final OneToOneConcurrentArrayQueue<T> queue, final T item)
    {
        while (!queue.offer(item))
        {
            if (failure != null || closing)
            {
                throw new AgentTerminationException("replica " + replica.id() + " is stopping");
            }
            LockSupport.parkNanos(50_000);
        }
        final WakeableIdleStrategy idle = executorIdle;
        if (idle != null)
        {
            idle.wake();
        }
    }

    /** On the executor agent: queue a message for the RamCast agent, waiting while its queue is full. */
    private void send(final int peerId, final byte[] message)
    {
        while (!server.send(peerId, message))
        {
            if (closing)
            {
                throw new AgentTerminationException("replica " + replica.id() + " is stopping");
            }
            LockSupport.parkNanos(50_000);
        }
    }

    /**
     * Starts the RamCast and executor agents on their own threads, each with a new idle strategy
     * from {@link Builder#idleStrategy} (or the defaults it names).
     *
     * @return this.
     */
    public synchronized ReplicaServer start()
    {
        serverRunner = new AgentRunner(newIdleStrategy != null ? newIdleStrategy() : new FabricIdleStrategy(fabric),
            this::onError, (AtomicCounter)null, server.agent());
        executorIdle = newIdleStrategy != null ? null : new WakeableIdleStrategy();
        executorRunner = new AgentRunner(newIdleStrategy != null ? newIdleStrategy() : executorIdle,
            this::onError, (AtomicCounter)null, new ExecutorAgent());
        AgentRunner.startOnThread(serverRunner);
        AgentRunner.startOnThread(executorRunner);
        if (storeSyncer != null)
        {
            storeSyncer.start();
        }
        if (snapshotServer != null)
        {
            snapshotServer.start();
        }
        if (adminServer != null)
        {
            adminServer.start();
        }
        LOG.info("replica {} of partition {} started ({}:{}), store {}, last applied {}", replica.id(),
            replica.partition(), replica.host(), replica.port(), store, store.lastApplied());
        return this;
    }

    private IdleStrategy newIdleStrategy()
    {
        return Objects.requireNonNull(newIdleStrategy.get(), "the idle strategy supplier returned null");
    }

    private void onError(final Throwable ex)
    {
        if (failure == null && !closing)
        {
            failure = ex;
            LOG.error("replica {} stopped by an error (fail-stop)", replica.id(), ex);
            stopped.countDown();
        }
    }

    /** The executor's duty cycle: take deliveries and exchanges, execute. */
    private final class ExecutorAgent implements Agent
    {
        @Override
        public int doWork()
        {
            final Throwable serverFailure = server.failure();
            if (serverFailure != null)
            {
                onError(serverFailure);
                throw new AgentTerminationException(serverFailure);
            }
            int work = exchanges.drain(executor::onExchange, QUEUE_CAPACITY);
            work += deliveries.drain(d -> executor.onDelivery(d.messageId(), d.payload(), d.finalTimestamp(),
                d.finalGroup()), QUEUE_CAPACITY);
            try
            {
                return work + executor.doWork();
            }
            catch (final RuntimeException ex)
            {
                onError(ex);
                throw new AgentTerminationException(ex);
            }
        }

        @Override
        public void onClose()
        {
            if (failure == null && server.failure() == null)
            {
                executor.writeMark(); // the read-only transactions since the last write: not run again after a restart
            }
        }

        @Override
        public String roleName()
        {
            return "replica-executor-" + replica.id();
        }
    }

    /** @return this replica's configuration. */
    public ReplicaConfig replica()
    {
        return replica;
    }

    /** @return the position of the last applied delivery; safe from any thread. */
    public io.ramcast.txn.store.AppliedMark lastApplied()
    {
        return executor.lastApplied();
    }

    /**
     * @return the port the replica serves snapshots on, or {@link ReplicaConfig#NO_TRANSFER_PORT}
     *         if it serves none.
     */
    public int transferPort()
    {
        return snapshotServer == null ? ReplicaConfig.NO_TRANSFER_PORT : snapshotServer.port();
    }

    /** @return the replica this one takes for its partition's RamCast leader; safe from any thread. */
    public int leaderId()
    {
        return server.leaderId();
    }

    /** @return the RamCast ballot this replica follows or leads in; safe from any thread. */
    public long ballot()
    {
        return server.ballot();
    }

    /** @return ballots this replica adopted as follower or leader since it started; safe from any thread. */
    public long ballotChanges()
    {
        return server.ballotChanges();
    }

    /** @return how many client ids this replica lets in (the first of its configuration's range); any thread. */
    public int servedClients()
    {
        return server.servedClients();
    }

    /** @return how many client ids its configuration lays out ({@code clients.count}). */
    public int laidOutClients()
    {
        return laidOutClients;
    }

    /**
     * @return how many deliveries this replica knows it still has to catch up with its partition
     *         (after a restart or a cut): 0 when caught up, -1 when its partition's other replicas
     *         no longer hold what it missed; safe from any thread.
     */
    public long catchUpBehind()
    {
        return server.catchUpBehind();
    }

    /** @return transactions executed so far; safe from any thread. */
    public long executedCount()
    {
        return executor.executedCount();
    }

    /**
     * The graceful stop's first step: if this replica leads its partition's RamCast group, it stops
     * proposing and asks another replica to campaign at once, then waits until a new leader is
     * known, so that the partition goes on committing without waiting for a failure timeout; it
     * campaigns no more. Call {@link #close()} after it. Any thread.
     *
     * @param timeout how long to wait for the new leader.
     * @return the new leader's id, or -1 if this replica did not lead or none was known in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    public int handOverLeadership(final java.time.Duration timeout) throws InterruptedException
    {
        return server.handOverLeadership(timeout);
    }

    /**
     * @param reason why.
     * @return transactions executed since start that did not commit for that reason; any thread.
     */
    public long notCommittedCount(final ReasonCode reason)
    {
        return executor.notCommittedCount(reason);
    }

    /** @return store batches written since start (group commits); any thread. */
    public long groupsWritten()
    {
        return executor.groupsWritten();
    }

    /** @return snapshot bytes this replica's transfer port sent since start (-1 without one); any thread. */
    public long snapshotBytesSent()
    {
        return snapshotServer == null ? -1 : snapshotServer.bytesSent();
    }

    /** @return fetchers (rebuilding replicas, backups) connected to the transfer port now; any thread. */
    public int snapshotFetchers()
    {
        return snapshotServer == null ? 0 : snapshotServer.fetchers();
    }

    /**
     * @return deliveries this replica still holds to catch a lagging replica of its partition up;
     *         one further behind must be rebuilt from a snapshot; any thread.
     */
    public long catchUpWindow()
    {
        return server.catchUpWindow();
    }

    /** @return RamCast deliveries since start; any thread. */
    public long deliveredCount()
    {
        return server.deliveredCount();
    }

    /** @return deliveries and exchange messages queued for the executor, not yet taken; any thread. */
    public int executorBacklog()
    {
        return deliveries.size() + exchanges.size();
    }

    /** @return transactions the executor holds (taken, waiting for remote reads or for earlier ones); any thread. */
    public int executorInFlight()
    {
        return executor.queuedCount() + executor.waitingCount();
    }

    /** @return the processes (replicas and clients) with a live connection to this one, or null if the fabric does not say. */
    public int[] connectedPeers()
    {
        return fabric.connectedPeers();
    }

    /**
     * @param name a RocksDB integer property.
     * @return its value summed over the store's column families, or -1 (not a RocksDB store, closed, unknown property).
     */
    public long storeProperty(final String name)
    {
        return store instanceof RocksPartitionStore rocks ? rocks.longProperty(name) : -1;
    }

    /** @return the store's durability. */
    public Durability durability()
    {
        return durability;
    }

    /**
     * Sets what is told, per delivery, how long RamCast took to order it here (ns, from taking the
     * message's body to its delivery), on the RamCast agent thread; any thread.
     *
     * @param observer the observer; {@code ns -> { }} for none.
     */
    public void observeOrdering(final java.util.function.LongConsumer observer)
    {
        server.orderingObserver(observer);
    }

    /**
     * Sets what the executor tells of its work (metrics); any thread.
     *
     * @param observer the observer ({@link PartitionExecutor.Observer#NONE} for none).
     */
    public void observeExecutor(final PartitionExecutor.Observer observer)
    {
        executor.observer(observer);
    }

    /**
     * @return the port the replica serves status and metrics on, or {@link ReplicaConfig#NO_ADMIN_PORT}
     *         if it serves none.
     */
    public int adminPort()
    {
        return adminServer == null ? ReplicaConfig.NO_ADMIN_PORT : adminServer.port();
    }

    /** @return the error that stopped the replica, or null. */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * Waits until the replica stops by an error.
     *
     * @throws InterruptedException if interrupted.
     */
    public void awaitFailure() throws InterruptedException
    {
        stopped.await();
    }

    /**
     * Stops the snapshot server (transfers in progress break; their fetchers resume later), both
     * agents, then closes the RamCast server (and fabric) and the store. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        closing = true;
        if (adminServer != null)
        {
            adminServer.close(); // first: its gauges read the store
        }
        if (snapshotServer != null)
        {
            snapshotServer.close();
        }
        if (executorRunner != null)
        {
            executorRunner.close();
            executorRunner = null;
        }
        if (storeSyncer != null)
        {
            storeSyncer.close();
            syncAtStop();
        }
        if (serverRunner != null)
        {
            serverRunner.close();
            serverRunner = null;
        }
        try
        {
            server.close();
        }
        finally
        {
            store.close();
            stopped.countDown();
        }
    }

    /**
     * At a clean stop, once the executor stopped writing: syncs what the store wrote since its last
     * sync, so that the ordering layer may forget those deliveries. Not after a failure.
     */
    private void syncAtStop()
    {
        if (failure != null || server.failure() != null)
        {
            return;
        }
        try
        {
            LOG.info("replica {}: store synced at stop up to {}", replica.id(), executor.syncStore());
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("replica {}: the store's last sync at stop failed; the journal keeps the deliveries since the " +
                "last one: {}", replica.id(), ex.toString());
        }
    }

    /**
     * @return the position its store holds every delivery up to as durably as its durability asks
     *         (what the ordering layer may forget up to); safe from any thread.
     */
    public io.ramcast.txn.store.AppliedMark durableMark()
    {
        return executor.durableMark();
    }

    /** @return syncs of the store made off the executor's path (durability fsync); 0 if it syncs each write. */
    public long storeSyncs()
    {
        return storeSyncer == null ? 0 : storeSyncer.syncs();
    }

    /** Builder; not thread-safe. */
    public static final class Builder
    {
        private ClusterConfig config;
        private int replicaId = -1;
        private Fabric fabric;
        private PartitionStore store;
        private Path dataDir;
        private ProcedureRegistry procedures;
        /** Null: the defaults {@link #idleStrategy} names. */
        private Supplier<? extends IdleStrategy> newIdleStrategy;
        private Path deliveryLogDir;
        private EpochNanoClock deliveryLogClock;
        private SnapshotServer.Options snapshotOptions = SnapshotServer.Options.DEFAULT;

        private Builder()
        {
        }

        /**
         * @param options limits of the snapshot server, used if the replica's config entry sets a
         *                {@code transferPort} (default {@link SnapshotServer.Options#DEFAULT}).
         * @return this.
         */
        public Builder snapshotServer(final SnapshotServer.Options options)
        {
            this.snapshotOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * @param config the cluster config.
         * @return this.
         */
        public Builder config(final ClusterConfig config)
        {
            this.config = config;
            return this;
        }

        /**
         * @param id this replica's id in the config.
         * @return this.
         */
        public Builder replicaId(final int id)
        {
            this.replicaId = id;
            return this;
        }

        /**
         * @param fabric overrides the config's fabric (in-JVM tests use a local fabric endpoint).
         * @return this.
         */
        public Builder fabric(final Fabric fabric)
        {
            this.fabric = fabric;
            return this;
        }

        /**
         * @param store overrides the RocksDB store (tests).
         * @return this.
         */
        public Builder store(final PartitionStore store)
        {
            this.store = store;
            return this;
        }

        /**
         * @param dir overrides the config's data directory for this replica.
         * @return this.
         */
        public Builder dataDir(final Path dir)
        {
            this.dataDir = dir;
            return this;
        }

        /**
         * @param procedures the registered procedures (default: every provider on the class path).
         * @return this.
         */
        public Builder procedures(final ProcedureRegistry procedures)
        {
            this.procedures = procedures;
            return this;
        }

        /**
         * Sets how the replica's agent threads wait when they have no work: {@link ReplicaServer#start()}
         * calls the supplier once for the RamCast agent and once for the executor agent. A strategy
         * keeps per-thread state, so the supplier must return a new instance on every call.
         *
         * @param newIdleStrategy makes one idle strategy per agent (default: the RamCast agent waits in
         *                        its fabric with a {@link FabricIdleStrategy}, waking when bytes arrive;
         *                        the executor agent backs off as Agrona's {@link BackoffIdleStrategy} does
         *                        and is woken when a delivery or read exchange is queued for it;
         *                        busy-spin only on dedicated cores).
         * @return this.
         */
        public Builder idleStrategy(final Supplier<? extends IdleStrategy> newIdleStrategy)
        {
            this.newIdleStrategy = Objects.requireNonNull(newIdleStrategy, "newIdleStrategy");
            return this;
        }

        /**
         * @param dir if not null, the RamCast delivery log directory.
         * @return this.
         */
        public Builder deliveryLog(final Path dir)
        {
            this.deliveryLogDir = dir;
            return this;
        }

        /**
         * @param clock if not null, every line of the delivery log carries the delivery's wall-clock
         *              time read from this clock (see {@code RamcastServer.Builder#deliveryLogClock}).
         * @return this.
         */
        public Builder deliveryLogClock(final EpochNanoClock clock)
        {
            this.deliveryLogClock = clock;
            return this;
        }

        /**
         * @return the replica, its store open and its fabric started, its agents not yet running.
         * @throws IllegalArgumentException for an unknown replica id.
         * @throws io.ramcast.multicast.fabric.rdma.RdmaUnavailableException with fabric rdma on a host
         *                                  without libdisni or an RDMA device (nothing is opened).
         */
        public ReplicaServer build()
        {
            return new ReplicaServer(this);
        }
    }
}
