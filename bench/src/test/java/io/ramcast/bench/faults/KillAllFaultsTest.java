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
 * <p>Tagged {@code awaiting-fix} (left out of the default build): what the replicas acknowledged
 * is in memory only until the durable acceptor journal lands, so a whole-cluster crash mid-load
 * is not recovered by design yet. Measured here before the journal: the bank checker, final total,
 * ledger, identical stores and the probe passed, and the multicast checker failed (replica 8
 * delivered three messages again after its restart; the logs of replicas that lost their buffered
 * tail at the kill disagree in prefix order with the others). Run it with
 * {@code mvn -B -pl bench -am verify -Dtest=KillAllFaultsTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsurefire.excludedGroups=}; remove the tag once it passes.
 */
@Tag("awaiting-fix")
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
