package io.ramcast.check.multicast;

import io.ramcast.check.CheckResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;

/**
 * Checks a {@link MulticastHistory} against the guarantees of atomic multicast (RamCast protocol
 * notes §A.4) and lists every violation found as an {@link MulticastAnomaly}.
 *
 * <pre>{@code
 * CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> r =
 *     new MulticastChecker().check(history, true);
 * if (!r.isValid()) { fail(r.summary()); }
 * }</pre>
 *
 * <p>Properties, with the {@link MulticastAnomalyType} each reports:
 * <ul>
 *   <li><b>Integrity</b>: no process delivers a message twice ({@link MulticastAnomalyType#DUPLICATE_DELIVERY});
 *   a process delivers only messages addressed to its group ({@link MulticastAnomalyType#NOT_ADDRESSED});
 *   only messages some client multicast ({@link MulticastAnomalyType#NOT_MULTICAST}), with the destination
 *   set it was multicast with ({@link MulticastAnomalyType#DESTINATION_MISMATCH}).</li>
 *   <li><b>Agreement and validity</b>, only when {@code complete} is true (the run ended with a
 *   quiet period, so everything that will be delivered was): if any process, crashed or not,
 *   delivered m, or a non-crashed client multicast m, every non-crashed member of every group in
 *   m's destination delivered m ({@link MulticastAnomalyType#MISSING_DELIVERY}, one per message).</li>
 *   <li><b>Uniform prefix order</b>: for every pair of server processes, crashed ones included,
 *   the sequences of the messages addressed to both groups, as each delivered them, are such that
 *   one is a prefix of the other. That is exactly "whenever p delivered m and q delivered m',
 *   either p delivered m' before m or q delivered m before m'". At most one
 *   {@link MulticastAnomalyType#PREFIX_ORDER_VIOLATION} per pair: the first divergence.</li>
 *   <li><b>Uniform acyclic order</b>: the union over all processes of "delivered m immediately
 *   before m'" has no cycle; one witness {@link MulticastAnomalyType#CYCLE} is reported, the shortest
 *   cycle through the first message found on a cycle.</li>
 * </ul>
 *
 * <p>Which destination a message "has": the one it was multicast with; for a message no client
 * logged, the one its first delivery carried (servers in ascending id order). Only the first
 * delivery of a message at a process takes part in the order checks; the others are reported as
 * duplicates. For a history with D deliveries, M messages and P server processes the check runs in
 * O(P·D + M) time (each pair of processes scans both their sequences once) and O(D + P·M/8 + M)
 * memory.
 *
 * <p>Stateless and thread-safe: one checker may check several histories concurrently.
 */
public final class MulticastChecker
{
    private static final int MAX_CYCLE_HOPS_PRINTED = 20;

    /**
     * Checks a history.
     *
     * @param history  the history.
     * @param complete whether the history is complete (the system was quiescent at the end of the
     *                 run and every surviving process's log is whole): enables agreement and validity.
     * @return the anomalies found; never null.
     */
    public CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> check(
        final MulticastHistory history, final boolean complete)
    {
        return new Run(history).check(complete);
    }

    /** The state of one check. */
    private static final class Run
    {
        private final MulticastHistory h;
        private final CheckResult.Collector<MulticastAnomalyType, MulticastAnomaly> out =
            new CheckResult.Collector<>(MulticastAnomalyType.class);
        private final int messageCount;
        private final int serverCount;
        /** Per message: the destination set index it "has". */
        private final int[] dst;
        /** Per server, per delivery: whether it is the first delivery of its message there. */
        private final boolean[][] first;
        /** Per server: the messages it delivered. */
        private final BitSet[] delivered;
        /** Per dense group: server indices of its members. */
        private final int[][] groupServers;

        Run(final MulticastHistory history)
        {
            h = history;
            messageCount = h.messages.length;
            serverCount = h.serverIds.length;
            dst = h.multicastDst.clone();
            first = new boolean[serverCount][];
            delivered = new BitSet[serverCount];
            groupServers = new int[h.groupIds.length][];
            final int[] groupSizes = new int[h.groupIds.length];
            for (int s = 0; s < serverCount; s++)
            {
                groupSizes[h.serverGroup[s]]++;
            }
            for (int g = 0; g < groupServers.length; g++)
            {
                groupServers[g] = new int[groupSizes[g]];
                groupSizes[g] = 0;
            }
            for (int s = 0; s < serverCount; s++)
            {
                final int g = h.serverGroup[s];
                groupServers[g][groupSizes[g]++] = s;
            }
        }

        CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> check(final boolean complete)
        {
            markFirstDeliveries();
            checkIntegrity();
            if (complete)
            {
                checkAgreement();
            }
            checkPrefixOrder();
            checkAcyclicOrder();
            return out.result(MulticastHistoryStats.of(h, complete));
        }

        private void markFirstDeliveries()
        {
            for (int s = 0; s < serverCount; s++)
            {
                final int[] seq = h.deliveredMessages[s];
                first[s] = new boolean[seq.length];
                delivered[s] = new BitSet(messageCount);
                for (int i = 0; i < seq.length; i++)
                {
                    final int m = seq[i];
                    if (!delivered[s].get(m))
                    {
                        delivered[s].set(m);
                        first[s][i] = true;
                        if (dst[m] == MulticastHistory.NULL_INDEX)
                        {
                            dst[m] = h.deliveredDst[s][i];
                        }
                    }
                }
            }
        }

        private void checkIntegrity()
        {
            final int[] firstPosition = new int[messageCount];
            final int[] firstDeliverer = new int[messageCount];
            Arrays.fill(firstDeliverer, MulticastHistory.NULL_INDEX);
            for (int s = 0; s < serverCount; s++)
            {
                final int[] seq = h.deliveredMessages[s];
                final int group = h.serverGroup[s];
                for (int i = 0; i < seq.length; i++)
                {
                    final int m = seq[i];
                    if (!first[s][i])
                    {
                        if (out.count(MulticastAnomalyType.DUPLICATE_DELIVERY))
                        {
                            out.keep(new MulticastAnomaly(MulticastAnomalyType.DUPLICATE_DELIVERY, List.of(h.messages[m]), List.of(h.serverIds[s]),
                                process(s) + " delivered " + h.messages[m] + " again at position " + i +
                                " (first at position " + firstPosition[m] + ")"));
                        }
                        continue;
                    }
                    firstPosition[m] = i;
                    if (firstDeliverer[m] == MulticastHistory.NULL_INDEX)
                    {
                        firstDeliverer[m] = s;
                    }
                    if (!h.dstContains(dst[m], group) && out.count(MulticastAnomalyType.NOT_ADDRESSED))
                    {
                        out.keep(new MulticastAnomaly(MulticastAnomalyType.NOT_ADDRESSED, List.of(h.messages[m]), List.of(h.serverIds[s]),
                            process(s) + " delivered " + h.messages[m] + ", which is addressed to groups " +
                            h.formatDst(dst[m]) + ", not to its group " + h.groupIds[group]));
                    }
                    final int carried = h.deliveredDst[s][i];
                    if (carried != dst[m] && out.count(MulticastAnomalyType.DESTINATION_MISMATCH))
                    {
                        final String reference = h.multicastDst[m] != MulticastHistory.NULL_INDEX ?
                            "client " + h.multicastClient[m] + " multicast it to " + h.formatDst(dst[m]) :
                            process(firstDeliverer[m]) + " delivered it with " + h.formatDst(dst[m]);
                        out.keep(new MulticastAnomaly(MulticastAnomalyType.DESTINATION_MISMATCH, List.of(h.messages[m]), List.of(h.serverIds[s]),
                            process(s) + " delivered " + h.messages[m] + " with destination " +
                            h.formatDst(carried) + ", but " + reference));
                    }
                }
            }
            for (int m = 0; m < messageCount; m++)
            {
                if (firstDeliverer[m] != MulticastHistory.NULL_INDEX &&
                    h.multicastDst[m] == MulticastHistory.NULL_INDEX &&
                    !h.isCrashed(h.messages[m].senderId()) &&
                    out.count(MulticastAnomalyType.NOT_MULTICAST))
                {
                    final List<Integer> deliverers = deliverers(m);
                    out.keep(new MulticastAnomaly(MulticastAnomalyType.NOT_MULTICAST, List.of(h.messages[m]), deliverers,
                        h.messages[m] + " was delivered by processes " + deliverers +
                        " but no client logged multicasting it"));
                }
            }
        }

        private void checkAgreement()
        {
            final boolean[] anyDelivered = new boolean[messageCount];
            for (int s = 0; s < serverCount; s++)
            {
                final BitSet set = delivered[s];
                for (int m = set.nextSetBit(0); m >= 0; m = set.nextSetBit(m + 1))
                {
                    anyDelivered[m] = true;
                }
            }
            final int[][] dstDense = denseDestinations();
            final List<Integer> missing = new ArrayList<>();
            for (int m = 0; m < messageCount; m++)
            {
                final boolean multicastByCorrectClient = h.multicastDst[m] != MulticastHistory.NULL_INDEX &&
                    !h.isCrashed(h.multicastClient[m]);
                if (!anyDelivered[m] && !multicastByCorrectClient)
                {
                    continue;
                }
                missing.clear();
                for (final int g : dstDense[dst[m]])
                {
                    for (final int s : groupServers[g])
                    {
                        if (!h.serverCrashed[s] && !delivered[s].get(m))
                        {
                            missing.add(h.serverIds[s]);
                        }
                    }
                }
                if (!missing.isEmpty() && out.count(MulticastAnomalyType.MISSING_DELIVERY))
                {
                    final String why = anyDelivered[m] ?
                        "delivered by processes " + deliverers(m) :
                        "delivered by no process";
                    final String sent = h.multicastDst[m] != MulticastHistory.NULL_INDEX ?
                        "; multicast by " + (h.isCrashed(h.multicastClient[m]) ? "crashed " : "correct ") +
                        "client " + h.multicastClient[m] :
                        "";
                    out.keep(new MulticastAnomaly(MulticastAnomalyType.MISSING_DELIVERY, List.of(h.messages[m]), missing,
                        h.messages[m] + " to groups " + h.formatDst(dst[m]) + " was never delivered by correct " +
                        "destination processes " + missing + " (" + why + sent + ")"));
                }
            }
        }

        private void checkPrefixOrder()
        {
            for (int p = 0; p < serverCount; p++)
            {
                for (int q = p + 1; q < serverCount; q++)
                {
                    comparePair(p, q);
                }
            }
        }

        /** Walks the subsequences of messages addressed to both groups; reports the first divergence. */
        private void comparePair(final int p, final int q)
        {
            final int gp = h.serverGroup[p];
            final int gq = h.serverGroup[q];
            final int[] a = h.deliveredMessages[p];
            final int[] b = h.deliveredMessages[q];
            final boolean[] firstA = first[p];
            final boolean[] firstB = first[q];
            int i = 0;
            int j = 0;
            int common = 0;
            while (true)
            {
                while (i < a.length && !(firstA[i] && addressedToBoth(a[i], gp, gq)))
                {
                    i++;
                }
                while (j < b.length && !(firstB[j] && addressedToBoth(b[j], gp, gq)))
                {
                    j++;
                }
                if (i == a.length || j == b.length)
                {
                    return;
                }
                if (a[i] != b[j])
                {
                    reportDivergence(p, q, a[i], b[j], i, j, common);
                    return;
                }
                i++;
                j++;
                common++;
            }
        }

        private boolean addressedToBoth(final int m, final int g1, final int g2)
        {
            final int d = dst[m];
            return h.dstContains(d, g1) && h.dstContains(d, g2);
        }

        private void reportDivergence(
            final int p, final int q, final int mAtP, final int mAtQ, final int i, final int j, final int common)
        {
            if (!out.count(MulticastAnomalyType.PREFIX_ORDER_VIOLATION))
            {
                return;
            }
            final MessageId m = h.messages[mAtP];
            final MessageId n = h.messages[mAtQ];
            final boolean pLaterDeliversN = indexOf(h.deliveredMessages[p], mAtQ, i + 1) >= 0;
            final boolean qLaterDeliversM = indexOf(h.deliveredMessages[q], mAtP, j + 1) >= 0;
            final String how;
            if (pLaterDeliversN && qLaterDeliversM)
            {
                how = "opposite orders: " + process(p) + " delivered " + m + " before " + n + ", " +
                    process(q) + " delivered " + n + " before " + m;
            }
            else if (pLaterDeliversN)
            {
                how = process(q) + " delivered " + n + " without delivering " + m + " before it, but " +
                    process(p) + " delivered " + m + " before " + n;
            }
            else if (qLaterDeliversM)
            {
                how = process(p) + " delivered " + m + " without delivering " + n + " before it, but " +
                    process(q) + " delivered " + n + " before " + m;
            }
            else
            {
                how = process(p) + " delivered " + m + " where " + process(q) + " delivered " + n +
                    ", and neither delivered the other's message";
            }
            out.keep(new MulticastAnomaly(MulticastAnomalyType.PREFIX_ORDER_VIOLATION, List.of(m, n), List.of(h.serverIds[p], h.serverIds[q]),
                "processes " + h.serverIds[p] + " and " + h.serverIds[q] + " diverge after " + common +
                " common deliveries: " + how));
        }

        private void checkAcyclicOrder()
        {
            // The union of "delivered immediately before" edges has the same transitive closure as
            // the union of the full delivery orders, so a cycle in one is a cycle in the other.
            final int[] outStart = new int[messageCount + 1];
            int edgeCount = 0;
            for (int s = 0; s < serverCount; s++)
            {
                int previous = MulticastHistory.NULL_INDEX;
                for (int i = 0; i < first[s].length; i++)
                {
                    if (first[s][i])
                    {
                        if (previous != MulticastHistory.NULL_INDEX)
                        {
                            outStart[previous + 1]++;
                            edgeCount++;
                        }
                        previous = h.deliveredMessages[s][i];
                    }
                }
            }
            for (int m = 0; m < messageCount; m++)
            {
                outStart[m + 1] += outStart[m];
            }
            final int[] target = new int[edgeCount];
            final int[] edgeProcess = new int[edgeCount];
            final int[] fill = Arrays.copyOf(outStart, messageCount);
            for (int s = 0; s < serverCount; s++)
            {
                int previous = MulticastHistory.NULL_INDEX;
                for (int i = 0; i < first[s].length; i++)
                {
                    if (first[s][i])
                    {
                        final int m = h.deliveredMessages[s][i];
                        if (previous != MulticastHistory.NULL_INDEX)
                        {
                            final int e = fill[previous]++;
                            target[e] = m;
                            edgeProcess[e] = s;
                        }
                        previous = m;
                    }
                }
            }
            final int onCycle = findNodeOnCycle(outStart, target);
            if (onCycle != MulticastHistory.NULL_INDEX)
            {
                reportShortestCycleThrough(onCycle, outStart, target, edgeProcess);
            }
        }

        /** Iterative three-colour depth-first search; returns a node on a cycle or NULL_INDEX. */
        private int findNodeOnCycle(final int[] outStart, final int[] target)
        {
            final byte white = 0;
            final byte grey = 1;
            final byte black = 2;
            final byte[] colour = new byte[messageCount];
            final int[] cursor = Arrays.copyOf(outStart, messageCount);
            final int[] stack = new int[messageCount];
            for (int root = 0; root < messageCount; root++)
            {
                if (colour[root] != white)
                {
                    continue;
                }
                int depth = 0;
                stack[depth++] = root;
                colour[root] = grey;
                while (depth > 0)
                {
                    final int u = stack[depth - 1];
                    if (cursor[u] < outStart[u + 1])
                    {
                        final int v = target[cursor[u]++];
                        if (colour[v] == grey)
                        {
                            return v;
                        }
                        if (colour[v] == white)
                        {
                            colour[v] = grey;
                            stack[depth++] = v;
                        }
                    }
                    else
                    {
                        colour[u] = black;
                        depth--;
                    }
                }
            }
            return MulticastHistory.NULL_INDEX;
        }

        /** Breadth-first search from start back to itself, so the witness is as short as it gets. */
        private void reportShortestCycleThrough(
            final int start, final int[] outStart, final int[] target, final int[] edgeProcess)
        {
            final int[] parentEdge = new int[messageCount];
            final int[] parent = new int[messageCount];
            Arrays.fill(parentEdge, MulticastHistory.NULL_INDEX);
            final int[] queue = new int[messageCount];
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            int closingEdge = MulticastHistory.NULL_INDEX;
            int last = MulticastHistory.NULL_INDEX;
            search:
            while (head < tail)
            {
                final int u = queue[head++];
                for (int e = outStart[u]; e < outStart[u + 1]; e++)
                {
                    final int v = target[e];
                    if (v == start)
                    {
                        closingEdge = e;
                        last = u;
                        break search;
                    }
                    if (parentEdge[v] == MulticastHistory.NULL_INDEX)
                    {
                        parentEdge[v] = e;
                        parent[v] = u;
                        queue[tail++] = v;
                    }
                }
            }
            if (closingEdge == MulticastHistory.NULL_INDEX)
            {
                throw new IllegalStateException("checker bug: message " + h.messages[start] +
                    " was found on a cycle but no path leads back to it");
            }
            // Walk back from the last node to start, then reverse: nodes[k] -> nodes[k+1] via edges[k].
            final List<Integer> nodes = new ArrayList<>();
            final List<Integer> edges = new ArrayList<>();
            edges.add(closingEdge);
            for (int v = last; v != start; v = parent[v])
            {
                nodes.add(v);
                edges.add(parentEdge[v]);
            }
            nodes.add(start);
            Collections.reverse(nodes);
            Collections.reverse(edges);

            if (!out.count(MulticastAnomalyType.CYCLE))
            {
                return;
            }
            final List<MessageId> ids = new ArrayList<>(nodes.size());
            final List<Integer> processes = new ArrayList<>(nodes.size());
            final StringBuilder text = new StringBuilder("the delivery order has a cycle of ")
                .append(nodes.size()).append(" messages (\"a -pX-> b\": process X delivered a before b): ")
                .append(h.messages[start]);
            for (int k = 0; k < nodes.size(); k++)
            {
                final int next = k + 1 < nodes.size() ? nodes.get(k + 1) : start;
                final int process = h.serverIds[edgeProcess[edges.get(k)]];
                ids.add(h.messages[nodes.get(k)]);
                processes.add(process);
                if (k < MAX_CYCLE_HOPS_PRINTED)
                {
                    text.append(" -p").append(process).append("-> ").append(h.messages[next]);
                }
                else if (k == MAX_CYCLE_HOPS_PRINTED)
                {
                    text.append(" ... (").append(nodes.size() - k).append(" more hops)");
                }
            }
            out.keep(new MulticastAnomaly(MulticastAnomalyType.CYCLE, ids, processes, text.toString()));
        }

        private int[][] denseDestinations()
        {
            final int[][] dense = new int[h.dstSets.length][];
            for (int d = 0; d < dense.length; d++)
            {
                dense[d] = new int[h.dstSets[d].length];
                for (int k = 0; k < dense[d].length; k++)
                {
                    dense[d][k] = Arrays.binarySearch(h.groupIds, h.dstSets[d][k]);
                }
            }
            return dense;
        }

        private List<Integer> deliverers(final int m)
        {
            final List<Integer> result = new ArrayList<>();
            for (int s = 0; s < serverCount; s++)
            {
                if (delivered[s].get(m))
                {
                    result.add(h.serverIds[s]);
                }
            }
            return result;
        }

        private String process(final int s)
        {
            return "process " + h.serverIds[s] + " (group " + h.groupIds[h.serverGroup[s]] +
                (h.serverCrashed[s] ? ", crashed)" : ")");
        }

        private static int indexOf(final int[] seq, final int m, final int from)
        {
            for (int i = from; i < seq.length; i++)
            {
                if (seq[i] == m)
                {
                    return i;
                }
            }
            return -1;
        }
    }
}
