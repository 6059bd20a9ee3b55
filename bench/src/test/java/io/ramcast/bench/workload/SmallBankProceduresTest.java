package io.ramcast.bench.workload;

import io.ramcast.txn.ProcedureRegistry;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.HashPartitioner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;

import static io.ramcast.bench.workload.SmallBankWorkload.initialCheckingCents;
import static io.ramcast.bench.workload.SmallBankWorkload.initialSavingsCents;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The procedures' edge cases on {@link SmallBankFakeStore}, which also fails any read or write of
 * an undeclared key; the main semantics run on a real cluster in {@code SmallBankClusterTest}.
 */
class SmallBankProceduresTest
{
    private static final long CUSTOMERS = 10;
    private static final HashPartitioner PARTITIONER = new HashPartitioner(3);

    private final SmallBankFakeStore store = new SmallBankFakeStore();

    @BeforeEach
    void load()
    {
        final WorkloadSettings settings = new WorkloadSettings(PARTITIONER, CUSTOMERS, 0, "uniform", 0, 2, 4, Map.of());
        final SmallBankWorkload workload = new SmallBankWorkload();
        for (long i = 0; i < workload.loadTransactionCount(settings); i++)
        {
            store.applyPuts(workload.loadTransaction(i, settings));
        }
    }

    private static SmallBankCustomer customer(final long id)
    {
        return SmallBankCustomer.placed(id, PARTITIONER);
    }

    private long savings(final long id)
    {
        return SmallBankProcedures.decodeBalance(store.get(customer(id).savingsKey()));
    }

    private long checking(final long id)
    {
        return SmallBankProcedures.decodeBalance(store.get(customer(id).checkingKey()));
    }

    private void setBalances(final long id, final long savingsCents, final long checkingCents)
    {
        store.put(customer(id).savingsKey(), SmallBankProcedures.encodeBalance(savingsCents));
        store.put(customer(id).checkingKey(), SmallBankProcedures.encodeBalance(checkingCents));
    }

    private long[] commit(final SmallBankCall call)
    {
        final SmallBankFakeStore.Outcome outcome = store.execute(call.transaction());
        assertThat(outcome.abortReason()).as("abort reason of %s", call).isNull();
        return SmallBankProcedures.decodeOutput(call.type(), outcome.output());
    }

    private String abort(final Transaction transaction)
    {
        final SmallBankFakeStore.Outcome outcome = store.execute(transaction);
        assertThat(outcome.committed()).as("%s commits", transaction).isFalse();
        return outcome.abortReason();
    }

    @Test
    void shouldRegisterOneProcedurePerTransactionType()
    {
        final ProcedureRegistry registry = new ProcedureRegistry();
        new SmallBankProcedures().register(registry);
        assertThat(registry.names()).containsExactlyInAnyOrder("smallbank.amalgamate", "smallbank.balance",
            "smallbank.deposit-checking", "smallbank.send-payment", "smallbank.transact-savings", "smallbank.write-check");
    }

    @Test
    void shouldTouchOnlyDeclaredKeysOnEveryPathOfEveryProcedure()
    {
        setBalances(2, 0, 0);
        for (final long other : new long[] {1, 0})
        {
            commit(SmallBankCall.balance(customer(0)));
            commit(SmallBankCall.depositChecking(customer(0), 5));
            abort(SmallBankCall.depositChecking(customer(0), -5).transaction());
            commit(SmallBankCall.transactSavings(customer(0), -5));
            abort(SmallBankCall.transactSavings(customer(2), -5).transaction());
            commit(SmallBankCall.writeCheck(customer(0), 5));
            commit(SmallBankCall.writeCheck(customer(2), 5));
            commit(SmallBankCall.sendPayment(customer(0), customer(other), 5));
            abort(SmallBankCall.sendPayment(customer(2), customer(other), 50).transaction());
            commit(SmallBankCall.amalgamate(customer(other), customer(0)));
            abort(SmallBankCall.amalgamate(customer(0), customer(CUSTOMERS)).transaction());
        }
    }

    @Test
    void shouldApplyNoWriteOfAnAbortedCall()
    {
        setBalances(3, 100, 40);
        abort(SmallBankCall.sendPayment(customer(3), customer(4), 41).transaction());
        abort(SmallBankCall.transactSavings(customer(3), -101).transaction());
        assertThat(savings(3)).isEqualTo(100);
        assertThat(checking(3)).isEqualTo(40);
        assertThat(checking(4)).isEqualTo(initialCheckingCents(4));
    }

    @Test
    void shouldChargeThePenaltyOnlyWhenSavingsAndCheckingFallShortOfTheCheck()
    {
        setBalances(1, 300, 200);
        assertThat(commit(SmallBankCall.writeCheck(customer(1), 500))).containsExactly(0, -300);
        setBalances(1, 300, 200);
        assertThat(commit(SmallBankCall.writeCheck(customer(1), 501))).containsExactly(1, -302);
        assertThat(savings(1)).isEqualTo(300);
    }

    @Test
    void shouldAllowAWithdrawalThatEmptiesSavingsAndAPaymentThatEmptiesChecking()
    {
        setBalances(5, 70, 80);
        assertThat(commit(SmallBankCall.transactSavings(customer(5), -70))).containsExactly(0);
        assertThat(commit(SmallBankCall.sendPayment(customer(5), customer(6), 80)))
            .containsExactly(0, initialCheckingCents(6) + 80);
    }

    @Test
    void shouldMoveEverythingIntoCheckingWhenAmalgamatingACustomerWithItself()
    {
        setBalances(7, 300, -20);
        assertThat(commit(SmallBankCall.amalgamate(customer(7), customer(7)))).containsExactly(280, 280);
        assertThat(savings(7)).isZero();
        assertThat(checking(7)).isEqualTo(280);
    }

    @Test
    void shouldLeaveCheckingUnchangedWhenACustomerPaysItself()
    {
        setBalances(8, 0, 90);
        assertThat(commit(SmallBankCall.sendPayment(customer(8), customer(8), 60))).containsExactly(90, 90);
        assertThat(abort(SmallBankCall.sendPayment(customer(8), customer(8), 91).transaction())).contains("insufficient funds");
    }

    @Test
    void shouldAbortNegativeAmountsWhereTheyWouldBypassTheBalanceChecks()
    {
        assertThat(abort(SmallBankCall.depositChecking(customer(0), -1).transaction())).contains("negative deposit");
        assertThat(abort(SmallBankCall.writeCheck(customer(0), -1).transaction())).contains("negative check amount");
        assertThat(abort(SmallBankCall.sendPayment(customer(0), customer(1), -1).transaction())).contains("negative payment");
        assertThat(checking(0)).isEqualTo(initialCheckingCents(0));
        assertThat(checking(1)).isEqualTo(initialCheckingCents(1));
    }

    @Test
    void shouldAbortInsteadOfOverflowing()
    {
        assertThat(abort(SmallBankCall.depositChecking(customer(0), Long.MAX_VALUE).transaction())).contains("overflow");
        assertThat(abort(SmallBankCall.transactSavings(customer(0), Long.MAX_VALUE).transaction())).contains("overflow");
        setBalances(1, 0, Long.MIN_VALUE + 10);
        assertThat(abort(SmallBankCall.writeCheck(customer(1), 20).transaction())).contains("overflow");
    }

    @Test
    void shouldAbortWithAClearReasonWhenABalanceRowIsMissingOrMalformed()
    {
        store.put(customer(2).savingsKey(), new byte[3]);
        assertThat(abort(SmallBankCall.balance(customer(2)).transaction()))
            .isEqualTo("customer 2 savings row holds 3 bytes, not an 8-byte balance");
        final SmallBankCustomer misplaced = new SmallBankCustomer(4, customer(4).savingsSalt() + 1, customer(4).checkingSalt());
        assertThat(abort(SmallBankCall.writeCheck(misplaced, 1).transaction()))
            .startsWith("customer 4 has no savings row sb/4/sav/");
    }

    @Test
    void shouldAbortMalformedArguments()
    {
        final SmallBankCustomer c = customer(0);
        assertThat(abort(Transaction.procedure("smallbank.balance", new byte[11]).reads(c.accountKey()).build()))
            .isEqualTo("smallbank.balance takes 12 bytes of arguments, got 11");
        final byte[] negativeId = ByteBuffer.allocate(12).putLong(-1).array();
        assertThat(abort(Transaction.procedure("smallbank.balance", negativeId).reads(c.accountKey()).build()))
            .isEqualTo("customer id -1 is negative");
    }
}
