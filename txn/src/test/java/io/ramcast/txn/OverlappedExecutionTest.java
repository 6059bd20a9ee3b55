package io.ramcast.txn;

import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.MemoryPartitionStore;
import io.ramcast.txn.wire.TxnCodec;
import io.ramcast.txn.wire.TxnReply;
import io.ramcast.txn.wire.TxnRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;

import static io.ramcast.txn.PartitionExecutorTest.BY_FIRST_LETTER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Overlapped execution and group commit give the results of sequential execution in delivery
 * order: random workloads over few keys (so transactions conflict often), single- and
 * multi-partition, read-only and writing, scans, compare-and-set failures, increments refused
 * (overflow, no counter), retries, run once by executors that execute strictly one at a time
 * ({@code maxWaiting} 1, every exchange delivered at once) and once by overlapping executors whose
 * exchange messages arrive late and shuffled, with
 * replicas crashing and restarting from their stores at random points (their unwritten group lost,
 * the deliveries after the store's mark handed over again, as the ordering layer does). Every
 * partition's final data, every executor's applied mark and the set of replies to every request
 * must be the same.
 */
class OverlappedExecutionTest
{
    private static final int PARTITIONS = 3;
    private static final int CLIENTS = 4;
    private static final int TRANSACTIONS = 400;
    private static final String[] KEYS = {"a0", "a1", "a2", "b0", "b1", "b2", "c0", "c1", "c2"};
    /** Limits under which every transaction of the workload has results that fit a reply. */
    private static final ExecutionLimits SMALL_LIMITS = new ExecutionLimits(16, 64, 256, 8);

    private final TxnCodec codec = new TxnCodec();
    /** Client and request id → the transaction. */
    private final Map<String, Transaction> transactions = new HashMap<>();

    static LongStream seeds()
    {
        return LongStream.range(1, Long.getLong("overlap.seeds", 21));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldGiveTheResultsOfSequentialExecutionAlsoAcrossRestarts(final long seed)
    {
        final List<Delivery> deliveries = workload(new Random(seed));

        final Cluster sequential = new Cluster(1, new Random(seed), false, ExecutionLimits.DEFAULT);
        sequential.run(deliveries);
        final Cluster overlapped =
            new Cluster(PartitionExecutor.DEFAULT_MAX_WAITING, new Random(seed * 31 + 7), true, ExecutionLimits.DEFAULT);
        overlapped.run(deliveries);
        assertSameExecution(sequential, overlapped);
    }

    /**
     * With limits small enough that every operation list's results fit a reply, only the reads
     * deciding a multi-partition transaction's outcome are exchanged and each partition answers with
     * its own results; overlapped, with late exchanges and restarts, that gives the data, marks,
     * verdicts and (each operation's result taken from its key's partition) results of sequential
     * execution exchanging every read.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldGiveTheResultsOfSequentialExecutionExchangingOnlyDecidingReads(final long seed)
    {
        final List<Delivery> deliveries = workload(new Random(seed));

        final Cluster sequential = new Cluster(1, new Random(seed), false, ExecutionLimits.DEFAULT);
        sequential.run(deliveries);
        final Cluster sequentialDeciding = new Cluster(1, new Random(seed), false, SMALL_LIMITS);
        sequentialDeciding.run(deliveries);
        final Cluster deciding =
            new Cluster(PartitionExecutor.DEFAULT_MAX_WAITING, new Random(seed * 31 + 7), true, SMALL_LIMITS);
        deciding.run(deliveries);

        assertThat(sequentialDeciding.exchanged).as("exchange messages").isPositive()
            .isLessThan(sequential.exchanged / 2);
        for (final Cluster cluster : List.of(sequentialDeciding, deciding))
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                assertThat(dump(cluster.stores[p])).as("partition %d data", p).isEqualTo(dump(sequential.stores[p]));
                assertThat(cluster.executors[p].lastApplied()).as("partition %d applied mark", p)
                    .isEqualTo(sequential.executors[p].lastApplied());
            }
            assertThat(cluster.merged).isEqualTo(sequential.merged);
        }
        assertThat(deciding.restarts).as("restarts happened").isPositive();
    }

    private static void assertSameExecution(final Cluster sequential, final Cluster overlapped)
    {
        assertThat(overlapped.waitedAtOnce).as("transactions overlapped").isGreaterThan(1);
        for (int p = 0; p < PARTITIONS; p++)
        {
            assertThat(dump(overlapped.stores[p])).as("partition %d data", p).isEqualTo(dump(sequential.stores[p]));
            assertThat(overlapped.executors[p].lastApplied()).as("partition %d applied mark", p)
                .isEqualTo(sequential.executors[p].lastApplied());
        }
        assertThat(overlapped.replies.keySet()).isEqualTo(sequential.replies.keySet());
        for (final Map.Entry<String, Set<String>> e : sequential.replies.entrySet())
        {
            assertThat(overlapped.replies.get(e.getKey())).as("replies to %s", e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(overlapped.restarts).as("restarts happened").isPositive();
    }

    /** One delivered transaction: where it goes, its position, its bytes. */
    private record Delivery(int[] partitions, long timestamp, long messageId, byte[] payload)
    {
    }

    private List<Delivery> workload(final Random random)
    {
        final List<Delivery> deliveries = new ArrayList<>();
        final long[] nextId = new long[CLIENTS];
        final List<List<TxnRequest>> sent = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++)
        {
            sent.add(new ArrayList<>());
        }
        for (int i = 0; i < TRANSACTIONS; i++)
        {
            final int client = random.nextInt(CLIENTS);
            final List<TxnRequest> mine = sent.get(client);
            final TxnRequest request;
            if (!mine.isEmpty() && random.nextInt(10) == 0)
            {
                // a retry of one of its last requests, not settled yet
                request = mine.get(mine.size() - 1 - random.nextInt(Math.min(3, mine.size())));
            }
            else
            {
                final long id = ++nextId[client];
                final Transaction t = transaction(random);
                request = new TxnRequest(100 + client, id, Math.max(1, id - 3), Destinations.of(t, BY_FIRST_LETTER), t);
                transactions.put((100 + client) + ":" + id, t);
                mine.add(request);
            }
            deliveries.add(new Delivery(request.partitions(), i + 1, 1000 + i, codec.encode(request)));
        }
        return deliveries;
    }

    private static Transaction transaction(final Random random)
    {
        final int kind = random.nextInt(12);
        if (kind == 0)
        {
            final char first = "abc".charAt(random.nextInt(3));
            return Transaction.builder().scan(bytes("" + first), bytes("" + (char)(first + 1)), 5).build();
        }
        final Transaction.Builder b = Transaction.builder();
        final int ops = 1 + random.nextInt(3);
        final boolean readOnly = kind <= 3;
        for (int i = 0; i < ops; i++)
        {
            final byte[] key = bytes(KEYS[random.nextInt(KEYS.length)]);
            switch (readOnly ? 0 : random.nextInt(5))
            {
                case 0 -> b.get(key);
                // now and then a value that is no counter, or one an increment overflows: increments refused
                case 1 -> b.put(key, random.nextInt(8) == 0 ? bytes("xyz") :
                    counter(random.nextInt(16) == 0 ? Long.MAX_VALUE : random.nextInt(5)));
                case 2 -> b.increment(key, 1 + random.nextInt(3));
                case 3 -> b.compareAndSet(key, counter(random.nextInt(5)), counter(random.nextInt(5)));
                default -> b.delete(key);
            }
        }
        return b.build();
    }

    /** Executors of every partition on in-memory stores, exchanges queued between them. */
    private final class Cluster
    {
        final MemoryPartitionStore[] stores = new MemoryPartitionStore[PARTITIONS];
        final PartitionExecutor[] executors = new PartitionExecutor[PARTITIONS];
        final List<List<byte[]>> inboxes = new ArrayList<>();
        /** Per partition: the deliveries handed to it so far, in order (the ordering layer's log). */
        final List<List<Delivery>> delivered = new ArrayList<>();
        /** Client and request id → the replies' contents (without the answering partition). */
        final Map<String, Set<String>> replies = new TreeMap<>();
        /**
         * Client and request id → verdict (index -1) and, per operation, the results the partition
         * owning its key answered: what the client makes of the replies.
         */
        final Map<String, Map<Integer, Set<String>>> merged = new TreeMap<>();
        final int maxWaiting;
        final Random random;
        final boolean chaos;
        final ExecutionLimits limits;
        int waitedAtOnce;
        int restarts;
        int exchanged;

        Cluster(final int maxWaiting, final Random random, final boolean chaos, final ExecutionLimits limits)
        {
            this.maxWaiting = maxWaiting;
            this.random = random;
            this.chaos = chaos;
            this.limits = limits;
            for (int p = 0; p < PARTITIONS; p++)
            {
                stores[p] = new MemoryPartitionStore();
                inboxes.add(new ArrayList<>());
                delivered.add(new ArrayList<>());
                executors[p] = executor(p);
            }
        }

        PartitionExecutor executor(final int p)
        {
            final PartitionExecutor e = new PartitionExecutor(p, BY_FIRST_LETTER, stores[p], new ProcedureRegistry(),
                limits, codec, new PartitionExecutor.Output()
                {
                    @Override
                    public void toPartition(final int partition, final byte[] message)
                    {
                        exchanged++;
                        inboxes.get(partition).add(message);
                    }

                    @Override
                    public void toClient(final int clientId, final byte[] message)
                    {
                        final TxnReply r = codec.decode(message, TxnReply.class);
                        merge(clientId + ":" + r.requestId(), r);
                        final TxnReply anyPartition = new TxnReply(r.requestId(), 0, r.committed(), r.reason(),
                            r.detail(), r.results());
                        replies.computeIfAbsent(clientId + ":" + r.requestId(), k -> new TreeSet<>())
                            .add(HexFormat.of().formatHex(codec.encode(anyPartition)));
                    }
                }, PartitionExecutorTest.MAX_MESSAGE_BYTES, maxWaiting);
            e.requestReadsAfter(0);
            return e;
        }

        void merge(final String request, final TxnReply r)
        {
            final Map<Integer, Set<String>> ops = merged.computeIfAbsent(request, k -> new TreeMap<>());
            ops.computeIfAbsent(-1, k -> new TreeSet<>()).add(r.committed() + " " + r.reason() + " " + r.detail());
            final int[] owners = Destinations.resultPartitions(transactions.get(request), BY_FIRST_LETTER);
            for (int i = 0; i < r.results().size(); i++)
            {
                if (owners[i] == r.partition())
                {
                    ops.computeIfAbsent(i, k -> new TreeSet<>()).add(HexFormat.of().formatHex(
                        codec.encode(new TxnReply(0, 0, true, null, "", List.of(r.results().get(i))))));
                }
            }
        }

        void run(final List<Delivery> deliveries)
        {
            int next = 0;
            int idleSteps = 0;
            while (next < deliveries.size() || idleSteps < 50)
            {
                if (next < deliveries.size() && (!chaos || random.nextInt(3) > 0))
                {
                    final Delivery d = deliveries.get(next++);
                    for (final int p : d.partitions())
                    {
                        delivered.get(p).add(d);
                        executors[p].onDelivery(d.messageId(), d.payload(), d.timestamp(), 0);
                    }
                }
                final boolean busy = step();
                idleSteps = next >= deliveries.size() && !busy ? idleSteps + 1 : 0;
            }
            for (int p = 0; p < PARTITIONS; p++)
            {
                assertThat(executors[p].queuedCount()).as("partition %d queue", p).isZero();
                assertThat(executors[p].isWaitingForReads()).as("partition %d waits", p).isFalse();
            }
        }

        /** @return whether anything was pending anywhere. */
        boolean step()
        {
            boolean busy = false;
            for (int p = 0; p < PARTITIONS; p++)
            {
                final int partition = chaos ? random.nextInt(PARTITIONS) : p;
                if (chaos && random.nextInt(60) == 0)
                {
                    restart(partition);
                }
                final List<byte[]> inbox = inboxes.get(partition);
                if (chaos)
                {
                    Collections.shuffle(inbox, random);
                }
                final int take = chaos ? random.nextInt(inbox.size() + 1) : inbox.size();
                final List<byte[]> now = new ArrayList<>(inbox.subList(0, take));
                inbox.subList(0, take).clear();
                now.forEach(executors[partition]::onExchange);
                executors[partition].doWork();
                busy |= !inbox.isEmpty() || executors[partition].queuedCount() > 0 ||
                    executors[partition].isWaitingForReads();
                waitedAtOnce = Math.max(waitedAtOnce, executors[partition].waitingCount());
            }
            return busy;
        }

        /** A crash: what the executor had not written is lost; the deliveries after the store's mark come again. */
        void restart(final int p)
        {
            restarts++;
            inboxes.get(p).clear();
            executors[p] = executor(p);
            final AppliedMark mark = stores[p].lastApplied();
            for (final Delivery d : delivered.get(p))
            {
                if (new AppliedMark(d.timestamp(), 0, d.messageId()).compareTo(mark) > 0)
                {
                    executors[p].onDelivery(d.messageId(), d.payload(), d.timestamp(), 0);
                }
            }
        }
    }

    private static Map<String, String> dump(final MemoryPartitionStore store)
    {
        final Map<String, String> all = new HashMap<>();
        store.scan(new byte[0], null, Integer.MAX_VALUE, (k, v) ->
            all.put(new String(k, StandardCharsets.UTF_8), HexFormat.of().formatHex(v)));
        return all;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] counter(final long v)
    {
        return ByteBuffer.allocate(8).putLong(v).array();
    }
}
