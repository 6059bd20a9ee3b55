package io.ramcast.bench;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.client.ClusterUnreachableException;
import io.ramcast.client.KvClient;
import io.ramcast.client.LimitExceededException;
import io.ramcast.client.TxnOutcome;
import io.ramcast.client.UnknownProcedureException;
import io.ramcast.multicast.RamcastClient;
import io.ramcast.storage.ReplicaServer;
import io.ramcast.txn.Destinations;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.store.Keys;
import io.ramcast.txn.wire.TxnCodec;
import io.ramcast.txn.wire.TxnReply;
import io.ramcast.txn.wire.TxnRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End to end in one JVM against real replicas (three partitions of three, RocksDB stores): inputs
 * the cluster must refuse or survive, each with a definite, typed outcome and nothing written.
 * After each cluster test the replicas' stores are opened and checked directly, at every replica,
 * and no replica may have stopped or logged an error. Data directories are kept when a test fails.
 */
class BadInputEndToEndTest
{
    private static final int CLIENT = InJvmKvCluster.FIRST_CLIENT_ID;
    private static final int RAW_CLIENT = InJvmKvCluster.FIRST_CLIENT_ID + 1;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] counter(final long value)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    /** One key on each partition, index = partition. */
    private static byte[][] keysOnEveryPartition(final InJvmKvCluster cluster, final String prefix)
    {
        final byte[][] keys = new byte[InJvmKvCluster.PARTITIONS][];
        for (int p = 0; p < keys.length; p++)
        {
            keys[p] = cluster.keyOn(prefix, p);
        }
        return keys;
    }

    private static void assertAbsentAtEveryReplica(final InJvmKvCluster cluster, final byte[]... keys)
    {
        for (final byte[] key : keys)
        {
            assertThat(cluster.valueAtEveryReplica(key)).as("%s at every replica", new String(key, StandardCharsets.UTF_8))
                .hasSize(InJvmKvCluster.REPLICAS_PER_PARTITION).containsOnlyNulls();
        }
    }

    private static List<byte[]> readAll(final KvClient client, final byte[]... keys)
    {
        final Transaction.Builder t = Transaction.builder();
        for (final byte[] k : keys)
        {
            t.get(k);
        }
        final List<byte[]> values = new ArrayList<>();
        for (final Result r : client.execute(t.build()).resultsOrThrow())
        {
            values.add(((Result.Value)r).value());
        }
        return values;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseAnUnknownProcedureByNameAndWriteNothing() throws Exception
    {
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        final byte[][] keys = keysOnEveryPartition(cluster, "unknown-proc/");
        try
        {
            final KvClient client = cluster.client(CLIENT, TIMEOUT);
            assertThatThrownBy(() -> client.call("no.such.procedure", bytes("args"), List.of(keys), List.of(keys)))
                .isInstanceOfSatisfying(UnknownProcedureException.class, ex ->
                {
                    assertThat(ex.reason()).isEqualTo(ReasonCode.UNKNOWN_PROCEDURE);
                    assertThat(ex.detail()).contains("no.such.procedure");
                    assertThat(ex.getMessage()).contains("no.such.procedure");
                });
            assertThat(readAll(client, keys)).containsOnlyNulls();
            cluster.awaitReplicasCaughtUp(TIMEOUT);
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        assertAbsentAtEveryReplica(cluster, keys);
        cluster.assertReplicasIdentical();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseAnOversizeValueInTheClientBeforeSendingNamingTheLimit() throws Exception
    {
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        final byte[][] keys = keysOnEveryPartition(cluster, "oversize-client/");
        final int maxValueBytes = cluster.config().limits().maxValueBytes();
        try
        {
            final KvClient client = cluster.client(CLIENT, TIMEOUT);
            final byte[] oversize = new byte[maxValueBytes + 1];
            assertThatThrownBy(() -> client.put(keys[0], oversize))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("limits.maxValueBytes=" + maxValueBytes)
                .hasMessageContaining(String.valueOf(maxValueBytes + 1));
            // Refused by the call itself, before a future (or anything on the wire) exists.
            final Transaction multiPartition = Transaction.builder().put(keys[0], bytes("small")).put(keys[1], oversize)
                .put(keys[2], bytes("small")).build();
            assertThatThrownBy(() -> client.executeAsync(multiPartition))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("limits.maxValueBytes=" + maxValueBytes);
            final Transaction oversizeExpected = Transaction.builder().compareAndSet(keys[2], oversize, bytes("x")).build();
            assertThatThrownBy(() -> client.executeAsync(oversizeExpected))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("limits.maxValueBytes=" + maxValueBytes);
            assertThat(readAll(client, keys)).containsOnlyNulls();
            cluster.awaitReplicasCaughtUp(TIMEOUT);
            for (int p = 0; p < InJvmKvCluster.PARTITIONS; p++)
            {
                // Only the read above reached the replicas.
                assertThat(cluster.replicas(p)).as("partition %d", p).allSatisfy(r ->
                    assertThat(r.executedCount()).as("transactions executed by replica %d", r.replica().id()).isOne());
            }
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        assertAbsentAtEveryReplica(cluster, keys);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseAnOversizeValueAtEveryInvolvedPartitionWhenTheClientCheckIsBypassed() throws Exception
    {
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        final ClusterConfig config = cluster.config();
        final byte[][] keys = keysOnEveryPartition(cluster, "oversize-raw/");
        final int maxValueBytes = config.limits().maxValueBytes();
        final TxnCodec codec = new TxnCodec();
        final Map<Integer, TxnReply> replies = new ConcurrentHashMap<>();
        final CountDownLatch allReplied = new CountDownLatch(config.allReplicas().size());
        final RamcastClient raw = RamcastClient.builder().topology(config.toTopology())
            .options(config.toMulticastOptions()).fabric(cluster.hub().endpoint(RAW_CLIENT))
            .messageHandler((sender, bytes) ->
            {
                if (replies.putIfAbsent(sender, codec.decode(bytes, TxnReply.class)) == null)
                {
                    allReplied.countDown();
                }
            })
            .build();
        try
        {
            raw.start();
            assertThat(raw.awaitConnected(TIMEOUT)).as("replicas the raw client cannot reach").isEmpty();
            final Transaction t = Transaction.builder().put(keys[0], bytes("small")).put(keys[1], new byte[maxValueBytes + 1])
                .put(keys[2], bytes("small")).build();
            final int[] partitions = Destinations.of(t, config.partitioner());
            assertThat(partitions).containsExactly(0, 1, 2);
            final long requestId = 1;
            raw.multicast(codec.encode(new TxnRequest(RAW_CLIENT, requestId, requestId, partitions, t)), partitions)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(allReplied.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .as("a reply from every replica; got %s", replies.keySet()).isTrue();

            assertThat(new TreeMap<>(replies).keySet()).containsExactlyElementsOf(
                config.allReplicas().stream().map(r -> r.id()).toList());
            assertThat(replies.values()).allSatisfy(reply ->
            {
                assertThat(reply.requestId()).isEqualTo(requestId);
                assertThat(reply.committed()).isFalse();
                assertThat(reply.reason()).isEqualTo(ReasonCode.LIMIT_EXCEEDED);
                assertThat(reply.detail()).contains(String.valueOf(maxValueBytes + 1)).contains(String.valueOf(maxValueBytes));
                assertThat(reply.results()).isEmpty();
            });
            assertThat(replies.values().stream().map(TxnReply::partition).distinct().sorted().toList())
                .containsExactly(0, 1, 2);

            final KvClient client = cluster.client(CLIENT, TIMEOUT);
            assertThat(readAll(client, keys)).containsOnlyNulls();
            cluster.awaitReplicasCaughtUp(TIMEOUT);
        }
        finally
        {
            try
            {
                raw.close();
            }
            finally
            {
                cluster.close();
            }
        }
        cluster.assertHealthy();
        assertAbsentAtEveryReplica(cluster, keys);
        cluster.assertReplicasIdentical();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldApplyNoWriteAnywhereWhenACompareAndSetOfAMultiPartitionTransactionFails() throws Exception
    {
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        final byte[][] keys = keysOnEveryPartition(cluster, "cas/");
        final byte[][] initial = {bytes("v0"), bytes("v1"), bytes("v2")};
        try
        {
            final KvClient client = cluster.client(CLIENT, TIMEOUT);
            client.execute(Transaction.builder().put(keys[0], initial[0]).put(keys[1], initial[1]).put(keys[2], initial[2])
                .build()).resultsOrThrow();

            // Partition 0's own condition holds and partition 1 only writes: only partition 2's
            // condition fails, and that must stop the writes of every partition.
            final TxnOutcome outcome = client.execute(Transaction.builder()
                .compareAndSet(keys[0], initial[0], bytes("x0"))
                .put(keys[1], bytes("x1"))
                .compareAndSet(keys[2], bytes("not-v2"), bytes("x2"))
                .build());
            assertThat(outcome).isInstanceOfSatisfying(TxnOutcome.NotCommitted.class, n ->
            {
                assertThat(n.reason()).isEqualTo(ReasonCode.CONDITION_FAILED);
                assertThat(n.detail()).contains("compare-and-set failed on key " + Keys.toString(keys[2]));
            });
            assertThat(readAll(client, keys)).containsExactly(initial);
            cluster.awaitReplicasCaughtUp(TIMEOUT);
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        for (int p = 0; p < keys.length; p++)
        {
            final byte[] expected = initial[p];
            assertThat(cluster.valueAtEveryReplica(keys[p])).as("key of partition %d at every replica", p)
                .hasSize(InJvmKvCluster.REPLICAS_PER_PARTITION).allSatisfy(v -> assertThat(v).isEqualTo(expected));
        }
        cluster.assertReplicasIdentical();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReportUnreachableReplicasByAddressWithinTheConnectTimeout() throws Exception
    {
        final int base = BenchTestSupport.freeBasePort(InJvmKvCluster.PARTITIONS * InJvmKvCluster.REPLICAS_PER_PARTITION);
        String yaml = InJvmKvCluster.yaml(dir.resolve("data")).replace("fabric: local", "fabric: tcp");
        for (int id = 0; id < 9; id++)
        {
            yaml = yaml.replace("port: " + (7100 + id) + " ", "port: " + (base + id) + " ");
        }
        final ClusterConfig wrongPorts = ClusterConfig.parse(yaml, "wrong-ports.yaml");
        assertThat(wrongPorts.allReplicas()).allSatisfy(r -> assertThat(r.port()).isBetween(base, base + 8));
        final Duration connectTimeout = Duration.ofMillis(1500);
        System.out.println("replica ports " + base + ".." + (base + 8) + " (nothing listens there)");

        final long startNs = System.nanoTime();
        assertThatThrownBy(() -> KvClient.builder().config(wrongPorts).clientId(CLIENT).connectTimeout(connectTimeout)
            .build().close())
            .isInstanceOfSatisfying(ClusterUnreachableException.class, ex ->
            {
                assertThat(ex.unreachableIds()).containsExactly(IntStream.range(0, 9).toArray());
                assertThat(ex.getMessage()).contains("client " + CLIENT).contains("1500 ms");
                for (int id = 0; id < 9; id++)
                {
                    assertThat(ex.getMessage()).contains("replica " + id + " at 127.0.0.1:" + (base + id));
                }
            });
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.println("ClusterUnreachableException after " + elapsedMs + " ms");
        // it waits the whole connect timeout, and then gives up (bounded generously: a loaded CI
        // machine must not turn a correct give-up into a failure; the point is that it does not hang)
        assertThat(elapsedMs).as("time to give up, ms").isGreaterThanOrEqualTo(connectTimeout.toMillis())
            .isLessThan(connectTimeout.toMillis() + 30_000);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldApplyARetryWithTheSameRequestIdAtMostOnce() throws Exception
    {
        final Set<Integer> heldPeers = ConcurrentHashMap.newKeySet();
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> new HoldingFabric(f, heldPeers));
        final byte[] a = cluster.keyOn("retry/a/", 0);
        final byte[] b = cluster.keyOn("retry/b/", 2);
        final Transaction increment = Transaction.builder().increment(a, 1).increment(b, 1).build();
        try
        {
            final KvClient client = cluster.client(CLIENT, Duration.ofSeconds(3));
            client.put(cluster.keyOn("retry/warm-up/", 1), bytes("connected"));
            cluster.awaitReplicasCaughtUp(TIMEOUT);
            final Map<Integer, Long> executedBefore = new TreeMap<>();
            cluster.replicas().forEach(r -> executedBefore.put(r.replica().id(), r.executedCount()));

            // No replica's write reaches the client: the first attempt executes, but its outcome
            // cannot arrive, so it is unknown after the request timeout, deterministically.
            heldPeers.add(CLIENT);
            final TxnOutcome first = client.execute(increment);
            assertThat(first).isInstanceOf(TxnOutcome.Unknown.class);
            final List<ReplicaServer> involved = new ArrayList<>(cluster.replicas(0));
            involved.addAll(cluster.replicas(2));
            InJvmKvCluster.await("the first attempt to execute at every replica of partitions 0 and 2", TIMEOUT,
                () -> involved.stream().allMatch(r -> r.executedCount() == executedBefore.get(r.replica().id()) + 1),
                cluster::executedCounts);
            heldPeers.remove(CLIENT);

            final TxnOutcome retry = client.execute(first.requestId(), increment);
            assertThat(retry).as("the retry's outcome: the first attempt's, remembered")
                .isInstanceOfSatisfying(TxnOutcome.Committed.class, c ->
                {
                    assertThat(c.requestId()).isEqualTo(first.requestId());
                    assertThat(c.results()).containsExactly(new Result.Counter(1), new Result.Counter(1));
                });
            assertThatThrownBy(() -> client.execute(first.requestId(), increment))
                .as("a settled request id is not retried again").isInstanceOf(IllegalArgumentException.class);
            assertThat(readAll(client, a, b)).containsExactly(counter(1), counter(1));
            cluster.awaitReplicasCaughtUp(TIMEOUT);
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        assertThat(cluster.valueAtEveryReplica(a)).allSatisfy(v -> assertThat(v).isEqualTo(counter(1)));
        assertThat(cluster.valueAtEveryReplica(b)).allSatisfy(v -> assertThat(v).isEqualTo(counter(1)));
        cluster.assertReplicasIdentical();
    }

}
