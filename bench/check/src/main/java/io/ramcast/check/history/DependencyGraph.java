package io.ramcast.check.history;

import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;

import java.util.Arrays;

/**
 * A directed graph over dense node ids whose edges carry a mask of {@link DependencyKind} bits,
 * with strongly connected components (iterative Tarjan) and a search for short cycles of a given
 * edge-kind shape inside one component (breadth-first over node and edge-count states).
 *
 * <p>Adjacency is stored compressed (one sorted array of targets per node); parallel edges of
 * different kinds between the same two nodes are merged into one entry. Not thread-safe: the
 * search reuses scratch arrays.
 */
final class DependencyGraph
{
    /** All non-real-time kinds. */
    static final int DATA_MASK = DependencyKind.WW.bit() | DependencyKind.WR.bit() | DependencyKind.RW.bit();
    /** Every kind. */
    static final int ALL_MASK = DATA_MASK | DependencyKind.REALTIME.bit();
    /** Largest node count: node ids share a long with a kind when edges are collected. */
    static final int MAX_NODES = 1 << 29;

    /** Edge visits one {@link #shortestCycle} call may spend before it settles for what it found. */
    static final long MAX_WORK_PER_SEARCH = 20_000_000;

    private static final int KIND_BITS = 4;
    private static final int TO_BITS = 30;
    private static final int UNSEEN = -1;

    /**
     * The shape of the cycles sought by {@link #shortestCycle}: the cycle starts with an edge used
     * as {@code startKind}, continues with edges used as kinds in {@code allowedMask}, and uses
     * {@code countedKind} (0 for none) between {@code minCount} and {@code maxCount} times (the
     * start edge included; {@code maxCount} negative for no bound).
     */
    record CycleShape(int startKind, int allowedMask, int countedKind, int minCount, int maxCount)
    {
        int stateCount()
        {
            if (countedKind == 0)
            {
                return 1;
            }
            return (maxCount >= 0 ? maxCount : minCount) + 1;
        }

        /** @return the count after an edge of kind {@code kind}, or -1 if the edge is not allowed. */
        int next(final int count, final int kind)
        {
            if (kind != countedKind)
            {
                return count;
            }
            final int c = count + 1;
            if (maxCount >= 0)
            {
                return c > maxCount ? -1 : c;
            }
            return Math.min(c, minCount);
        }

        boolean accepts(final int count)
        {
            return countedKind == 0 || count >= minCount;
        }
    }

    /**
     * A cycle: {@code nodes[i]} precedes {@code nodes[(i + 1) % length]} by an edge of kind bit {@code kinds[i]}.
     *
     * @param nodes the nodes in cycle order.
     * @param kinds the kind bit of each edge.
     */
    record Cycle(int[] nodes, int[] kinds)
    {
    }

    private final int nodeCount;
    private final int[] offsets;
    private final int[] targets;
    private final byte[] masks;

    private int[] stamp;
    private int[] nodeStamp;
    private int[] parentState;
    private byte[] parentKind;
    private int[] queue;
    private int currentStamp;
    private long workLeft;

    private DependencyGraph(final int nodeCount, final int[] offsets, final int[] targets, final byte[] masks)
    {
        this.nodeCount = nodeCount;
        this.offsets = offsets;
        this.targets = targets;
        this.masks = masks;
    }

    /** @return the number of nodes. */
    int nodeCount()
    {
        return nodeCount;
    }

    /** @return the number of distinct (from, to) pairs with at least one edge. */
    int edgePairCount()
    {
        return targets.length;
    }

    /**
     * @param kindMask kinds.
     * @return how many (from, to) pairs have an edge of one of these kinds.
     */
    int edgeCount(final int kindMask)
    {
        int count = 0;
        for (final byte mask : masks)
        {
            if ((mask & kindMask) != 0)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * @param from a node.
     * @param to   another node.
     * @return the kind mask of the edges from {@code from} to {@code to}, 0 if none.
     */
    int mask(final int from, final int to)
    {
        final int i = Arrays.binarySearch(targets, offsets[from], offsets[from + 1], to);
        return i < 0 ? 0 : masks[i];
    }

    /**
     * Labels strongly connected components of the subgraph of edges with a kind in {@code kindMask}.
     *
     * @param kindMask the kinds of edges followed.
     * @return the component id of every node; ids are dense from 0.
     */
    int[] components(final int kindMask)
    {
        final int[] component = new int[nodeCount];
        final int[] index = new int[nodeCount];
        final int[] low = new int[nodeCount];
        final int[] edgeCursor = new int[nodeCount];
        final boolean[] onStack = new boolean[nodeCount];
        final int[] stack = new int[nodeCount];
        final int[] callStack = new int[nodeCount];
        Arrays.fill(index, UNSEEN);
        int stackSize = 0;
        int nextIndex = 0;
        int nextComponent = 0;

        for (int root = 0; root < nodeCount; root++)
        {
            if (index[root] != UNSEEN)
            {
                continue;
            }
            int callDepth = 0;
            callStack[callDepth++] = root;
            index[root] = low[root] = nextIndex++;
            edgeCursor[root] = offsets[root];
            stack[stackSize++] = root;
            onStack[root] = true;
            while (callDepth > 0)
            {
                final int v = callStack[callDepth - 1];
                if (edgeCursor[v] < offsets[v + 1])
                {
                    final int e = edgeCursor[v]++;
                    if ((masks[e] & kindMask) == 0)
                    {
                        continue;
                    }
                    final int w = targets[e];
                    if (index[w] == UNSEEN)
                    {
                        index[w] = low[w] = nextIndex++;
                        edgeCursor[w] = offsets[w];
                        stack[stackSize++] = w;
                        onStack[w] = true;
                        callStack[callDepth++] = w;
                    }
                    else if (onStack[w])
                    {
                        low[v] = Math.min(low[v], index[w]);
                    }
                    continue;
                }
                callDepth--;
                if (low[v] == index[v])
                {
                    int w;
                    do
                    {
                        w = stack[--stackSize];
                        onStack[w] = false;
                        component[w] = nextComponent;
                    }
                    while (w != v);
                    nextComponent++;
                }
                if (callDepth > 0)
                {
                    final int parent = callStack[callDepth - 1];
                    low[parent] = Math.min(low[parent], low[v]);
                }
            }
        }
        return component;
    }

    /**
     * Groups nodes by component, keeping only components of two or more nodes (a cycle needs two,
     * as the graph has no self-loops).
     *
     * @param component the component of every node, from {@link #components}.
     * @return the members of each such component, ascending.
     */
    static int[][] nontrivialComponents(final int[] component)
    {
        int componentCount = 0;
        for (final int c : component)
        {
            componentCount = Math.max(componentCount, c + 1);
        }
        final int[] sizes = new int[componentCount];
        for (final int c : component)
        {
            sizes[c]++;
        }
        final int[] slot = new int[componentCount];
        int nontrivial = 0;
        for (int c = 0; c < componentCount; c++)
        {
            slot[c] = sizes[c] > 1 ? nontrivial++ : -1;
        }
        final int[][] members = new int[nontrivial][];
        final int[] filled = new int[nontrivial];
        for (int c = 0; c < componentCount; c++)
        {
            if (slot[c] >= 0)
            {
                members[slot[c]] = new int[sizes[c]];
            }
        }
        for (int node = 0; node < component.length; node++)
        {
            final int s = slot[component[node]];
            if (s >= 0)
            {
                members[s][filled[s]++] = node;
            }
        }
        return members;
    }

    /**
     * Searches one strongly connected component for a short simple cycle of the given shape: for
     * up to {@code maxStarts} edges of the start kind inside the component, a breadth-first search
     * finds a short way back; the shortest cycle over those starts is returned. The search is
     * bounded ({@code maxStarts}, {@link #MAX_WORK_PER_SEARCH}), so in a large component it may
     * return a longer cycle than the shortest, or none although one exists; every cycle it returns
     * is real and has the shape.
     *
     * @param component the component of every node (from {@link #components}).
     * @param members   the members of the component searched.
     * @param shape     the shape sought.
     * @param maxStarts how many start edges to try at most.
     * @return the cycle, or {@code null} if none was found.
     */
    Cycle shortestCycle(final int[] component, final int[] members, final CycleShape shape, final int maxStarts)
    {
        final int compId = component[members[0]];
        final int states = shape.stateCount();
        ensureScratch(states);
        workLeft = MAX_WORK_PER_SEARCH;
        Cycle best = null;
        int starts = 0;
        for (final int a : members)
        {
            for (int e = offsets[a]; e < offsets[a + 1]; e++)
            {
                final int b = targets[e];
                if ((masks[e] & shape.startKind()) == 0 || component[b] != compId)
                {
                    continue;
                }
                if (starts++ == maxStarts)
                {
                    return best;
                }
                final int bound = best == null ? Integer.MAX_VALUE : best.nodes().length - 1;
                final Cycle found = shortestPathBack(component, compId, shape, states, a, b, bound);
                if (found != null && (best == null || found.nodes().length < best.nodes().length))
                {
                    best = found;
                }
                if (workLeft < 0 || (best != null && best.nodes().length == 2))
                {
                    return best;
                }
            }
        }
        return best;
    }

    /**
     * Breadth-first search from {@code b} back to {@code a} over states (node, count) after the
     * start edge a→b; gives up on paths of {@code maxEdges} edges or more, or when the work budget
     * runs out. Only simple paths are followed (no node twice, {@code a} only at the end), so the
     * result is a true cycle, not a closed walk that repeats an edge to reach a count; the search
     * keeps the first path to reach each state, so it may miss a longer simple cycle.
     */
    private Cycle shortestPathBack(
        final int[] component,
        final int compId,
        final CycleShape shape,
        final int states,
        final int a,
        final int b,
        final int maxEdges)
    {
        nextStamp();
        final int startState = b * states + shape.next(0, shape.startKind());
        int head = 0;
        int tail = 0;
        stamp[startState] = currentStamp;
        nodeStamp[b] = currentStamp;
        parentState[startState] = -1;
        queue[tail++] = startState;
        int levelEnd = tail;
        int depth = 0;
        while (head < tail)
        {
            if (head == levelEnd)
            {
                depth++;
                levelEnd = tail;
                if (depth >= maxEdges)
                {
                    return null;
                }
            }
            final int state = queue[head++];
            final int v = state / states;
            final int count = state % states;
            if (v == a)
            {
                if (shape.accepts(count))
                {
                    return rebuild(shape, states, a, state);
                }
                continue;
            }
            for (int e = offsets[v]; e < offsets[v + 1]; e++)
            {
                final int w = targets[e];
                if (component[w] != compId)
                {
                    continue;
                }
                if (--workLeft < 0)
                {
                    return null;
                }
                int kinds = masks[e] & shape.allowedMask();
                while (kinds != 0)
                {
                    final int kind = Integer.lowestOneBit(kinds);
                    kinds &= ~kind;
                    final int c = shape.next(count, kind);
                    if (c < 0)
                    {
                        continue;
                    }
                    final int next = w * states + c;
                    if (stamp[next] == currentStamp || (nodeStamp[w] == currentStamp && onPath(state, w, states)))
                    {
                        continue;
                    }
                    stamp[next] = currentStamp;
                    nodeStamp[w] = currentStamp;
                    parentState[next] = state;
                    parentKind[next] = (byte)kind;
                    queue[tail++] = next;
                }
            }
        }
        return null;
    }

    /** @return whether {@code node} is on the path that ends in {@code state}. */
    private boolean onPath(final int state, final int node, final int states)
    {
        for (int s = state; s >= 0; s = parentState[s])
        {
            if (s / states == node)
            {
                return true;
            }
        }
        return false;
    }

    private void nextStamp()
    {
        currentStamp++;
        if (currentStamp == Integer.MAX_VALUE)
        {
            Arrays.fill(stamp, 0);
            Arrays.fill(nodeStamp, 0);
            currentStamp = 1;
        }
    }

    private Cycle rebuild(final CycleShape shape, final int states, final int a, final int endState)
    {
        final IntArrayList pathNodes = new IntArrayList();
        final IntArrayList pathKinds = new IntArrayList();
        int state = endState;
        while (parentState[state] >= 0)
        {
            pathKinds.addInt(parentKind[state]);
            state = parentState[state];
            pathNodes.addInt(state / states);
        }
        // pathNodes holds b..(node before a) in reverse; pathKinds the edges into a..(node after b) in reverse.
        final int length = pathNodes.size() + 1;
        final int[] nodes = new int[length];
        final int[] kinds = new int[length];
        nodes[0] = a;
        kinds[0] = shape.startKind();
        for (int i = 1; i < length; i++)
        {
            nodes[i] = pathNodes.getInt(length - 1 - i);
            kinds[i] = pathKinds.getInt(length - 1 - i);
        }
        return new Cycle(nodes, kinds);
    }

    private void ensureScratch(final int states)
    {
        final int size = nodeCount * states;
        if (nodeStamp == null)
        {
            nodeStamp = new int[nodeCount];
        }
        if (stamp == null || stamp.length < size)
        {
            Arrays.fill(nodeStamp, 0);
            stamp = new int[size];
            parentState = new int[size];
            parentKind = new byte[size];
            queue = new int[size];
            currentStamp = 0;
        }
    }

    /** Collects edges; parallel edges of several kinds are merged on {@link #build()}. Not thread-safe. */
    static final class Builder
    {
        private final int nodeCount;
        private final LongArrayList edges = new LongArrayList();

        /**
         * @param nodeCount the number of nodes, at most {@link #MAX_NODES}.
         */
        Builder(final int nodeCount)
        {
            if (nodeCount < 0 || nodeCount > MAX_NODES)
            {
                throw new IllegalArgumentException("node count must be in [0, " + MAX_NODES + "], got " + nodeCount);
            }
            this.nodeCount = nodeCount;
        }

        /**
         * Adds an edge; self-loops are ignored.
         *
         * @param from the earlier node.
         * @param to   the later node.
         * @param kind the kind.
         */
        void add(final int from, final int to, final DependencyKind kind)
        {
            if (from != to)
            {
                edges.addLong(((long)from << (TO_BITS + KIND_BITS)) | ((long)to << KIND_BITS) | kind.bit());
            }
        }

        DependencyGraph build()
        {
            final long[] sorted = edges.toLongArray();
            Arrays.sort(sorted);
            final int[] offsets = new int[nodeCount + 1];
            final IntArrayList targets = new IntArrayList(sorted.length, IntArrayList.DEFAULT_NULL_VALUE);
            final IntArrayList masks = new IntArrayList(sorted.length, IntArrayList.DEFAULT_NULL_VALUE);
            long previousPair = -1;
            for (final long edge : sorted)
            {
                final long pair = edge >>> KIND_BITS;
                final int kind = (int)(edge & ((1 << KIND_BITS) - 1));
                if (pair == previousPair)
                {
                    masks.setInt(masks.size() - 1, masks.getInt(masks.size() - 1) | kind);
                    continue;
                }
                previousPair = pair;
                final int from = (int)(pair >>> TO_BITS);
                targets.addInt((int)(pair & ((1L << TO_BITS) - 1)));
                masks.addInt(kind);
                offsets[from + 1]++;
            }
            for (int i = 0; i < nodeCount; i++)
            {
                offsets[i + 1] += offsets[i];
            }
            final byte[] maskBytes = new byte[masks.size()];
            for (int i = 0; i < maskBytes.length; i++)
            {
                maskBytes[i] = (byte)masks.getInt(i);
            }
            return new DependencyGraph(nodeCount, offsets, targets.toIntArray(), maskBytes);
        }
    }
}
