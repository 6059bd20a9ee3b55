package io.ramcast.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One replica at a time killed with SIGKILL under the bank workload and started again on its own
 * data a few seconds later, while its partition goes on without it: a follower of group 1 (then
 * the leader of group 1 is killed for good, so group 1 goes on only if the restarted replica
 * counts toward its majority again), and the leader of group 2. Each must rejoin and serve again: its leader resumes its stream where it
 * stands, its group sends it the bodies it missed, servers and clients talk to the new process
 * (mailbox rings and client sessions start over), and it catches up. Every check of the report
 * must pass, with the restarted replicas counted as correct processes: converged and identical
 * stores, the multicast checker (agreement and order across the restart) and the bank checks.
 *
 * <p>Tagged {@code awaiting-fix} (not run by {@code .ci/run}; run it with
 * {@code mvn -pl bench test -Dtest=RestartReplicaFaultsTest -Dsurefire.excludedGroups=campaign}): it
 * passed in five runs of six here, but in one run (a CI run from a fresh clone) the restarted
 * leader of group 2 delivered 102:7297 without 101:6059, which every other replica delivered
 * before it — a prefix-order violation at the restarted replica. In that run the restarted
 * replica's catch-up had stopped at 101:6059 (its body, relayed, was dropped: 1,024 ring positions
 * of that client were already taken ahead, the client having given the replica up again for a
 * backlog overflow right after its session renewal), so it never knew the message was pending; how
 * its own ordering then passed over it is not yet understood. Until it is, a replica restarted
 * alone must not be trusted (see README, "Restarts and network partitions").
 */
@Tag("awaiting-fix")
class RestartReplicaFaultsTest
{
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldBringARestartedReplicaBackIntoItsPartition() throws Exception
    {
        final JsonNode report = FaultsTestSupport.runFaults("restart-replica", "restart-replica:follower-1:4,kill-leader:1,restart-replica:leader-2:4",
            "2s", "--recovery-fraction", "0.3");

        assertThat(report.path("steps")).hasSize(3);
        assertThat(report.path("steps").get(0).path("target").asText()).contains("(follower of group 1)")
            .contains("started it again on its own data");
        assertThat(report.path("steps").get(1).path("target").asText()).contains("(leader)");
        assertThat(report.path("steps").get(2).path("target").asText()).contains("(leader of group 2)");
        assertThat(report.path("checks").findValuesAsText("name")).contains("surviving replicas converged");
    }
}
