package io.ramcast.client;

import io.ramcast.multicast.MulticastOptions;
import io.ramcast.txn.KeyValue;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.Limits;
import io.ramcast.txn.wire.TxnReply;
import io.ramcast.txn.wire.TxnRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client's mechanics against a fake replica side ({@link FakeCluster}) on real RamCast servers:
 * 2 partitions split at "m" ("a.." on partition 0, "z.." on partition 1), 3 replicas each.
 */
class KvClientTest
{
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private FakeCluster cluster;
    private final List<KvClient> clients = new ArrayList<>();

    @BeforeEach
    void startCluster()
    {
        cluster = FakeCluster.twoByThree();
    }

    @AfterEach
    void stopCluster()
    {
        clients.forEach(KvClient::close);
        cluster.close();
        assertThat(cluster.failures()).isEmpty();
    }

    private KvClient client(final KvClient.Builder builder)
    {
        final KvClient c = builder.build();
        clients.add(c);
        return c;
    }

    private KvClient client()
    {
        return client(cluster.client(0));
    }

    private static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Transaction twoPartitionIncrement(final long delta)
    {
        return Transaction.builder().increment(b("a-counter"), delta).increment(b("z-counter"), delta).build();
    }

    @Test
    void shouldSweepRequestDeadlinesEveryTenthOfTheTimeoutBetweenOneAndAHundredMilliseconds()
    {
        assertThat(KvClient.timeoutSweepNs(TimeUnit.SECONDS.toNanos(5))).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(KvClient.timeoutSweepNs(TimeUnit.MILLISECONDS.toNanos(200))).isEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(KvClient.timeoutSweepNs(TimeUnit.MILLISECONDS.toNanos(3))).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRunEveryConvenienceSyncAndAsync() throws Exception
    {
        final KvClient kv = client();
        assertThat(kv.get(b("a1"))).isNull();
        kv.put(b("a1"), b("one"));
        assertThat(kv.get(b("a1"))).isEqualTo(b("one"));
        kv.putAsync(b("a2"), b("two")).get(10, TimeUnit.SECONDS);
        assertThat(kv.getAsync(b("a2")).get(10, TimeUnit.SECONDS)).isEqualTo(b("two"));

        assertThat(kv.compareAndSet(b("a1"), b("one"), b("uno"))).isTrue();
        assertThat(kv.compareAndSet(b("a1"), b("one"), b("eins"))).isFalse();
        assertThat(kv.compareAndSetAsync(b("a1"), b("uno"), null).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kv.get(b("a1"))).isNull();
        assertThat(kv.compareAndSetAsync(b("a1"), b("x"), b("y")).get(10, TimeUnit.SECONDS)).isFalse();

        assertThat(kv.increment(b("z-c"), 5)).isEqualTo(5);
        assertThat(kv.incrementAsync(b("z-c"), -2).get(10, TimeUnit.SECONDS)).isEqualTo(3);

        kv.put(b("a3"), b("three"));
        final List<KeyValue> entries = kv.scan(b("a"), b("b"), 10);
        assertThat(entries).extracting(e -> new String(e.key(), StandardCharsets.UTF_8)).containsExactly("a2", "a3");
        assertThat(kv.scanAsync(b("a"), b("b"), 1).get(10, TimeUnit.SECONDS)).hasSize(1);

        kv.delete(b("a2"));
        kv.deleteAsync(b("a3")).get(10, TimeUnit.SECONDS);
        assertThat(kv.scan(b("a"), b("b"), 10)).isEmpty();

        assertThat(kv.call("echo", b("hi"), List.of(b("a1")), List.of(b("z1")))).isEqualTo(b("hi"));
        assertThat(kv.callAsync("echo", b("ho"), List.of(), List.of(b("a1"))).get(10, TimeUnit.SECONDS)).isEqualTo(b("ho"));

        final TxnOutcome outcome = kv.execute(Transaction.builder().get(b("z-c")).increment(b("a-c"), 7).build());
        assertThat(outcome).isInstanceOf(TxnOutcome.Committed.class);
        final List<Result> results = outcome.resultsOrThrow();
        assertThat(((Result.Value)results.get(0)).value()).isEqualTo(ByteBuffer.allocate(8).putLong(3).array());
        assertThat(((Result.Counter)results.get(1)).value()).isEqualTo(7);
        assertThat(kv.pendingCount()).isZero();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldIssueStrictlyIncreasingRequestIdsStartingFromTheWallClock()
    {
        final long before = System.currentTimeMillis() * KvClient.REQUEST_IDS_PER_MILLISECOND;
        final KvClient kv = client();
        long previous = 0;
        for (int i = 0; i < 5; i++)
        {
            final long id = kv.execute(Transaction.builder().put(b("a" + i), b("v")).build()).requestId();
            assertThat(id).isGreaterThan(previous).isGreaterThanOrEqualTo(before);
            previous = id;
        }
        assertThat(cluster.delivered(0)).extracting(TxnRequest::clientId).containsOnly(kv.clientId());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCompleteWithTheFirstReplyOfEachPartitionAndIgnoreLaterReplicas() throws Exception
    {
        final KvClient kv = client();
        // replicas 1 and 2 of each partition answer late, and falsely: ignored since replica 0 answered first
        for (int p = 0; p < 2; p++)
        {
            final int[] members = cluster.topology().members(p);
            for (int i = 1; i < members.length; i++)
            {
                cluster.mode(members[i], FakeCluster.Mode.HOLD);
                cluster.rewrite(members[i], r ->
                    new TxnReply(r.requestId(), r.partition(), false, ReasonCode.CONDITION_FAILED, "lie", List.of()));
            }
        }
        final TxnOutcome outcome = kv.execute(twoPartitionIncrement(1));
        assertThat(outcome).isInstanceOf(TxnOutcome.Committed.class);
        Await.until(() -> cluster.heldCount() == 4, WAIT, "the 4 slow replicas answered");
        cluster.releaseHeld();
        Await.until(() -> kv.ignoredReplyCount() == 4, WAIT, "the 4 late replies were ignored");
        assertThat(kv.malformedReplyCount()).isZero();
        assertThat(kv.increment(b("a-counter"), 1)).isEqualTo(2);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldWaitForAReplyFromEveryInvolvedPartition() throws Exception
    {
        final KvClient kv = client(cluster.client(0).requestTimeout(Duration.ofSeconds(2)));
        cluster.partitionMode(1, FakeCluster.Mode.HOLD);
        final CompletableFuture<TxnOutcome> both = kv.executeAsync(twoPartitionIncrement(1));
        assertThat(kv.increment(b("a-solo"), 1)).as("partition 0 alone answers its own transactions").isEqualTo(1);
        assertThat(both).isNotDone();
        final TxnOutcome outcome = both.get(10, TimeUnit.SECONDS);
        assertThat(outcome).isInstanceOf(TxnOutcome.Unknown.class);
        assertThat(((TxnOutcome.Unknown)outcome).cause())
            .contains("request timeout of 2000 ms").contains("answered by partitions [0], waiting for [1]");
    }

    /**
     * A partition may answer with the results of its own operations only (the others'
     * placeholders): each operation's result comes from the partition owning its key; a committed
     * reply without its results fails the call with a message saying that it committed.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldTakeEachResultFromThePartitionOwningItsKey()
    {
        final KvClient kv = client();
        kv.put(b("a-key"), b("1"));
        kv.put(b("z-key"), b("2"));
        for (int p = 0; p < 2; p++)
        {
            final int partition = p;
            for (final int r : cluster.topology().members(p))
            {
                // partition 0 owns operation 0 (a-key), partition 1 operation 1 (z-key)
                cluster.rewrite(r, x -> new TxnReply(x.requestId(), x.partition(), x.committed(), x.reason(),
                    x.detail(), x.results().size() != 2 ? x.results() : partition == 0 ?
                    List.of(x.results().get(0), new Result.Value(b("placeholder"))) :
                    List.of(new Result.Value(null), x.results().get(1))));
            }
        }
        final List<Result> results = kv.execute(Transaction.builder().get(b("a-key")).get(b("z-key")).build())
            .resultsOrThrow();
        assertThat(((Result.Value) results.get(0)).value()).isEqualTo(b("1"));
        assertThat(((Result.Value) results.get(1)).value()).isEqualTo(b("2"));

        for (final int r : cluster.topology().members(1))
        {
            cluster.rewrite(r, x -> new TxnReply(x.requestId(), x.partition(), true, null, "too large", List.of()));
        }
        assertThatThrownBy(() -> kv.execute(Transaction.builder().get(b("a-key")).get(b("z-key")).build()))
            .isInstanceOf(ResultsTooLargeException.class)
            .hasMessageContaining("committed, but partition 1 could not send its results: too large");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReportPartitionsThatDisagreeAsABug()
    {
        final KvClient kv = client();
        for (final int r : cluster.topology().members(1))
        {
            cluster.rewrite(r, x -> new TxnReply(x.requestId(), x.partition(), false, ReasonCode.CONDITION_FAILED,
                "stale read", List.of()));
        }
        final CompletableFuture<TxnOutcome> future = kv.executeAsync(twoPartitionIncrement(1));
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("partitions disagree")
            .hasMessageContaining("committed")
            .hasMessageContaining("not committed (CONDITION_FAILED: stale read)")
            .hasMessageContaining("partition 0").hasMessageContaining("partition 1");
        assertThatThrownBy(() -> kv.execute(twoPartitionIncrement(1)))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("partitions disagree");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReportUnknownOnTimeoutIgnoreLateRepliesAndResolveByRetryingTheSameRequestId() throws Exception
    {
        final KvClient kv = client(cluster.client(0).requestTimeout(SHORT_TIMEOUT));
        cluster.clusterMode(FakeCluster.Mode.HOLD);
        final Transaction txn = twoPartitionIncrement(5);

        final TxnOutcome first = kv.execute(txn);
        assertThat(first).isInstanceOf(TxnOutcome.Unknown.class);
        final long id = first.requestId();
        assertThatThrownBy(first::resultsOrThrow).isInstanceOf(UnknownOutcomeException.class)
            .hasMessageContaining("may or may not have committed");
        assertThat(kv.settledBelow()).as("an unknown id stays retryable").isLessThanOrEqualTo(id);

        // the convenience throws, naming the id to retry with
        final UnknownOutcomeException thrown = (UnknownOutcomeException)catchThrowable(() -> kv.increment(b("a-x"), 1));
        assertThat(thrown.requestId()).isGreaterThan(id);

        // replies that come after the timeout are ignored
        Await.until(() -> cluster.heldCount() >= 6 + 3, WAIT, "every replica answered (held)");
        final long ignoredBefore = kv.ignoredReplyCount();
        cluster.clusterMode(FakeCluster.Mode.ANSWER);
        cluster.releaseHeld();
        Await.until(() -> kv.ignoredReplyCount() == ignoredBefore + 9, WAIT, "the 9 late replies were ignored");
        assertThat(kv.pendingCount()).isZero();

        // a transaction sent meanwhile still declares the unknown id unsettled
        kv.put(b("a-between"), b("v"));
        final TxnRequest between = last(cluster.delivered(0));
        assertThat(between.settledBelow()).isLessThanOrEqualTo(id);

        final TxnOutcome retried = kv.executeAsync(id, txn).get(10, TimeUnit.SECONDS);
        assertThat(retried).isInstanceOf(TxnOutcome.Committed.class);
        assertThat(retried.requestId()).isEqualTo(id);
        assertThat(((Result.Counter)retried.resultsOrThrow().get(0)).value()).as("the original outcome").isEqualTo(5);
        assertThat(cluster.executions(kv.clientId(), id)).as("executed once").isEqualTo(1);
        final TxnRequest retryRequest = last(cluster.delivered(1));
        assertThat(retryRequest.requestId()).isEqualTo(id);
        assertThat(retryRequest.settledBelow()).isLessThanOrEqualTo(id);

        assertThatThrownBy(() -> kv.executeAsync(id, txn)).as("now settled")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is settled");
        // the other unknown id (the convenience's) still holds the watermark; retry it too
        assertThat(kv.execute(thrown.requestId(), Transaction.builder().increment(b("a-x"), 1).build()))
            .isInstanceOf(TxnOutcome.Committed.class);
        assertThat(kv.settledBelow()).isGreaterThan(thrown.requestId());
        assertThat(kv.get(b("a-counter"))).isEqualTo(ByteBuffer.allocate(8).putLong(5).array());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseRetriesThatCouldExecuteTwiceOrCollide()
    {
        final KvClient kv = client(cluster.client(0).requestTimeout(SHORT_TIMEOUT));
        final long committed = kv.execute(Transaction.builder().put(b("a"), b("v")).build()).requestId();
        assertThatThrownBy(() -> kv.executeAsync(committed, Transaction.builder().put(b("a"), b("v")).build()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("settled");
        assertThatThrownBy(() -> kv.executeAsync(committed + 1_000_000, Transaction.builder().put(b("a"), b("v")).build()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never issued");

        cluster.clusterMode(FakeCluster.Mode.DROP);
        final TxnOutcome unknown = kv.execute(Transaction.builder().put(b("a"), b("w")).build());
        assertThat(unknown).isInstanceOf(TxnOutcome.Unknown.class);
        assertThatThrownBy(() -> kv.executeAsync(unknown.requestId(), Transaction.builder().put(b("z"), b("w")).build()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must repeat the same transaction");

        final CompletableFuture<TxnOutcome> inFlight =
            kv.executeAsync(unknown.requestId(), Transaction.builder().put(b("a"), b("w")).build());
        assertThatThrownBy(() -> kv.executeAsync(unknown.requestId(), Transaction.builder().put(b("a"), b("w")).build()))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("still in flight");
        assertThat(inFlight.join()).isInstanceOf(TxnOutcome.Unknown.class);
    }

    /**
     * run() retries an unknown outcome with the same request id after a back-off until the
     * replicas answer: while every reply is dropped it keeps retrying, and once replies flow the
     * increment has executed exactly once.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRunThroughLostRepliesToExactlyOneExecution() throws Exception
    {
        final KvClient kv = client(cluster.client(0).requestTimeout(SHORT_TIMEOUT));
        cluster.clusterMode(FakeCluster.Mode.DROP);
        final CompletableFuture<TxnOutcome> running = CompletableFuture.supplyAsync(() ->
            kv.run(Transaction.builder().increment(b("visits"), 1).build()));
        Await.until(() -> cluster.executedCount() == 1, Duration.ofSeconds(10), "the first attempt executed");
        Thread.sleep(2 * SHORT_TIMEOUT.toMillis()); // at least one retry goes unanswered too
        assertThat(running).as("still retrying").isNotDone();
        cluster.clusterMode(FakeCluster.Mode.ANSWER);

        final TxnOutcome outcome = running.get(30, TimeUnit.SECONDS);
        assertThat(outcome).isInstanceOf(TxnOutcome.Committed.class);
        assertThat(outcome.resultsOrThrow()).containsExactly(new Result.Counter(1));
        assertThat(cluster.executedCount()).as("one request").isEqualTo(1);
        assertThat(cluster.executions(kv.clientId(), outcome.requestId())).as("executed once").isEqualTo(1);
        assertThat(kv.increment(b("visits"), 0)).isEqualTo(1);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldOfferTextKeysAndValuesAndTypedCounters()
    {
        final KvClient kv = client();
        kv.put("greeting", "grüß dich");
        assertThat(kv.getString("greeting")).isEqualTo("grüß dich");
        assertThat(kv.get(b("greeting"))).isEqualTo("grüß dich".getBytes(StandardCharsets.UTF_8));
        assertThat(kv.counter("visits")).as("absent").isZero();
        assertThat(kv.increment("visits", 41)).isEqualTo(41);
        assertThat(kv.increment("visits", 1)).isEqualTo(42);
        assertThat(kv.counter("visits")).isEqualTo(42);
        assertThatThrownBy(() -> kv.counter("greeting")).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("key \"greeting\" holds 11 bytes, not a counter");
        kv.delete("greeting");
        assertThat(kv.getString("greeting")).isNull();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldGiveUpAtTheRunDeadlineWithTheUnknownOutcome()
    {
        final KvClient kv = client(cluster.client(0).requestTimeout(SHORT_TIMEOUT));
        assertThat(kv.defaultRunDeadline()).isEqualTo(SHORT_TIMEOUT.multipliedBy(KvClient.UNKNOWN_RETENTION_REQUEST_TIMEOUTS - 1));
        assertThatThrownBy(() -> kv.run(Transaction.builder().put(b("a"), b("v")).build(), Duration.ofHours(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
        cluster.clusterMode(FakeCluster.Mode.DROP);
        final long startNs = System.nanoTime();
        final TxnOutcome outcome = kv.run(Transaction.builder().put(b("a"), b("v")).build(), Duration.ofMillis(1_500));
        assertThat(outcome).isInstanceOf(TxnOutcome.Unknown.class);
        assertThat(Duration.ofNanos(System.nanoTime() - startNs)).as("the deadline plus the attempt under way")
            .isLessThan(Duration.ofMillis(1_500).plus(SHORT_TIMEOUT).plusSeconds(2));
        assertThat(cluster.executedCount()).as("retries reuse the request id").isEqualTo(1);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseTransactionsOverTheLimitsBeforeSending()
    {
        final KvClient kv = client(cluster.client(0).limits(new Limits(16, 64, 200, 4, 10)));
        assertThatThrownBy(() -> kv.put(b("a".repeat(17)), b("v")))
            .isInstanceOf(LimitExceededException.class).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("limits.maxKeyBytes=16").hasMessageContaining("17 bytes");
        assertThatThrownBy(() -> kv.putAsync(b("a"), new byte[65]))
            .isInstanceOf(LimitExceededException.class).hasMessageContaining("limits.maxValueBytes=64");
        assertThatThrownBy(() -> kv.compareAndSet(b("a"), new byte[65], b("v")))
            .isInstanceOf(LimitExceededException.class).hasMessageContaining("limits.maxValueBytes=64");
        assertThatThrownBy(() -> kv.execute(Transaction.builder().get(b("a1")).get(b("a2")).get(b("a3")).get(b("a4"))
                .get(b("a5")).build()))
            .isInstanceOf(LimitExceededException.class).hasMessageContaining("limits.maxKeysPerTransaction=4");
        assertThatThrownBy(() -> kv.scan(b("a"), b("b"), 11))
            .isInstanceOf(LimitExceededException.class).hasMessageContaining("limits.maxScanEntries=10");
        assertThatThrownBy(() -> kv.execute(Transaction.builder().put(b("a1"), new byte[60]).put(b("a2"), new byte[60])
                .put(b("a3"), new byte[60]).build()))
            .isInstanceOf(LimitExceededException.class).hasMessageContaining("limits.maxTransactionBytes=200");
        assertThatThrownBy(() -> kv.call("echo", new byte[300], List.of(b("a")), List.of()))
            .isInstanceOf(LimitExceededException.class).hasMessageContaining("limits.maxTransactionBytes=200");
        assertThatThrownBy(() -> kv.scan(b("a"), b("z"), 5)).as("a scan across partitions")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spans several partitions");

        kv.put(b("a"), b("fits"));
        assertThat(cluster.executedCount()).as("only the transaction within the limits reached the replicas").isEqualTo(1);
        assertThat(cluster.delivered(0)).hasSize(1);
        assertThat(cluster.delivered(1)).isEmpty();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseTransactionsThatDoNotFitAMulticastSlot()
    {
        try (FakeCluster small = new FakeCluster(List.of("m"), 1, 1,
            MulticastOptions.builder().ringSlots(16).clientWindow(4).slotSizeBytes(256).build()))
        {
            try (KvClient kv = small.client(0).limits(new Limits(1024, 4096, 7168, 256, 1000)).build())
            {
                final int room = small.options().maxPayloadBytes(1);
                assertThatThrownBy(() -> kv.put(b("a"), new byte[room]))
                    .isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("multicast slot (buffers.slotSizeBytes=256)")
                    .hasMessageContaining("at most " + room + " bytes for a transaction to 1 partition");
                kv.put(b("a"), new byte[room / 2]);
                assertThat(small.executedCount()).isEqualTo(1);
            }
            assertThat(small.failures()).isEmpty();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldThrowTypedExceptionsForProceduresThatAreUnknownOrAbort()
    {
        final KvClient kv = client();
        final UnknownProcedureException unknown = (UnknownProcedureException)catchThrowable(
            () -> kv.call("missing", b("x"), List.of(b("a")), List.of()));
        assertThat(unknown.reason()).isEqualTo(ReasonCode.UNKNOWN_PROCEDURE);
        assertThat(unknown).isInstanceOf(NotCommittedException.class).hasMessageContaining("no procedure named missing");

        assertThatThrownBy(() -> kv.callAsync("missing", null, List.of(b("a")), List.of(b("z"))).join())
            .isInstanceOf(CompletionException.class).cause().isInstanceOf(UnknownProcedureException.class);

        final NotCommittedException aborted = (NotCommittedException)catchThrowable(
            () -> kv.call("abort", null, List.of(), List.of(b("z"))));
        assertThat(aborted).isNotInstanceOf(UnknownProcedureException.class);
        assertThat(aborted.reason()).isEqualTo(ReasonCode.PROCEDURE_ABORTED);
        assertThat(aborted.detail()).isEqualTo("procedure abort aborted");

        final TxnOutcome outcome = kv.execute(Transaction.procedure("abort", null).writes(b("a")).build());
        assertThat(outcome).isEqualTo(new TxnOutcome.NotCommitted(outcome.requestId(), ReasonCode.PROCEDURE_ABORTED,
            "procedure abort aborted"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCompleteFuturesOnTheCompleterThreadAndRefuseBlockingCallsThere() throws Exception
    {
        final KvClient kv = client();
        cluster.clusterMode(FakeCluster.Mode.HOLD);
        final AtomicReference<String> thread = new AtomicReference<>();
        final AtomicReference<Throwable> nested = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        final CompletableFuture<TxnOutcome> future = kv.executeAsync(Transaction.builder().put(b("a"), b("v")).build());
        future.whenComplete((o, ex) ->
        {
            thread.set(Thread.currentThread().getName());
            try
            {
                kv.get(b("a"));
            }
            catch (final Throwable t)
            {
                nested.set(t);
            }
            done.countDown();
        });
        Await.until(() -> cluster.heldCount() == 3, WAIT, "the replicas answered (held)");
        cluster.clusterMode(FakeCluster.Mode.ANSWER);
        cluster.releaseHeld();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(future.get()).isInstanceOf(TxnOutcome.Committed.class);
        assertThat(thread.get()).isEqualTo("ramcast-kv-client-" + kv.clientId() + "-completer");
        assertThat(nested.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("use the *Async variant");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCompletePendingTransactionsAsUnknownOnCloseAndRefuseNewOnes() throws Exception
    {
        final KvClient kv = client();
        cluster.clusterMode(FakeCluster.Mode.DROP);
        final List<CompletableFuture<TxnOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            futures.add(kv.executeAsync(twoPartitionIncrement(1)));
        }
        final CompletableFuture<Void> put = kv.putAsync(b("z"), b("v"));
        kv.close();
        for (final CompletableFuture<TxnOutcome> f : futures)
        {
            assertThat(f).isDone();
            assertThat(f.get()).isInstanceOf(TxnOutcome.Unknown.class);
            assertThat(((TxnOutcome.Unknown)f.get()).cause()).isEqualTo("client closed");
        }
        assertThatThrownBy(put::join).cause().isInstanceOf(UnknownOutcomeException.class)
            .hasMessageContaining("client closed");
        assertThatThrownBy(() -> kv.executeAsync(twoPartitionIncrement(1)))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
        assertThatThrownBy(() -> kv.get(b("a"))).isInstanceOf(IllegalStateException.class);
        kv.close();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCompleteEveryTransactionOfEightThreadsSharingOneClient() throws Exception
    {
        final KvClient kv = client();
        final int threads = 8;
        final int perThread = 200;
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> ids = new ConcurrentLinkedQueue<>();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int worker = t;
            final Thread thread = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < perThread; i++)
                    {
                        final TxnOutcome o = i % 4 == 0 ?
                            kv.execute(twoPartitionIncrement(1)) :
                            kv.executeAsync(Transaction.builder().increment(b(worker % 2 == 0 ? "a-hot" : "z-hot"), 1)
                                .put(b((worker % 2 == 0 ? "a-" : "z-") + worker + "-" + i), b("v")).build()).join();
                        if (!(o instanceof TxnOutcome.Committed))
                        {
                            throw new AssertionError("worker " + worker + " transaction " + i + ": " + o);
                        }
                        ids.add(o.requestId());
                    }
                }
                catch (final Throwable ex)
                {
                    errors.add(ex);
                }
            }, "worker-" + t);
            workers.add(thread);
            thread.start();
        }
        for (final Thread t : workers)
        {
            t.join(TimeUnit.SECONDS.toMillis(100));
            assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
        }
        assertThat(errors).isEmpty();
        assertThat(ids).hasSize(threads * perThread).doesNotHaveDuplicates();
        final int multi = threads * perThread / 4;
        assertThat(kv.get(b("a-counter"))).isEqualTo(ByteBuffer.allocate(8).putLong(multi).array());
        assertThat(kv.get(b("z-counter"))).isEqualTo(ByteBuffer.allocate(8).putLong(multi).array());
        final long single = (long)(threads / 2) * (perThread - perThread / 4);
        assertThat(kv.get(b("a-hot"))).isEqualTo(ByteBuffer.allocate(8).putLong(single).array());
        assertThat(kv.get(b("z-hot"))).isEqualTo(ByteBuffer.allocate(8).putLong(single).array());
        assertThat(kv.pendingCount()).isZero();
        assertThat(kv.settledBelow()).isGreaterThan(ids.stream().mapToLong(Long::longValue).max().orElseThrow());
    }

    private static Throwable catchThrowable(final Runnable r)
    {
        try
        {
            r.run();
        }
        catch (final Throwable t)
        {
            return t;
        }
        throw new AssertionError("expected an exception");
    }

    private static <T> T last(final List<T> list)
    {
        return list.get(list.size() - 1);
    }
}
