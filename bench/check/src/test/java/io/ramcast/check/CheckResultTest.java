package io.ramcast.check;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The result type every checker shares: exact counts, bounded kept anomalies, and one report layout
 * that each checker fills with its own name, verdict, history lines, labels and witnesses.
 */
class CheckResultTest
{
    enum Kind implements AnomalyKind
    {
        PLAIN,
        NOTED
        {
            @Override
            public String label()
            {
                return "noted-kind";
            }

            @Override
            public String countNote()
            {
                return " (needs a note)";
            }
        }
    }

    record Found(Kind type, String description, List<String> witness) implements Anomaly<Kind>
    {
        @Override
        public String toString()
        {
            return "[" + type.label() + "] " + description;
        }
    }

    record Seen(int eventCount) implements HistoryStats<Kind>
    {
        @Override
        public String checkName()
        {
            return "test check";
        }

        @Override
        public String verdict(final Set<Kind> found)
        {
            return found.isEmpty() ? "FINE" : "BROKEN " + found;
        }

        @Override
        public void describe(final StringBuilder report)
        {
            report.append("  history: ").append(eventCount).append(" events\n");
        }
    }

    @Test
    void shouldReportAValidHistoryWithItsStatsAndNoAnomalies()
    {
        final CheckResult<Kind, Found, Seen> result = new CheckResult.Collector<Kind, Found>(Kind.class).result(new Seen(7));

        assertThat(result.isValid()).isTrue();
        assertThat(result.totalAnomalies()).isZero();
        assertThat(result.anomalyTypes()).isEmpty();
        assertThat(result.stats().eventCount()).isEqualTo(7);
        assertThat(result.summary()).isEqualTo("test check: FINE\n  history: 7 events\n  no anomalies\n");
    }

    @Test
    void shouldCountEveryAnomalyButKeepOnlyTheFirstOfEachTypeUpToTheCap()
    {
        final CheckResult.Collector<Kind, Found> collector = new CheckResult.Collector<>(Kind.class);
        for (int i = 0; i < CheckResult.MAX_RECORDED_PER_TYPE + 5; i++)
        {
            collector.add(new Found(Kind.PLAIN, "plain " + i, List.of()));
        }
        collector.add(new Found(Kind.NOTED, "noted 0", List.of()));

        final CheckResult<Kind, Found, Seen> result = collector.result(new Seen(1));

        assertThat(result.isValid()).isFalse();
        assertThat(result.count(Kind.PLAIN)).isEqualTo(CheckResult.MAX_RECORDED_PER_TYPE + 5);
        assertThat(result.count(Kind.NOTED)).isOne();
        assertThat(result.totalAnomalies()).isEqualTo(CheckResult.MAX_RECORDED_PER_TYPE + 6);
        assertThat(result.anomalies(Kind.PLAIN)).hasSize(CheckResult.MAX_RECORDED_PER_TYPE)
            .last().extracting(Found::description).isEqualTo("plain " + (CheckResult.MAX_RECORDED_PER_TYPE - 1));
        assertThat(result.anomalyTypes()).containsExactly(Kind.PLAIN, Kind.NOTED);
    }

    @Test
    void shouldLetACheckerCountFirstAndBuildTheDetailsOnlyWhenKept()
    {
        final CheckResult.Collector<Kind, Found> collector = new CheckResult.Collector<>(Kind.class);
        int built = 0;
        for (int i = 0; i < CheckResult.MAX_RECORDED_PER_TYPE * 2; i++)
        {
            if (collector.count(Kind.NOTED))
            {
                built++;
                collector.keep(new Found(Kind.NOTED, "n" + i, List.of()));
            }
        }

        final CheckResult<Kind, Found, Seen> result = collector.result(new Seen(0));

        assertThat(built).isEqualTo(CheckResult.MAX_RECORDED_PER_TYPE);
        assertThat(result.count(Kind.NOTED)).isEqualTo(CheckResult.MAX_RECORDED_PER_TYPE * 2L);
        assertThat(result.anomalies()).hasSize(CheckResult.MAX_RECORDED_PER_TYPE);
    }

    @Test
    void shouldGroupKeptAnomaliesByTypeInEnumOrderKeepingDetectionOrderWithinAType()
    {
        final CheckResult.Collector<Kind, Found> collector = new CheckResult.Collector<>(Kind.class);
        collector.add(new Found(Kind.NOTED, "n1", List.of()));
        collector.add(new Found(Kind.PLAIN, "p1", List.of()));
        collector.add(new Found(Kind.NOTED, "n2", List.of()));
        collector.add(new Found(Kind.PLAIN, "p2", List.of()));

        final CheckResult<Kind, Found, Seen> result = collector.result(new Seen(4));

        assertThat(result.anomalies()).extracting(Found::description).containsExactly("p1", "p2", "n1", "n2");
        assertThat(result.anomalies(Kind.NOTED)).extracting(Found::description).containsExactly("n1", "n2");
    }

    @Test
    void shouldPrintLabelsNotesWitnessesAndAtMostMaxPrintedAnomalies()
    {
        final CheckResult.Collector<Kind, Found> collector = new CheckResult.Collector<>(Kind.class);
        collector.add(new Found(Kind.NOTED, "a cycle", List.of("T1 -> T2", "T2 -> T1")));
        for (int i = 0; i < CheckResult.MAX_PRINTED + 3; i++)
        {
            collector.add(new Found(Kind.PLAIN, "p" + i, List.of()));
        }

        final String summary = collector.result(new Seen(9)).summary();

        assertThat(summary).startsWith("test check: BROKEN [PLAIN, NOTED]\n  history: 9 events\n" +
            "  PLAIN: " + (CheckResult.MAX_PRINTED + 3) + "\n  noted-kind: 1 (needs a note)\n" +
            "  showing " + CheckResult.MAX_PRINTED + " of " + (CheckResult.MAX_PRINTED + 4) + " anomalies:\n" +
            "    [PLAIN] p0\n");
        assertThat(summary).doesNotContain("a cycle").contains("    [PLAIN] p" + (CheckResult.MAX_PRINTED - 1) + "\n");

        final CheckResult.Collector<Kind, Found> one = new CheckResult.Collector<>(Kind.class);
        one.add(new Found(Kind.NOTED, "a cycle", List.of("T1 -> T2", "T2 -> T1")));
        assertThat(one.result(new Seen(2)).summary())
            .endsWith("    [noted-kind] a cycle\n        T1 -> T2\n        T2 -> T1\n");
    }
}
