package io.ramcast.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole-cluster crash under the bank workload: every replica killed with SIGKILL at once while
 * the bank clients run and a two-partition probe transaction is in flight, then all started again
 * on the same data and the workload continued. Every check of the report must pass: the bank
 * checker, final total, no committed transfer lost, replicas identical, the multicast checker,
 * and the atomicity probe (a probe committed before, the one in flight, and one after: each on
 * both partitions or on neither, at every replica). Cold JVMs after the restart are measured
 * against the warm rate before it, so "throughput recovered" asks for 30 % of it.
 *
 * <p>What makes it pass: every replica's acceptor journal (what it acknowledged survives the
 * kill), deliveries the store had not applied handed over again after the restart, and delivery
 * logs written through, so the replicas stay correct processes for the multicast checker
 * (agreement and order are checked across the kill).
 *
 * <p>Tagged {@code campaign} (run by hand) to keep the build within its time: {@code
 * WholeClusterKillTest} kills every replica with SIGKILL mid-load in every build (20,000
 * two-partition probes, every one on both partitions or neither, stores identical).
 */
@Tag("campaign")
class KillAllFaultsTest
{
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldKeepEveryTransactionAtomicWhenEveryReplicaIsKilledMidLoad() throws Exception
    {
        final JsonNode report = FaultsTestSupport.runFaults("kill-all", "kill-all", "2s", "--recovery-fraction", "0.3");

        final JsonNode step = report.path("steps").get(0);
        assertThat(step.path("target").asText()).startsWith("killed 9 replicas at once (SIGKILL) mid-load and restarted " +
            "them on the same data");
        assertThat(step.path("commitsResumed").path("from").asText()).isEqualTo("the kill");
        assertThat(step.path("commitsResumed").path("afterMs").asDouble()).isPositive();
        assertThat(report.path("checks").findValuesAsText("name")).contains(
            "atomicity probe: each two-partition probe on both partitions or neither, at every replica");
        assertThat(report.path("checks").findValuesAsText("detail")).anyMatch(d -> d.startsWith("3 probes (kill-all#1 before: " +
            "committed, kill-all#1 in flight: ") && d.contains("kill-all#1 after: committed"));
    }
}
