package io.ramcast.bench.faults;

import io.ramcast.bench.process.LocalDeployment.StoreDigest;
import io.ramcast.txn.store.AppliedMark;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store verdict after a faults run: a replica cut off may stay behind (named, not failed), a
 * replica never cut off may not, and replicas at the same applied position must hold the same data.
 */
class StoreComparisonTest
{
    private static final AppliedMark AT_10 = new AppliedMark(10, 0, 1);
    private static final AppliedMark AT_20 = new AppliedMark(20, 1, 2);
    private static final StoreDigest DATA_AT_20 = new StoreDigest("aaaaaaaaaaaa", 12, AT_20);
    private static final StoreDigest OLD_DATA_AT_10 = new StoreDigest("bbbbbbbbbbbb", 12, AT_10);

    @Test
    void shouldPassIdenticalReplicasWithNothingBehind()
    {
        final StoreComparison c = StoreComparison.of(Map.of(0, Map.of(0, DATA_AT_20, 1, DATA_AT_20, 2, DATA_AT_20)),
            Set.of(), Map.of());

        assertThat(c.identical()).isTrue();
        assertThat(c.behind()).isEmpty();
        assertThat(c.problems()).isEmpty();
    }

    @Test
    void shouldNameACutOffReplicaThatStaysBehindWithTheDeliveriesItLacks()
    {
        final StoreComparison c = StoreComparison.of(
            Map.of(0, Map.of(0, DATA_AT_20, 1, DATA_AT_20, 2, OLD_DATA_AT_10), 1, Map.of(3, DATA_AT_20)),
            Set.of(2), Map.of(0, 500L, 1, 500L, 2, 88L));

        assertThat(c.identical()).isTrue();
        assertThat(c.behind()).containsExactly(Map.entry(2, "replica 2 stays behind by 412 (no catch-up yet)"));
    }

    @Test
    void shouldFailAReplicaBehindThatWasNeverCutOff()
    {
        final StoreComparison c = StoreComparison.of(Map.of(0, Map.of(0, DATA_AT_20, 1, OLD_DATA_AT_10)), Set.of(2),
            Map.of());

        assertThat(c.identical()).isFalse();
        assertThat(c.behind()).isEmpty();
        assertThat(c.problems()).containsExactly("partition 0: replica 1 is behind by applied position " + AT_10 +
            " < " + AT_20 + " and was never cut off");
    }

    @Test
    void shouldNeverHideADivergenceEvenOfAReplicaAllowedToLag()
    {
        final StoreDigest otherDataAt10 = new StoreDigest("cccccccccccc", 12, AT_10);
        final StoreComparison c = StoreComparison.of(
            Map.of(0, Map.of(0, DATA_AT_20, 1, OLD_DATA_AT_10, 2, otherDataAt10)), Set.of(1, 2), Map.of());

        assertThat(c.identical()).isFalse();
        assertThat(c.problems()).singleElement().asString()
            .startsWith("partition 0: replicas 1 and 2 diverged: different data at the same applied position " + AT_10)
            .contains("bbbbbbbb, 12 entries vs cccccccc, 12 entries");
        final StoreComparison atTop = StoreComparison.of(
            Map.of(0, Map.of(0, DATA_AT_20, 1, new StoreDigest("dddddddddddd", 12, AT_20))), Set.of(1), Map.of());
        assertThat(atTop.identical()).isFalse();
        assertThat(atTop.problems()).singleElement().asString().contains("replicas 0 and 1 diverged");
    }
}
