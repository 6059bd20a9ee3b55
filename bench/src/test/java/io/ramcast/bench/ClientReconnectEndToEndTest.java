package io.ramcast.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ramcast.bench.process.LocalConfigFixture;
import io.ramcast.client.ClusterUnreachableException;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.storage.ReplicaServer;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.txn.ProcedureRegistry;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One {@link KvClient} across restarts of its cluster: nine real replicas ({@link ReplicaServer},
 * RocksDB stores) of {@code config/local.yaml} in this JVM over tcp loopback, stopped cleanly (as
 * SIGTERM does) and started again on the same data. The client is never rebuilt: it must notice
 * the loss, report what it cannot know as unknown, reconnect by itself as a new incarnation and
 * go on, and fail requests with {@link ClusterUnreachableException} when the cluster stays away.
 * Data directories are kept when a test fails.
 */
class ClientReconnectEndToEndTest
{
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private ClusterConfig config;
    private final List<ReplicaServer> replicas = new ArrayList<>();
    private final ListAppender<ILoggingEvent> clientLog = new ListAppender<>();
    private final Logger kvClientLogger = (Logger)LoggerFactory.getLogger(KvClient.class);

    @BeforeEach
    void setUp() throws Exception
    {
        config = ClusterConfig.load(LocalConfigFixture.write(dir));
        clientLog.start();
        kvClientLogger.addAppender(clientLog);
    }

    @AfterEach
    void tearDown()
    {
        kvClientLogger.detachAppender(clientLog);
        stopReplicas();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldKeepExecutingWithTheSameClientAfterEveryReplicaRestarted() throws Exception
    {
        final byte[][] keys = keysOnEveryPartition("restart-all/");
        final byte[] counter = InJvmKvCluster.keyOn(config, "restart-all-counter/", 1);
        startReplicas();
        try (KvClient client = KvClient.builder().config(config).clientId(config.clientIds().firstId())
            .requestTimeout(Duration.ofSeconds(30)).build())
        {
            assertCommitted(client.execute(putAll(keys, "before")));

            // a stream of increments while every replica stops: each ends committed, or unknown and
            // then resolved by a retry with its request id; none hangs or vanishes, none applies twice
            final List<CompletableFuture<TxnOutcome>> increments = new CopyOnWriteArrayList<>();
            final AtomicBoolean stopLoad = new AtomicBoolean();
            final Thread load = new Thread(() ->
            {
                for (int i = 0; i < 5_000 && !stopLoad.get(); i++)
                {
                    increments.add(client.executeAsync(Transaction.builder().increment(counter, 1).build()));
                }
            }, "increment-load");
            load.start();
            InJvmKvCluster.await("increments under way", Duration.ofSeconds(30), () -> increments.size() >= 100);
            stopReplicas();
            assertThat(awaitLog("lost partition", Duration.ofSeconds(30))).as("the loss is logged")
                .matches("client \\d+: lost partition \\d \\(replicas [0-9, ]+ unreachable\\); reconnecting");
            stopLoad.set(true);

            // issued while the cluster is down: waits for the reconnection, then executes
            final CompletableFuture<TxnOutcome> whileDown =
                CompletableFuture.supplyAsync(() -> client.execute(putAll(keys, "while-down")));
            startReplicas();
            assertCommitted(whileDown.get(60, TimeUnit.SECONDS));
            assertThat(awaitLog("reconnected", Duration.ofSeconds(30)))
                .matches("client \\d+: reconnected \\(incarnation \\d+\\)");
            load.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(load.isAlive()).as("the load thread ended").isFalse();

            long committedIncrements = 0;
            int unknown = 0;
            for (final CompletableFuture<TxnOutcome> f : increments)
            {
                TxnOutcome outcome = f.get(60, TimeUnit.SECONDS);
                if (outcome instanceof TxnOutcome.Unknown u)
                {
                    // the same request id: executed at most once, answered from the replicas' memory if it was
                    unknown++;
                    outcome = client.execute(u.requestId(), Transaction.builder().increment(counter, 1).build());
                }
                assertCommitted(outcome);
                committedIncrements++;
            }
            System.out.printf("%d increments, %d of them unknown at the loss and retried%n", increments.size(), unknown);
            assertThat(client.increment(counter, 0)).as("every increment applied exactly once")
                .isEqualTo(committedIncrements);

            assertCommitted(client.execute(putAll(keys, "after")));
            assertThat(readAll(client, keys)).containsOnly("after");
        }
        awaitEveryReplicaHolds(keys, "after", Duration.ofSeconds(60));
        assertNoReplicaFailed();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldWriteReplicasThatComeBackAfterTheClientReconnected() throws Exception
    {
        final byte[][] keys = keysOnEveryPartition("staggered/");
        startReplicas();
        try (KvClient client = KvClient.builder().config(config).clientId(config.clientIds().firstId() + 3)
            .requestTimeout(Duration.ofSeconds(30)).build())
        {
            assertCommitted(client.execute(putAll(keys, "before")));
            stopReplicas();
            awaitLog("lost partition", Duration.ofSeconds(30));

            // two of three replicas of each partition come back: the client reconnects without the third
            final List<ReplicaConfig> late = new ArrayList<>();
            for (int p = 0; p < config.partitionCount(); p++)
            {
                final List<ReplicaConfig> members = config.replicas(p);
                for (int i = 0; i < members.size(); i++)
                {
                    if (i < members.size() - 1)
                    {
                        replicas.add(startReplica(members.get(i)));
                    }
                    else
                    {
                        late.add(members.get(i));
                    }
                }
            }
            awaitLog("reconnected", Duration.ofSeconds(30));
            assertCommitted(client.execute(putAll(keys, "majority")));

            // the third replicas come back later; the client writes them once they answer its handshake
            for (final ReplicaConfig r : late)
            {
                replicas.add(startReplica(r));
            }
            for (int i = 0; i < 5; i++)
            {
                assertCommitted(client.execute(putAll(keys, "all-" + i)));
            }
        }
        awaitEveryReplicaHolds(keys, "all-4", Duration.ofSeconds(60));
        assertNoReplicaFailed();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldFailRequestsWithClusterUnreachableWhenTheClusterDoesNotComeBack() throws Exception
    {
        final byte[][] keys = keysOnEveryPartition("gone/");
        final Duration requestTimeout = Duration.ofSeconds(3);
        startReplicas();
        try (KvClient client = KvClient.builder().config(config).clientId(config.clientIds().firstId() + 1)
            .requestTimeout(requestTimeout).build())
        {
            assertCommitted(client.execute(putAll(keys, "before")));
            stopReplicas();
            awaitLog("lost partition", Duration.ofSeconds(30));

            final long startNs = System.nanoTime();
            assertThatThrownBy(() -> client.put(keys[0], utf8("never")))
                .isInstanceOfSatisfying(ClusterUnreachableException.class, ex ->
                {
                    assertThat(ex.getMessage()).contains("client " + client.clientId())
                        .contains("request timeout of " + requestTimeout.toMillis() + " ms");
                    assertThat(ex.unreachableIds()).isNotEmpty();
                });
            assertThat(Duration.ofNanos(System.nanoTime() - startNs)).as("failed within the bound, not hung")
                .isLessThan(requestTimeout.multipliedBy(4));

            final long asyncStartNs = System.nanoTime();
            final CompletableFuture<TxnOutcome> async = client.executeAsync(putAll(keys, "never"));
            assertThat(Duration.ofNanos(System.nanoTime() - asyncStartNs))
                .as("an async call returns at once; its transaction waits for the session on the sender thread")
                .isLessThan(requestTimeout);
            assertThatThrownBy(() -> async.get(requestTimeout.multipliedBy(4).toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ClusterUnreachableException.class);
        }
        assertThat(clientLog.list).noneMatch(e -> e.getFormattedMessage().contains("reconnected"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepTheSessionWhenASingleReplicaRestarts() throws Exception
    {
        final byte[][] keys = keysOnEveryPartition("one-replica/");
        startReplicas();
        try (KvClient client = KvClient.builder().config(config).clientId(config.clientIds().firstId() + 2)
            .requestTimeout(Duration.ofSeconds(10)).build())
        {
            assertCommitted(client.execute(putAll(keys, "before")));
            final ReplicaConfig victim = config.replicas(0).get(2);
            final int index = replicaIndex(victim.id());
            replicas.get(index).close();
            for (int i = 0; i < 5; i++)
            {
                assertCommitted(client.execute(putAll(keys, "one-down-" + i)));
            }
            replicas.set(index, startReplica(victim));
            for (int i = 0; i < 5; i++)
            {
                assertCommitted(client.execute(putAll(keys, "back-" + i)));
            }
            assertThat(readAll(client, keys)).containsOnly("back-4");
        }
        // One replica of three never costs the session: no partition is lost and every transaction
        // above committed. The client may renew its session (a new incarnation, logged "reconnected")
        // to write the returning replica again if it had given that replica up when its connection
        // dropped (it had answered), which depends on timing: it did in 3 of 6 runs.
        assertThat(clientLog.list).as("no session lost for one replica of three")
            .noneMatch(e -> e.getFormattedMessage().contains("lost partition"));
        assertNoReplicaFailed();
    }

    /* ------------------------------------------------------------------ cluster */

    private void startReplicas()
    {
        final List<ReplicaConfig> all = config.allReplicas();
        for (final ReplicaConfig r : all)
        {
            replicas.add(startReplica(r));
        }
    }

    private ReplicaServer startReplica(final ReplicaConfig r)
    {
        return ReplicaServer.builder().config(config).replicaId(r.id()).procedures(ProcedureRegistry.withProviders())
            .build().start();
    }

    private int replicaIndex(final int replicaId)
    {
        for (int i = 0; i < replicas.size(); i++)
        {
            if (replicas.get(i).replica().id() == replicaId)
            {
                return i;
            }
        }
        throw new IllegalArgumentException("no replica " + replicaId);
    }

    /** Closes every replica (agents, fabric, store), as a SIGTERM does in a replica process. */
    private void stopReplicas()
    {
        for (final ReplicaServer r : replicas)
        {
            r.close();
        }
        replicas.clear();
    }

    private void assertNoReplicaFailed()
    {
        for (final ReplicaServer r : replicas)
        {
            assertThat(r.failure()).as("replica %d failure", r.replica().id()).isNull();
        }
    }

    private void awaitEveryReplicaHolds(final byte[][] keys, final String value, final Duration timeout)
        throws InterruptedException
    {
        // the applied position, not the count executed since the start: a replica whose store was behind
        // its acceptor journal when it stopped executes those deliveries again after the restart
        InJvmKvCluster.await("every replica of a partition applied up to the same position", timeout, () ->
        {
            for (int p = 0; p < keys.length; p++)
            {
                final int partition = p;
                if (replicas.stream().filter(r -> r.replica().partition() == partition)
                    .map(ReplicaServer::lastApplied).distinct().count() != 1)
                {
                    return false;
                }
            }
            return true;
        });
        stopReplicas();
        final Map<Integer, String> seen = new TreeMap<>();
        for (int p = 0; p < keys.length; p++)
        {
            for (final ReplicaConfig r : config.replicas(p))
            {
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    final byte[] v = store.get(keys[p]);
                    seen.put(r.id(), v == null ? null : new String(v, StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(seen).as("the last multi-partition transaction at every replica of every partition")
            .hasSize(config.allReplicas().size())
            .allSatisfy((id, v) -> assertThat(v).as("replica %d", id).isEqualTo(value));
    }

    /* ------------------------------------------------------------------ helpers */

    private String awaitLog(final String fragment, final Duration timeout) throws InterruptedException
    {
        final String[] line = new String[1];
        InJvmKvCluster.await("client log line containing '" + fragment + "'", timeout, () ->
        {
            for (final ILoggingEvent e : List.copyOf(clientLog.list))
            {
                if (e.getFormattedMessage().contains(fragment))
                {
                    line[0] = e.getFormattedMessage();
                    return true;
                }
            }
            return false;
        });
        return line[0];
    }

    private byte[][] keysOnEveryPartition(final String prefix)
    {
        final byte[][] keys = new byte[config.partitionCount()][];
        for (int p = 0; p < keys.length; p++)
        {
            keys[p] = InJvmKvCluster.keyOn(config, prefix, p);
        }
        return keys;
    }

    private static Transaction putAll(final byte[][] keys, final String value)
    {
        final Transaction.Builder t = Transaction.builder();
        for (final byte[] k : keys)
        {
            t.put(k, utf8(value));
        }
        return t.build();
    }

    private static List<String> readAll(final KvClient client, final byte[][] keys)
    {
        final Transaction.Builder t = Transaction.builder();
        for (final byte[] k : keys)
        {
            t.get(k);
        }
        final List<String> values = new ArrayList<>();
        for (final Result r : client.execute(t.build()).resultsOrThrow())
        {
            final byte[] v = ((Result.Value)r).value();
            values.add(v == null ? null : new String(v, StandardCharsets.UTF_8));
        }
        return values;
    }

    private static void assertCommitted(final TxnOutcome outcome)
    {
        assertThat(outcome).as("outcome").isInstanceOf(TxnOutcome.Committed.class);
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
