package io.ramcast.bench;

import io.ramcast.bench.workload.SmallBankCustomer;
import io.ramcast.bench.workload.SmallBankProcedures;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** What the SmallBank cluster tests share: definite outcomes and reading balances. */
final class SmallBankTestSupport
{
    /** Attempts of one transaction (the first and retries with its request id) before giving up. */
    static final int ATTEMPTS = 5;

    private SmallBankTestSupport()
    {
    }

    /** A customer's balances, in cents. */
    record Balances(long savings, long checking)
    {
        long total()
        {
            return savings + checking;
        }
    }

    /**
     * Executes a transaction, retrying an unknown outcome with the same request id, so the caller
     * learns whether it committed.
     *
     * @param client      the client.
     * @param transaction the transaction.
     * @return its committed or not-committed outcome.
     * @throws AssertionError if it is still unknown after {@value #ATTEMPTS} attempts.
     */
    static TxnOutcome executeDefinite(final KvClient client, final Transaction transaction)
    {
        TxnOutcome outcome = client.execute(transaction);
        for (int attempt = 1; attempt < ATTEMPTS && outcome instanceof TxnOutcome.Unknown unknown; attempt++)
        {
            outcome = client.execute(unknown.requestId(), transaction);
        }
        assertThat(outcome).as("outcome of %s after %d attempts", transaction, ATTEMPTS)
            .isNotInstanceOf(TxnOutcome.Unknown.class);
        return outcome;
    }

    /**
     * Reads the balances of customers in one transaction.
     *
     * @param client      the client.
     * @param partitioner the cluster's partitioner.
     * @param firstId     first customer.
     * @param count       customers firstId .. firstId + count - 1, at most about 80 (the default key limit).
     * @return customer id to balances, ascending.
     */
    static Map<Long, Balances> balances(final KvClient client, final Partitioner partitioner, final long firstId,
        final int count)
    {
        final Transaction.Builder t = Transaction.builder();
        for (long id = firstId; id < firstId + count; id++)
        {
            final SmallBankCustomer c = SmallBankCustomer.placed(id, partitioner);
            t.get(c.savingsKey()).get(c.checkingKey());
        }
        final TxnOutcome outcome = executeDefinite(client, t.build());
        assertThat(outcome).as("reading customers %d..%d", firstId, firstId + count - 1)
            .isInstanceOf(TxnOutcome.Committed.class);
        final List<Result> results = ((TxnOutcome.Committed)outcome).results();
        final Map<Long, Balances> balances = new TreeMap<>();
        for (int i = 0; i < count; i++)
        {
            balances.put(firstId + i, new Balances(
                SmallBankProcedures.decodeBalance(((Result.Value)results.get(2 * i)).value()),
                SmallBankProcedures.decodeBalance(((Result.Value)results.get(2 * i + 1)).value())));
        }
        return balances;
    }
}
