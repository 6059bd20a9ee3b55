package io.ramcast.storage;

import io.ramcast.multicast.RamcastClient;
import io.ramcast.multicast.fabric.LocalFabricHub;
import io.ramcast.txn.ProcedureRegistry;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.store.MemoryPartitionStore;
import io.ramcast.txn.wire.TxnCodec;
import io.ramcast.txn.wire.TxnReply;
import io.ramcast.txn.wire.TxnRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deterministic abort is an outcome and the replica carries on; an exception from a bug in a
 * procedure stops the replica (fail-stop) and {@link ReplicaServer#failure()} names the transaction.
 */
class ReplicaServerFailStopTest
{
    private static final String CONFIG = "cluster: failstop\nfabric: local\npartitioner:\n  type: hash\n" +
        "storage:\n  durability: wal\n  dataRoot: unused\npartitions:\n" +
        "  - id: 0\n    replicas:\n      - { id: 0, host: 127.0.0.1, port: 7310 }\n" +
        "clients:\n  firstId: 100\n  count: 1\n";
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldAnswerAnAbortButStopTheReplicaOnAProcedureBug() throws Exception
    {
        final ClusterConfig config = ClusterConfig.parse(CONFIG, "failstop.yaml");
        final LocalFabricHub hub = new LocalFabricHub();
        final TxnCodec codec = new TxnCodec();
        final Map<Long, CompletableFuture<TxnReply>> replies = new ConcurrentHashMap<>();
        final ProcedureRegistry procedures = new ProcedureRegistry()
            .register("refuses", ctx ->
            {
                throw ctx.abort("refused on purpose");
            })
            .register("buggy", ctx ->
            {
                final Object notAString = Integer.valueOf(ctx.arguments().length);
                return ((String)notAString).getBytes(StandardCharsets.UTF_8);
            });
        try (ReplicaServer replica = ReplicaServer.builder().config(config).replicaId(0).fabric(hub.endpoint(0))
                .store(new MemoryPartitionStore()).procedures(procedures).build().start();
            RamcastClient client = RamcastClient.builder().topology(config.toTopology())
                .options(config.toMulticastOptions()).fabric(hub.endpoint(100))
                .messageHandler((sender, bytes) ->
                {
                    final TxnReply reply = codec.decode(bytes, TxnReply.class);
                    replies.computeIfAbsent(reply.requestId(), id -> new CompletableFuture<>()).complete(reply);
                })
                .build().start())
        {
            send(client, codec, 1, Transaction.procedure("refuses", new byte[0]).writes(KEY).build());
            final TxnReply refused = replies.computeIfAbsent(1L, id -> new CompletableFuture<>()).get(30, TimeUnit.SECONDS);
            assertThat(refused.committed()).isFalse();
            assertThat(refused.reason()).isEqualTo(ReasonCode.PROCEDURE_ABORTED);
            assertThat(replica.failure()).as("a deterministic abort does not stop the replica").isNull();

            send(client, codec, 2, Transaction.procedure("buggy", new byte[0]).writes(KEY).build());
            replica.awaitFailure();

            assertThat(replica.failure())
                .isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(ClassCastException.class)
                .hasMessageContaining("request 2 of client 100")
                .hasMessageContaining("procedure buggy");
            assertThat(replies).as("the failed transaction is not answered").doesNotContainKey(2L);
            assertThat(replica.executedCount()).isEqualTo(1);
        }
    }

    private static void send(final RamcastClient client, final TxnCodec codec, final long requestId,
        final Transaction t) throws InterruptedException
    {
        client.multicast(codec.encode(new TxnRequest(100, requestId, 1, new int[] {0}, t)), new int[] {0});
    }
}
