package io.ramcast.check.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cross-checks the list-append checker against an exhaustive search on thousands of small random
 * histories (up to five transactions over two keys, often a final reader of both keys, some reads
 * rewritten): whenever a serial order
 * explains a history (respecting real time, for strict serializability), the checker must find
 * nothing; whenever none does and every committed append was read by someone (the case the
 * checker's inference covers), the checker must report an anomaly.
 */
class ListAppendCheckerBruteForceTest
{
    private static final String[] KEYS = {"x", "y"};

    private final ListAppendChecker checker = new ListAppendChecker();

    @Test
    @Timeout(120)
    void shouldAgreeWithAnExhaustiveSearchForASerialOrder()
    {
        int serializableCount = 0;
        int strictCount = 0;
        int notSerializableCount = 0;
        int realtimeOnlyCount = 0;
        int uncovered = 0;
        for (long seed = 1; seed <= 4000; seed++)
        {
            final Small small = Small.random(seed);
            final History history = small.build();
            final var result = checker.check(history);
            final boolean serializable = small.explainable(false);
            final boolean strict = small.explainable(true);
            final String context = "seed " + seed + "\n" + history.operations() + "\n" + result.summary();

            if (strict)
            {
                strictCount++;
                assertThat(result.isValid()).as("false alarm, %s", context).isTrue();
            }
            if (serializable)
            {
                serializableCount++;
                assertThat(ListAppendAnomalyType.allRealtime(result.anomalyTypes())).as("false alarm, %s", context).isTrue();
            }
            if (!small.everyCommittedAppendObserved())
            {
                uncovered++;
                continue;
            }
            if (!serializable)
            {
                notSerializableCount++;
                assertThat(ListAppendAnomalyType.allRealtime(result.anomalyTypes())).as("missed, %s", context).isFalse();
            }
            else if (!strict)
            {
                realtimeOnlyCount++;
                assertThat(result.isValid()).as("missed, %s", context).isFalse();
            }
        }
        System.out.printf("strict %d, serializable %d, not serializable %d, real-time only %d, uncovered %d%n",
            strictCount, serializableCount, notSerializableCount, realtimeOnlyCount, uncovered);
        assertThat(notSerializableCount).isGreaterThan(200);
        assertThat(realtimeOnlyCount).isGreaterThan(20);
        assertThat(strictCount).isGreaterThan(200);
    }

    /** A small history: transactions with outcomes, times and read results. */
    private record Small(List<Txn> txns)
    {
        static Small random(final long seed)
        {
            final Random random = new Random(seed);
            final int count = 2 + random.nextInt(4);
            final Map<String, Integer> nextValue = new HashMap<>();
            final List<Txn> txns = new ArrayList<>();
            for (int t = 0; t < count; t++)
            {
                final int opCount = 1 + random.nextInt(3);
                final List<MicroOp> ops = new ArrayList<>();
                for (int i = 0; i < opCount; i++)
                {
                    final String key = KEYS[random.nextInt(KEYS.length)];
                    ops.add(random.nextBoolean() ?
                        MicroOp.append(key, nextValue.merge(key, 1, Integer::sum)) : MicroOp.pendingRead(key));
                }
                final int roll = random.nextInt(10);
                final EventType outcome = roll < 7 ? EventType.OK : roll < 9 ? EventType.INFO : EventType.FAIL;
                final long invoke = random.nextInt(40);
                txns.add(new Txn(t, outcome, invoke, invoke + 1 + random.nextInt(25), ops));
            }
            // Results from a random serial order of the transactions that take effect, then perhaps a rewritten read.
            final List<Txn> order = new ArrayList<>();
            for (final Txn t : txns)
            {
                if (t.outcome == EventType.OK || (t.outcome == EventType.INFO && random.nextBoolean()))
                {
                    order.add(random.nextInt(order.size() + 1), t);
                }
            }
            if (random.nextInt(3) > 0)
            {
                // A final reader of every key, as a workload's closing read would be.
                final Txn last = new Txn(count, EventType.OK, 100, 110,
                    List.of(MicroOp.pendingRead(KEYS[0]), MicroOp.pendingRead(KEYS[1])));
                txns.add(last);
                order.add(last);
            }
            final Map<String, List<Long>> state = new HashMap<>();
            for (final Txn t : order)
            {
                t.results = execute(state, t.ops);
            }
            final List<Txn> readers = txns.stream()
                .filter((t) -> t.outcome == EventType.OK && t.ops.stream().anyMatch((op) -> op instanceof MicroOp.Read))
                .toList();
            if (!readers.isEmpty() && random.nextBoolean())
            {
                final Txn victim = readers.get(random.nextInt(readers.size()));
                final List<MicroOp> rewritten = new ArrayList<>(victim.results);
                final List<Integer> readIndexes = new ArrayList<>();
                for (int i = 0; i < rewritten.size(); i++)
                {
                    if (rewritten.get(i) instanceof MicroOp.Read)
                    {
                        readIndexes.add(i);
                    }
                }
                final int i = readIndexes.get(random.nextInt(readIndexes.size()));
                final String key = rewritten.get(i).key();
                final List<Long> all = new ArrayList<>();
                for (final Txn t : txns)
                {
                    for (final MicroOp op : t.ops)
                    {
                        if (op instanceof MicroOp.Append a && a.key().equals(key))
                        {
                            all.add(a.value());
                        }
                    }
                }
                final List<Long> finalList = state.getOrDefault(key, List.of());
                final List<Long> replacement = switch (random.nextInt(4))
                {
                    case 0 -> finalList.subList(0, random.nextInt(finalList.size() + 1));
                    case 1 -> shuffledPrefix(random, all);
                    case 2 -> finalList.isEmpty() ? List.of() : finalList.subList(1, finalList.size());
                    default -> finalList;
                };
                rewritten.set(i, new MicroOp.Read(key, replacement));
                victim.results = rewritten;
            }
            return new Small(txns);
        }

        History build()
        {
            final TxnHistoryBuilder builder = new TxnHistoryBuilder();
            for (final Txn t : txns)
            {
                final MicroOp[] ops = (t.outcome == EventType.OK ? t.results : t.ops).toArray(new MicroOp[0]);
                switch (t.outcome)
                {
                    case OK -> builder.ok(t.id + 1, t.invokeNs, t.completeNs, ops);
                    case INFO -> builder.info(t.id + 1, t.invokeNs, t.completeNs, ops);
                    default -> builder.fail(t.id + 1, t.invokeNs, t.completeNs, ops);
                }
            }
            return builder.build();
        }

        /** Whether some serial order of the ok and some of the info transactions yields every ok read. */
        boolean explainable(final boolean realtime)
        {
            final List<Txn> ok = txns.stream().filter((t) -> t.outcome == EventType.OK).toList();
            final List<Txn> info = txns.stream().filter((t) -> t.outcome == EventType.INFO).toList();
            for (int mask = 0; mask < (1 << info.size()); mask++)
            {
                final List<Txn> included = new ArrayList<>(ok);
                for (int i = 0; i < info.size(); i++)
                {
                    if ((mask & (1 << i)) != 0)
                    {
                        included.add(info.get(i));
                    }
                }
                if (permute(included, new ArrayList<>(), new HashSet<>(), realtime))
                {
                    return true;
                }
            }
            return false;
        }

        private static boolean permute(
            final List<Txn> included, final List<Txn> prefix, final Set<Txn> used, final boolean realtime)
        {
            if (prefix.size() == included.size())
            {
                final Map<String, List<Long>> state = new HashMap<>();
                for (final Txn t : prefix)
                {
                    final List<MicroOp> results = execute(state, t.ops);
                    if (t.outcome == EventType.OK && !results.equals(t.results))
                    {
                        return false;
                    }
                }
                return true;
            }
            for (final Txn t : included)
            {
                if (used.contains(t))
                {
                    continue;
                }
                if (realtime && included.stream().anyMatch((u) -> !used.contains(u) && u != t &&
                    u.outcome == EventType.OK && u.completeNs < t.invokeNs))
                {
                    continue;
                }
                used.add(t);
                prefix.add(t);
                if (permute(included, prefix, used, realtime))
                {
                    return true;
                }
                prefix.remove(prefix.size() - 1);
                used.remove(t);
            }
            return false;
        }

        /**
         * Whether every append of a transaction known to have committed (ok, or info with an append
         * that was read) appears in some ok read: the checker infers version orders from reads only.
         */
        boolean everyCommittedAppendObserved()
        {
            final Set<String> observed = new HashSet<>();
            for (final Txn t : txns)
            {
                if (t.outcome == EventType.OK)
                {
                    for (final MicroOp op : t.results)
                    {
                        if (op instanceof MicroOp.Read r)
                        {
                            r.values().forEach((v) -> observed.add(r.key() + "=" + v));
                        }
                    }
                }
            }
            for (final Txn t : txns)
            {
                final List<String> appends = t.ops.stream()
                    .filter((op) -> op instanceof MicroOp.Append)
                    .map((op) -> op.key() + "=" + ((MicroOp.Append)op).value())
                    .toList();
                final boolean committed = t.outcome == EventType.OK ||
                    (t.outcome == EventType.INFO && appends.stream().anyMatch(observed::contains));
                if (committed && !observed.containsAll(appends))
                {
                    return false;
                }
            }
            return true;
        }

        private static List<Long> shuffledPrefix(final Random random, final List<Long> values)
        {
            final List<Long> copy = new ArrayList<>(values);
            java.util.Collections.shuffle(copy, random);
            return copy.subList(0, random.nextInt(copy.size() + 1));
        }

        private static List<MicroOp> execute(final Map<String, List<Long>> state, final List<MicroOp> ops)
        {
            final List<MicroOp> results = new ArrayList<>();
            for (final MicroOp op : ops)
            {
                final List<Long> list = state.computeIfAbsent(op.key(), (k) -> new ArrayList<>());
                if (op instanceof MicroOp.Append a)
                {
                    list.add(a.value());
                    results.add(a);
                }
                else
                {
                    results.add(new MicroOp.Read(op.key(), list));
                }
            }
            return results;
        }
    }

    /** One transaction of a small history; {@code results} are its ops with read results once executed. */
    private static final class Txn
    {
        final int id;
        final EventType outcome;
        final long invokeNs;
        final long completeNs;
        final List<MicroOp> ops;
        List<MicroOp> results;

        Txn(final int id, final EventType outcome, final long invokeNs, final long completeNs, final List<MicroOp> ops)
        {
            this.id = id;
            this.outcome = outcome;
            this.invokeNs = invokeNs;
            this.completeNs = completeNs;
            this.ops = ops;
            this.results = ops;
        }
    }
}
