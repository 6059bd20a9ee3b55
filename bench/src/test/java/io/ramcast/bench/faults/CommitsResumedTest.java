package io.ramcast.bench.faults;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When commits come back after a heal or a restart, from the committed operations' completion times. */
class CommitsResumedTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldMeasureFromTheMomentToTheFirstCommitAfterItAndTheLongestGapInTheStep()
    {
        // step acts at 1000 ms, heals at 4000 ms, next step at 9000 ms; commits stall from 1500 to 4250
        final long[] commits = {900 * MS, 1_200 * MS, 1_500 * MS, 4_250 * MS, 4_300 * MS, 8_990 * MS, 9_100 * MS};

        final FaultReport.CommitsResumed r = FaultReport.CommitsResumed.measure("the heal", 4_000 * MS, 1_000 * MS,
            9_000 * MS, commits);

        assertThat(r.resumed()).isTrue();
        assertThat(r.afterMs()).isEqualTo(250.0);
        assertThat(r.longestGapMs()).isEqualTo(4_690.0);
        assertThat(FaultReport.resumedText(r)).isEqualTo(
            "commits resumed 250.0 ms after the heal (longest gap without a commit in the step: 4690.0 ms)");
    }

    @Test
    void shouldReportNoResumeWhenNothingCommitsBeforeTheNextStep()
    {
        final long[] commits = {100 * MS, 200 * MS, 9_500 * MS};

        final FaultReport.CommitsResumed r = FaultReport.CommitsResumed.measure("the first SIGTERM", 1_000 * MS,
            500 * MS, 9_000 * MS, commits);

        assertThat(r.resumed()).isFalse();
        assertThat(r.longestGapMs()).isEqualTo(8_500.0);
        assertThat(FaultReport.resumedText(r)).isEqualTo("no commit completed after the first SIGTERM until the next step");
    }
}
