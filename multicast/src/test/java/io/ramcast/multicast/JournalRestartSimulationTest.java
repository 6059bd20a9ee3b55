package io.ramcast.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import io.ramcast.check.CheckResult;
import io.ramcast.check.multicast.MulticastAnomaly;
import io.ramcast.check.multicast.MulticastAnomalyType;
import io.ramcast.check.multicast.MulticastChecker;
import io.ramcast.check.multicast.MulticastHistory;
import io.ramcast.check.multicast.MulticastHistoryStats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every process killed at once in the middle of the load (kill -9 of a whole cluster and its
 * clients), then started again: the servers with their votes ({@link VoteStore}) and acceptor
 * journals ({@link AcceptorJournal}, small enough that checkpoints happen on the way), the clients
 * as new incarnations. Each server's application is also made to lag its journal by a few
 * deliveries (the replica's executor queue lost in the crash), which the restarted server must
 * hand over again.
 *
 * <p>One history spans both runs: each server's deliveries are what its application kept from
 * the first run followed by everything of the second. The multicast checker must find it valid —
 * nothing delivered twice, nothing a server delivered missing at another member of a destination
 * group (uniform agreement across the crash of everything), prefix and acyclic order across the
 * restart — and the new clients must complete all their multicasts.
 *
 * <p>Seeds: {@code -Dramcast.journal.seeds=N} (default 100).
 */
class JournalRestartSimulationTest
{
    private static final GroupTopology TOPOLOGY = GroupTopology.uniform(3, 3, 4);
    private static final int MESSAGES_PER_CLIENT = 25;

    @Test
    @Timeout(value = 400, unit = TimeUnit.SECONDS)
    void shouldLoseAndRepeatNothingWhenEveryProcessIsKilledMidLoad()
    {
        final long seeds = Long.getLong("ramcast.journal.seeds", 100);
        final long first = Long.getLong("ramcast.journal.first", 1);
        long checkpoints = 0;
        long redelivered = 0;
        for (long seed = first; seed < first + seeds; seed++)
        {
            final long[] stats = runSeed(seed);
            checkpoints += stats[0];
            redelivered += stats[1];
        }
        // the scenarios are exercised, not assumed
        assertThat(checkpoints).as("journal checkpoints written across the seeds").isPositive();
        assertThat(redelivered).as("deliveries handed over again after the restart").isPositive();
    }

    /** @return {checkpoints written, deliveries handed over again}. */
    private static long[] runSeed(final long seed)
    {
        final Random random = new Random(seed * 7919);
        final Map<Integer, VoteStore> votes = new HashMap<>();
        final Map<Integer, AcceptorJournal> journals = new HashMap<>();
        for (final int s : TOPOLOGY.servers())
        {
            votes.put(s, VoteStore.inMemory());
            journals.put(s, AcceptorJournal.inMemory(2048 + random.nextInt(8192)));
        }
        final MulticastOptions options = FaultSimulationTest.faultOptions(4);
        final Map<Integer, List<Delivery>> kept = new HashMap<>();
        final Map<Integer, AppliedDeliveries> applied = new HashMap<>();
        final List<ClusterSimulation.Sent> sent = new ArrayList<>();
        long redelivered = 0;
        try (ClusterSimulation before = new ClusterSimulation(seed, TOPOLOGY, options, MESSAGES_PER_CLIENT, 3, 200_000,
            votes::get, journals::get, s -> AppliedDeliveries.ALL, 1000))
        {
            final long killAfter = 5 + random.nextInt(MESSAGES_PER_CLIENT * TOPOLOGY.clientCount() - 20);
            boolean leaderChangeFirst = seed % 3 == 0;
            for (long step = 0; step < 200_000 && before.completed < killAfter; step++)
            {
                if (leaderChangeFirst && before.completed >= killAfter / 2)
                {
                    // the leader of group 0 dies first (a leader change), the rest later; it comes back
                    // below with its journal, so it is not a crashed process for the checker
                    leaderChangeFirst = false;
                    before.paused[0] = true;
                    before.fabrics[0].inner().close();
                }
                before.topUpClients();
                before.step();
            }
            assertThat(before.completed).as("seed %d: load before the kill", seed).isGreaterThanOrEqualTo(killAfter);
            sent.addAll(before.sent);
            for (final int s : TOPOLOGY.servers())
            {
                final List<Delivery> all = before.deliveriesBy.get(s);
                final int lag = Math.min(all.size(), random.nextInt(4));
                redelivered += lag;
                final List<Delivery> mine = new ArrayList<>(all.subList(0, all.size() - lag));
                kept.put(s, mine);
                final Delivery mark = mine.isEmpty() ? null : mine.get(mine.size() - 1);
                applied.put(s, (value, group, id) -> mark != null &&
                    Entry.compare(value, group, id, mark.finalTimestamp(), mark.finalGroup(), mark.messageId()) <= 0);
            }
        }

        long checkpoints = 0;
        try (ClusterSimulation after = new ClusterSimulation(seed + 100_000, TOPOLOGY, options, MESSAGES_PER_CLIENT, 3,
            200_000, votes::get, journals::get, applied::get, 5000))
        {
            after.runToCompletion(400_000);
            after.settle(300, 40_000);
            // A new incarnation continues after the highest sequence a server took; a message of the
            // dead one that no server took (it died in a ring with the server's memory) may see its
            // id used again. Such a message can never be delivered; the reused id is the new one.
            final java.util.Set<Long> reused = new java.util.HashSet<>();
            after.sent.forEach(m -> reused.add(m.messageId()));
            sent.removeIf(m -> reused.contains(m.messageId()));
            sent.addAll(after.sent);
            final MulticastHistory.Builder history = MulticastHistory.builder();
            for (int g = 0; g < TOPOLOGY.groupCount(); g++)
            {
                history.group(g, TOPOLOGY.members(g));
            }
            for (final int c : TOPOLOGY.clients())
            {
                history.crashed(c); // the first incarnations died with their multicasts in flight
            }
            for (final ClusterSimulation.Sent m : sent)
            {
                history.recordMulticast(m.client(), ClusterSimulation.id(m.messageId()), m.destinations());
            }
            for (final int s : TOPOLOGY.servers())
            {
                for (final Delivery d : kept.get(s))
                {
                    history.recordDelivery(s, ClusterSimulation.id(d.messageId()), d.destinations());
                }
                for (final Delivery d : after.deliveriesBy.get(s))
                {
                    history.recordDelivery(s, ClusterSimulation.id(d.messageId()), d.destinations());
                }
            }
            final CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> result =
                new MulticastChecker().check(history.build(), true);
            assertThat(result.isValid()).as("seed %d across the restart of every process: %s\n%s", seed,
                result.summary(), after.describe()).isTrue();
            assertThat(after.completed).as("seed %d: completions after the restart", seed)
                .isEqualTo((long)MESSAGES_PER_CLIENT * TOPOLOGY.clientCount());
        }
        for (final AcceptorJournal j : journals.values())
        {
            checkpoints += ((MemoryAcceptorJournal)j).checkpoints();
        }
        return new long[] {checkpoints, redelivered};
    }
}
