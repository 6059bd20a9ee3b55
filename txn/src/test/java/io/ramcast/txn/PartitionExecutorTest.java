package io.ramcast.txn;

import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.MemoryPartitionStore;
import io.ramcast.txn.store.PartitionStore;
import io.ramcast.txn.store.StoreBatch;
import io.ramcast.txn.wire.TxnCodec;
import io.ramcast.txn.wire.TxnReply;
import io.ramcast.txn.wire.TxnRequest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Three partitions with one replica each, in-memory stores, the exchange wired directly: the
 * executor's logic without the ordering layer. Deliveries are fed in one global order, which is
 * what RamCast guarantees to every involved partition.
 */
class PartitionExecutorTest
{
    /** Key "a..." → 0, "b..." → 1, anything else → 2; range scans stay within a first letter. */
    static final Partitioner BY_FIRST_LETTER = new Partitioner()
    {
        @Override
        public int partitionCount()
        {
            return 3;
        }

        @Override
        public int partitionOf(final byte[] key)
        {
            return key.length > 0 && key[0] == 'a' ? 0 : key.length > 0 && key[0] == 'b' ? 1 : 2;
        }

        @Override
        public int partitionOfRange(final byte[] start, final byte[] end)
        {
            final int p = partitionOf(start);
            return end != null && end.length > 0 && end[0] == start[0] + 1 && end.length == 1 || end != null &&
                partitionOf(end) == p ? p : NO_SINGLE_PARTITION;
        }
    };

    static final int MAX_MESSAGE_BYTES = 4096;
    final TxnCodec codec = new TxnCodec();
    final MemoryPartitionStore[] stores = {new MemoryPartitionStore(), new MemoryPartitionStore(), new MemoryPartitionStore()};
    final List<TxnReply> replies = new ArrayList<>();
    final PartitionExecutor[] executors = new PartitionExecutor[3];
    /** The limits new executors get. */
    ExecutionLimits limits = ExecutionLimits.DEFAULT;
    /** Exchange messages sent, by sending partition. */
    final int[] exchangeMessages = new int[3];
    final ProcedureRegistry procedures = new ProcedureRegistry().register("transfer", ctx ->
    {
        final ByteBuffer args = ByteBuffer.wrap(ctx.arguments());
        final byte[] from = key(args.getInt());
        final byte[] to = key(args.getInt());
        final long amount = args.getLong();
        final long balance = ByteBuffer.wrap(ctx.read(from)).getLong();
        if (balance < amount)
        {
            throw ctx.abort("insufficient funds");
        }
        ctx.write(from, counter(balance - amount));
        ctx.write(to, counter(ByteBuffer.wrap(ctx.read(to)).getLong() + amount));
        return new byte[0];
    });
    long nextTimestamp = 1;
    long nextMessage = 1;

    PartitionExecutorTest()
    {
        for (int p = 0; p < 3; p++)
        {
            executors[p] = newExecutor(p);
        }
    }

    PartitionExecutor newExecutor(final int p)
    {
        return newExecutor(p, stores[p]);
    }

    /** An executor of partition {@code p} on {@code store}, wired to the other partitions' executors and to {@link #replies}. */
    PartitionExecutor newExecutor(final int p, final MemoryPartitionStore store)
    {
        return new PartitionExecutor(p, BY_FIRST_LETTER, store, procedures, limits, codec,
            new PartitionExecutor.Output()
            {
                @Override
                public void toPartition(final int partition, final byte[] message)
                {
                    exchangeMessages[p]++;
                    executors[partition].onExchange(message);
                }

                @Override
                public void toClient(final int clientId, final byte[] message)
                {
                    replies.add(codec.decode(message, TxnReply.class));
                }
            }, MAX_MESSAGE_BYTES);
    }

    static byte[] key(final int account)
    {
        return ((account % 3 == 0 ? "a" : account % 3 == 1 ? "b" : "c") + account).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] counter(final long v)
    {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Delivers a request to its partitions in the global order, then runs every executor. */
    List<TxnReply> submit(final long requestId, final long settledBelow, final Transaction t)
    {
        final int[] partitions = Destinations.of(t, BY_FIRST_LETTER);
        return submitTo(partitions, new TxnRequest(7, requestId, settledBelow, partitions, t));
    }

    List<TxnReply> submitTo(final int[] partitions, final TxnRequest request)
    {
        final byte[] payload = codec.encode(request);
        final long ts = nextTimestamp++;
        final long id = nextMessage++;
        for (final int p : partitions)
        {
            executors[p].onDelivery(id, payload, ts, 0);
        }
        final int before = replies.size();
        for (int round = 0; round < 5; round++)
        {
            // partitions run in varying order: the exchange must not depend on who goes first
            for (int i = 0; i < 3; i++)
            {
                executors[(int)((i + ts) % 3)].doWork();
            }
        }
        return new ArrayList<>(replies.subList(before, replies.size()));
    }

    @Test
    void shouldCommitSinglePartitionOperationsInOrder()
    {
        final List<TxnReply> r1 = submit(1, 1, Transaction.builder().put(bytes("a1"), bytes("x")).build());
        assertThat(r1).hasSize(1);
        assertThat(r1.get(0).committed()).isTrue();

        final List<TxnReply> r2 = submit(2, 1, Transaction.builder().get(bytes("a1")).increment(bytes("a2"), 5)
            .increment(bytes("a2"), 2).get(bytes("a9")).build());
        assertThat(r2.get(0).results()).hasSize(4);
        assertThat(((Result.Value)r2.get(0).results().get(0)).value()).isEqualTo(bytes("x"));
        assertThat(((Result.Counter)r2.get(0).results().get(2)).value()).isEqualTo(7);
        assertThat(((Result.Value)r2.get(0).results().get(3)).value()).isNull();
        assertThat(stores[0].lastApplied()).isEqualTo(new AppliedMark(2, 0, 2));
    }

    @Test
    void shouldExchangeReadsAndAgreeAcrossPartitionsOnTransfer()
    {
        submit(1, 1, Transaction.builder().put(key(0), counter(100)).put(key(1), counter(0)).put(key(2), counter(0)).build());

        final List<TxnReply> ok = submit(2, 1, transfer(0, 1, 60));
        assertThat(ok).hasSize(2).allMatch(TxnReply::committed);
        assertThat(ok).extracting(TxnReply::partition).containsExactlyInAnyOrder(0, 1);

        final List<TxnReply> refused = submit(3, 1, transfer(0, 2, 50));
        assertThat(refused).hasSize(2).noneMatch(TxnReply::committed);
        assertThat(refused).allMatch(r -> r.reason() == ReasonCode.PROCEDURE_ABORTED && r.detail().equals("insufficient funds"));

        assertThat(stores[0].get(key(0))).isEqualTo(counter(40));
        assertThat(stores[1].get(key(1))).isEqualTo(counter(60));
        assertThat(stores[2].get(key(2))).isEqualTo(counter(0));
        assertThat(stores[0].get(key(1))).as("partition 0 applies only its own writes").isNull();
    }

    @Test
    void shouldFailCompareAndSetIdenticallyEverywhere()
    {
        submit(1, 1, Transaction.builder().put(bytes("a"), bytes("1")).put(bytes("b"), bytes("1")).build());
        final List<TxnReply> r = submit(2, 1, Transaction.builder().compareAndSet(bytes("a"), bytes("1"), bytes("2"))
            .compareAndSet(bytes("b"), bytes("9"), bytes("2")).build());
        assertThat(r).hasSize(2).allMatch(x -> !x.committed() && x.reason() == ReasonCode.CONDITION_FAILED);
        assertThat(stores[0].get(bytes("a"))).as("no partition applies a failed transaction").isEqualTo(bytes("1"));
    }

    @Test
    void shouldRefuseAnIncrementThatOverflowsItsCounterAndWriteNothing()
    {
        submit(1, 1, Transaction.builder().put(bytes("a"), counter(Long.MAX_VALUE)).put(bytes("a2"), counter(Long.MIN_VALUE))
            .build());

        final List<TxnReply> up = submit(2, 1, Transaction.builder().put(bytes("a1"), bytes("x")).increment(bytes("a"), 1)
            .build());
        assertThat(up).hasSize(1).allMatch(r -> !r.committed() && r.reason() == ReasonCode.COUNTER_OVERFLOW);
        assertThat(up.get(0).detail()).contains("9223372036854775807").contains("overflows");
        final List<TxnReply> down = submit(3, 1, Transaction.builder().increment(bytes("a2"), -1).build());
        assertThat(down).allMatch(r -> !r.committed() && r.reason() == ReasonCode.COUNTER_OVERFLOW);

        assertThat(stores[0].get(bytes("a"))).isEqualTo(counter(Long.MAX_VALUE));
        assertThat(stores[0].get(bytes("a1"))).as("nothing of the refused transaction is applied").isNull();
        assertThat(stores[0].get(bytes("a2"))).isEqualTo(counter(Long.MIN_VALUE));

        final List<TxnReply> fine = submit(4, 1, Transaction.builder().increment(bytes("a"), -1).build());
        assertThat(((Result.Counter)fine.get(0).results().get(0)).value()).isEqualTo(Long.MAX_VALUE - 1);
    }

    @Test
    void shouldAnswerRetryFromRememberedOutcomeWithoutApplyingTwice()
    {
        submit(1, 1, Transaction.builder().put(bytes("a"), counter(0)).build());
        final Transaction inc = Transaction.builder().increment(bytes("a"), 1).build();
        final List<TxnReply> first = submit(2, 1, inc);
        final List<TxnReply> retry = submit(2, 1, inc);
        assertThat(retry).isEqualTo(first);
        assertThat(stores[0].get(bytes("a"))).isEqualTo(counter(1));
        assertThat(executors[0].duplicateCount()).isEqualTo(1);

        // once the client says request 2 is settled, its outcome is forgotten: a (misbehaving) resend applies again
        submit(3, 3, Transaction.builder().put(bytes("a5"), bytes("x")).build());
        submit(2, 3, inc);
        assertThat(stores[0].get(bytes("a"))).isEqualTo(counter(2));
    }

    /**
     * The outcomes a replica remembers are forgotten below the client's settled watermark without
     * scanning the store (an index in memory, rebuilt when an executor starts on a store that
     * already holds outcomes): the store keeps exactly the unsettled ones, before and after a restart.
     */
    @Test
    void shouldForgetSettledOutcomesAlsoAfterARestartKeepingOnlyTheUnsettledOnes()
    {
        for (long id = 1; id <= 50; id++)
        {
            submit(id, Math.max(1, id - 5), Transaction.builder().put(bytes("a"), counter(id)).build());
        }
        assertThat(rememberedIds(0)).as("requests 45..50 are not settled yet").containsExactly(45L, 46L, 47L, 48L, 49L,
            50L);

        executors[0] = newExecutor(0); // a restart on the same store
        submit(51, 49, Transaction.builder().put(bytes("a8"), bytes("x")).build());
        assertThat(rememberedIds(0)).containsExactly(49L, 50L, 51L);
        submit(52, 53, Transaction.builder().put(bytes("a8"), bytes("y")).build());
        assertThat(rememberedIds(0)).as("its own outcome is remembered even when it is already settled").containsExactly(52L);
    }

    private List<Long> rememberedIds(final int partition)
    {
        final List<Long> ids = new ArrayList<>();
        stores[partition].scanMeta(new byte[] {0x01}, (k, v) -> ids.add(ByteBuffer.wrap(k, 5, 8).getLong()));
        return ids;
    }

    @Test
    void shouldRefuseUnknownProcedureUndeclaredKeysLimitsAndWrongDestinations()
    {
        final List<TxnReply> unknown = submit(1, 1, Transaction.procedure("nope", new byte[0]).reads(bytes("a")).build());
        assertThat(unknown.get(0).reason()).isEqualTo(ReasonCode.UNKNOWN_PROCEDURE);
        assertThat(unknown.get(0).detail()).contains("nope").contains("transfer");

        final ProcedureRegistry sneaky = procedures;
        sneaky.register("sneaky", ctx ->
        {
            ctx.write(bytes("a-undeclared"), bytes("x"));
            return new byte[0];
        });
        final List<TxnReply> undeclared = submit(2, 1, Transaction.procedure("sneaky", new byte[0]).writes(bytes("a")).build());
        assertThat(undeclared.get(0).reason()).isEqualTo(ReasonCode.INVALID);
        assertThat(undeclared.get(0).detail()).contains("not in the transaction's write set");

        final List<TxnReply> big = submit(3, 1, Transaction.builder().put(bytes("a"), new byte[5000]).build());
        assertThat(big.get(0).reason()).isEqualTo(ReasonCode.LIMIT_EXCEEDED);

        final Transaction t = Transaction.builder().put(bytes("a"), bytes("v")).put(bytes("b"), bytes("v")).build();
        final List<TxnReply> wrong = submitTo(new int[] {0}, new TxnRequest(7, 4, 1, new int[] {0}, t));
        assertThat(wrong.get(0).reason()).isEqualTo(ReasonCode.INVALID);
        assertThat(stores[0].get(bytes("a"))).isNull();
    }

    @Test
    void shouldScanWithinOnePartitionAndRefuseScansAcrossPartitions()
    {
        submit(1, 1, Transaction.builder().put(bytes("a1"), bytes("1")).put(bytes("a2"), bytes("2"))
            .put(bytes("a3"), bytes("3")).build());
        final List<TxnReply> r = submit(2, 1, Transaction.builder().scan(bytes("a"), bytes("b"), 2)
            .get(bytes("b7")).build());
        assertThat(r).hasSize(2).allMatch(TxnReply::committed);
        final Result.Entries entries = (Result.Entries)r.get(0).results().get(0);
        assertThat(entries.entries()).extracting(kv -> new String(kv.key(), StandardCharsets.UTF_8)).containsExactly("a1", "a2");
    }

    @Test
    void shouldSkipTheLastAppliedDeliveryAfterRestartAndBufferEarlyExchanges()
    {
        submit(1, 1, Transaction.builder().put(key(0), counter(10)).put(key(1), counter(0)).build());
        // restart partition 1's executor on the same store: the delivery it applied last, handed over
        // again with the same mark, is provably a duplicate and not applied again
        executors[1] = newExecutor(1);
        final byte[] payload = codec.encode(new TxnRequest(7, 1, 1, new int[] {0, 1},
            Transaction.builder().put(key(0), counter(10)).put(key(1), counter(0)).build()));
        executors[1].onDelivery(1, payload, 1, 0);
        executors[1].doWork();
        assertThat(executors[1].executedCount()).isZero();
        assertThat(executors[1].duplicateCount()).isEqualTo(1);

        // partition 0 runs ahead and sends its reads before partition 1 delivered the transfer
        final Transaction t = transfer(0, 1, 4);
        final int[] partitions = Destinations.of(t, BY_FIRST_LETTER);
        final byte[] transfer = codec.encode(new TxnRequest(7, 2, 1, partitions, t));
        executors[0].onDelivery(50, transfer, 50, 0);
        executors[0].doWork();
        assertThat(executors[0].isWaitingForReads()).isTrue();
        executors[1].onDelivery(50, transfer, 50, 0);
        executors[1].doWork();
        executors[0].doWork();
        assertThat(executors[0].isWaitingForReads()).isFalse();
        assertThat(stores[0].get(key(0))).isEqualTo(counter(6));
        assertThat(stores[1].get(key(1))).isEqualTo(counter(4));
    }

    @Test
    void shouldSendItsReadsAgainToAReplicaThatRestartedBehindIt() throws InterruptedException
    {
        // replica B of partition 0 applies the initial puts with everyone
        final MemoryPartitionStore behind = new MemoryPartitionStore();
        final byte[] init = codec.encode(new TxnRequest(7, 1, 1, new int[] {0, 1},
            Transaction.builder().put(key(0), counter(100)).put(key(1), counter(0)).build()));
        for (final int p : new int[] {0, 1})
        {
            executors[p].onDelivery(1, init, 1, 0);
            executors[p].doWork();
        }
        // the transfer is applied by replica A of partition 0 and by partition 1, which reads for it
        final Transaction t = transfer(0, 1, 30);
        final byte[] transfer = codec.encode(new TxnRequest(7, 2, 1, new int[] {0, 1}, t));
        executors[0].onDelivery(2, transfer, 2, 0);
        executors[1].onDelivery(2, transfer, 2, 0);
        for (int round = 0; round < 3; round++)
        {
            executors[0].doWork();
            executors[1].doWork();
        }
        assertThat(stores[1].get(key(1))).isEqualTo(counter(30));

        // replica B restarted before it applied the transfer: it has it delivered again, but
        // partition 1 applied it long ago and does not read for it again, until asked
        final PartitionExecutor b = newExecutor(0, behind);
        b.onDelivery(1, init, 1, 0);
        b.doWork();
        executors[0] = b; // partition 1 now answers replica B
        b.onDelivery(2, transfer, 2, 0);
        b.doWork();
        assertThat(b.isWaitingForReads()).isTrue();
        Thread.sleep(PartitionExecutor.EXCHANGE_REQUEST_AFTER_NS / 1_000_000 + 100);
        b.doWork(); // asks partition 1, which sends the reads it kept with the transfer
        assertThat(b.exchangeRequestsSent()).isEqualTo(1);
        assertThat(executors[1].exchangesSentAgain()).isEqualTo(1);
        b.doWork();
        assertThat(b.isWaitingForReads()).isFalse();
        assertThat(behind.get(key(0))).as("the same outcome as replica A").isEqualTo(stores[0].get(key(0)))
            .isEqualTo(counter(70));
    }

    @Test
    void shouldFailStopOnADeliveryOrderedBeforeTheLastAppliedThatItCannotProveADuplicate()
    {
        submit(5, 1, Transaction.builder().put(key(0), counter(1)).build());
        final AppliedMark applied = stores[0].lastApplied();
        // a restarted ordering layer whose clock went back: a new transaction below the applied mark
        executors[0] = newExecutor(0);
        final byte[] payload = codec.encode(new TxnRequest(7, 9, 1, new int[] {0},
            Transaction.builder().put(key(0), counter(2)).build()));
        executors[0].onDelivery(999, payload, 0, 0);
        assertThatThrownBy(() -> executors[0].doWork())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("partition 0")
            .hasMessageContaining("at (timestamp 0, group 0, message")
            .hasMessageContaining("last applied " + applied)
            .hasMessageContaining("fail-stop");
        assertThat(stores[0].lastApplied()).isEqualTo(applied);
        assertThat(stores[0].get(key(0))).isEqualTo(counter(1));
    }

    @Test
    void shouldRefuseTransactionsWhoseReadsOrResultsExceedTheMessageLimit()
    {
        final Transaction.Builder load = Transaction.builder();
        for (int i = 0; i < 3; i++)
        {
            load.put(bytes("a" + i), new byte[2000]).put(bytes("b" + i), new byte[2000]);
        }
        submit(1, 1, load.build());
        final List<TxnReply> big = submit(2, 1, Transaction.builder().get(bytes("a0")).get(bytes("a1")).get(bytes("a2"))
            .get(bytes("b0")).build());
        assertThat(big).hasSize(2).allMatch(r -> !r.committed() && r.reason() == ReasonCode.LIMIT_EXCEEDED);
        assertThat(big.get(0).detail()).contains("reads of partition 0 exceed the message limit");

        final List<TxnReply> bigResult = submit(3, 1, Transaction.builder().get(bytes("a0")).get(bytes("a0"))
            .get(bytes("a0")).build());
        assertThat(bigResult.get(0).reason()).isEqualTo(ReasonCode.LIMIT_EXCEEDED);
        assertThat(bigResult.get(0).detail()).contains("results of");
    }

    @Test
    void shouldRefuseInvalidProcedureArgumentsIdenticallyAtEveryPartition()
    {
        submit(1, 1, Transaction.builder().put(key(0), counter(100)).put(key(1), counter(0)).build());
        procedures.register("bounded", ctx ->
        {
            final long amount = ByteBuffer.wrap(ctx.arguments()).getLong();
            if (amount < 0 || amount > 50)
            {
                throw new InvalidTransactionException("amount " + amount + " is out of range [0, 50]");
            }
            ctx.write(key(0), counter(ByteBuffer.wrap(ctx.read(key(0))).getLong() - amount));
            ctx.write(key(1), counter(ByteBuffer.wrap(ctx.read(key(1))).getLong() + amount));
            return new byte[0];
        });
        final Transaction tooMuch = Transaction.procedure("bounded", counter(60)).reads(key(0), key(1))
            .writes(key(0), key(1)).build();

        final List<TxnReply> refused = submit(2, 1, tooMuch);

        assertThat(refused).hasSize(2).extracting(TxnReply::partition).containsExactlyInAnyOrder(0, 1);
        assertThat(refused).allMatch(r -> !r.committed() && r.reason() == ReasonCode.INVALID &&
            r.detail().equals("amount 60 is out of range [0, 50]"));
        assertThat(stores[0].get(key(0))).isEqualTo(counter(100));
        assertThat(stores[1].get(key(1))).isEqualTo(counter(0));
        assertThat(stores[0].lastApplied()).isEqualTo(stores[1].lastApplied()).isEqualTo(new AppliedMark(2, 0, 2));
    }

    @Test
    void shouldRefuseAProcedureWritingNullAsInvalid()
    {
        procedures.register("writes-null", ctx ->
        {
            ctx.write(bytes("a1"), null);
            return new byte[0];
        });

        final List<TxnReply> r = submit(1, 1, Transaction.procedure("writes-null", new byte[0]).writes(bytes("a1")).build());

        assertThat(r).hasSize(1);
        assertThat(r.get(0).reason()).isEqualTo(ReasonCode.INVALID);
        assertThat(r.get(0).detail()).contains("wrote null to key");
    }

    @Test
    void shouldStopTheExecutorWithoutApplyingOrAnsweringWhenAProcedureHasABug()
    {
        submit(1, 1, Transaction.builder().put(key(0), counter(100)).build());
        procedures.register("buggy", ctx ->
        {
            ctx.write(key(0), counter(1));
            final long[] none = new long[0];
            return counter(none[ctx.arguments().length]);
        });
        final AppliedMark before = stores[0].lastApplied();

        assertThatThrownBy(() -> submit(5, 1, Transaction.procedure("buggy", new byte[0]).reads(key(0))
            .writes(key(0)).build()))
            .isInstanceOf(IllegalStateException.class)
            .hasCauseInstanceOf(ArrayIndexOutOfBoundsException.class)
            .hasMessageContaining("partition 0: request 5 of client 7 (message 2, mark " + new AppliedMark(2, 0, 2))
            .hasMessageContaining("procedure buggy")
            .hasMessageContaining("fail-stop");

        assertThat(replies).as("nothing answered for the failed transaction").hasSize(1);
        assertThat(stores[0].lastApplied()).isEqualTo(before);
        assertThat(executors[0].lastApplied()).isEqualTo(before);
        assertThat(stores[0].get(key(0))).isEqualTo(counter(100));
    }

    /**
     * Group commit: everything delivered before one {@code doWork} goes into one store batch, and
     * no reply leaves before that batch is in the store.
     */
    @Test
    void shouldWriteEverythingReadyInOneBatchAndAnswerOnlyAfterIt()
    {
        final List<String> problems = new ArrayList<>();
        final PartitionExecutor e = new PartitionExecutor(0, BY_FIRST_LETTER, stores[0], procedures,
            ExecutionLimits.DEFAULT, codec, new PartitionExecutor.Output()
            {
                @Override
                public void toPartition(final int partition, final byte[] message)
                {
                    problems.add("no exchange expected");
                }

                @Override
                public void toClient(final int clientId, final byte[] message)
                {
                    final TxnReply r = codec.decode(message, TxnReply.class);
                    if (stores[0].lastApplied().compareTo(new AppliedMark(r.requestId(), 0, r.requestId())) < 0)
                    {
                        problems.add("request " + r.requestId() + " answered before the store held it");
                    }
                    replies.add(r);
                }
            }, MAX_MESSAGE_BYTES);
        for (long i = 1; i <= 10; i++)
        {
            e.onDelivery(i, codec.encode(new TxnRequest(7, i, 1, new int[] {0},
                Transaction.builder().increment(bytes("a"), 1).get(bytes("a" + i)).build())), i, 0);
        }
        e.doWork();

        assertThat(problems).isEmpty();
        assertThat(replies).hasSize(10).allMatch(TxnReply::committed);
        assertThat(((Result.Counter)replies.get(9).results().get(0)).value()).as("each saw the ones before").isEqualTo(10);
        assertThat(e.groupsWritten()).isEqualTo(1);
        assertThat(stores[0].lastApplied()).isEqualTo(new AppliedMark(10, 0, 10));
    }

    /**
     * With deferred syncs a group is written unsynced and answered at once; the durable mark (what
     * the ordering layer may forget up to) stays where the last sync left it until syncStore, which
     * moves it to what was written before the sync.
     */
    @Test
    void shouldAnswerBeforeTheSyncAndMoveTheDurableMarkOnlyBySyncs()
    {
        final MemoryPartitionStore memory = new MemoryPartitionStore();
        final List<String> calls = new ArrayList<>();
        final PartitionStore store = new PartitionStore()
        {
            @Override
            public byte[] get(final byte[] key)
            {
                return memory.get(key);
            }

            @Override
            public int scan(final byte[] start, final byte[] end, final int limit, final EntryVisitor visitor)
            {
                return memory.scan(start, end, limit, visitor);
            }

            @Override
            public byte[] getMeta(final byte[] key)
            {
                return memory.getMeta(key);
            }

            @Override
            public void scanMeta(final byte[] prefix, final EntryVisitor visitor)
            {
                memory.scanMeta(prefix, visitor);
            }

            @Override
            public void apply(final StoreBatch batch)
            {
                calls.add("apply");
                memory.apply(batch);
            }

            @Override
            public void applyUnsynced(final StoreBatch batch)
            {
                calls.add("unsynced");
                memory.apply(batch);
            }

            @Override
            public void sync()
            {
                calls.add("sync");
            }

            @Override
            public AppliedMark lastApplied()
            {
                return memory.lastApplied();
            }

            @Override
            public void close()
            {
                memory.close();
            }
        };
        final List<String> answered = new ArrayList<>();
        final PartitionExecutor e = new PartitionExecutor(0, BY_FIRST_LETTER, store, procedures, limits, codec,
            new PartitionExecutor.Output()
            {
                @Override
                public void toPartition(final int partition, final byte[] message)
                {
                }

                @Override
                public void toClient(final int clientId, final byte[] message)
                {
                    answered.add("reply " + codec.decode(message, TxnReply.class).requestId() + " after " + calls);
                }
            }, MAX_MESSAGE_BYTES);
        final int[] woken = {0};
        e.deferStoreSync(() -> woken[0]++);

        for (long i = 1; i <= 3; i++)
        {
            e.onDelivery(i, codec.encode(new TxnRequest(7, i, 1, new int[] {0},
                Transaction.builder().increment(bytes("a"), 1).build())), i, 0);
        }
        e.doWork();

        assertThat(answered).containsExactly("reply 1 after [unsynced]", "reply 2 after [unsynced]",
            "reply 3 after [unsynced]");
        assertThat(woken[0]).isEqualTo(1);
        assertThat(e.writtenMark()).isEqualTo(new AppliedMark(3, 0, 3)).isEqualTo(memory.lastApplied());
        assertThat(e.durableMark()).as("no sync yet").isEqualTo(AppliedMark.NONE);

        assertThat(e.syncStore()).isEqualTo(new AppliedMark(3, 0, 3));
        assertThat(e.durableMark()).isEqualTo(new AppliedMark(3, 0, 3));
        assertThat(calls).containsExactly("unsynced", "sync");

        e.onDelivery(4, codec.encode(new TxnRequest(7, 4, 1, new int[] {0},
            Transaction.builder().increment(bytes("a"), 1).build())), 4, 0);
        e.doWork();
        assertThat(e.writtenMark()).isEqualTo(new AppliedMark(4, 0, 4));
        assertThat(e.durableMark()).isEqualTo(new AppliedMark(3, 0, 3));
        assertThat(calls).containsExactly("unsynced", "sync", "unsynced").doesNotContain("apply");
    }

    /**
     * A read-only transaction writes nothing: no remembered outcome, no mark of its own; the
     * executor's mark covers it at once, the store's only with the next write or after
     * MARK_WRITE_INTERVAL_NS with nothing else to write.
     */
    @Test
    void shouldTouchNoDiskForReadOnlyTransactions() throws InterruptedException
    {
        submit(1, 1, Transaction.builder().put(bytes("a1"), bytes("x")).build());
        final AppliedMark written = stores[0].lastApplied();
        final List<TxnReply> read = submit(2, 2, Transaction.builder().get(bytes("a1")).get(bytes("a2")).build());

        assertThat(read).hasSize(1).allMatch(TxnReply::committed);
        assertThat(((Result.Value)read.get(0).results().get(0)).value()).isEqualTo(bytes("x"));
        assertThat(stores[0].lastApplied()).as("store untouched").isEqualTo(written);
        assertThat(rememberedIds(0)).containsExactly(1L);
        assertThat(executors[0].lastApplied()).isEqualTo(new AppliedMark(2, 0, 2));
        assertThat(executors[0].durableMark()).isEqualTo(written);

        Thread.sleep(PartitionExecutor.MARK_WRITE_INTERVAL_NS / 1_000_000 + 50);
        executors[0].doWork();
        assertThat(stores[0].lastApplied()).as("mark written once, nothing else").isEqualTo(new AppliedMark(2, 0, 2));
        assertThat(executors[0].durableMark()).isEqualTo(new AppliedMark(2, 0, 2));
        assertThat(rememberedIds(0)).containsExactly(1L);
    }

    /**
     * After a restart a replica runs again the read-only transactions its store's mark did not
     * cover; a multi-partition one another partition passed and keeps no reads for (that partition
     * restarted too, its store's mark past it) is answered ReadsGone and skipped, not waited for.
     */
    @Test
    void shouldSkipAReadOnlyTransactionRunAgainThatTheOtherPartitionPassed()
    {
        submit(1, 1, Transaction.builder().put(key(0), counter(5)).put(key(1), counter(6)).build());
        final List<TxnReply> read = submit(2, 1, Transaction.builder().get(key(0)).get(key(1)).build());
        assertThat(read).hasSize(2).allMatch(TxnReply::committed);
        submit(3, 1, Transaction.builder().put(key(1), counter(7)).build()); // moves partition 1's store past it
        assertThat(stores[0].lastApplied()).isEqualTo(new AppliedMark(1, 0, 1));
        assertThat(stores[1].lastApplied()).isEqualTo(new AppliedMark(3, 0, 3));

        executors[0] = newExecutor(0);
        executors[1] = newExecutor(1); // both restart: partition 1 keeps no reads of the read-only transaction
        executors[0].requestReadsAfter(0);
        final byte[] payload = codec.encode(new TxnRequest(7, 2, 1, new int[] {0, 1},
            Transaction.builder().get(key(0)).get(key(1)).build()));
        executors[0].onDelivery(2, payload, 2, 0);
        final int before = replies.size();
        executors[0].doWork(); // runs it again, sends its reads, asks partition 1 for its own
        assertThat(executors[0].isWaitingForReads()).isTrue();
        executors[1].doWork();
        executors[0].doWork();

        assertThat(executors[0].isWaitingForReads()).isFalse();
        assertThat(executors[0].readOnlySkippedCount()).isEqualTo(1);
        assertThat(executors[0].lastApplied()).isEqualTo(new AppliedMark(2, 0, 2));
        assertThat(replies).hasSize(before);
    }

    /**
     * Gets, puts and deletes over several partitions always commit: nothing is exchanged, and each
     * partition answers with the results of its own operations. A compare-and-set or increment
     * decides the outcome: only its partition sends its reads, and every partition refuses alike.
     */
    @Test
    void shouldExchangeOnlyTheReadsThatDecideTheOutcome()
    {
        limits = new ExecutionLimits(64, 256, 256, 10); // results of a few gets fit a reply of MAX_MESSAGE_BYTES
        for (int p = 0; p < 3; p++)
        {
            executors[p] = newExecutor(p);
        }
        submit(1, 1, Transaction.builder().put(bytes("a"), bytes("1")).put(bytes("b"), bytes("2")).build());
        assertThat(exchangeMessages).containsExactly(0, 0, 0);

        final List<TxnReply> independent = submit(2, 1, Transaction.builder().get(bytes("a")).put(bytes("b"), bytes("3"))
            .get(bytes("b")).delete(bytes("c")).build());
        assertThat(exchangeMessages).containsExactly(0, 0, 0);
        assertThat(independent).hasSize(3).allMatch(TxnReply::committed);
        final TxnReply fromA = independent.stream().filter(r -> r.partition() == 0).findFirst().orElseThrow();
        final TxnReply fromB = independent.stream().filter(r -> r.partition() == 1).findFirst().orElseThrow();
        assertThat(((Result.Value) fromA.results().get(0)).value()).isEqualTo(bytes("1"));
        assertThat(((Result.Value) fromB.results().get(2)).value()).as("its own put, then its get").isEqualTo(bytes("3"));
        assertThat(stores[1].get(bytes("b"))).isEqualTo(bytes("3"));

        final List<TxnReply> refused = submit(3, 1, Transaction.builder().get(bytes("a"))
            .compareAndSet(bytes("b"), bytes("9"), bytes("4")).put(bytes("c"), bytes("5")).build());
        assertThat(exchangeMessages).as("only partition 1, owning the compare-and-set, sends").containsExactly(0, 2, 0);
        assertThat(refused).hasSize(3).allMatch(r -> !r.committed() && r.reason() == ReasonCode.CONDITION_FAILED);
        assertThat(stores[2].get(bytes("c"))).isNull();

        final List<TxnReply> counted = submit(4, 1, Transaction.builder().put(bytes("b"), bytes("6"))
            .increment(bytes("a"), 1).build());
        assertThat(exchangeMessages).containsExactly(1, 2, 0);
        assertThat(counted).hasSize(2).allMatch(r -> !r.committed() && r.reason() == ReasonCode.INVALID);
        assertThat(stores[1].get(bytes("b"))).isEqualTo(bytes("3"));
    }

    /**
     * A value stored before the limit was lowered can make a partition's own results exceed a reply
     * though the limits said they fit: the other partitions commit without asking, so it commits
     * too and says that its results are missing.
     */
    @Test
    void shouldCommitAndSayWhenItsOwnResultsDoNotFitAReply()
    {
        submit(1, 1, Transaction.builder().put(bytes("a"), new byte[3000]).put(bytes("a1"), new byte[3000]).build());
        limits = new ExecutionLimits(64, 256, 256, 10);
        for (int p = 0; p < 3; p++)
        {
            executors[p] = newExecutor(p);
        }
        executors[0].requestReadsAfter(0);

        final List<TxnReply> r = submit(2, 1, Transaction.builder().get(bytes("a")).get(bytes("a1"))
            .put(bytes("b"), bytes("1")).build());
        assertThat(r).hasSize(2).allMatch(TxnReply::committed);
        final TxnReply fromA = r.stream().filter(x -> x.partition() == 0).findFirst().orElseThrow();
        assertThat(fromA.results()).isEmpty();
        assertThat(fromA.detail()).startsWith("committed, but the results of partition 0 (")
            .contains("bytes) exceed the message limit of");
        assertThat(stores[1].get(bytes("b"))).isEqualTo(bytes("1"));
    }

    /**
     * A checkpoint waits for a transaction that waits for another partition's reads, lets nothing
     * later start, and shows the hook a store with every earlier delivery (also one that finished
     * early, beside the waiting one) and nothing later; a retry is answered without a second one.
     */
    @Test
    void shouldKeepACheckpointWithExactlyTheDeliveriesBeforeIt()
    {
        submit(1, 1, Transaction.builder().put(key(0), counter(100)).put(key(1), counter(0)).build());
        final List<String> taken = new ArrayList<>();
        executors[1].checkpoints((id, mark) -> taken.add(id + "@" + mark.timestamp() + ": " +
            ByteBuffer.wrap(stores[1].get(key(1))).getLong() + " " + (stores[1].get(bytes("b5")) != null) + " " +
            (stores[1].get(bytes("b6")) != null) + " " + stores[1].lastApplied().timestamp()));
        final Transaction checkpoint = Transaction.checkpoint(42);
        final int[] all = Destinations.of(checkpoint, BY_FIRST_LETTER);
        assertThat(all).containsExactly(0, 1, 2);
        deliver(new int[] {0, 1}, new TxnRequest(7, 2, 1, new int[] {0, 1}, transfer(0, 1, 30)));
        deliver(new int[] {1}, new TxnRequest(7, 3, 1, new int[] {1}, Transaction.builder().put(bytes("b5"), bytes("x")).build()));
        final long checkpointTimestamp = nextTimestamp;
        deliver(all, new TxnRequest(7, 4, 1, all, checkpoint));
        deliver(new int[] {1}, new TxnRequest(7, 5, 1, new int[] {1}, Transaction.builder().put(bytes("b6"), bytes("y")).build()));

        executors[1].doWork(); // the transfer waits for partition 0's reads; b5 finishes beside it
        assertThat(executors[1].waitingCount()).isEqualTo(1);
        assertThat(stores[1].get(bytes("b5"))).isNotNull();
        assertThat(taken).as("a checkpoint starts only once nothing waits").isEmpty();
        assertThat(stores[1].get(bytes("b6"))).as("nothing after a checkpoint starts before it").isNull();

        for (int round = 0; round < 3; round++)
        {
            for (final PartitionExecutor e : executors)
            {
                e.doWork();
            }
        }
        assertThat(taken).containsExactly("42@" + (checkpointTimestamp - 1) + ": 30 true false " + (checkpointTimestamp - 1));
        assertThat(stores[1].get(bytes("b6"))).isNotNull();
        assertThat(replies.stream().filter(r -> r.requestId() == 4)).hasSize(3).allMatch(TxnReply::committed);

        final List<TxnReply> retry = submitTo(all, new TxnRequest(7, 4, 1, all, checkpoint));
        assertThat(retry).hasSize(3).allMatch(TxnReply::committed);
        assertThat(taken).as("a retry is answered from the remembered outcome").hasSize(1);
    }

    /**
     * A serve-clients transaction records its count at every partition (never lowering it), tells the
     * hook the count served from then on, and a hook that cannot serve stops the executor.
     */
    @Test
    void shouldRecordTheServedClientCountAtEveryPartitionAndNeverLowerIt()
    {
        final List<Integer> told = new ArrayList<>();
        for (final PartitionExecutor e : executors)
        {
            e.clientsServed(told::add);
        }
        for (final MemoryPartitionStore store : stores)
        {
            assertThat(PartitionExecutor.servedClients(store)).as("a new store records none").isEqualTo(-1);
        }
        PartitionExecutor.recordServedClients(stores[0], 2);
        assertThat(PartitionExecutor.servedClients(stores[0])).isEqualTo(2);

        final Transaction serveFour = Transaction.serveClients(4);
        final int[] all = Destinations.of(serveFour, BY_FIRST_LETTER);
        assertThat(all).containsExactly(0, 1, 2);
        assertThat(submitTo(all, new TxnRequest(7, 1, 1, all, serveFour))).hasSize(3).allMatch(TxnReply::committed);
        assertThat(told).containsExactly(4, 4, 4);
        final Transaction serveThree = Transaction.serveClients(3);
        assertThat(submitTo(all, new TxnRequest(7, 2, 1, all, serveThree))).hasSize(3).allMatch(TxnReply::committed);
        assertThat(told).as("a lower count serves as many as before").containsExactly(4, 4, 4, 4, 4, 4);
        for (final MemoryPartitionStore store : stores)
        {
            assertThat(PartitionExecutor.servedClients(store)).isEqualTo(4);
        }

        executors[1].clientsServed(count ->
        {
            throw new IllegalStateException("lays out 4, cannot serve " + count);
        });
        deliver(all, new TxnRequest(7, 3, 1, all, Transaction.serveClients(5)));
        assertThatThrownBy(() -> executors[1].doWork()).hasMessageContaining("cannot serve 5");
    }

    /** Delivers a request to its partitions in the global order without running any executor. */
    private void deliver(final int[] partitions, final TxnRequest request)
    {
        final byte[] payload = codec.encode(request);
        final long ts = nextTimestamp++;
        final long id = nextMessage++;
        for (final int p : partitions)
        {
            executors[p].onDelivery(id, payload, ts, 0);
        }
    }

    static Transaction transfer(final int from, final int to, final long amount)
    {
        final byte[] args = ByteBuffer.allocate(16).putInt(from).putInt(to).putLong(amount).array();
        return Transaction.procedure("transfer", args).reads(key(from), key(to)).writes(key(from), key(to)).build();
    }
}
