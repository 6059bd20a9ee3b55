package io.ramcast.check.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code "value"} of a history line. Its shape follows the operation ({@link OpFunction}):
 * <ul>
 *   <li>{@code transfer}: a {@link Transfer} on the invocation and on every completion;</li>
 *   <li>{@code read}: none ({@code null}) on the invocation and on a fail or info completion,
 *       {@link Balances} on an ok completion;</li>
 *   <li>{@code txn}: a {@link Txn} always; its reads carry results only on an ok completion.</li>
 * </ul>
 * {@link HistoryEvent} enforces these rules.
 *
 * <p>Implementations are immutable records.
 */
public sealed interface OpValue
{
    /**
     * Move {@code amount} from account {@code from} to account {@code to}. In a history line:
     * {@code {"from": 0, "to": 1, "amount": 5}}.
     *
     * @param from   the debited account, non-negative.
     * @param to     the credited account, non-negative.
     * @param amount the amount, non-negative.
     */
    record Transfer(int from, int to, long amount) implements OpValue
    {
        /**
         * Checks the fields.
         *
         * @throws IllegalArgumentException if an account is negative or the amount is negative.
         */
        public Transfer
        {
            if (from < 0 || to < 0)
            {
                throw new IllegalArgumentException("transfer accounts must be non-negative, got from=" + from + " to=" + to);
            }
            if (amount < 0)
            {
                throw new IllegalArgumentException("transfer amount must be non-negative, got " + amount);
            }
        }

        /** {@inheritDoc} */
        @Override
        public String toString()
        {
            return "transfer " + amount + " from " + from + " to " + to;
        }
    }

    /**
     * The balances a read saw, by account. In a history line: {@code {"0": 100, "1": 95}} (account
     * ids as decimal strings).
     *
     * @param balances balance by account id (non-negative), ascending, immutable.
     */
    record Balances(SortedMap<Integer, Long> balances) implements OpValue
    {
        /**
         * Copies the map.
         *
         * @throws IllegalArgumentException if an account id is negative.
         * @throws NullPointerException     if an account id or balance is null.
         */
        public Balances
        {
            final TreeMap<Integer, Long> copy = new TreeMap<>();
            for (final Map.Entry<Integer, Long> e : balances.entrySet())
            {
                final int account = Objects.requireNonNull(e.getKey(), "account");
                if (account < 0)
                {
                    throw new IllegalArgumentException("account ids must be non-negative, got " + account);
                }
                copy.put(account, Objects.requireNonNull(e.getValue(), "balance of account " + account));
            }
            balances = Collections.unmodifiableSortedMap(copy);
        }

        /**
         * @param balances balance by account id.
         * @return the balances, copied.
         */
        public static Balances of(final Map<Integer, Long> balances)
        {
            return new Balances(new TreeMap<>(balances));
        }

        /** {@inheritDoc} */
        @Override
        public String toString()
        {
            return balances.toString();
        }
    }

    /**
     * A list-append transaction: its steps, in execution order. In a history line:
     * {@code [["append", "k3", 7], ["r", "k5", [1, 2, 3]]]}.
     *
     * @param ops the steps, immutable.
     */
    record Txn(List<MicroOp> ops) implements OpValue
    {
        /**
         * Copies the steps.
         *
         * @throws NullPointerException if a step is null.
         */
        public Txn
        {
            ops = List.copyOf(ops);
        }

        /**
         * @param ops the steps.
         * @return a transaction of these steps.
         */
        public static Txn of(final MicroOp... ops)
        {
            return new Txn(List.of(ops));
        }

        /** @return whether every read step has its result. */
        public boolean hasAllReadResults()
        {
            for (final MicroOp op : ops)
            {
                if (op instanceof MicroOp.Read read && !read.hasResult())
                {
                    return false;
                }
            }
            return true;
        }

        /** @return whether no read step has a result. */
        public boolean hasNoReadResults()
        {
            for (final MicroOp op : ops)
            {
                if (op instanceof MicroOp.Read read && read.hasResult())
                {
                    return false;
                }
            }
            return true;
        }

        /** @return this transaction with the results of its reads removed (its invocation). */
        public Txn withoutReadResults()
        {
            final List<MicroOp> stripped = new ArrayList<>(ops.size());
            for (final MicroOp op : ops)
            {
                stripped.add(op instanceof MicroOp.Read read ? read.withoutResult() : op);
            }
            return new Txn(stripped);
        }

        /** {@inheritDoc} */
        @Override
        public String toString()
        {
            return ops.toString();
        }
    }
}
