package io.ramcast.bench;

import io.ramcast.bench.SmallBankTestSupport.Balances;
import io.ramcast.bench.workload.BenchWorkload;
import io.ramcast.bench.workload.OperationGenerator;
import io.ramcast.bench.workload.SmallBankCall;
import io.ramcast.bench.workload.SmallBankCustomer;
import io.ramcast.bench.workload.SmallBankProcedures;
import io.ramcast.bench.workload.SmallBankTransactionType;
import io.ramcast.bench.workload.SmallBankWorkload;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SmallBank end to end in one JVM ({@link InJvmKvCluster}: nine real replicas, three hash
 * partitions, RocksDB): loading twice leaves exactly the initial rows; then {@value #WORKERS}
 * workers, each with its own client, run {@value #OPERATIONS_PER_WORKER} generated operations each
 * over a small hotspot (so amalgamate empties hot customers and penalties and aborts happen), and
 * learn every operation's outcome (retrying unknown ones with their request id). The total of all
 * balances must then equal the initial total plus what the committed operations imply: deposits
 * and savings transactions add their amount, checks subtract their amount and the penalty the
 * procedure reported, amalgamate and send-payment move money. The workload's own check must pass,
 * and the replicas of each partition must end identical.
 *
 * <p>Seed: {@code -Dramcast.test.seed=<n>} repeats a run's operations (not their interleaving).
 */
class SmallBankEndToEndTest
{
    private static final int CUSTOMERS = 200;
    /** The load command's default {@code --batch}: 96 keys per load transaction must fit the default limits. */
    private static final int BATCH_SIZE = 32;
    private static final int WORKERS = 4;
    private static final int OPERATIONS_PER_WORKER = 1_500;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** What one worker learnt from the operations that committed. */
    private static final class Tally
    {
        final Map<SmallBankTransactionType, Long> committed = new EnumMap<>(SmallBankTransactionType.class);
        final Map<String, Long> aborts = new TreeMap<>();
        long deltaCents;
        long penalties;
        long multiPartitionCommitted;

        void add(final Tally other)
        {
            other.committed.forEach((type, n) -> committed.merge(type, n, Long::sum));
            other.aborts.forEach((reason, n) -> aborts.merge(reason, n, Long::sum));
            deltaCents += other.deltaCents;
            penalties += other.penalties;
            multiPartitionCommitted += other.multiPartitionCommitted;
        }

        @Override
        public String toString()
        {
            return "committed " + committed + ", aborts " + aborts + ", penalties " + penalties + ", delta " + deltaCents +
                " cents, multi-partition committed " + multiPartitionCommitted;
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldConserveTheTotalAgainstTheCommittedOperations() throws Exception
    {
        final long seed = Long.getLong("ramcast.test.seed", System.nanoTime());
        System.out.println("SmallBankEndToEndTest seed=" + seed + " (rerun with -Dramcast.test.seed=" + seed +
            "), data in " + dir);
        final SmallBankWorkload workload = new SmallBankWorkload();
        final Tally tally = new Tally();
        final BenchWorkload.WorkloadCheck check;
        final InJvmKvCluster cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        try
        {
            final List<KvClient> clients = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++)
            {
                clients.add(cluster.client(InJvmKvCluster.FIRST_CLIENT_ID + w, Duration.ofSeconds(10)));
            }
            final KvClient client = clients.get(0);
            final WorkloadSettings settings = new WorkloadSettings(cluster.config().partitioner(), CUSTOMERS, 0,
                "zipfian", 0.5, 3, BATCH_SIZE, Map.of(SmallBankWorkload.HOTSPOT, "10"));

            load(workload, settings, client);
            final Map<Long, Balances> afterFirstLoad = allBalances(client, settings);
            load(workload, settings, client);
            assertThat(allBalances(client, settings)).as("balances after loading again").isEqualTo(afterFirstLoad);
            for (long id = 0; id < CUSTOMERS; id++)
            {
                assertThat(afterFirstLoad.get(id)).as("customer %d after loading", id).isEqualTo(new Balances(
                    SmallBankWorkload.initialSavingsCents(id), SmallBankWorkload.initialCheckingCents(id)));
            }

            run(workload, settings, clients, seed, tally);
            System.out.println("seed=" + seed + " " + tally);

            final long total = allBalances(client, settings).values().stream().mapToLong(Balances::total).sum();
            assertThat(total).as("seed %d: total of all balances after %s", seed, tally)
                .isEqualTo(SmallBankWorkload.initialTotalCents(CUSTOMERS) + tally.deltaCents);
            check = workload.check(client, settings);
            cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        assertThat(check.passed()).as(check.description()).isTrue();
        assertThat(check.description()).contains("all 200 SmallBank customers have their three rows");
        assertThat(tally.committed.values().stream().mapToLong(Long::longValue).sum() +
            tally.aborts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo((long)WORKERS * OPERATIONS_PER_WORKER);
        assertThat(tally.committed).as("seed %d: every type committed", seed).hasSize(6);
        assertThat(tally.penalties).as("seed %d: overdraft penalties", seed).isPositive();
        assertThat(tally.aborts.keySet()).as("seed %d: abort reasons", seed).containsExactly("insufficient funds");
        assertThat(tally.multiPartitionCommitted).as("seed %d: committed multi-partition operations", seed)
            .isGreaterThan(500);
        cluster.assertReplicasIdentical();
        assertThat(cluster.entries(SmallBankCustomer.KEY_PREFIX)).as("rows in the stores").hasSize(3 * CUSTOMERS);
    }

    private static void load(final SmallBankWorkload workload, final WorkloadSettings settings, final KvClient client)
    {
        for (long i = 0; i < workload.loadTransactionCount(settings); i++)
        {
            assertThat(SmallBankTestSupport.executeDefinite(client, workload.loadTransaction(i, settings)))
                .as("load transaction %d", i).isInstanceOf(TxnOutcome.Committed.class);
        }
    }

    private static Map<Long, Balances> allBalances(final KvClient client, final WorkloadSettings settings)
    {
        final Map<Long, Balances> balances = new TreeMap<>();
        for (long first = 0; first < CUSTOMERS; first += BATCH_SIZE)
        {
            balances.putAll(SmallBankTestSupport.balances(client, settings.partitioner(), first,
                (int)Math.min(BATCH_SIZE, CUSTOMERS - first)));
        }
        return balances;
    }

    private static void run(final SmallBankWorkload workload, final WorkloadSettings settings, final List<KvClient> clients,
        final long seed, final Tally total) throws InterruptedException
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        final List<Tally> tallies = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++)
        {
            final OperationGenerator generator = workload.newGenerator(settings, w, seed * 1_000_003L + w);
            final KvClient client = clients.get(w);
            final Tally tally = new Tally();
            tallies.add(tally);
            final Thread thread = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < OPERATIONS_PER_WORKER && !stop.get(); i++)
                    {
                        execute(client, generator.next(), tally);
                    }
                }
                catch (final RuntimeException | Error ex)
                {
                    errors.add(ex);
                    stop.set(true);
                }
            }, "smallbank-worker-" + w);
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (!errors.isEmpty())
        {
            final AssertionError failure = new AssertionError("seed " + seed + ": a worker failed: " + errors.get(0),
                errors.get(0));
            errors.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
        tallies.forEach(total::add);
    }

    /** Executes one operation until its outcome is known and adds what it did to the tally. */
    private static void execute(final KvClient client, final OperationGenerator.PlannedOperation op, final Tally tally)
    {
        final SmallBankCall call = SmallBankCall.of(op.transaction());
        final TxnOutcome outcome = SmallBankTestSupport.executeDefinite(client, op.transaction());
        if (outcome instanceof TxnOutcome.NotCommitted notCommitted)
        {
            assertThat(notCommitted.reason()).as("%s: %s", call, notCommitted.detail()).isEqualTo(ReasonCode.PROCEDURE_ABORTED);
            final String detail = notCommitted.detail();
            tally.aborts.merge(detail.contains(":") ? detail.substring(0, detail.indexOf(':')) : detail, 1L, Long::sum);
            return;
        }
        final Result output = ((TxnOutcome.Committed)outcome).results().get(0);
        final long[] values = SmallBankProcedures.decodeOutput(call.type(), ((Result.Output)output).bytes());
        tally.committed.merge(call.type(), 1L, Long::sum);
        tally.multiPartitionCommitted += op.partitions() > 1 ? 1 : 0;
        switch (call.type())
        {
            case DEPOSIT_CHECKING, TRANSACT_SAVINGS -> tally.deltaCents += call.amount();
            case WRITE_CHECK ->
            {
                assertThat(values[0]).as("penalty of %s", call).isIn(0L, SmallBankProcedures.PENALTY_CENTS);
                tally.deltaCents -= call.amount() + values[0];
                tally.penalties += values[0] == 0 ? 0 : 1;
            }
            case AMALGAMATE, BALANCE, SEND_PAYMENT ->
            {
                // money moves between customers or is only read
            }
            default -> throw new IllegalStateException("unhandled type " + call.type());
        }
    }
}
