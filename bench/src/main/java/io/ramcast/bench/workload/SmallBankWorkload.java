package io.ramcast.bench.workload;

import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SmallBank (Cahill, Röhm, Fekete, SIGMOD 2008; OLTPBench/BenchBase): {@code records} customers,
 * each with an Accounts, a Savings and a Checking row on one partition ({@link SmallBankCustomer}),
 * and the six procedures of {@link SmallBankProcedures} in the standard mix (amalgamate 15 %,
 * balance 15 %, deposit-checking 15 %, send-payment 25 %, transact-savings 15 %, write-check 15 %).
 * Amalgamate and send-payment name two distinct customers, so with hash partitioning they are
 * multi-partition whenever the two live on different partitions; the settings'
 * {@code multiPartitionFraction}, {@code maxPartitions}, {@code keyDistribution} and
 * {@code valueSizeBytes} are ignored.
 *
 * <p>Amounts are the fixed ones of the original code as BenchBase keeps them, in cents:
 * send-payment {@value #SEND_PAYMENT_CENTS}, deposit-checking {@value #DEPOSIT_CHECKING_CENTS},
 * transact-savings {@value #TRANSACT_SAVINGS_CENTS}, write-check {@value #WRITE_CHECK_CENTS}.
 *
 * <p>Customer choice ({@code --param}): {@code hotspot=N} (default {@value #DEFAULT_HOTSPOT}) hot
 * customers, ids 0..N-1, receive a share {@code hotspotFraction=F} (default 0.9) of the draws, the
 * other customers the rest, each uniformly; {@code hotspot=0}, or N at least {@code records},
 * draws uniformly over all customers. Each customer of a transaction is drawn so, the second one
 * again until it differs from the first.
 *
 * <p>Load: transaction {@code i} puts the three rows of customers {@code i*batchSize} up to
 * {@code (i+1)*batchSize - 1} (fewer in the last one), with fixed initial balances, uniform in
 * [{@value #MIN_INITIAL_BALANCE_CENTS}, {@value #MAX_INITIAL_BALANCE_CENTS}] cents and
 * deterministic per customer and row ({@link #initialSavingsCents}, {@link #initialCheckingCents}),
 * so loading again restores the initial state. A load transaction declares three keys and encodes
 * to about 75 bytes per customer, which must fit the cluster's limits: with the defaults
 * ({@code maxKeysPerTransaction} 256, {@code maxTransactionBytes} 7168) the key count binds, and
 * {@code batchSize} may be at most 85 (the load command's default of 32 fits).
 *
 * <p>Check: SmallBank keeps no global invariant the store alone can confirm (deposits,
 * transact-savings and write-check with its penalty change the total), so {@link #check} verifies
 * that every customer still has its three rows, the balances readable as 8-byte values, and reports
 * the total. The procedures' semantics and the conservation of the total against the committed
 * operations are verified by tests that know the outcome of every operation they ran
 * ({@code SmallBankClusterTest}, {@code SmallBankEndToEndTest}).
 *
 * <p>Stateless and thread-safe; generators are one per worker.
 */
public final class SmallBankWorkload implements BenchWorkload
{
    /** Name on the command line. */
    public static final String NAME = "smallbank";
    /** Customers when {@code --records} is not given. */
    public static final long DEFAULT_RECORDS = 10_000;
    /** Option: number of hot customers. */
    public static final String HOTSPOT = "hotspot";
    /** Option: share of customer draws that go to the hot customers. */
    public static final String HOTSPOT_FRACTION = "hotspotFraction";
    /** Hot customers unless {@value #HOTSPOT} says otherwise. */
    public static final int DEFAULT_HOTSPOT = 100;
    /** Hot share unless {@value #HOTSPOT_FRACTION} says otherwise. */
    public static final double DEFAULT_HOTSPOT_FRACTION = 0.9;

    /** Amount of send-payment, in cents. */
    public static final long SEND_PAYMENT_CENTS = 500;
    /** Amount of deposit-checking, in cents. */
    public static final long DEPOSIT_CHECKING_CENTS = 130;
    /** Amount of transact-savings, in cents. */
    public static final long TRANSACT_SAVINGS_CENTS = 2020;
    /** Amount of write-check, in cents. */
    public static final long WRITE_CHECK_CENTS = 500;

    /** Lowest initial balance, in cents. */
    public static final long MIN_INITIAL_BALANCE_CENTS = 1_000_000;
    /** Highest initial balance, in cents. */
    public static final long MAX_INITIAL_BALANCE_CENTS = 5_000_000;

    private static final long INITIAL_BALANCE_SEED = 0x5B_2008L;
    private static final int CHECK_ATTEMPTS = 3;
    private static final int MAX_REPORTED_PROBLEMS = 5;
    private static final Set<String> OPTIONS = Set.of(HOTSPOT, HOTSPOT_FRACTION);

    /**
     * The validated SmallBank view of the settings.
     *
     * @param hotCustomers    hot customers, in [0, records]; 0 or records means uniform.
     * @param hotspotFraction share of draws that go to the hot customers, in [0, 1].
     */
    record Options(long hotCustomers, double hotspotFraction)
    {
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public String description()
    {
        return "SmallBank (Cahill et al. 2008): savings and checking per customer, six transactions in the " +
            "standard mix, 40 % of them over two customers";
    }

    @Override
    public long loadTransactionCount(final WorkloadSettings settings)
    {
        options(settings);
        return (settings.records() + settings.batchSize() - 1) / settings.batchSize();
    }

    @Override
    public Transaction loadTransaction(final long index, final WorkloadSettings settings)
    {
        final long count = loadTransactionCount(settings);
        if (index < 0 || index >= count)
        {
            throw new IllegalArgumentException("load transaction index " + index + " is not in [0, " + count + ")");
        }
        final long first = index * settings.batchSize();
        final long end = Math.min(first + settings.batchSize(), settings.records());
        final Transaction.Builder t = Transaction.builder();
        for (long id = first; id < end; id++)
        {
            final SmallBankCustomer customer = SmallBankCustomer.placed(id, settings.partitioner());
            t.put(customer.accountKey(), customer.name());
            t.put(customer.savingsKey(), SmallBankProcedures.encodeBalance(initialSavingsCents(id)));
            t.put(customer.checkingKey(), SmallBankProcedures.encodeBalance(initialCheckingCents(id)));
        }
        return t.build();
    }

    @Override
    public OperationGenerator newGenerator(final WorkloadSettings settings, final int worker, final long seed)
    {
        final Options options = options(settings);
        return new SmallBankGenerator(settings.partitioner(), settings.records(), options.hotCustomers(),
            options.hotspotFraction(), seed);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: reads every customer's three rows, {@code batchSize} customers per transaction, and
     * passes if every row exists and every balance is 8 bytes. An unknown outcome is retried with
     * the same request id, {@value #CHECK_ATTEMPTS} attempts in all.
     *
     * @throws IllegalArgumentException if the settings are invalid.
     */
    @Override
    public WorkloadCheck check(final KvClient client, final WorkloadSettings settings)
    {
        options(settings);
        final List<String> problems = new ArrayList<>();
        long problemCount = 0;
        long totalCents = 0;
        long overdrawn = 0;
        for (long first = 0; first < settings.records(); first += settings.batchSize())
        {
            final long end = Math.min(first + settings.batchSize(), settings.records());
            final List<SmallBankCustomer> customers = new ArrayList<>();
            final Transaction.Builder t = Transaction.builder();
            for (long id = first; id < end; id++)
            {
                final SmallBankCustomer customer = SmallBankCustomer.placed(id, settings.partitioner());
                customers.add(customer);
                t.get(customer.accountKey()).get(customer.savingsKey()).get(customer.checkingKey());
            }
            final TxnOutcome outcome = executeDefinite(client, t.build());
            if (!(outcome instanceof TxnOutcome.Committed committed))
            {
                return new WorkloadCheck(false, "reading customers " + first + ".." + (end - 1) + " did not commit: " + outcome);
            }
            final List<Result> results = committed.results();
            for (int i = 0; i < customers.size(); i++)
            {
                final SmallBankCustomer customer = customers.get(i);
                final String problem = rowProblem(customer, results.get(3 * i), results.get(3 * i + 1), results.get(3 * i + 2));
                if (problem != null)
                {
                    problemCount++;
                    if (problems.size() < MAX_REPORTED_PROBLEMS)
                    {
                        problems.add(problem);
                    }
                    continue;
                }
                final long checking = SmallBankProcedures.decodeBalance(((Result.Value)results.get(3 * i + 2)).value());
                totalCents += SmallBankProcedures.decodeBalance(((Result.Value)results.get(3 * i + 1)).value()) + checking;
                overdrawn += checking < 0 ? 1 : 0;
            }
        }
        if (problemCount > 0)
        {
            return new WorkloadCheck(false, problemCount + " of " + settings.records() +
                " SmallBank customers lack a row or hold a malformed balance, e.g. " + String.join("; ", problems));
        }
        return new WorkloadCheck(true, "all " + settings.records() + " SmallBank customers have their three rows; " +
            "total balance " + totalCents + " cents (initially " + initialTotalCents(settings.records()) + "), " +
            overdrawn + " checking accounts overdrawn");
    }

    private static String rowProblem(final SmallBankCustomer customer, final Result account, final Result savings,
        final Result checking)
    {
        if (((Result.Value)account).value() == null)
        {
            return "customer " + customer.id() + " has no account row";
        }
        final String savingsProblem = balanceProblem(savings);
        if (savingsProblem != null)
        {
            return "customer " + customer.id() + " savings: " + savingsProblem;
        }
        final String checkingProblem = balanceProblem(checking);
        return checkingProblem == null ? null : "customer " + customer.id() + " checking: " + checkingProblem;
    }

    private static String balanceProblem(final Result result)
    {
        final byte[] value = ((Result.Value)result).value();
        return value == null ? "missing" : value.length != Long.BYTES ? value.length + " bytes, not 8" : null;
    }

    private static TxnOutcome executeDefinite(final KvClient client, final Transaction transaction)
    {
        TxnOutcome outcome = client.execute(transaction);
        for (int attempt = 1; attempt < CHECK_ATTEMPTS && outcome instanceof TxnOutcome.Unknown unknown; attempt++)
        {
            outcome = client.execute(unknown.requestId(), transaction);
        }
        return outcome;
    }

    /**
     * @param id a customer id.
     * @return its initial savings balance in cents.
     */
    public static long initialSavingsCents(final long id)
    {
        return initialBalanceCents(id, 0);
    }

    /**
     * @param id a customer id.
     * @return its initial checking balance in cents.
     */
    public static long initialCheckingCents(final long id)
    {
        return initialBalanceCents(id, 1);
    }

    /**
     * @param records number of customers.
     * @return the sum of every initial balance of customers 0..records-1, in cents.
     */
    public static long initialTotalCents(final long records)
    {
        long total = 0;
        for (long id = 0; id < records; id++)
        {
            total += initialSavingsCents(id) + initialCheckingCents(id);
        }
        return total;
    }

    /** SplitMix64's finalizer over (seed, id, row): well spread, and the same in every process. */
    private static long initialBalanceCents(final long id, final int row)
    {
        long z = INITIAL_BALANCE_SEED + (2 * id + row + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return MIN_INITIAL_BALANCE_CENTS + Long.remainderUnsigned(z, MAX_INITIAL_BALANCE_CENTS - MIN_INITIAL_BALANCE_CENTS + 1);
    }

    /**
     * Validates the settings SmallBank uses.
     *
     * @param settings the run's settings.
     * @return the SmallBank options.
     * @throws IllegalArgumentException naming the field, its value and the rule it breaks.
     */
    static Options options(final WorkloadSettings settings)
    {
        if (settings.partitioner() == null)
        {
            throw new IllegalArgumentException("smallbank needs the cluster's partitioner");
        }
        if (settings.records() < 2)
        {
            throw new IllegalArgumentException("records=" + settings.records() +
                ": smallbank needs at least 2 customers (amalgamate and send-payment name two)");
        }
        if (settings.batchSize() < 1)
        {
            throw new IllegalArgumentException("batchSize=" + settings.batchSize() + " must be at least 1");
        }
        for (final String key : settings.extra().keySet())
        {
            if (!OPTIONS.contains(key))
            {
                throw new IllegalArgumentException("unknown smallbank option " + key + "=" + settings.extra().get(key) +
                    "; known: " + HOTSPOT + ", " + HOTSPOT_FRACTION);
            }
        }
        final Map<String, String> extra = settings.extra();
        final long hotspot;
        final double fraction;
        try
        {
            hotspot = extra.containsKey(HOTSPOT) ? Long.parseLong(extra.get(HOTSPOT).trim()) : DEFAULT_HOTSPOT;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(HOTSPOT + "=" + extra.get(HOTSPOT) + " must be a whole number", ex);
        }
        try
        {
            fraction = extra.containsKey(HOTSPOT_FRACTION) ?
                Double.parseDouble(extra.get(HOTSPOT_FRACTION).trim()) : DEFAULT_HOTSPOT_FRACTION;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(HOTSPOT_FRACTION + "=" + extra.get(HOTSPOT_FRACTION) + " must be a number", ex);
        }
        if (hotspot < 0)
        {
            throw new IllegalArgumentException(HOTSPOT + "=" + hotspot + " must be at least 0 (0: uniform)");
        }
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new IllegalArgumentException(HOTSPOT_FRACTION + "=" + extra.get(HOTSPOT_FRACTION) + " must be in [0, 1]");
        }
        return new Options(Math.min(hotspot, settings.records()), fraction);
    }
}
