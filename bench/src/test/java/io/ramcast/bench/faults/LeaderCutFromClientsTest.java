package io.ramcast.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The leader of group 1 cut off from the clients only (both ways; the replicas still reach it) for
 * 4 s under the bank workload: every check of the report must pass and, since the group's
 * followers still reach the clients, commits must go on during the cut: the longest time without
 * a commit around the step must stay well below the cut (under half of it). Skipped, with the
 * reason, where links cannot be cut.
 *
 * <p>What makes it pass: a follower holding a message the leader has not proposed for a failure
 * timeout relays it to the leader, and after three takes the leader as failed
 * ({@code ServerProtocol.checkLeaderProgress}).
 */
class LeaderCutFromClientsTest
{
    private static final double CUT_MS = 4_000;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldKeepCommittingWhileTheLeaderIsCutOffFromTheClients() throws Exception
    {
        final Optional<String> unavailable = LinkCutter.unavailableReason();
        assumeTrue(unavailable.isEmpty(), () -> "link cutting unavailable: " + unavailable.orElse(""));

        final JsonNode report = FaultsTestSupport.runFaults("leader-cut-from-clients",
            "isolate-from-clients:leader-1:" + (long)(CUT_MS / 1000), "2s");

        final JsonNode step = report.path("steps").get(0);
        assertThat(step.path("target").asText())
            .matches("cut replica \\d \\(leader of group 1\\) from the clients only, both ways .*\\([1-9]\\d* packets " +
                "dropped\\), then healed it( \\(.*\\))?");
        assertThat(step.path("commitsResumed").path("longestGapMs").asDouble())
            .as("longest time without a commit around a " + CUT_MS + " ms cut of the leader from the clients; " + step)
            .isLessThan(CUT_MS / 2);
    }
}
