package io.ramcast.check.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks that no transfer acknowledged as committed was lost: the final balances of a bank must
 * equal the initial balances plus the effect of every {@link EventType#OK ok} transfer of the
 * history plus the effect of some subset of the transfers whose outcome is unknown
 * ({@link EventType#INFO}, including transfers invoked and never completed, for example by a client
 * killed mid-request). Transfers that {@link EventType#FAIL failed} must have had no effect.
 *
 * <p>Where {@link BankChecker} only sees that money is conserved, this check sees where it went:
 * a committed transfer undone by a failover, or applied twice, leaves the final balances of its two
 * accounts unexplainable. The subset of unknown transfers is searched exhaustively (a Gray-code walk,
 * one step per subset), so the check decides only while there are at most
 * {@link #MAX_SEARCHED_UNKNOWN} unknown transfers; with more it reports itself undecided.
 *
 * <p>Immutable and thread-safe.
 */
public final class BankLedger
{
    /** Most unknown transfers whose subsets are searched: 2^24 steps, well under a second. */
    public static final int MAX_SEARCHED_UNKNOWN = 24;

    private final TreeMap<Integer, Long> initialBalances;

    /**
     * The verdict.
     *
     * @param decided          whether the check could decide (at most {@link #MAX_SEARCHED_UNKNOWN} unknown transfers).
     * @param explained        whether the final balances are explained (false when undecided).
     * @param okTransfers      transfers acknowledged as committed.
     * @param unknownTransfers transfers with an unknown outcome.
     * @param appliedUnknown   how many unknown transfers the explanation found applied, -1 if none found.
     * @param summary          one line saying what was found.
     */
    public record Result(
        boolean decided, boolean explained, int okTransfers, int unknownTransfers, int appliedUnknown, String summary)
    {
    }

    /**
     * @param initialBalances balance of every account before the run (keys are the account ids).
     * @throws IllegalArgumentException if there is no account.
     */
    public BankLedger(final Map<Integer, Long> initialBalances)
    {
        if (initialBalances.isEmpty())
        {
            throw new IllegalArgumentException("the bank needs at least one account");
        }
        this.initialBalances = new TreeMap<>(initialBalances);
    }

    /**
     * @param history       the merged history of every client of the run.
     * @param finalBalances every account's balance after the run.
     * @return the verdict.
     * @throws IllegalArgumentException if the final balances or a transfer name an account the bank
     *                                  does not have.
     */
    public Result check(final History history, final Map<Integer, Long> finalBalances)
    {
        if (!finalBalances.keySet().equals(initialBalances.keySet()))
        {
            throw new IllegalArgumentException("final balances are for accounts " + finalBalances.keySet() +
                ", the bank has " + initialBalances.keySet());
        }
        final List<Integer> accounts = new ArrayList<>(initialBalances.keySet());
        final long[] residual = new long[accounts.size()];
        for (int a = 0; a < residual.length; a++)
        {
            residual[a] = Objects.requireNonNull(finalBalances.get(accounts.get(a))) - initialBalances.get(accounts.get(a));
        }
        final List<OpValue.Transfer> unknown = new ArrayList<>();
        int ok = 0;
        for (final Operation op : history.operations())
        {
            if (op.f() != OpFunction.TRANSFER)
            {
                continue;
            }
            final OpValue.Transfer t = (OpValue.Transfer)op.value();
            index(accounts, t.from());
            index(accounts, t.to());
            if (op.outcome() == EventType.OK)
            {
                ok++;
                residual[index(accounts, t.from())] += t.amount();
                residual[index(accounts, t.to())] -= t.amount();
            }
            else if (op.outcome() == EventType.INFO)
            {
                unknown.add(t);
            }
        }
        // residual: what the final state holds beyond the committed transfers; only unknown ones may explain it
        if (unknown.size() > MAX_SEARCHED_UNKNOWN)
        {
            final boolean zero = mismatches(residual, new long[residual.length]) == 0;
            return new Result(zero, zero, ok, unknown.size(), zero ? 0 : -1, zero ?
                "final balances = initial + " + ok + " committed transfers, none of " + unknown.size() + " unknown applied" :
                "undecided: " + unknown.size() + " transfers have an unknown outcome, more than the " +
                    MAX_SEARCHED_UNKNOWN + " whose subsets can be searched");
        }
        final int applied = search(accounts, residual, unknown);
        if (applied >= 0)
        {
            return new Result(true, true, ok, unknown.size(), applied, "final balances = initial + " + ok +
                " committed transfers + " + applied + " of " + unknown.size() + " transfers with unknown outcome");
        }
        final Map<Integer, Long> off = new TreeMap<>();
        for (int a = 0; a < residual.length; a++)
        {
            if (residual[a] != 0)
            {
                off.put(accounts.get(a), residual[a]);
            }
        }
        return new Result(true, false, ok, unknown.size(), -1, "no subset of the " + unknown.size() +
            " transfers with unknown outcome explains the final balances; beyond initial + " + ok +
            " committed transfers they differ by " + off + " (a committed transfer lost or applied twice?)");
    }

    /** @return how many unknown transfers a subset explaining the residual applies, or -1 if none does. */
    private static int search(final List<Integer> accounts, final long[] residual, final List<OpValue.Transfer> unknown)
    {
        final int n = unknown.size();
        final int[] from = new int[n];
        final int[] to = new int[n];
        for (int i = 0; i < n; i++)
        {
            from[i] = index(accounts, unknown.get(i).from());
            to[i] = index(accounts, unknown.get(i).to());
        }
        final long[] sum = new long[residual.length];
        final boolean[] in = new boolean[n];
        int mismatches = mismatches(residual, sum);
        int applied = 0;
        if (mismatches == 0)
        {
            return 0;
        }
        // Gray code: step k flips the transfer of k's lowest set bit, visiting every subset once
        for (long k = 1; k < 1L << n; k++)
        {
            final int i = Long.numberOfTrailingZeros(k);
            final long delta = in[i] ? -unknown.get(i).amount() : unknown.get(i).amount();
            in[i] = !in[i];
            applied += in[i] ? 1 : -1;
            mismatches += move(sum, residual, from[i], -delta) + move(sum, residual, to[i], delta);
            if (mismatches == 0)
            {
                return applied;
            }
        }
        return -1;
    }

    /** Adds delta to sum[a]; @return the change in the number of accounts where sum and residual differ. */
    private static int move(final long[] sum, final long[] residual, final int a, final long delta)
    {
        final boolean before = sum[a] != residual[a];
        sum[a] += delta;
        final boolean after = sum[a] != residual[a];
        return (after ? 1 : 0) - (before ? 1 : 0);
    }

    private static int mismatches(final long[] residual, final long[] sum)
    {
        int count = 0;
        for (int a = 0; a < residual.length; a++)
        {
            count += residual[a] != sum[a] ? 1 : 0;
        }
        return count;
    }

    private static int index(final List<Integer> accounts, final int account)
    {
        final int i = java.util.Collections.binarySearch(accounts, account);
        if (i < 0)
        {
            throw new IllegalArgumentException("a transfer names account " + account + ", the bank has " + accounts);
        }
        return i;
    }
}
