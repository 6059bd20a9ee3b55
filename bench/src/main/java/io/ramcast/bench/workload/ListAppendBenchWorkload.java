package io.ramcast.bench.workload;

import io.ramcast.check.history.EventType;
import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryEvent;
import io.ramcast.check.history.ListAppendChecker;
import io.ramcast.check.history.MicroOp;
import io.ramcast.check.history.OpFunction;
import io.ramcast.check.history.OpValue;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Destinations;
import io.ramcast.txn.Partitioner;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The list-append workload (in the style of Elle) as a bench workload: random transactions of
 * append and read micro-ops over {@code records} key slots spread over every partition
 * ({@link ListAppendKeys}), run as the {@link ListAppendProcedures#TXN} procedure, recorded as
 * {@code txn} operations and checked by {@link ListAppendChecker} for serializability and
 * real-time (strict serializability) anomalies.
 *
 * <ul>
 *   <li>Load: nothing (an absent key is the empty list); {@code --load} is a no-op.</li>
 *   <li>Operations: one type, {@value #TXN_TYPE}: 1 to {@code maxMicroOps} micro-ops, each an
 *       append of a value unique in the run or a read of a whole list.</li>
 *   <li>History ({@link HistoryRecording}, {@link #needsHistory() always recorded}): ok with the
 *       lists read, fail (definitely not committed), info (unknown outcome); the check is the
 *       list-append checker's verdict, its anomalies in the report.</li>
 * </ul>
 *
 * <p>Settings: {@code records} = key slots in [1, {@value #MAX_KEYS}] (default {@value #DEFAULT_KEYS});
 * {@code --param maxMicroOps=N} (default {@value #DEFAULT_MAX_MICRO_OPS}, in [1,
 * {@value ListAppendProcedures#MAX_MICRO_OPS}]) and {@code --param maxListLength=N} (default
 * {@value #DEFAULT_MAX_LIST_LENGTH}, at least 1: appends to one key before its slot moves to a fresh
 * key) and {@code --param run=NAME} (the run's key namespace: keys are {@code la/<NAME>/<slot>.<n>};
 * default a random one, so that a run never reads the lists of an earlier one). A list reaches {@code maxListLength + maxMicroOps - 1} elements of 8 bytes, which must fit
 * the cluster's value limit. The key distribution, value size and multi-partition settings do not
 * apply.
 *
 * <p>Threading: the keys of a run are shared by its generators and built on first use; history
 * methods are safe from any thread. Generators are per worker.
 */
public final class ListAppendBenchWorkload implements BenchWorkload, HistoryRecording
{
    /** The workload's name. */
    public static final String NAME = "list-append";
    /** Key slots unless {@code --records} says otherwise. */
    public static final long DEFAULT_KEYS = 8;
    /** Most key slots. */
    public static final int MAX_KEYS = 100_000;
    /** {@code --param} key of the most micro-ops per transaction. */
    public static final String MAX_MICRO_OPS = "maxMicroOps";
    /** {@code --param} key of the appends to one key before its slot moves on. */
    public static final String MAX_LIST_LENGTH = "maxListLength";
    /** {@code --param} key of the run's key namespace. */
    public static final String RUN = "run";
    /** Micro-ops per transaction at most, unless {@value #MAX_MICRO_OPS} says otherwise. */
    public static final int DEFAULT_MAX_MICRO_OPS = 4;
    /** Appends per key unless {@value #MAX_LIST_LENGTH} says otherwise. */
    public static final int DEFAULT_MAX_LIST_LENGTH = 200;
    /** Type label of a list-append transaction. */
    public static final String TXN_TYPE = "txn";

    private ListAppendKeys keys;
    private Params keysFor;
    private Partitioner keysPartitioner;

    /** The parsed workload-specific settings. */
    private record Params(int keys, int maxMicroOps, int maxListLength, String run)
    {
    }

    /** Names a run may use as its key namespace. */
    private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public String description()
    {
        return "transactions appending to and reading lists on every partition; the history is checked for " +
            "strict serializability";
    }

    @Override
    public long loadTransactionCount(final WorkloadSettings settings)
    {
        params(settings);
        return 0;
    }

    /**
     * @throws IllegalArgumentException always: the workload loads nothing.
     */
    @Override
    public Transaction loadTransaction(final long index, final WorkloadSettings settings)
    {
        throw new IllegalArgumentException(NAME + " loads nothing; load transaction " + index + " does not exist");
    }

    @Override
    public OperationGenerator newGenerator(final WorkloadSettings settings, final int worker, final long seed)
    {
        final ListAppendKeys runKeys = keys(settings);
        final Partitioner partitioner = settings.partitioner();
        final Random random = new Random(seed);
        return () ->
        {
            final Transaction t = ListAppendKeys.transactionOf(runKeys.randomMicroOps(random));
            return new OperationGenerator.PlannedOperation(TXN_TYPE, t, Destinations.of(t, partitioner).length);
        };
    }

    /** @return true: the workload's only check is the one of its history. */
    @Override
    public boolean needsHistory()
    {
        return true;
    }

    @Override
    public HistoryEvent invocation(final int process, final OperationGenerator.PlannedOperation op, final long timeNs)
    {
        return HistoryEvent.invoke(process, OpFunction.TXN, new OpValue.Txn(microOps(op)), timeNs);
    }

    /**
     * @throws IllegalStateException if a committed transaction's results are not one procedure
     *                               output holding one list per read.
     */
    @Override
    public HistoryEvent completion(final int process, final OperationGenerator.PlannedOperation op,
        final TxnOutcome outcome, final long timeNs)
    {
        final List<MicroOp> invoked = microOps(op);
        if (outcome instanceof TxnOutcome.Committed committed)
        {
            final List<Result> results = committed.results();
            if (results.size() != 1 || !(results.get(0) instanceof Result.Output output))
            {
                throw new IllegalStateException("transaction " + outcome.requestId() + " " + invoked +
                    " committed with results " + results + " where one procedure output was expected");
            }
            final List<MicroOp> completed;
            try
            {
                completed = ListAppendProcedures.decodeOutput(invoked, output.bytes());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalStateException("transaction " + outcome.requestId() + ": " + ex.getMessage(), ex);
            }
            return HistoryEvent.complete(process, EventType.OK, OpFunction.TXN, new OpValue.Txn(completed), timeNs);
        }
        final EventType type = outcome instanceof TxnOutcome.NotCommitted ? EventType.FAIL : EventType.INFO;
        return HistoryEvent.complete(process, type, OpFunction.TXN, new OpValue.Txn(invoked), timeNs);
    }

    @Override
    public WorkloadCheck checkHistory(final History history, final WorkloadSettings settings)
    {
        final var result = new ListAppendChecker().check(history);
        return new WorkloadCheck(result.isValid(), result.summary().stripTrailing());
    }

    private static List<MicroOp> microOps(final OperationGenerator.PlannedOperation op)
    {
        return ListAppendProcedures.decodeArguments(op.transaction().procedureArguments());
    }

    private synchronized ListAppendKeys keys(final WorkloadSettings settings)
    {
        final Params params = params(settings);
        if (keys == null || !params.equals(keysFor) || keysPartitioner != settings.partitioner())
        {
            final String run = params.run() != null ? params.run() :
                Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            keys = new ListAppendKeys(settings.partitioner(), ListAppendKeys.KEY_PREFIX + run + "/", params.keys(),
                params.maxMicroOps(), params.maxListLength());
            keysFor = params;
            keysPartitioner = settings.partitioner();
        }
        return keys;
    }

    /**
     * @throws IllegalArgumentException naming the option out of range.
     */
    private static Params params(final WorkloadSettings settings)
    {
        if (settings.records() < 1 || settings.records() > MAX_KEYS)
        {
            throw new IllegalArgumentException("--records=" + settings.records() + " must be in [1, " + MAX_KEYS +
                "] for " + NAME + " (key slots)");
        }
        int maxMicroOps = DEFAULT_MAX_MICRO_OPS;
        int maxListLength = DEFAULT_MAX_LIST_LENGTH;
        String run = null;
        for (final Map.Entry<String, String> e : settings.extra().entrySet())
        {
            final String where = "--param " + e.getKey() + "=" + e.getValue();
            try
            {
                switch (e.getKey())
                {
                    case MAX_MICRO_OPS -> maxMicroOps = Integer.parseInt(e.getValue().trim());
                    case MAX_LIST_LENGTH -> maxListLength = Integer.parseInt(e.getValue().trim());
                    case RUN -> run = e.getValue().trim();
                    default -> throw new IllegalArgumentException(where + ": " + NAME + " knows only " + MAX_MICRO_OPS +
                        ", " + MAX_LIST_LENGTH + " and " + RUN);
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(where + ": not a whole number", ex);
            }
        }
        if (maxMicroOps < 1 || maxMicroOps > ListAppendProcedures.MAX_MICRO_OPS)
        {
            throw new IllegalArgumentException("--param " + MAX_MICRO_OPS + "=" + maxMicroOps + " must be in [1, " +
                ListAppendProcedures.MAX_MICRO_OPS + "]");
        }
        if (maxListLength < 1)
        {
            throw new IllegalArgumentException("--param " + MAX_LIST_LENGTH + "=" + maxListLength + " must be at least 1");
        }
        if (run != null && !RUN_NAME.matcher(run).matches())
        {
            throw new IllegalArgumentException("--param " + RUN + "=" + run + " must be 1 to 32 letters, digits, '_' or '-'");
        }
        return new Params((int)settings.records(), maxMicroOps, maxListLength, run);
    }
}
