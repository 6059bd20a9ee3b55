package io.ramcast.bench.faults;

import io.ramcast.bench.process.LocalDeployment.StoreDigest;
import io.ramcast.txn.store.AppliedMark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The verdict on the stopped replicas' stores after a faults run: replicas of a partition at the
 * same applied position must hold identical data (else they diverged, always a failure); a replica
 * behind its partition's furthest position is a failure too, unless it was cut off by an isolation
 * step: catch-up and state transfer are not built, so such a replica may stay behind, and is named
 * in a note instead ("replica N stays behind by K (no catch-up yet)").
 *
 * <p>A plain function of its inputs; no I/O.
 *
 * @param identical whether no replica diverged and only allowed replicas are behind.
 * @param behind    each allowed replica that stays behind and its note, e.g. {@code 2} and
 *                  {@code replica 2 stays behind by 412 (no catch-up yet)}; ascending ids.
 * @param problems  one line per divergence or forbidden lag; empty when {@code identical}.
 */
record StoreComparison(boolean identical, Map<Integer, String> behind, List<String> problems)
{
    /**
     * Compares the stores.
     *
     * @param stores              partition id to (replica id to its store digest); read in ascending ids.
     * @param mayLag              replica ids allowed to stay behind (cut off by an isolation step).
     * @param deliveriesByReplica deliveries in each replica's delivery log, for how far behind it is
     *                            (in deliveries); a replica missing here is described by its applied
     *                            position instead.
     * @return the verdict.
     */
    static StoreComparison of(
        final Map<Integer, Map<Integer, StoreDigest>> stores, final Set<Integer> mayLag,
        final Map<Integer, Long> deliveriesByReplica)
    {
        final Map<Integer, String> behind = new TreeMap<>();
        final List<String> problems = new ArrayList<>();
        new TreeMap<>(stores).forEach((partition, unsorted) ->
        {
            final Map<Integer, StoreDigest> byReplica = new TreeMap<>(unsorted);
            if (byReplica.isEmpty())
            {
                return;
            }
            final AppliedMark top = byReplica.values().stream().map(StoreDigest::lastApplied)
                .max(AppliedMark::compareTo).orElseThrow();
            final Map<AppliedMark, Map.Entry<Integer, StoreDigest>> firstAt = new TreeMap<>();
            long topDeliveries = -1;
            for (final Map.Entry<Integer, StoreDigest> e : byReplica.entrySet())
            {
                final Map.Entry<Integer, StoreDigest> seen = firstAt.putIfAbsent(e.getValue().lastApplied(), e);
                if (seen != null && !sameData(seen.getValue(), e.getValue()))
                {
                    problems.add("partition " + partition + ": replicas " + seen.getKey() + " and " + e.getKey() +
                        " diverged: different data at the same applied position " + e.getValue().lastApplied() + " (" +
                        shortDigest(seen.getValue()) + " vs " + shortDigest(e.getValue()) + ")");
                }
                if (e.getValue().lastApplied().equals(top) && deliveriesByReplica.containsKey(e.getKey()))
                {
                    topDeliveries = Math.max(topDeliveries, deliveriesByReplica.get(e.getKey()));
                }
            }
            for (final Map.Entry<Integer, StoreDigest> e : byReplica.entrySet())
            {
                if (e.getValue().lastApplied().compareTo(top) >= 0)
                {
                    continue;
                }
                final Long own = deliveriesByReplica.get(e.getKey());
                final String distance = topDeliveries >= 0 && own != null ? Long.toString(topDeliveries - own) :
                    "applied position " + e.getValue().lastApplied() + " < " + top;
                if (mayLag.contains(e.getKey()))
                {
                    behind.put(e.getKey(), "replica " + e.getKey() + " stays behind by " + distance + " (no catch-up yet)");
                }
                else
                {
                    problems.add("partition " + partition + ": replica " + e.getKey() + " is behind by " + distance +
                        " and was never cut off");
                }
            }
        });
        return new StoreComparison(problems.isEmpty(), java.util.Collections.unmodifiableMap(behind), List.copyOf(problems));
    }

    private static boolean sameData(final StoreDigest a, final StoreDigest b)
    {
        return a.sha256Hex().equals(b.sha256Hex()) && a.entries() == b.entries();
    }

    private static String shortDigest(final StoreDigest d)
    {
        return d.sha256Hex().substring(0, Math.min(8, d.sha256Hex().length())) + ", " + d.entries() + " entries";
    }
}
