package io.ramcast.bench.workload;

import io.ramcast.check.history.BankChecker;
import io.ramcast.check.history.EventType;
import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.OpFunction;
import io.ramcast.check.history.OpValue;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The bank (see {@link BankWorkload}) as a bench workload: {@code records} accounts with the keys
 * and the {@link BankProcedures#TRANSFER} procedure of the {@code bank} command, so either can
 * check what the other did.
 *
 * <ul>
 *   <li>Load: every account set to the initial balance, {@code batchSize} accounts of one partition
 *       per transaction. Idempotent in the sense of the SPI: a second load writes the same values
 *       (and so also resets balances that transfers moved).</li>
 *   <li>Operations: {@code transfer} (share 1 - read fraction): an amount in
 *       [1, max(1, initialBalance / 2)] between two accounts on two different partitions (on two
 *       different accounts if the cluster has one partition); the procedure aborts on insufficient
 *       funds (not committed, {@code PROCEDURE_ABORTED}). {@code read-all}: every account in one
 *       transaction over every partition holding accounts.</li>
 *   <li>{@link #check}: a read of every account sees exactly accounts x initial balance and no
 *       negative balance.</li>
 *   <li>History ({@link HistoryRecording}): transfers and reads in the bank vocabulary (process =
 *       worker), checked with {@link BankChecker}: every ok read saw the exact total.</li>
 * </ul>
 *
 * <p>Settings: {@code records} = accounts in [2, {@value #MAX_ACCOUNTS}] (a read of every account
 * must fit in one transaction); {@code --param initialBalance=N} (default
 * {@value #DEFAULT_INITIAL_BALANCE}, at least 1) and {@code --param readFraction=F} (default
 * {@value #DEFAULT_READ_FRACTION}, in [0, 1]); the key distribution, value size and
 * multi-partition settings do not apply (transfers always span two partitions).
 *
 * <p>Threading: stateless apart from an immutable account index built on first use; history
 * methods are safe from any thread. Generators are per worker.
 */
public final class BankBenchWorkload implements BenchWorkload, HistoryRecording
{
    /** The workload's name. */
    public static final String NAME = "bank";
    /** Accounts unless {@code --records} says otherwise (as the {@code bank} command). */
    public static final long DEFAULT_ACCOUNTS = 12;
    /** Most accounts: a read of every account is one transaction. */
    public static final int MAX_ACCOUNTS = 200;
    /** {@code --param} key of the initial balance. */
    public static final String INITIAL_BALANCE = "initialBalance";
    /** {@code --param} key of the share of whole-bank reads. */
    public static final String READ_FRACTION = "readFraction";
    /** Balance each account starts with unless {@value #INITIAL_BALANCE} says otherwise. */
    public static final long DEFAULT_INITIAL_BALANCE = 1000;
    /** Share of whole-bank reads unless {@value #READ_FRACTION} says otherwise. */
    public static final double DEFAULT_READ_FRACTION = 0.1;
    /** Type label of a transfer. */
    public static final String TRANSFER = "transfer";
    /** Type label of a read of every account. */
    public static final String READ_ALL = "read-all";

    /** Attempts of the check's read when its outcome is unknown. */
    private static final int CHECK_ATTEMPTS = 3;

    private volatile PartitionedRecords accounts;

    /** The parsed workload-specific settings. */
    private record Params(int accounts, long initialBalance, double readFraction)
    {
        long total()
        {
            return accounts * initialBalance;
        }
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public String description()
    {
        return "transfers between accounts on different partitions and reads of every account; " +
            "the total never changes";
    }

    @Override
    public long loadTransactionCount(final WorkloadSettings settings)
    {
        params(settings);
        return accounts(settings).chunkCount(settings.batchSize());
    }

    @Override
    public Transaction loadTransaction(final long index, final WorkloadSettings settings)
    {
        final Params params = params(settings);
        final Transaction.Builder t = Transaction.builder();
        for (final int account : accounts(settings).chunk(index, settings.batchSize()))
        {
            t.put(BankWorkload.accountKey(account), BankWorkload.encode(params.initialBalance()));
        }
        return t.build();
    }

    @Override
    public OperationGenerator newGenerator(final WorkloadSettings settings, final int worker, final long seed)
    {
        return new Generator(params(settings), accounts(settings), new SplittableRandom(seed));
    }

    /**
     * Reads every account in one transaction, retrying with the same request id while the outcome
     * is unknown (at most {@value #CHECK_ATTEMPTS} attempts). Blocks for at most about that many
     * request timeouts.
     */
    @Override
    public WorkloadCheck check(final KvClient client, final WorkloadSettings settings)
    {
        final Params params = params(settings);
        final Transaction read = readAll(params.accounts());
        TxnOutcome outcome = client.execute(read);
        for (int attempt = 1; attempt < CHECK_ATTEMPTS && outcome instanceof TxnOutcome.Unknown unknown; attempt++)
        {
            outcome = client.execute(unknown.requestId(), read);
        }
        if (!(outcome instanceof TxnOutcome.Committed committed))
        {
            return new WorkloadCheck(false, "bank: the read of every account did not commit: " + outcome);
        }
        final Map<Integer, Long> balances = balances(committed.results());
        if (balances.size() != params.accounts())
        {
            final Set<Integer> missing = IntStream.range(0, params.accounts()).boxed()
                .filter(a -> !balances.containsKey(a)).collect(Collectors.toCollection(TreeSet::new));
            return new WorkloadCheck(false, "bank: accounts " + missing + " hold no balance; load the bank first");
        }
        final long total = balances.values().stream().mapToLong(Long::longValue).sum();
        final long min = balances.values().stream().mapToLong(Long::longValue).min().orElse(0);
        final boolean passed = total == params.total() && min >= 0;
        return new WorkloadCheck(passed, "bank: a read of all " + params.accounts() + " accounts sees total " + total +
            " (expected " + params.total() + "), lowest balance " + min);
    }

    @Override
    public HistoryEvent invocation(final int process, final OperationGenerator.PlannedOperation op, final long timeNs)
    {
        return switch (op.type())
        {
            case TRANSFER -> HistoryEvent.invoke(process, OpFunction.TRANSFER, transfer(op.transaction()), timeNs);
            case READ_ALL -> HistoryEvent.invoke(process, OpFunction.READ, null, timeNs);
            default -> null;
        };
    }

    @Override
    public HistoryEvent completion(final int process, final OperationGenerator.PlannedOperation op,
        final TxnOutcome outcome, final long timeNs)
    {
        final EventType type = outcome instanceof TxnOutcome.Committed ? EventType.OK :
            outcome instanceof TxnOutcome.NotCommitted ? EventType.FAIL : EventType.INFO;
        if (op.type().equals(TRANSFER))
        {
            return HistoryEvent.complete(process, type, OpFunction.TRANSFER, transfer(op.transaction()), timeNs);
        }
        final OpValue value = outcome instanceof TxnOutcome.Committed committed ?
            OpValue.Balances.of(balances(committed.results())) : null;
        return HistoryEvent.complete(process, type, OpFunction.READ, value, timeNs);
    }

    @Override
    public WorkloadCheck checkHistory(final History history, final WorkloadSettings settings)
    {
        final Params params = params(settings);
        final Set<Integer> ids = new HashSet<>();
        for (int a = 0; a < params.accounts(); a++)
        {
            ids.add(a);
        }
        final var result = new BankChecker(ids, params.total()).check(history);
        return new WorkloadCheck(result.isValid(), result.summary().stripTrailing());
    }

    /**
     * @param accounts number of accounts.
     * @return one transaction reading every account, in account order.
     */
    static Transaction readAll(final int accounts)
    {
        final Transaction.Builder t = Transaction.builder();
        for (int a = 0; a < accounts; a++)
        {
            t.get(BankWorkload.accountKey(a));
        }
        return t.build();
    }

    /** Balances from the results of {@link #readAll}; absent accounts are left out. */
    private static Map<Integer, Long> balances(final List<Result> results)
    {
        final Map<Integer, Long> balances = new TreeMap<>();
        for (int a = 0; a < results.size(); a++)
        {
            if (results.get(a) instanceof Result.Value v && v.value() != null)
            {
                balances.put(a, BankWorkload.balance(v.value()));
            }
        }
        return balances;
    }

    private static OpValue.Transfer transfer(final Transaction transaction)
    {
        final ByteBuffer args = ByteBuffer.wrap(transaction.procedureArguments());
        return new OpValue.Transfer(args.getInt(), args.getInt(), args.getLong());
    }

    private PartitionedRecords accounts(final WorkloadSettings settings)
    {
        PartitionedRecords index = accounts;
        if (index == null || !index.isFor(settings.partitioner(), settings.records()))
        {
            synchronized (this)
            {
                index = accounts;
                if (index == null || !index.isFor(settings.partitioner(), settings.records()))
                {
                    index = PartitionedRecords.build(settings.partitioner(), settings.records(),
                        a -> BankWorkload.accountKey((int)a));
                    accounts = index;
                }
            }
        }
        return index;
    }

    /**
     * @throws IllegalArgumentException naming the option out of range.
     */
    private static Params params(final WorkloadSettings settings)
    {
        if (settings.records() < 2 || settings.records() > MAX_ACCOUNTS)
        {
            throw new IllegalArgumentException("--records=" + settings.records() + " must be in [2, " + MAX_ACCOUNTS +
                "] for the bank (accounts; a read of every account is one transaction)");
        }
        if (settings.batchSize() < 1)
        {
            throw new IllegalArgumentException("--batch=" + settings.batchSize() + " must be at least 1");
        }
        long initialBalance = DEFAULT_INITIAL_BALANCE;
        double readFraction = DEFAULT_READ_FRACTION;
        for (final Map.Entry<String, String> e : settings.extra().entrySet())
        {
            final String where = "--param " + e.getKey() + "=" + e.getValue();
            try
            {
                switch (e.getKey())
                {
                    case INITIAL_BALANCE -> initialBalance = Long.parseLong(e.getValue().trim());
                    case READ_FRACTION -> readFraction = Double.parseDouble(e.getValue().trim());
                    default -> throw new IllegalArgumentException(where + ": the bank knows only " + INITIAL_BALANCE +
                        " and " + READ_FRACTION);
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(where + ": not a number", ex);
            }
        }
        if (initialBalance < 1 || initialBalance > Long.MAX_VALUE / MAX_ACCOUNTS)
        {
            throw new IllegalArgumentException("--param " + INITIAL_BALANCE + "=" + initialBalance + " must be in [1, " +
                Long.MAX_VALUE / MAX_ACCOUNTS + "]");
        }
        if (!(readFraction >= 0 && readFraction <= 1))
        {
            throw new IllegalArgumentException("--param " + READ_FRACTION + "=" + readFraction + " must be in [0, 1]");
        }
        return new Params((int)settings.records(), initialBalance, readFraction);
    }

    /** One worker's transfers and reads. Not thread-safe. */
    private static final class Generator implements OperationGenerator
    {
        private final Params params;
        private final PartitionedRecords accounts;
        private final SplittableRandom random;
        private final Transaction readAll;
        private final int readAllPartitions;
        private final long maxAmount;

        Generator(final Params params, final PartitionedRecords accounts, final SplittableRandom random)
        {
            this.params = params;
            this.accounts = accounts;
            this.random = random;
            this.readAll = readAll(params.accounts());
            this.readAllPartitions = accounts.nonEmptyPartitionCount();
            this.maxAmount = Math.max(1, params.initialBalance() / 2);
        }

        @Override
        public PlannedOperation next()
        {
            if (random.nextDouble() < params.readFraction())
            {
                return new PlannedOperation(READ_ALL, readAll, readAllPartitions);
            }
            final int from;
            final int to;
            final int n = accounts.nonEmptyPartitionCount();
            if (n >= 2)
            {
                final int i = random.nextInt(n);
                final int j = (i + 1 + random.nextInt(n - 1)) % n;
                from = account(accounts.nonEmptyPartition(i));
                to = account(accounts.nonEmptyPartition(j));
            }
            else
            {
                from = random.nextInt(params.accounts());
                to = (from + 1 + random.nextInt(params.accounts() - 1)) % params.accounts();
            }
            final long amount = random.nextLong(1, maxAmount + 1);
            final byte[] args = ByteBuffer.allocate(16).putInt(from).putInt(to).putLong(amount).array();
            final byte[] fromKey = BankWorkload.accountKey(from);
            final byte[] toKey = BankWorkload.accountKey(to);
            return new PlannedOperation(TRANSFER, Transaction.procedure(BankProcedures.TRANSFER, args)
                .reads(fromKey, toKey).writes(fromKey, toKey).build(), n >= 2 ? 2 : 1);
        }

        private int account(final int partition)
        {
            return (int)accounts.record(partition, random.nextInt(accounts.count(partition)));
        }
    }
}
