package io.ramcast.bench;

import io.ramcast.bench.SmallBankTestSupport.Balances;
import io.ramcast.bench.workload.SmallBankCall;
import io.ramcast.bench.workload.SmallBankCustomer;
import io.ramcast.bench.workload.SmallBankProcedures;
import io.ramcast.bench.workload.SmallBankTransactionType;
import io.ramcast.bench.workload.SmallBankWorkload;
import io.ramcast.bench.workload.WorkloadSettings;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Destinations;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ramcast.bench.workload.SmallBankWorkload.initialCheckingCents;
import static io.ramcast.bench.workload.SmallBankWorkload.initialSavingsCents;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each SmallBank procedure's semantics on nine real replicas in this JVM ({@link InJvmKvCluster}:
 * three hash partitions of three, RocksDB), loaded once with {@value #CUSTOMERS} customers; every
 * test owns its customers, so the order of the tests does not matter. After the last test the
 * replicas of each partition must be identical and nothing may have logged an error.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmallBankClusterTest
{
    private static final long CUSTOMERS = 40;
    private static final long UNKNOWN = 1_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static InJvmKvCluster cluster;
    private static KvClient client;
    private static Partitioner partitioner;

    @BeforeAll
    static void startAndLoad() throws Exception
    {
        cluster = InJvmKvCluster.start(dir.resolve("data"), f -> f);
        client = cluster.client(InJvmKvCluster.FIRST_CLIENT_ID, Duration.ofSeconds(10));
        partitioner = cluster.config().partitioner();
        final WorkloadSettings settings = new WorkloadSettings(partitioner, CUSTOMERS, 0, "uniform", 0, 2, 10, Map.of());
        final SmallBankWorkload workload = new SmallBankWorkload();
        for (long i = 0; i < workload.loadTransactionCount(settings); i++)
        {
            assertThat(SmallBankTestSupport.executeDefinite(client, workload.loadTransaction(i, settings)))
                .as("load transaction %d", i).isInstanceOf(TxnOutcome.Committed.class);
        }
    }

    @AfterAll
    static void stopAndCompareReplicas() throws Exception
    {
        try
        {
            cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        cluster.assertReplicasIdentical();
    }

    private static SmallBankCustomer customer(final long id)
    {
        return SmallBankCustomer.placed(id, partitioner);
    }

    private static Balances balances(final long id)
    {
        return SmallBankTestSupport.balances(client, partitioner, id, 1).get(id);
    }

    private static Balances initial(final long id)
    {
        return new Balances(initialSavingsCents(id), initialCheckingCents(id));
    }

    private static long[] committed(final SmallBankCall call)
    {
        final TxnOutcome outcome = SmallBankTestSupport.executeDefinite(client, call.transaction());
        assertThat(outcome).as("outcome of %s", call).isInstanceOf(TxnOutcome.Committed.class);
        final Result output = ((TxnOutcome.Committed)outcome).results().get(0);
        return SmallBankProcedures.decodeOutput(call.type(), ((Result.Output)output).bytes());
    }

    private static String aborted(final SmallBankCall call)
    {
        final TxnOutcome outcome = SmallBankTestSupport.executeDefinite(client, call.transaction());
        assertThat(outcome).as("outcome of %s", call).isInstanceOf(TxnOutcome.NotCommitted.class);
        final TxnOutcome.NotCommitted notCommitted = (TxnOutcome.NotCommitted)outcome;
        assertThat(notCommitted.reason()).as("reason of %s: %s", call, notCommitted.detail())
            .isEqualTo(ReasonCode.PROCEDURE_ABORTED);
        return notCommitted.detail();
    }

    /** @return the first id in [from, from + 10) whose home partition differs from {@code id}'s. */
    private static long onAnotherPartitionThan(final long id, final long from)
    {
        final int home = partitioner.partitionOf(customer(id).accountKey());
        for (long other = from; other < from + 10; other++)
        {
            if (partitioner.partitionOf(customer(other).accountKey()) != home)
            {
                return other;
            }
        }
        throw new IllegalStateException("no customer in [" + from + ", " + (from + 10) + ") off partition " + home);
    }

    @Test
    void shouldReturnSavingsPlusCheckingAsTheBalance()
    {
        assertThat(committed(SmallBankCall.balance(customer(0)))).containsExactly(initial(0).total());
        assertThat(balances(0)).isEqualTo(initial(0));
    }

    @Test
    void shouldDepositIntoChecking()
    {
        assertThat(committed(SmallBankCall.depositChecking(customer(1), 130))).containsExactly(initial(1).checking() + 130);
        assertThat(committed(SmallBankCall.depositChecking(customer(1), 0))).containsExactly(initial(1).checking() + 130);
        assertThat(balances(1)).isEqualTo(new Balances(initial(1).savings(), initial(1).checking() + 130));
    }

    @Test
    void shouldAbortANegativeDepositAndChangeNothing()
    {
        assertThat(aborted(SmallBankCall.depositChecking(customer(2), -1))).isEqualTo("negative deposit -1 to customer 2");
        assertThat(balances(2)).isEqualTo(initial(2));
    }

    @Test
    void shouldAddToAndWithdrawFromSavingsButNeverBelowZero()
    {
        final long savings = initial(3).savings() + 2020;
        assertThat(committed(SmallBankCall.transactSavings(customer(3), 2020))).containsExactly(savings);
        assertThat(aborted(SmallBankCall.transactSavings(customer(3), -savings - 1))).startsWith("insufficient savings");
        assertThat(balances(3)).isEqualTo(new Balances(savings, initial(3).checking()));
        assertThat(committed(SmallBankCall.transactSavings(customer(3), -savings))).containsExactly(0);
        assertThat(balances(3)).isEqualTo(new Balances(0, initial(3).checking()));
    }

    @Test
    void shouldDebitACheckWithoutPenaltyWhenSavingsAndCheckingCoverIt()
    {
        final long check = initial(4).checking() + 100;
        assertThat(committed(SmallBankCall.writeCheck(customer(4), check))).as("penalty, checking after")
            .containsExactly(0, -100);
        assertThat(balances(4)).isEqualTo(new Balances(initial(4).savings(), -100));
    }

    @Test
    void shouldChargeTheOverdraftPenaltyWhenSavingsAndCheckingFallShort()
    {
        final long check = initial(5).total() + 1;
        final long checkingAfter = initial(5).checking() - check - SmallBankProcedures.PENALTY_CENTS;
        assertThat(committed(SmallBankCall.writeCheck(customer(5), check))).as("penalty, checking after")
            .containsExactly(1, checkingAfter);
        assertThat(balances(5)).isEqualTo(new Balances(initial(5).savings(), checkingAfter));
        assertThat(committed(SmallBankCall.balance(customer(5)))).containsExactly(-2);
    }

    @Test
    void shouldAmalgamateAcrossPartitionsZeroingTheSource()
    {
        final long to = onAnotherPartitionThan(6, 7);
        final SmallBankCall call = SmallBankCall.amalgamate(customer(6), customer(to));
        assertThat(Destinations.of(call.transaction(), partitioner)).hasSize(2);
        final long moved = initial(6).total();
        assertThat(committed(call)).as("moved, target's checking after").containsExactly(moved, initial(to).checking() + moved);
        assertThat(balances(6)).isEqualTo(new Balances(0, 0));
        assertThat(balances(to)).isEqualTo(new Balances(initial(to).savings(), initial(to).checking() + moved));
        assertThat(committed(SmallBankCall.amalgamate(customer(6), customer(to)))).as("amalgamating nothing")
            .containsExactly(0, initial(to).checking() + moved);
    }

    @Test
    void shouldSendPaymentAcrossPartitionsAndAbortOnInsufficientFunds()
    {
        final long to = onAnotherPartitionThan(17, 18);
        final SmallBankCall pay = SmallBankCall.sendPayment(customer(17), customer(to), 500);
        assertThat(Destinations.of(pay.transaction(), partitioner)).hasSize(2);
        final long from = initial(17).checking() - 500;
        assertThat(committed(pay)).containsExactly(from, initial(to).checking() + 500);
        assertThat(aborted(SmallBankCall.sendPayment(customer(17), customer(to), from + 1)))
            .isEqualTo("insufficient funds: customer 17 has " + from + " in checking, payment of " + (from + 1));
        assertThat(balances(17)).isEqualTo(new Balances(initial(17).savings(), from));
        assertThat(balances(to)).isEqualTo(new Balances(initial(to).savings(), initial(to).checking() + 500));
        assertThat(committed(SmallBankCall.sendPayment(customer(17), customer(to), from))).as("paying out all of checking")
            .containsExactly(0, initial(to).checking() + 500 + from);
    }

    @Test
    void shouldAbortEveryTransactionTypeNamingAnUnknownCustomer()
    {
        final SmallBankCustomer unknown = customer(UNKNOWN);
        final SmallBankCustomer known = customer(30);
        for (final SmallBankTransactionType type : SmallBankTransactionType.values())
        {
            final long amount = type.hasAmount() ? 1 : 0;
            final SmallBankCall asCustomer = new SmallBankCall(type, unknown, type.customers() == 2 ? known : null, amount);
            assertThat(aborted(asCustomer)).as("%s naming it first", type).isEqualTo("unknown customer " + UNKNOWN);
            if (type.customers() == 2)
            {
                assertThat(aborted(new SmallBankCall(type, known, unknown, amount))).as("%s naming it second", type)
                    .isEqualTo("unknown customer " + UNKNOWN);
            }
        }
        assertThat(balances(30)).isEqualTo(initial(30));
    }
}
