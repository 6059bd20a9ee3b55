package io.ramcast.check.history;

import io.ramcast.check.CheckResult;

import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;
import org.agrona.collections.Object2IntHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;

/**
 * Checks a list-append history for serializability and strict serializability, in the style of
 * Elle (Kingsbury and Alvaro, VLDB 2020).
 *
 * <p>The workload: transactions of micro-ops {@code append(k, v)} and {@code r(k) -> list}, where
 * every value is appended at most once per key across the whole history. Then the list a read
 * returns is the exact prefix of the key's version order up to the read's snapshot, and:
 * <ol>
 *   <li><b>Per read</b> (ok transactions): a value appended by a failed transaction is
 *       {@link ListAppendAnomalyType#G1A}; a list ending in a value its writer later followed
 *       with another append to the key is {@link ListAppendAnomalyType#G1B}; a value appearing
 *       twice is {@link ListAppendAnomalyType#DUPLICATE_ELEMENTS}; a value nobody appended is
 *       {@link ListAppendAnomalyType#GARBAGE_READ}; a read that contradicts the transaction's own
 *       earlier reads and appends of the key, or holds a value the transaction appends only later, is
 *       {@link ListAppendAnomalyType#INTERNAL}.</li>
 *   <li><b>Version order</b>: each key's order is its longest read; every other read must be a
 *       prefix of it, else {@link ListAppendAnomalyType#INCOMPATIBLE_ORDER} (one per key), and the
 *       offending reads give no dependencies. The order must also keep each transaction's appends
 *       to the key adjacent and in the transaction's order, else again
 *       {@link ListAppendAnomalyType#INCOMPATIBLE_ORDER}.</li>
 *   <li><b>Dependencies</b> between the ok transactions and the info transactions whose appends
 *       were read: ww (consecutive versions of a key), wr (the writer of a read's last element
 *       precedes the reader), rw (a reader precedes the writer of the version after the last one
 *       it saw, the first version if it saw an empty list), and real time (a transaction that
 *       completed ok precedes every transaction invoked later; transitively reduced).</li>
 *   <li><b>Cycles</b>: iterative Tarjan gives the strongly connected components of the ww/wr/rw
 *       graph and of the graph with real-time edges; inside each component a breadth-first
 *       search finds a short witness of each class: {@link ListAppendAnomalyType#G0} (ww only),
 *       {@link ListAppendAnomalyType#G1C} (ww and wr, at least one wr),
 *       {@link ListAppendAnomalyType#G_SINGLE} (exactly one rw), {@link ListAppendAnomalyType#G2}
 *       (two or more rw) and, with at least one real-time edge, their {@code _REALTIME}
 *       counterparts. A component may hold cycles of several classes; each class is reported
 *       once per component, with the shortest witness found among the first
 *       {@value #MAX_STARTS_PER_SEARCH} edges tried as its start.</li>
 * </ol>
 *
 * <p>Transactions of unknown outcome never contribute reads (they returned none); failed ones
 * never enter the graph. Non-transaction operations are rejected.
 *
 * <p>Cost: linear in the size of the history plus the graph for a valid history; the cycle search
 * only runs inside non-trivial components. Memory: a few words per micro-op and per edge.
 *
 * <p>Immutable and thread-safe; {@code check} may run concurrently on different histories.
 */
public final class ListAppendChecker
{
    /** Start edges tried per component and anomaly class when searching for a witness cycle. */
    public static final int MAX_STARTS_PER_SEARCH = 64;

    private static final int WW = DependencyKind.WW.bit();
    private static final int WR = DependencyKind.WR.bit();
    private static final int RW = DependencyKind.RW.bit();
    private static final int RT = DependencyKind.REALTIME.bit();
    private static final int LIST_PREVIEW = 6;

    private static final List<Search> DATA_SEARCHES = List.of(
        new Search(ListAppendAnomalyType.G0, new DependencyGraph.CycleShape(WW, WW, 0, 0, 0)),
        new Search(ListAppendAnomalyType.G1C, new DependencyGraph.CycleShape(WR, WW | WR, 0, 0, 0)),
        new Search(ListAppendAnomalyType.G_SINGLE, new DependencyGraph.CycleShape(RW, WW | WR | RW, RW, 1, 1)),
        new Search(ListAppendAnomalyType.G2, new DependencyGraph.CycleShape(RW, WW | WR | RW, RW, 2, -1)));

    private static final List<Search> REALTIME_SEARCHES = List.of(
        new Search(ListAppendAnomalyType.G0_REALTIME, new DependencyGraph.CycleShape(RT, WW | RT, 0, 0, 0)),
        new Search(ListAppendAnomalyType.G1C_REALTIME, new DependencyGraph.CycleShape(RT, WW | WR | RT, WR, 1, -1)),
        new Search(ListAppendAnomalyType.G_SINGLE_REALTIME,
            new DependencyGraph.CycleShape(RT, DependencyGraph.ALL_MASK, RW, 1, 1)),
        new Search(ListAppendAnomalyType.G2_REALTIME,
            new DependencyGraph.CycleShape(RT, DependencyGraph.ALL_MASK, RW, 2, -1)));

    /** Creates a checker. */
    public ListAppendChecker()
    {
    }

    /**
     * Checks a list-append history.
     *
     * @param history a history of {@code txn} operations only.
     * @return the verdict, with a witness for each anomaly kept.
     * @throws IllegalArgumentException if the history holds another operation than {@code txn}, or
     *                                  one value appended twice to the same key (the workload must
     *                                  keep them unique; the message names both transactions).
     */
    public CheckResult<ListAppendAnomalyType, ListAppendAnomaly, ListAppendHistoryStats> check(final History history)
    {
        return new Analysis(history).run();
    }

    private record Search(ListAppendAnomalyType type, DependencyGraph.CycleShape shape)
    {
    }

    /** One micro-op with its key interned. */
    private static final class Step
    {
        final boolean append;
        final int key;
        final long value;
        final long[] read;
        /** For a read: whether it is a prefix of its key's version order. */
        boolean compatible = true;

        Step(final boolean append, final int key, final long value, final long[] read)
        {
            this.append = append;
            this.key = key;
            this.value = value;
            this.read = read;
        }
    }

    /** One check of one history. Not thread-safe. */
    private static final class Analysis
    {
        private static final long MISSING = -1;

        private final History history;
        private final Operation[] txns;
        private final Step[][] steps;
        private final List<String> keyNames = new ArrayList<>();
        private final Object2IntHashMap<String> keyIds = new Object2IntHashMap<>(-1);
        /** Per key: value to (writer txn << 1 | 1 if the writer appended to the key again later). */
        private final List<Long2LongHashMap> writers = new ArrayList<>();
        /** Per key: the version order (distinct values of the longest read). */
        private long[][] orders;
        /** Per key: value to position in {@link #orders}. */
        private Long2LongHashMap[] positions;
        private int[] nodeOfTxn;
        private int[] txnOfNode;

        private final CheckResult.Collector<ListAppendAnomalyType, ListAppendAnomaly> out =
            new CheckResult.Collector<>(ListAppendAnomalyType.class);

        Analysis(final History history)
        {
            this.history = history;
            final List<Operation> ops = history.operations();
            txns = new Operation[ops.size()];
            for (int i = 0; i < txns.length; i++)
            {
                final Operation op = ops.get(i);
                if (op.f() != OpFunction.TXN)
                {
                    throw new IllegalArgumentException("not a list-append history: " + op.name() + " is a " +
                        op.f().jsonName() + " operation");
                }
                txns[i] = op;
            }
            steps = new Step[txns.length][];
        }

        CheckResult<ListAppendAnomalyType, ListAppendAnomaly, ListAppendHistoryStats> run()
        {
            internAppends();
            for (int t = 0; t < txns.length; t++)
            {
                if (txns[t].outcome() == EventType.OK)
                {
                    checkReads(t);
                    checkInternal(t);
                }
            }
            inferVersionOrders();
            final DependencyGraph graph = buildGraph();
            searchCycles(graph, DependencyGraph.DATA_MASK, DATA_SEARCHES);
            if (graph.edgeCount(RT) > 0)
            {
                searchCycles(graph, DependencyGraph.ALL_MASK, REALTIME_SEARCHES);
            }
            final EnumMap<DependencyKind, Integer> edgeCounts = new EnumMap<>(DependencyKind.class);
            for (final DependencyKind kind : DependencyKind.values())
            {
                edgeCounts.put(kind, graph.edgeCount(kind.bit()));
            }
            return out.result(new ListAppendHistoryStats(
                history.count(OpFunction.TXN, EventType.OK),
                history.count(OpFunction.TXN, EventType.FAIL),
                history.count(OpFunction.TXN, EventType.INFO),
                keyNames.size(), graph.nodeCount(), edgeCounts, history.ignoredTruncatedLines()));
        }

        // ------------------------------------------------------------------ appends and per-read checks

        private void internAppends()
        {
            for (int t = 0; t < txns.length; t++)
            {
                final List<MicroOp> ops = ((OpValue.Txn)txns[t].value()).ops();
                final Step[] txnSteps = new Step[ops.size()];
                for (int i = 0; i < txnSteps.length; i++)
                {
                    final MicroOp op = ops.get(i);
                    final int key = intern(op.key());
                    if (op instanceof MicroOp.Append append)
                    {
                        txnSteps[i] = new Step(true, key, append.value(), null);
                    }
                    else
                    {
                        final List<Long> values = ((MicroOp.Read)op).values();
                        long[] read = null;
                        if (values != null)
                        {
                            read = new long[values.size()];
                            for (int j = 0; j < read.length; j++)
                            {
                                read[j] = values.get(j);
                            }
                        }
                        txnSteps[i] = new Step(false, key, 0, read);
                    }
                }
                steps[t] = txnSteps;
                for (int i = 0; i < txnSteps.length; i++)
                {
                    final Step step = txnSteps[i];
                    if (!step.append)
                    {
                        continue;
                    }
                    boolean intermediate = false;
                    for (int j = i + 1; j < txnSteps.length && !intermediate; j++)
                    {
                        intermediate = txnSteps[j].append && txnSteps[j].key == step.key;
                    }
                    final Long2LongHashMap keyWriters = writers.get(step.key);
                    final long previous = keyWriters.get(step.value);
                    if (previous != MISSING)
                    {
                        throw new IllegalArgumentException("value " + step.value + " is appended to key " +
                            keyNames.get(step.key) + " by both " + txns[(int)(previous >>> 1)].name() + " and " +
                            txns[t].name() + "; the list-append workload must append each value once per key");
                    }
                    keyWriters.put(step.value, ((long)t << 1) | (intermediate ? 1 : 0));
                }
            }
        }

        private int intern(final String key)
        {
            int id = keyIds.getValue(key);
            if (id < 0)
            {
                id = keyNames.size();
                keyIds.put(key, id);
                keyNames.add(key);
                writers.add(new Long2LongHashMap(MISSING));
            }
            return id;
        }

        private void checkReads(final int t)
        {
            for (final Step step : steps[t])
            {
                if (step.append)
                {
                    continue;
                }
                final long[] read = step.read;
                final String key = keyNames.get(step.key);
                final Long2LongHashMap keyWriters = writers.get(step.key);
                final LongHashSet seen = new LongHashSet();
                final LongArrayList duplicated = new LongArrayList();
                for (final long value : read)
                {
                    if (!seen.add(value))
                    {
                        if (!duplicated.containsLong(value))
                        {
                            duplicated.addLong(value);
                        }
                        continue;
                    }
                    final long writer = keyWriters.get(value);
                    if (writer == MISSING)
                    {
                        report(ListAppendAnomalyType.GARBAGE_READ, List.of(txns[t]), List.of(),
                            who(t) + " read " + key + " = " + format(read) + " containing " + value +
                            ", which no transaction appended to " + key);
                    }
                    else if (txns[(int)(writer >>> 1)].outcome() == EventType.FAIL)
                    {
                        final int w = (int)(writer >>> 1);
                        report(ListAppendAnomalyType.G1A, List.of(txns[t], txns[w]), List.of(),
                            who(t) + " read " + key + " = " + format(read) + " containing " + value +
                            ", appended by " + who(w) + " which failed");
                    }
                }
                if (!duplicated.isEmpty())
                {
                    report(ListAppendAnomalyType.DUPLICATE_ELEMENTS, List.of(txns[t]), List.of(),
                        who(t) + " read " + key + " = " + format(read) + " in which values " + duplicated +
                        " appear more than once");
                }
                if (read.length > 0)
                {
                    final long last = read[read.length - 1];
                    final long writer = keyWriters.get(last);
                    final int w = (int)(writer >>> 1);
                    if (writer != MISSING && (writer & 1) != 0 && w != t)
                    {
                        report(ListAppendAnomalyType.G1B, List.of(txns[t], txns[w]), List.of(),
                            who(t) + " read " + key + " = " + format(read) + " ending in " + last +
                            ", an intermediate append of " + who(w) + " which appended to " + key + " again later");
                    }
                }
            }
        }

        /**
         * Within one transaction, a read of a key must show the transaction's earlier read of that
         * key followed by its appends since (or, with no earlier read, end with its appends), and
         * none of the values the transaction appends to the key later.
         */
        private void checkInternal(final int t)
        {
            final Int2IntHashMap lastRead = new Int2IntHashMap(-1);
            final Int2IntHashMap firstAppendSince = new Int2IntHashMap(-1);
            final Step[] txnSteps = steps[t];
            for (int i = 0; i < txnSteps.length; i++)
            {
                final Step step = txnSteps[i];
                final int key = step.key;
                if (step.append)
                {
                    if (firstAppendSince.get(key) < 0)
                    {
                        firstAppendSince.put(key, i);
                    }
                    continue;
                }
                final LongArrayList appended = new LongArrayList();
                final int from = firstAppendSince.get(key);
                if (from >= 0)
                {
                    for (int j = from; j < i; j++)
                    {
                        if (txnSteps[j].append && txnSteps[j].key == step.key)
                        {
                            appended.addLong(txnSteps[j].value);
                        }
                    }
                }
                final int previousRead = lastRead.get(key);
                final long[] expectedPrefix = previousRead < 0 ? null : txnSteps[previousRead].read;
                if (!consistent(step.read, expectedPrefix, appended))
                {
                    final String expected = expectedPrefix == null ?
                        "a list ending in " + appended :
                        format(concat(expectedPrefix, appended));
                    report(ListAppendAnomalyType.INTERNAL, List.of(txns[t]), List.of(),
                        who(t) + " read " + keyNames.get(step.key) + " = " + format(step.read) + " at micro-op " + i +
                        " but its own earlier " + (expectedPrefix == null ? "" : "read " + format(expectedPrefix) +
                        " and ") + "appends " + appended + " imply " + expected);
                }
                for (int j = i + 1; j < txnSteps.length; j++)
                {
                    final Step later = txnSteps[j];
                    if (later.append && later.key == step.key && contains(step.read, later.value))
                    {
                        report(ListAppendAnomalyType.INTERNAL, List.of(txns[t]), List.of(),
                            who(t) + " read " + keyNames.get(step.key) + " = " + format(step.read) + " at micro-op " +
                            i + ", which holds " + later.value + " that it appends only later, at micro-op " + j);
                    }
                }
                lastRead.put(key, i);
                firstAppendSince.remove(key);
            }
        }

        private static boolean contains(final long[] values, final long value)
        {
            for (final long v : values)
            {
                if (v == value)
                {
                    return true;
                }
            }
            return false;
        }

        private static boolean consistent(final long[] read, final long[] expectedPrefix, final LongArrayList appended)
        {
            final int suffix = appended.size();
            if (expectedPrefix != null && read.length != expectedPrefix.length + suffix)
            {
                return false;
            }
            if (read.length < suffix)
            {
                return false;
            }
            for (int j = 0; j < suffix; j++)
            {
                if (read[read.length - suffix + j] != appended.getLong(j))
                {
                    return false;
                }
            }
            if (expectedPrefix != null)
            {
                for (int j = 0; j < expectedPrefix.length; j++)
                {
                    if (read[j] != expectedPrefix[j])
                    {
                        return false;
                    }
                }
            }
            return true;
        }

        // ------------------------------------------------------------------ version orders

        private void inferVersionOrders()
        {
            final int keyCount = keyNames.size();
            final List<List<int[]>> readsByKey = new ArrayList<>(keyCount);
            for (int k = 0; k < keyCount; k++)
            {
                readsByKey.add(new ArrayList<>());
            }
            for (int t = 0; t < txns.length; t++)
            {
                if (txns[t].outcome() != EventType.OK)
                {
                    continue;
                }
                for (int i = 0; i < steps[t].length; i++)
                {
                    if (!steps[t][i].append)
                    {
                        readsByKey.get(steps[t][i].key).add(new int[] {t, i});
                    }
                }
            }
            orders = new long[keyCount][];
            positions = new Long2LongHashMap[keyCount];
            for (int k = 0; k < keyCount; k++)
            {
                final List<int[]> reads = readsByKey.get(k);
                int[] longest = null;
                for (final int[] r : reads)
                {
                    if (longest == null || steps[r[0]][r[1]].read.length > steps[longest[0]][longest[1]].read.length)
                    {
                        longest = r;
                    }
                }
                final long[] longestRead = longest == null ? new long[0] : steps[longest[0]][longest[1]].read;
                int[] firstConflict = null;
                int conflicts = 0;
                for (final int[] r : reads)
                {
                    final Step step = steps[r[0]][r[1]];
                    if (!Arrays.equals(step.read, 0, step.read.length, longestRead, 0, step.read.length))
                    {
                        step.compatible = false;
                        conflicts++;
                        if (firstConflict == null)
                        {
                            firstConflict = r;
                        }
                    }
                }
                if (conflicts > 0)
                {
                    final int a = longest[0];
                    final int b = firstConflict[0];
                    report(ListAppendAnomalyType.INCOMPATIBLE_ORDER, List.of(txns[a], txns[b]), List.of(),
                        "reads of " + keyNames.get(k) + " disagree on its order: " + who(a) + " read " +
                        format(longestRead) + " and " + who(b) + " read " + format(steps[b][firstConflict[1]].read) +
                        ", neither a prefix of the other (" + conflicts + " of " + reads.size() +
                        " reads of " + keyNames.get(k) + " are not prefixes of the longest)");
                }
                final Long2LongHashMap position = new Long2LongHashMap(MISSING);
                final LongArrayList order = new LongArrayList();
                for (final long value : longestRead)
                {
                    if (position.get(value) == MISSING)
                    {
                        position.put(value, order.size());
                        order.addLong(value);
                    }
                }
                orders[k] = order.toLongArray();
                positions[k] = position;
                if (longest != null)
                {
                    checkAppendsAdjacent(k, longest[0]);
                }
            }
        }

        /**
         * In a serial execution a transaction's appends to one key land next to each other, in the
         * order it made them: in the version order each must directly follow the transaction's
         * previous append to the key and directly precede its next one (unless that one is not
         * visible yet). Reports the first breach of key {@code k} as an incompatible order.
         */
        private void checkAppendsAdjacent(final int k, final int longestReader)
        {
            final long[] order = orders[k];
            for (int p = 0; p < order.length; p++)
            {
                final int w = writerTxn(k, order[p]);
                if (w < 0)
                {
                    continue;
                }
                final LongArrayList own = new LongArrayList();
                for (final Step step : steps[w])
                {
                    if (step.append && step.key == k)
                    {
                        own.addLong(step.value);
                    }
                }
                final int i = own.indexOf(order[p]);
                final boolean previousAdjacent = i == 0 || (p > 0 && order[p - 1] == own.getLong(i - 1));
                final boolean nextAdjacent = i + 1 == own.size() || p + 1 == order.length ||
                    order[p + 1] == own.getLong(i + 1);
                if (!previousAdjacent || !nextAdjacent)
                {
                    report(ListAppendAnomalyType.INCOMPATIBLE_ORDER, List.of(txns[longestReader], txns[w]), List.of(),
                        who(longestReader) + " read " + keyNames.get(k) + " = " + format(readOf(longestReader, k)) +
                        ", where " + order[p] + " is not " +
                        (previousAdjacent ? "directly followed by " + own.getLong(i + 1) :
                        "directly preceded by " + own.getLong(i - 1)) + " though " + who(w) + " appended " + own +
                        " to " + keyNames.get(k) + " in that order");
                    return;
                }
            }
        }

        /** @return the longest list {@code t} read of key {@code k}. */
        private long[] readOf(final int t, final int k)
        {
            long[] longest = new long[0];
            for (final Step step : steps[t])
            {
                if (!step.append && step.key == k && step.read.length >= longest.length)
                {
                    longest = step.read;
                }
            }
            return longest;
        }

        // ------------------------------------------------------------------ graph

        private int writerTxn(final int key, final long value)
        {
            final long writer = writers.get(key).get(value);
            return writer == MISSING ? -1 : (int)(writer >>> 1);
        }

        private int writerNode(final int key, final long value)
        {
            final int t = writerTxn(key, value);
            return t < 0 ? -1 : nodeOfTxn[t];
        }

        private DependencyGraph buildGraph()
        {
            nodeOfTxn = new int[txns.length];
            Arrays.fill(nodeOfTxn, -1);
            final boolean[] observedInfo = new boolean[txns.length];
            for (int k = 0; k < orders.length; k++)
            {
                for (final long value : orders[k])
                {
                    final int t = writerTxn(k, value);
                    if (t >= 0 && txns[t].outcome() == EventType.INFO)
                    {
                        observedInfo[t] = true;
                    }
                }
            }
            final IntArrayList nodes = new IntArrayList();
            for (int t = 0; t < txns.length; t++)
            {
                if (txns[t].outcome() == EventType.OK || observedInfo[t])
                {
                    nodeOfTxn[t] = nodes.size();
                    nodes.addInt(t);
                }
            }
            txnOfNode = nodes.toIntArray();
            final DependencyGraph.Builder builder = new DependencyGraph.Builder(txnOfNode.length);

            for (int k = 0; k < orders.length; k++)
            {
                final long[] order = orders[k];
                for (int i = 0; i + 1 < order.length; i++)
                {
                    final int a = writerNode(k, order[i]);
                    final int b = writerNode(k, order[i + 1]);
                    if (a >= 0 && b >= 0)
                    {
                        builder.add(a, b, DependencyKind.WW);
                    }
                }
            }
            for (int t = 0; t < txns.length; t++)
            {
                if (txns[t].outcome() != EventType.OK)
                {
                    continue;
                }
                final int reader = nodeOfTxn[t];
                for (final Step step : steps[t])
                {
                    if (step.append || !step.compatible)
                    {
                        continue;
                    }
                    final int next = nextPosition(step);
                    if (step.read.length > 0)
                    {
                        final int writer = writerNode(step.key, step.read[step.read.length - 1]);
                        if (writer >= 0)
                        {
                            builder.add(writer, reader, DependencyKind.WR);
                        }
                    }
                    if (next < orders[step.key].length)
                    {
                        final int writer = writerNode(step.key, orders[step.key][next]);
                        if (writer >= 0)
                        {
                            builder.add(reader, writer, DependencyKind.RW);
                        }
                    }
                }
            }
            addRealtimeEdges(builder);
            return builder.build();
        }

        /** @return the position in the version order of the version after the last one {@code read} saw. */
        private int nextPosition(final Step read)
        {
            return read.read.length == 0 ? 0 :
                (int)positions[read.key].get(read.read[read.read.length - 1]) + 1;
        }

        /**
         * Adds an edge from every transaction that completed ok to every node invoked later,
         * transitively reduced: a sweep over invocations and completions in time order keeps the
         * frontier of completed transactions not yet implied by a later completed one.
         */
        private void addRealtimeEdges(final DependencyGraph.Builder builder)
        {
            final int nodeCount = txnOfNode.length;
            final IntArrayList events = new IntArrayList();
            for (int n = 0; n < nodeCount; n++)
            {
                events.addInt(n << 1);
                if (txns[txnOfNode[n]].outcome() == EventType.OK)
                {
                    events.addInt((n << 1) | 1);
                }
            }
            final Integer[] sorted = events.toArray(new Integer[0]);
            Arrays.sort(sorted, (x, y) ->
            {
                final int c = Long.compare(eventTime(x), eventTime(y));
                // An invocation at the very time of a completion is not after it.
                return c != 0 ? c : Integer.compare(x & 1, y & 1);
            });
            final IntArrayList frontier = new IntArrayList();
            final int[][] predecessors = new int[nodeCount][];
            for (final Integer boxed : sorted)
            {
                final int event = boxed;
                final int n = event >>> 1;
                if ((event & 1) == 0)
                {
                    predecessors[n] = frontier.toIntArray();
                    for (final int p : predecessors[n])
                    {
                        builder.add(p, n, DependencyKind.REALTIME);
                    }
                }
                else
                {
                    for (final int p : predecessors[n])
                    {
                        frontier.removeInt(p);
                    }
                    predecessors[n] = null;
                    frontier.addInt(n);
                }
            }
        }

        private long eventTime(final int event)
        {
            final Operation op = txns[txnOfNode[event >>> 1]];
            return (event & 1) == 0 ? op.invokeTimeNs() : op.completeTimeNs();
        }

        // ------------------------------------------------------------------ cycles

        private void searchCycles(final DependencyGraph graph, final int kindMask, final List<Search> searches)
        {
            final int[] component = graph.components(kindMask);
            for (final int[] members : DependencyGraph.nontrivialComponents(component))
            {
                for (final Search search : searches)
                {
                    final DependencyGraph.Cycle cycle =
                        graph.shortestCycle(component, members, search.shape(), MAX_STARTS_PER_SEARCH);
                    if (cycle != null)
                    {
                        reportCycle(search.type(), cycle, members.length);
                    }
                }
            }
        }

        private void reportCycle(final ListAppendAnomalyType type, final DependencyGraph.Cycle cycle, final int sccSize)
        {
            if (!countAnomaly(type))
            {
                return;
            }
            final int[] nodes = cycle.nodes();
            final List<Operation> ops = new ArrayList<>(nodes.length);
            final List<Dependency> edges = new ArrayList<>(nodes.length);
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < nodes.length; i++)
            {
                final int from = txnOfNode[nodes[i]];
                final int to = txnOfNode[nodes[(i + 1) % nodes.length]];
                final DependencyKind kind = DependencyKind.ofBit(cycle.kinds()[i]);
                ops.add(txns[from]);
                edges.add(new Dependency(txns[from], txns[to], kind, explain(from, to, kind)));
                sb.append(txns[from].name()).append(" -").append(kind.symbol()).append("-> ");
            }
            sb.append(txns[txnOfNode[nodes[0]]].name()).append(" (in a strongly connected component of ")
                .append(sccSize).append(" transactions); ");
            for (int i = 0; i < nodes.length; i++)
            {
                final Operation op = txns[txnOfNode[nodes[i]]];
                sb.append(i == 0 ? "" : ", ").append(op.name()).append(": process ").append(op.process()).append(' ')
                    .append(op.outcome().jsonName()).append(" [").append(op.invokeTimeNs()).append(", ")
                    .append(op.isCompleted() ? Long.toString(op.completeTimeNs()) : "never completed").append("] ns");
            }
            final String description = "cycle of " + nodes.length + " transactions: " + sb;
            out.keep(new ListAppendAnomaly(type, ops, edges, description));
        }

        private String explain(final int from, final int to, final DependencyKind kind)
        {
            switch (kind)
            {
                case WW:
                    for (final Step step : steps[from])
                    {
                        if (!step.append)
                        {
                            continue;
                        }
                        final long position = positions[step.key].get(step.value);
                        final long[] order = orders[step.key];
                        if (position != MISSING && position + 1 < order.length &&
                            writerTxn(step.key, order[(int)position + 1]) == to)
                        {
                            return txns[from].name() + " appended " + step.value + " to " + keyNames.get(step.key) +
                                ", " + txns[to].name() + " appended the next version " + order[(int)position + 1];
                        }
                    }
                    break;
                case WR:
                    for (final Step step : steps[to])
                    {
                        if (!step.append && step.compatible && step.read.length > 0 &&
                            writerTxn(step.key, step.read[step.read.length - 1]) == from)
                        {
                            return txns[to].name() + " read " + keyNames.get(step.key) + " = " + format(step.read) +
                                ", whose last element " + txns[from].name() + " appended";
                        }
                    }
                    break;
                case RW:
                    for (final Step step : steps[from])
                    {
                        if (step.append || !step.compatible)
                        {
                            continue;
                        }
                        final int next = nextPosition(step);
                        final long[] order = orders[step.key];
                        if (next < order.length && writerTxn(step.key, order[next]) == to)
                        {
                            return txns[from].name() + " read " + keyNames.get(step.key) + " = " + format(step.read) +
                                ", " + txns[to].name() + " appended the next version " + order[next];
                        }
                    }
                    break;
                case REALTIME:
                    return txns[from].name() + " completed at " + txns[from].completeTimeNs() + " ns, before " +
                        txns[to].name() + " was invoked at " + txns[to].invokeTimeNs() + " ns";
                default:
                    break;
            }
            throw new IllegalStateException("no " + kind.symbol() + " dependency from " + txns[from].name() + " to " +
                txns[to].name());
        }

        // ------------------------------------------------------------------ reporting

        private void report(
            final ListAppendAnomalyType type,
            final List<Operation> ops,
            final List<Dependency> edges,
            final String description)
        {
            if (countAnomaly(type))
            {
                out.keep(new ListAppendAnomaly(type, ops, edges, description));
            }
        }

        /** Counts one anomaly; returns whether its details should still be kept. */
        private boolean countAnomaly(final ListAppendAnomalyType type)
        {
            return out.count(type);
        }

        private String who(final int t)
        {
            return txns[t].name() + " (process " + txns[t].process() + ", " + txns[t].outcome().jsonName() + ")";
        }

        private static long[] concat(final long[] prefix, final LongArrayList suffix)
        {
            final long[] all = Arrays.copyOf(prefix, prefix.length + suffix.size());
            for (int i = 0; i < suffix.size(); i++)
            {
                all[prefix.length + i] = suffix.getLong(i);
            }
            return all;
        }

        private static String format(final long[] values)
        {
            if (values.length <= 2 * LIST_PREVIEW)
            {
                return Arrays.toString(values);
            }
            final StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < LIST_PREVIEW; i++)
            {
                sb.append(values[i]).append(", ");
            }
            sb.append("... ").append(values.length - 2 * LIST_PREVIEW).append(" more ...");
            for (int i = values.length - LIST_PREVIEW; i < values.length; i++)
            {
                sb.append(", ").append(values[i]);
            }
            return sb.append(']').toString();
        }
    }
}
