package io.ramcast.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The restarted replicas' STATUS must say up (caught up) before the run ends.
 *
 * <p>It was tagged {@code awaiting-fix} while one run in six showed a prefix-order violation at
 * the restarted leader of group 2 (its logs were lost with the CI clone). A mechanism that fits
 * what was seen, and that the simulation reproduced: a replica restarted behind its group could
 * win an election (or be streamed from the start of a ballot) and then deliver later messages
 * without ones every other member had delivered and forgotten. Voters now refuse such a
 * candidate and leaders do not stream such a member (see ARCHITECTURE.md, "A stale member never
 * leads"); three runs in a row passed after that.
 */
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
        assertThat(report.path("checks").findValuesAsText("name")).contains("surviving replicas converged",
            "restarted replicas caught up");
    }
}
