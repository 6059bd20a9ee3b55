package io.ramcast.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling restart and a lost disk under the bank workload. Every replica of group 0 is restarted
 * in turn (SIGTERM, start, wait until its STATUS says up; a rolling restart of every group is the
 * same loop over more replicas: {@link #shouldRestartEveryReplicaOfTheClusterInTurn}, in the
 * campaign tier for its time); then a follower of group 0 is killed and its
 * data directory deleted; it is rebuilt from a snapshot of a peer (what {@code ramcast replica
 * --rebuild} does) and started again; then the leader of group 0 is killed for good, so group 0
 * goes on only if the rebuilt replica counts toward its majority again. Every check of the
 * report must pass with the rebuilt and restarted replicas counted as correct processes: their
 * stores identical to their peers', the multicast checker over their delivery logs (the rebuilt
 * replica's log holds what its snapshot brought), the bank checks and the catch-up check.
 */
class WipeAndRollingRestartFaultsTest
{
    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void shouldRebuildAWipedReplicaAndSurviveARollingRestart() throws Exception
    {
        // throughput must recover to 0.2 of the rate before a step, not 0.3 as elsewhere: a rolling
        // restart replaces every replica JVM, and on 2 shared cores the cold JVMs committed 0.28 x
        // the warm rate in the interval after it in one CI run (every correctness check passing)
        final JsonNode report = FaultsTestSupport.runFaults("wipe-rolling", "rolling-restart:0,wipe-replica:follower-0:3," +
            "kill-leader:0", "2s", "--recovery-fraction", "0.2");

        assertThat(report.path("steps")).hasSize(3);
        assertThat(report.path("steps").get(0).path("target").asText()).contains("restarted 3 replicas of group 0 one at a time")
            .doesNotContain("NOT caught up");
        assertThat(report.path("steps").get(1).path("target").asText()).contains("(follower of group 0)")
            .contains("deleted its data directory").contains("rebuilt from a snapshot of replica");
        assertThat(report.path("steps").get(1).path("detail").asText()).contains("its STATUS said up (caught up)");
        assertThat(report.path("steps").get(2).path("target").asText()).contains("(leader)");
        assertThat(report.path("checks").findValuesAsText("name")).contains("restarted replicas caught up",
            "surviving replicas converged");
    }

    /** A rolling restart of all nine replicas under the bank workload (tagged {@code campaign}: run by hand). */
    @Test
    @Tag("campaign")
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void shouldRestartEveryReplicaOfTheClusterInTurn() throws Exception
    {
        final JsonNode report = FaultsTestSupport.runFaults("rolling-all", "rolling-restart", "2s",
            "--recovery-fraction", "0.2");

        assertThat(report.path("steps").get(0).path("target").asText()).contains("restarted 9 replicas one at a time")
            .doesNotContain("NOT caught up");
        assertThat(report.path("checks").findValuesAsText("name")).contains("restarted replicas caught up");
    }
}
