package io.ramcast.bench.load;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The load's progress display: plain lines at most every two seconds, and the terminal bar. */
class LoadProgressTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void shouldPrintALineWithRateAndEtaAtMostEveryTwoSeconds()
    {
        final StringWriter text = new StringWriter();
        try (LoadProgress progress = LoadProgress.create("load ycsb-a", 10, new PrintWriter(text), false))
        {
            assertThat(progress.interval()).isEqualTo(LoadProgress.LINE_INTERVAL);
            progress.update(0, 0, 0);
            progress.update(2, 64, SECOND_NS);
            progress.update(4, 128, 2 * SECOND_NS);
            progress.update(10, 320, 4 * SECOND_NS);
        }
        assertThat(text.toString().split("\n")).containsExactly(
            "load ycsb-a: 0/10 transactions (0.0%), 0 records, 0 records/s, ETA ?",
            "load ycsb-a: 4/10 transactions (40.0%), 128 records, 64 records/s, ETA 3 s",
            "load ycsb-a: 10/10 transactions (100.0%), 320 records, 80 records/s, ETA 0 s");
    }

    @Test
    void shouldDrawABarWithoutATerminal()
    {
        try (LoadProgress progress = LoadProgress.create("load bank", 3, new PrintWriter(new StringWriter()), true))
        {
            assertThat(progress.interval()).isEqualTo(LoadProgress.BAR_INTERVAL);
            progress.update(1, 5, SECOND_NS);
            progress.update(3, 12, 2 * SECOND_NS);
        }
    }
}
