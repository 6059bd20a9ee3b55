package io.ramcast.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ramcast.client.KvClient;
import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.LocalFabricHub;
import io.ramcast.storage.ReplicaServer;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.txn.ProcedureRegistry;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three partitions of three {@link ReplicaServer}s in this JVM, over one {@link LocalFabricHub},
 * each with a real RocksDB store under a data root the test owns, and the procedures of every
 * {@link io.ramcast.txn.ProcedureProvider} on the class path (as a replica process would load them).
 * Clients made with {@link #client} are closed with the cluster.
 *
 * <p>While the cluster runs, ERROR events logged anywhere in the JVM are captured;
 * {@link #assertHealthy()} fails on any of them and on any replica that stopped by an error.
 * After {@link #close()}, the stores can be opened to compare replicas.
 *
 * <p>Threading: set up, use and close from the test thread; the clients are thread-safe.
 */
public final class InJvmKvCluster implements AutoCloseable
{
    public static final int PARTITIONS = 3;
    static final int REPLICAS_PER_PARTITION = 3;
    public static final int FIRST_CLIENT_ID = 100;
    public static final int CLIENT_COUNT = 4;

    private final ClusterConfig config;
    private final LocalFabricHub hub = new LocalFabricHub();
    private final List<ReplicaServer> replicas = new ArrayList<>();
    private final List<KvClient> clients = new ArrayList<>();
    private final ListAppender<ILoggingEvent> errors = new ListAppender<>();
    private final Logger rootLogger = (Logger)LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private boolean closed;

    private InJvmKvCluster(final ClusterConfig config)
    {
        this.config = config;
    }

    /**
     * The cluster's config: fabric local, hash partitioning, WAL durability, default buffers,
     * limits and timeouts, clients {@value #FIRST_CLIENT_ID} .. {@value #FIRST_CLIENT_ID} + {@value #CLIENT_COUNT} - 1.
     *
     * @param dataRoot where the replicas keep their stores.
     * @return the YAML text.
     */
    public static String yaml(final Path dataRoot)
    {
        final StringBuilder sb = new StringBuilder("cluster: in-jvm-test\nfabric: local\npartitioner:\n  type: hash\n" +
            "storage:\n  durability: wal\n  dataRoot: " + dataRoot.toAbsolutePath() + "\npartitions:\n");
        for (int p = 0; p < PARTITIONS; p++)
        {
            sb.append("  - id: ").append(p).append("\n    replicas:\n");
            for (int r = 0; r < REPLICAS_PER_PARTITION; r++)
            {
                final int id = REPLICAS_PER_PARTITION * p + r;
                sb.append("      - { id: ").append(id).append(", host: 127.0.0.1, port: ").append(7100 + id).append(" }\n");
            }
        }
        return sb.append("clients:\n  firstId: ").append(FIRST_CLIENT_ID).append("\n  count: ").append(CLIENT_COUNT)
            .append('\n').toString();
    }

    /**
     * Starts every replica.
     *
     * @param dataRoot      where the stores go.
     * @param replicaFabric wraps each replica's local fabric endpoint (identity for none).
     * @return the running cluster.
     * @throws ConfigException if the generated config is refused (a bug of this class).
     */
    public static InJvmKvCluster start(final Path dataRoot, final UnaryOperator<Fabric> replicaFabric) throws ConfigException
    {
        return start(ClusterConfig.parse(yaml(dataRoot), "in-jvm-test.yaml"), replicaFabric);
    }

    /**
     * Starts every replica of a config made from {@link #yaml} and changed by the test (for
     * example with transfer ports); it must keep fabric local and the partition layout.
     *
     * @param config        the config.
     * @param replicaFabric wraps each replica's local fabric endpoint (identity for none).
     * @return the running cluster.
     */
    public static InJvmKvCluster start(final ClusterConfig config, final UnaryOperator<Fabric> replicaFabric)
    {
        final InJvmKvCluster cluster = new InJvmKvCluster(config);
        cluster.errors.setName("in-jvm-cluster-errors");
        cluster.errors.addFilter(new ch.qos.logback.core.filter.Filter<>()
        {
            @Override
            public ch.qos.logback.core.spi.FilterReply decide(final ILoggingEvent event)
            {
                return event.getLevel().isGreaterOrEqual(Level.ERROR) ?
                    ch.qos.logback.core.spi.FilterReply.NEUTRAL : ch.qos.logback.core.spi.FilterReply.DENY;
            }
        });
        cluster.errors.start();
        cluster.rootLogger.addAppender(cluster.errors);
        try
        {
            final ProcedureRegistry procedures = ProcedureRegistry.withProviders();
            for (final ReplicaConfig r : cluster.config.allReplicas())
            {
                cluster.replicas.add(ReplicaServer.builder().config(cluster.config).replicaId(r.id())
                    .fabric(replicaFabric.apply(cluster.hub.endpoint(r.id()))).procedures(procedures).build().start());
            }
        }
        catch (final RuntimeException | Error ex)
        {
            cluster.close();
            throw ex;
        }
        return cluster;
    }

    /**
     * Starts every replica behind a {@link HoldingFabric}: the writes of replica {@code r} to the
     * peers in {@code heldPeersById.get(r)} (filled in as the replicas start) are held.
     *
     * @param dataRoot      where the stores go.
     * @param heldPeersById receives each replica's held set, empty at first.
     * @return the running cluster.
     * @throws ConfigException if the generated config is refused (a bug of this class).
     */
    public static InJvmKvCluster startHolding(final Path dataRoot, final Map<Integer, Set<Integer>> heldPeersById)
        throws ConfigException
    {
        return start(dataRoot, fabric -> new HoldingFabric(fabric,
            heldPeersById.computeIfAbsent(fabric.selfId(), id -> java.util.concurrent.ConcurrentHashMap.newKeySet())));
    }

    /** @return every process id of the config: replicas, then clients. */
    public List<Integer> processIds()
    {
        final List<Integer> ids = new java.util.ArrayList<>();
        config.allReplicas().forEach(r -> ids.add(r.id()));
        for (int c = 0; c < CLIENT_COUNT; c++)
        {
            ids.add(FIRST_CLIENT_ID + c);
        }
        return ids;
    }

    public ClusterConfig config()
    {
        return config;
    }

    LocalFabricHub hub()
    {
        return hub;
    }

    List<ReplicaServer> replicas()
    {
        return replicas;
    }

    /**
     * @param partition a partition.
     * @return its running replicas.
     */
    public List<ReplicaServer> replicas(final int partition)
    {
        return replicas.stream().filter(r -> r.replica().partition() == partition).toList();
    }

    /**
     * Connects a client over the hub; it is closed with the cluster.
     *
     * @param clientId       a client id of the config.
     * @param requestTimeout its request timeout.
     * @return the connected client.
     */
    public KvClient client(final int clientId, final Duration requestTimeout)
    {
        final KvClient client = KvClient.builder().config(config).clientId(clientId).fabric(hub.endpoint(clientId))
            .requestTimeout(requestTimeout).connectTimeout(Duration.ofSeconds(10)).build();
        clients.add(client);
        return client;
    }

    /**
     * A key of the given partition, found by trying {@code prefix + n} for n = 0, 1, ...
     *
     * @param prefix    the key's prefix.
     * @param partition the partition.
     * @return the first such key owned by the partition.
     */
    byte[] keyOn(final String prefix, final int partition)
    {
        return keyOn(config, prefix, partition);
    }

    /**
     * A key of the given partition of {@code config}, found by trying {@code prefix + n} for n = 0, 1, ...
     *
     * @param config    the cluster config (its partitioner decides).
     * @param prefix    the key's prefix.
     * @param partition the partition.
     * @return the first such key owned by the partition.
     */
    public static byte[] keyOn(final ClusterConfig config, final String prefix, final int partition)
    {
        for (int n = 0; n < 100_000; n++)
        {
            final byte[] key = (prefix + n).getBytes(StandardCharsets.UTF_8);
            if (config.partitioner().partitionOf(key) == partition)
            {
                return key;
            }
        }
        throw new IllegalStateException("no key " + prefix + "<n> on partition " + partition);
    }

    /**
     * Waits until, in every partition, every replica has executed as many transactions as the
     * others. Call it once no transaction is in flight any more (the client completes a
     * transaction on the first reply per partition, so the other replicas may still be executing).
     *
     * @param timeout how long at most.
     * @throws AssertionError       naming the counts if the replicas do not catch up in time.
     * @throws InterruptedException if interrupted.
     */
    public void awaitReplicasCaughtUp(final Duration timeout) throws InterruptedException
    {
        await("every replica of a partition to execute as many transactions as the others", timeout, () ->
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                if (replicas(p).stream().mapToLong(ReplicaServer::executedCount).distinct().count() > 1)
                {
                    return false;
                }
            }
            return true;
        }, this::executedCounts);
    }

    /** @return executed transactions per replica, for messages. */
    String executedCounts()
    {
        final StringBuilder sb = new StringBuilder("executed transactions by replica:");
        for (final ReplicaServer r : replicas)
        {
            sb.append(' ').append(r.replica().id()).append('=').append(r.executedCount());
        }
        return sb.toString();
    }

    /**
     * Closes the clients, then the replicas (each even if another fails to close), then stops
     * capturing errors. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (final KvClient c : clients)
        {
            try
            {
                c.close();
            }
            catch (final RuntimeException ex)
            {
                failure = add(failure, ex);
            }
        }
        for (final ReplicaServer r : replicas)
        {
            try
            {
                r.close();
            }
            catch (final RuntimeException ex)
            {
                failure = add(failure, ex);
            }
        }
        rootLogger.detachAppender(errors);
        errors.stop();
        if (failure != null)
        {
            throw failure;
        }
    }

    private static RuntimeException add(final RuntimeException first, final RuntimeException next)
    {
        if (first == null)
        {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** After {@link #close()}: no replica stopped by an error and nothing was logged at ERROR. */
    public void assertHealthy()
    {
        assertThat(closed).as("assertHealthy is called after close").isTrue();
        for (final ReplicaServer r : replicas)
        {
            assertThat(r.failure()).as("failure of replica %d", r.replica().id()).isNull();
        }
        assertThat(errors.list.stream().map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList())
            .as("errors logged while the cluster ran").isEmpty();
    }

    /**
     * After {@link #close()}: the value of a key at every replica of its partition.
     *
     * @param key the key.
     * @return one value per replica (null where absent), in config order.
     */
    List<byte[]> valueAtEveryReplica(final byte[] key)
    {
        assertThat(closed).as("stores are opened after close").isTrue();
        final List<byte[]> values = new ArrayList<>();
        for (final ReplicaConfig r : config.replicas(config.partitioner().partitionOf(key)))
        {
            try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
            {
                values.add(store.get(key));
            }
        }
        return values;
    }

    /**
     * After {@link #close()}: every entry whose key starts with a prefix, read from the first
     * replica of each partition (compare replicas with {@link #assertReplicasIdentical()}).
     *
     * @param prefix the key prefix (UTF-8), non-empty, its last byte below 0xFF.
     * @return key (as UTF-8 text) to value, ascending.
     */
    public Map<String, byte[]> entries(final String prefix)
    {
        assertThat(closed).as("stores are opened after close").isTrue();
        final byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
        final byte[] end = start.clone();
        end[end.length - 1]++;
        final Map<String, byte[]> entries = new TreeMap<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            try (RocksPartitionStore store = RocksPartitionStore.open(config.replicas(p).get(0).dataDir(), Durability.WAL))
            {
                store.scan(start, end, Integer.MAX_VALUE, (k, v) -> entries.put(new String(k, StandardCharsets.UTF_8), v));
            }
        }
        return entries;
    }

    /** After {@link #close()}: the replicas of each partition hold identical data and applied position. */
    public void assertReplicasIdentical()
    {
        assertThat(closed).as("stores are opened after close").isTrue();
        for (int p = 0; p < PARTITIONS; p++)
        {
            final List<String> hashes = new ArrayList<>();
            for (final ReplicaConfig r : config.replicas(p))
            {
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    hashes.add(fullScanHash(store));
                }
            }
            assertThat(hashes).as("replicas of partition %d", p).containsOnly(hashes.get(0));
        }
    }

    private static String fullScanHash(final RocksPartitionStore store)
    {
        final MessageDigest digest;
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every JVM", ex);
        }
        final AtomicLong entries = new AtomicLong();
        store.scan(new byte[0], null, Integer.MAX_VALUE, (k, v) ->
        {
            digest.update(k);
            digest.update(v);
            entries.incrementAndGet();
        });
        return HexFormat.of().formatHex(digest.digest()) + " (" + entries + " entries, " + store.lastApplied() + ")";
    }

    /**
     * Waits, parking between polls, until a condition holds.
     *
     * @param what      what is awaited, for the failure message.
     * @param timeout   how long at most.
     * @param condition the condition.
     * @throws AssertionError       if it does not hold in time.
     * @throws InterruptedException if interrupted.
     */
    static void await(final String what, final Duration timeout, final BooleanSupplier condition)
        throws InterruptedException
    {
        await(what, timeout, condition, () -> "");
    }

    /**
     * Waits, parking between polls, until a condition holds.
     *
     * @param what      what is awaited, for the failure message.
     * @param timeout   how long at most.
     * @param condition the condition.
     * @param state     describes the state on failure.
     * @throws AssertionError       if it does not hold in time.
     * @throws InterruptedException if interrupted.
     */
    public static void await(final String what, final Duration timeout, final BooleanSupplier condition,
        final Supplier<String> state) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; " + state.get());
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }
}
