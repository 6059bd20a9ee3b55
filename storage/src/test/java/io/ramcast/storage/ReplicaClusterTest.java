package io.ramcast.storage;

import io.ramcast.multicast.RamcastClient;
import io.ramcast.multicast.fabric.LocalFabricHub;
import io.ramcast.txn.Destinations;
import io.ramcast.txn.ProcedureRegistry;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.wire.TxnCodec;
import io.ramcast.txn.wire.TxnReply;
import io.ramcast.txn.wire.TxnRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three partitions × three replicas in one JVM: real RamCast agents over the local fabric, real
 * executors, real RocksDB stores. A raw RamCast client sends transfers between accounts on
 * different partitions; every replica of a partition must end with the same data, and the total
 * must be preserved.
 */
class ReplicaClusterTest
{
    static final int ACCOUNTS = 12;
    static final long INITIAL = 1_000;

    @TempDir
    Path dataRoot;

    static String yaml(final Path dataRoot)
    {
        final StringBuilder sb = new StringBuilder("cluster: test\nfabric: local\npartitioner:\n  type: hash\n" +
            "storage:\n  durability: wal\n  dataRoot: " + dataRoot + "\npartitions:\n");
        for (int p = 0; p < 3; p++)
        {
            sb.append("  - id: ").append(p).append("\n    replicas:\n");
            for (int r = 0; r < 3; r++)
            {
                final int id = 3 * p + r;
                sb.append("      - { id: ").append(id).append(", host: 127.0.0.1, port: ").append(7100 + id).append(" }\n");
            }
        }
        return sb.append("clients:\n  firstId: 100\n  count: 2\n").toString();
    }

    static byte[] account(final int i)
    {
        return ("acct-" + i).getBytes(StandardCharsets.UTF_8);
    }

    static ProcedureRegistry bank()
    {
        return new ProcedureRegistry().register("transfer", ctx ->
        {
            final ByteBuffer args = ByteBuffer.wrap(ctx.arguments());
            final byte[] from = account(args.getInt());
            final byte[] to = account(args.getInt());
            final long amount = args.getLong();
            final long balance = ByteBuffer.wrap(ctx.read(from)).getLong();
            if (balance < amount)
            {
                throw ctx.abort("insufficient funds");
            }
            ctx.write(from, ByteBuffer.allocate(8).putLong(balance - amount).array());
            ctx.write(to, ByteBuffer.allocate(8).putLong(ByteBuffer.wrap(ctx.read(to)).getLong() + amount).array());
            return new byte[0];
        });
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepTotalAndIdenticalReplicasUnderCrossPartitionTransfers() throws Exception
    {
        final ClusterConfig config = ClusterConfig.parse(yaml(dataRoot), "test.yaml");
        final LocalFabricHub hub = new LocalFabricHub();
        final List<ReplicaServer> replicas = new ArrayList<>();
        final TxnCodec codec = new TxnCodec();
        final Map<Long, CompletableFuture<List<TxnReply>>> pending = new ConcurrentHashMap<>();
        final Map<Long, List<TxnReply>> collected = new ConcurrentHashMap<>();
        final Map<Long, Integer> expectedPartitions = new ConcurrentHashMap<>();
        try
        {
            for (final ReplicaConfig r : config.allReplicas())
            {
                replicas.add(ReplicaServer.builder().config(config).replicaId(r.id()).fabric(hub.endpoint(r.id()))
                    .procedures(bank()).build().start());
            }
            try (RamcastClient client = RamcastClient.builder().topology(config.toTopology())
                .options(config.toMulticastOptions()).fabric(hub.endpoint(100))
                .messageHandler((sender, bytes) ->
                {
                    final TxnReply reply = codec.decode(bytes, TxnReply.class);
                    final List<TxnReply> got = collected.computeIfAbsent(reply.requestId(), id -> new ArrayList<>());
                    synchronized (got)
                    {
                        if (got.stream().noneMatch(x -> x.partition() == reply.partition()))
                        {
                            got.add(reply);
                        }
                        if (got.size() == expectedPartitions.get(reply.requestId()))
                        {
                            pending.get(reply.requestId()).complete(List.copyOf(got));
                        }
                    }
                })
                .build().start())
            {
                long requestId = 1;
                final Transaction.Builder init = Transaction.builder();
                for (int i = 0; i < ACCOUNTS; i++)
                {
                    init.put(account(i), ByteBuffer.allocate(8).putLong(INITIAL).array());
                }
                submit(client, codec, config, requestId++, init.build(), pending, expectedPartitions).get(30, TimeUnit.SECONDS);

                final Random random = new Random(3);
                final List<CompletableFuture<List<TxnReply>>> transfers = new ArrayList<>();
                for (int n = 0; n < 300; n++)
                {
                    final int from = random.nextInt(ACCOUNTS);
                    final int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                    final byte[] args = ByteBuffer.allocate(16).putInt(from).putInt(to).putLong(1 + random.nextInt(400))
                        .array();
                    transfers.add(submit(client, codec, config, requestId++, Transaction.procedure("transfer", args)
                        .reads(account(from), account(to)).writes(account(from), account(to)).build(), pending,
                        expectedPartitions));
                }
                int committed = 0;
                for (final CompletableFuture<List<TxnReply>> f : transfers)
                {
                    final List<TxnReply> replies = f.get(60, TimeUnit.SECONDS);
                    assertThat(replies).extracting(TxnReply::committed).containsOnly(replies.get(0).committed());
                    committed += replies.get(0).committed() ? 1 : 0;
                }
                assertThat(committed).isGreaterThan(100);

                final Transaction.Builder readAll = Transaction.builder();
                for (int i = 0; i < ACCOUNTS; i++)
                {
                    readAll.get(account(i));
                }
                final List<TxnReply> read = submit(client, codec, config, requestId, readAll.build(), pending,
                    expectedPartitions).get(30, TimeUnit.SECONDS);
                long total = 0;
                for (int i = 0; i < ACCOUNTS; i++)
                {
                    // each partition answers the gets of its own keys
                    final int owner = config.partitioner().partitionOf(account(i));
                    final TxnReply reply = read.stream().filter(r -> r.partition() == owner).findFirst().orElseThrow();
                    total += ByteBuffer.wrap(((Result.Value)reply.results().get(i)).value()).getLong();
                }
                assertThat(total).isEqualTo(ACCOUNTS * INITIAL);
            }
            awaitConverged(replicas);
        }
        finally
        {
            for (final ReplicaServer r : replicas)
            {
                r.close();
            }
        }
        for (final ReplicaServer r : replicas)
        {
            assertThat(r.failure()).isNull();
        }
        for (int p = 0; p < 3; p++)
        {
            final List<String> hashes = new ArrayList<>();
            for (final ReplicaConfig r : config.replicas(p))
            {
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    hashes.add(hash(store));
                }
            }
            assertThat(hashes).as("replicas of partition %d", p).containsOnly(hashes.get(0));
        }
    }

    /** Replicas of a partition may lag: wait until each partition's replicas applied the same deliveries. */
    static void awaitConverged(final List<ReplicaServer> replicas) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final Map<Integer, io.ramcast.txn.store.AppliedMark> marks = new HashMap<>();
            boolean converged = true;
            for (final ReplicaServer r : replicas)
            {
                final io.ramcast.txn.store.AppliedMark seen = marks.putIfAbsent(r.replica().partition(), r.lastApplied());
                converged &= seen == null || seen.equals(r.lastApplied());
            }
            if (converged)
            {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("replicas did not converge within 30 s");
    }

    static CompletableFuture<List<TxnReply>> submit(
        final RamcastClient client, final TxnCodec codec, final ClusterConfig config, final long requestId,
        final Transaction t, final Map<Long, CompletableFuture<List<TxnReply>>> pending,
        final Map<Long, Integer> expectedPartitions) throws InterruptedException
    {
        final int[] partitions = Destinations.of(t, config.partitioner());
        final CompletableFuture<List<TxnReply>> f = new CompletableFuture<>();
        pending.put(requestId, f);
        expectedPartitions.put(requestId, partitions.length);
        client.multicast(codec.encode(new TxnRequest(100, requestId, 1, partitions, t)), partitions);
        return f;
    }

    static String hash(final RocksPartitionStore store) throws Exception
    {
        final MessageDigest digest = MessageDigest.getInstance("SHA-256");
        final Map<String, Integer> count = new HashMap<>();
        store.scan(new byte[0], null, Integer.MAX_VALUE, (k, v) ->
        {
            digest.update(k);
            digest.update(v);
            count.merge("n", 1, Integer::sum);
        });
        return HexFormat.of().formatHex(digest.digest()) + "/" + count.getOrDefault("n", 0) + "/" + store.lastApplied();
    }
}
