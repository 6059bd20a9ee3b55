package io.ramcast.check.history;

import io.ramcast.check.CheckResult;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a bank history: transfers between a fixed set of accounts and reads of every account.
 *
 * <p>Transfers only move money, so under any isolation level that forbids torn reads every ok read
 * must see each account of the bank exactly once ({@link BankAnomalyType#MISSING_ACCOUNT},
 * {@link BankAnomalyType#UNKNOWN_ACCOUNT}), balances adding up to the initial total
 * ({@link BankAnomalyType#WRONG_TOTAL}) and no negative balance
 * ({@link BankAnomalyType#NEGATIVE_BALANCE}). Reads that failed or whose outcome is unknown
 * returned nothing and are not checked; transfers of any outcome are only counted, as the rules
 * hold whether or not an indeterminate transfer happened. Optionally, the same rules are applied
 * to a final state (for example read from every replica after the run).
 *
 * <p>Usage:
 * <pre>{@code
 * var result = new BankChecker(Set.of(0, 1, 2, 3), 400).check(HistoryReader.read(file), finalBalances);
 * if (!result.isValid()) { System.err.println(result.summary()); }
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@code check} may run concurrently on different histories.
 */
public final class BankChecker
{
    private final TreeSet<Integer> accounts;
    private final long initialTotal;

    /**
     * @param accounts     the account ids of the bank, non-empty, non-negative.
     * @param initialTotal the sum of all balances before the run.
     * @throws IllegalArgumentException if the account set is empty or holds a negative id.
     */
    public BankChecker(final Set<Integer> accounts, final long initialTotal)
    {
        if (accounts.isEmpty())
        {
            throw new IllegalArgumentException("accounts must not be empty");
        }
        final TreeSet<Integer> copy = new TreeSet<>();
        for (final Integer account : accounts)
        {
            if (Objects.requireNonNull(account, "account") < 0)
            {
                throw new IllegalArgumentException("account ids must be non-negative, got " + account);
            }
            copy.add(account);
        }
        this.accounts = copy;
        this.initialTotal = initialTotal;
    }

    /**
     * Checks every ok read of the history.
     *
     * @param history a bank history.
     * @return the verdict.
     * @throws IllegalArgumentException if the history holds a list-append transaction.
     */
    public CheckResult<BankAnomalyType, BankAnomaly, BankHistoryStats> check(final History history)
    {
        return check(history, null);
    }

    /**
     * Checks every ok read of the history and the final state.
     *
     * @param history       a bank history.
     * @param finalBalances balance by account after the run, or {@code null} to check only the history.
     * @return the verdict.
     * @throws IllegalArgumentException if the history holds a list-append transaction.
     */
    public CheckResult<BankAnomalyType, BankAnomaly, BankHistoryStats> check(
        final History history, final Map<Integer, Long> finalBalances)
    {
        final Collector collector = new Collector();
        int violatingReads = 0;
        for (final Operation op : history.operations())
        {
            if (op.f() == OpFunction.TXN)
            {
                throw new IllegalArgumentException("not a bank history: " + op.name() + " is a list-append transaction");
            }
            if (op.f() == OpFunction.READ && op.outcome() == EventType.OK)
            {
                final long before = collector.total;
                checkBalances(((OpValue.Balances)op.value()).balances(), op, collector);
                if (collector.total != before)
                {
                    violatingReads++;
                }
            }
        }
        if (finalBalances != null)
        {
            checkBalances(new TreeMap<>(finalBalances), null, collector);
        }
        return collector.out.result(
            BankHistoryStats.of(initialTotal, accounts.size(), history, violatingReads, finalBalances != null));
    }

    private void checkBalances(final SortedMap<Integer, Long> balances, final Operation read, final Collector collector)
    {
        final String what = read == null ? "final state" : "read " + read.name() + " by process " + read.process() +
            " (invoked at " + read.invokeTimeNs() + " ns, completed at " + read.completeTimeNs() + " ns)";
        long sum = 0;
        boolean overflow = false;
        final Set<Integer> unknown = new TreeSet<>();
        final Set<Integer> negative = new TreeSet<>();
        for (final Map.Entry<Integer, Long> e : balances.entrySet())
        {
            final long balance = Objects.requireNonNull(e.getValue(), "balance");
            try
            {
                sum = Math.addExact(sum, balance);
            }
            catch (final ArithmeticException ex)
            {
                overflow = true;
            }
            if (!accounts.contains(e.getKey()))
            {
                unknown.add(e.getKey());
            }
            if (balance < 0)
            {
                negative.add(e.getKey());
            }
        }
        final Set<Integer> missing = new TreeSet<>(accounts);
        missing.removeAll(balances.keySet());

        if (!missing.isEmpty())
        {
            collector.add(BankAnomalyType.MISSING_ACCOUNT, read, sum,
                what + " lacks accounts " + missing + "; saw " + brief(balances));
        }
        if (!unknown.isEmpty())
        {
            collector.add(BankAnomalyType.UNKNOWN_ACCOUNT, read, sum,
                what + " has accounts " + unknown + " that are not part of the bank; saw " + brief(balances));
        }
        if (overflow || sum != initialTotal)
        {
            collector.add(BankAnomalyType.WRONG_TOTAL, read, sum, what + " sums to " +
                (overflow ? "more than a long holds" : Long.toString(sum)) + ", expected " + initialTotal +
                (overflow ? "" : " (off by " + (sum - initialTotal) + ")") + "; saw " + brief(balances));
        }
        if (!negative.isEmpty())
        {
            final Map<Integer, Long> negatives = new TreeMap<>();
            negative.forEach((a) -> negatives.put(a, balances.get(a)));
            collector.add(BankAnomalyType.NEGATIVE_BALANCE, read, sum,
                what + " has negative balances " + negatives);
        }
    }

    private static String brief(final SortedMap<Integer, Long> balances)
    {
        if (balances.size() <= 32)
        {
            return balances.toString();
        }
        final StringBuilder sb = new StringBuilder("{");
        int i = 0;
        for (final Map.Entry<Integer, Long> e : balances.entrySet())
        {
            if (i++ == 32)
            {
                sb.append(", ... ").append(balances.size() - 32).append(" more");
                break;
            }
            sb.append(i > 1 ? ", " : "").append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.append('}').toString();
    }

    /** Accumulates anomalies during one check. Not thread-safe. */
    private static final class Collector
    {
        private final CheckResult.Collector<BankAnomalyType, BankAnomaly> out =
            new CheckResult.Collector<>(BankAnomalyType.class);
        private long total;

        void add(final BankAnomalyType type, final Operation read, final long observedTotal, final String description)
        {
            total++;
            if (out.count(type))
            {
                out.keep(read == null ?
                    new BankAnomaly(type, BankAnomaly.FINAL_STATE, BankAnomaly.FINAL_STATE, 0, 0, observedTotal,
                        description) :
                    new BankAnomaly(type, read.index(), read.process(), read.invokeTimeNs(), read.completeTimeNs(),
                        observedTotal, description));
            }
        }
    }
}
