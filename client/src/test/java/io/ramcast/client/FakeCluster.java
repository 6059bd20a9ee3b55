package io.ramcast.client;

import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.MulticastOptions;
import io.ramcast.multicast.RamcastServer;
import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.LocalFabricHub;
import io.ramcast.txn.KeyValue;
import io.ramcast.txn.Op;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.RangePartitioner;
import io.ramcast.txn.wire.TxnCodec;
import io.ramcast.txn.wire.TxnReply;
import io.ramcast.txn.wire.TxnRequest;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * A test-only stand-in for the replica side, to exercise the client's mechanics over real RamCast
 * servers on the local fabric: every server decodes each delivered {@link TxnRequest} and answers
 * the client with a {@link TxnReply}.
 *
 * <p>It is not a model of the real executor: the outcome of each (client, request id) is computed
 * once, by the first replica that delivers it, against one in-memory map shared by the whole
 * cluster, and every replica of every partition then answers with that outcome (so a retry is
 * answered from memory and never executes twice). What it adds is fault injection per replica:
 * {@link Mode#DROP} never answers, {@link Mode#HOLD} keeps answers until {@link #releaseHeld()}, and a
 * rewrite turns a replica into a liar (for disagreement tests).
 *
 * <p>Procedures: {@code echo} returns its arguments, {@code abort} aborts, anything else is unknown.
 *
 * <p>Threading: all servers run on one agent thread (back-off idle strategy); the controls are safe
 * from any thread.
 */
final class FakeCluster implements AutoCloseable
{
    /** What a replica does with its answers. */
    enum Mode
    {
        /** Sends them at once. */
        ANSWER,
        /** Never sends them. */
        DROP,
        /** Keeps them until {@link #releaseHeld()}. */
        HOLD
    }

    private record Held(RamcastServer server, int clientId, byte[] reply)
    {
    }

    private record RequestKey(int clientId, long requestId)
    {
    }

    private record Verdict(boolean committed, ReasonCode reason, String detail, List<Result> results)
    {
    }

    private final GroupTopology topology;
    private final MulticastOptions options;
    private final Partitioner partitioner;
    private final LocalFabricHub hub = new LocalFabricHub();
    private final TxnCodec codec = new TxnCodec();
    private final List<RamcastServer> servers = new ArrayList<>();
    private final AgentRunner runner;
    private final ConcurrentHashMap<Integer, Mode> modeByReplica = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, UnaryOperator<TxnReply>> rewriteByReplica = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    /** Requests as the first member of each partition delivered them, in delivery order. */
    private final List<ConcurrentLinkedQueue<TxnRequest>> deliveredByPartition = new ArrayList<>();

    // the shared "store", guarded by this
    private final TreeMap<byte[], byte[]> data = new TreeMap<>(Arrays::compareUnsigned);
    private final Map<RequestKey, Verdict> outcomes = new HashMap<>();
    private final Map<RequestKey, Integer> executions = new HashMap<>();

    /**
     * Starts {@code splitKeys.size() + 1} partitions (range partitioned at the split keys) of
     * {@code replicas} replicas each, for {@code clients} clients.
     */
    FakeCluster(final List<String> splitKeys, final int replicas, final int clients, final MulticastOptions options)
    {
        this(splitKeys, replicas, clients, options, null);
    }

    /**
     * As above, with each server's fabric endpoint made by {@code fabrics} (null: the local fabric
     * hub, which {@link #client(int)} also uses).
     */
    FakeCluster(final List<String> splitKeys, final int replicas, final int clients, final MulticastOptions options,
        final IntFunction<Fabric> fabrics)
    {
        this.partitioner = RangePartitioner.ofUtf8(splitKeys);
        this.topology = GroupTopology.uniform(partitioner.partitionCount(), replicas, clients);
        this.options = options;
        for (int g = 0; g < topology.groupCount(); g++)
        {
            deliveredByPartition.add(new ConcurrentLinkedQueue<>());
        }
        for (final int s : topology.servers())
        {
            final int partition = topology.groupOf(s);
            final RamcastServer[] self = new RamcastServer[1];
            self[0] = RamcastServer.builder().topology(topology).options(options)
                .fabric(fabrics == null ? hub.endpoint(s) : fabrics.apply(s))
                .deliveryHandler(d -> onDelivery(self[0], partition, d.payload()))
                .build();
            servers.add(self[0]);
        }
        runner = new AgentRunner(new BackoffIdleStrategy(), failures::add, (AtomicCounter)null,
            new CompositeAgent(servers.stream().map(RamcastServer::agent).toList()));
        AgentRunner.startOnThread(runner);
    }

    /** Two partitions split at "m", three replicas each, two clients, small rings. */
    static FakeCluster twoByThree()
    {
        return new FakeCluster(List.of("m"), 3, 2, MulticastOptions.builder().ringSlots(16).clientWindow(8).build());
    }

    GroupTopology topology()
    {
        return topology;
    }

    Partitioner partitioner()
    {
        return partitioner;
    }

    MulticastOptions options()
    {
        return options;
    }

    /** @return a builder for client {@code index} (0-based) of this cluster, on the local fabric. */
    KvClient.Builder client(final int index)
    {
        return KvClient.builder().topology(topology).options(options).partitioner(partitioner)
            .fabric(hub.endpoint(topology.clients()[index])).connectTimeout(Duration.ofSeconds(10));
    }

    /** Sets what one replica does with its answers. */
    void mode(final int replicaId, final Mode mode)
    {
        modeByReplica.put(replicaId, mode);
    }

    /** Sets what every replica of a partition does with its answers. */
    void partitionMode(final int partition, final Mode mode)
    {
        for (final int r : topology.members(partition))
        {
            mode(r, mode);
        }
    }

    /** Sets the mode of every replica. */
    void clusterMode(final Mode mode)
    {
        for (final int r : topology.servers())
        {
            mode(r, mode);
        }
    }

    /** Makes a replica rewrite each of its answers. */
    void rewrite(final int replicaId, final UnaryOperator<TxnReply> rewrite)
    {
        rewriteByReplica.put(replicaId, rewrite);
    }

    /** @return answers held so far. */
    int heldCount()
    {
        return held.size();
    }

    /** Sends every held answer now. */
    void releaseHeld()
    {
        Held h;
        while ((h = held.poll()) != null)
        {
            send(h.server(), h.clientId(), h.reply());
        }
    }

    /** @return the requests the first replica of {@code partition} delivered, in order. */
    List<TxnRequest> delivered(final int partition)
    {
        return List.copyOf(deliveredByPartition.get(partition));
    }

    /** @return how often the fake executed the request (0 or 1: retries are answered from memory). */
    synchronized int executions(final int clientId, final long requestId)
    {
        return executions.getOrDefault(new RequestKey(clientId, requestId), 0);
    }

    /** @return distinct requests executed. */
    synchronized int executedCount()
    {
        return executions.size();
    }

    /** @return errors of the server agents; empty while healthy. */
    List<Throwable> failures()
    {
        return List.copyOf(failures);
    }

    private void onDelivery(final RamcastServer server, final int partition, final byte[] payload)
    {
        final TxnRequest request = codec.decode(payload, TxnRequest.class);
        if (topology.members(partition)[0] == server.processId())
        {
            deliveredByPartition.get(partition).add(request);
        }
        TxnReply reply = answer(request, partition);
        final UnaryOperator<TxnReply> rewrite = rewriteByReplica.get(server.processId());
        if (rewrite != null)
        {
            reply = rewrite.apply(reply);
        }
        final byte[] bytes = codec.encode(reply);
        switch (modeByReplica.getOrDefault(server.processId(), Mode.ANSWER))
        {
            case ANSWER -> send(server, request.clientId(), bytes);
            case HOLD -> held.add(new Held(server, request.clientId(), bytes));
            case DROP ->
            {
            }
            default -> throw new IllegalStateException();
        }
    }

    private void send(final RamcastServer server, final int clientId, final byte[] reply)
    {
        if (!server.send(clientId, reply))
        {
            failures.add(new IllegalStateException("outgoing queue of server " + server.processId() + " full"));
        }
    }

    private synchronized TxnReply answer(final TxnRequest request, final int partition)
    {
        final RequestKey key = new RequestKey(request.clientId(), request.requestId());
        Verdict verdict = outcomes.get(key);
        if (verdict == null)
        {
            verdict = execute(request.transaction());
            outcomes.put(key, verdict);
            executions.merge(key, 1, Integer::sum);
        }
        return new TxnReply(request.requestId(), partition, verdict.committed(), verdict.reason(), verdict.detail(),
            verdict.results());
    }

    private Verdict execute(final Transaction t)
    {
        if (t.isProcedure())
        {
            return switch (t.procedureName())
            {
                case "echo" -> new Verdict(true, null, "", List.of(new Result.Output(t.procedureArguments())));
                case "abort" -> notCommitted(ReasonCode.PROCEDURE_ABORTED, "procedure abort aborted");
                default -> notCommitted(ReasonCode.UNKNOWN_PROCEDURE, "no procedure named " + t.procedureName());
            };
        }
        final TreeMap<byte[], byte[]> view = new TreeMap<>(data);
        final List<Result> results = new ArrayList<>();
        for (final Op op : t.ops())
        {
            if (op instanceof Op.Get g)
            {
                results.add(new Result.Value(view.get(g.key())));
            }
            else if (op instanceof Op.Put p)
            {
                view.put(p.key(), p.value());
                results.add(new Result.None());
            }
            else if (op instanceof Op.Delete d)
            {
                view.remove(d.key());
                results.add(new Result.None());
            }
            else if (op instanceof Op.CompareAndSet c)
            {
                if (!Arrays.equals(view.get(c.key()), c.expected()))
                {
                    return notCommitted(ReasonCode.CONDITION_FAILED, "compare-and-set found another value");
                }
                if (c.newValue() == null)
                {
                    view.remove(c.key());
                }
                else
                {
                    view.put(c.key(), c.newValue());
                }
                results.add(new Result.None());
            }
            else if (op instanceof Op.Increment i)
            {
                final byte[] old = view.get(i.key());
                final long value = (old == null ? 0 : ByteBuffer.wrap(old).getLong()) + i.delta();
                view.put(i.key(), ByteBuffer.allocate(8).putLong(value).array());
                results.add(new Result.Counter(value));
            }
            else if (op instanceof Op.Scan s)
            {
                final List<KeyValue> entries = new ArrayList<>();
                for (final Map.Entry<byte[], byte[]> e : view.tailMap(s.key(), true).entrySet())
                {
                    if (entries.size() == s.limit() ||
                        s.endExclusive() != null && Arrays.compareUnsigned(e.getKey(), s.endExclusive()) >= 0)
                    {
                        break;
                    }
                    entries.add(new KeyValue(e.getKey(), e.getValue()));
                }
                results.add(new Result.Entries(entries));
            }
        }
        data.clear();
        data.putAll(view);
        return new Verdict(true, null, "", results);
    }

    private static Verdict notCommitted(final ReasonCode reason, final String detail)
    {
        return new Verdict(false, reason, detail, List.of());
    }

    @Override
    public void close()
    {
        runner.close();
        for (final RamcastServer s : servers)
        {
            s.close();
        }
    }
}
