package io.ramcast.bench.faults;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The leader-fault measure: the end of the longest silence of the surviving members after the fault. */
class RecoveryTimeTest
{
    @Test
    void shouldMeasureTheEndOfTheLongestSilenceNotTheDrainRightAfterTheFault()
    {
        // fault at 1_000_000 us; one survivor drains two deliveries within 1 ms, then silence until +640 ms
        final long fault = 1_000_000;
        final RecoveryTime r = RecoveryTime.measure(fault, Long.MAX_VALUE, List.of(
            new long[] {900_000, fault + 300, fault + 800, fault + 640_000, fault + 641_000},
            new long[] {fault + 500, fault + 645_000}));

        assertThat(r.recovered()).isTrue();
        assertThat(r.deliveries()).isEqualTo(6);
        assertThat(r.firstDeliveryMicros()).isEqualTo(300);
        assertThat(r.silenceStartMicros()).isEqualTo(800);
        assertThat(r.recoveryMicros()).isEqualTo(640_000);
    }

    @Test
    void shouldCountTheSilenceFromTheFaultWhenNothingDrains()
    {
        final RecoveryTime r = RecoveryTime.measure(5_000, Long.MAX_VALUE, List.of(new long[] {1_000, 255_000, 256_000}));

        assertThat(r.silenceStartMicros()).isZero();
        assertThat(r.recoveryMicros()).isEqualTo(250_000);
    }

    @Test
    void shouldReportNoRecoveryWithoutDeliveriesInTheWindow()
    {
        final RecoveryTime r = RecoveryTime.measure(5_000, 9_000, List.of(new long[] {1_000, 9_000, 12_000}, new long[0]));

        assertThat(r.recovered()).isFalse();
        assertThat(r.recoveryMicros()).isEqualTo(-1);
    }
}
