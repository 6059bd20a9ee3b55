package io.ramcast.client;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestTrackerTest
{
    private static final int[] P0 = {0};
    private static final int[] P01 = {0, 1};
    private static final long RETENTION_NS = 1_000;

    @Test
    void shouldIssueIncreasingIdsAndCarryTheSmallestInFlightAsWatermark()
    {
        final RequestTracker t = new RequestTracker(100, 8, RETENTION_NS);
        assertThat(t.settledBelow(0)).isEqualTo(100);
        final RequestTracker.Ticket a = t.beginNew(P0, 0);
        final RequestTracker.Ticket b = t.beginNew(P0, 0);
        assertThat(a.requestId()).isEqualTo(100);
        assertThat(b.requestId()).isEqualTo(101);
        assertThat(a.settledBelow()).isEqualTo(100);
        assertThat(b.settledBelow()).as("100 is still in flight").isEqualTo(100);
        t.settle(101);
        assertThat(t.settledBelow(0)).isEqualTo(100);
        t.settle(100);
        assertThat(t.settledBelow(0)).as("nothing in flight: the next id").isEqualTo(102);
    }

    @Test
    void shouldMoveTheFirstIdOnlyBeforeAnyIsIssued()
    {
        final RequestTracker t = new RequestTracker(100, 8, RETENTION_NS);
        t.startAt(5_000);
        assertThat(t.beginNew(new int[] {0}, 0).requestId()).isEqualTo(5_000);
        assertThatThrownBy(() -> t.startAt(9_000)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("issued already");
    }

    @Test
    void shouldKeepAnUnknownIdRetryableUntilItsOutcomeIsDefinite()
    {
        final RequestTracker t = new RequestTracker(1, 8, RETENTION_NS);
        t.beginNew(P01, 0);
        t.unknown(1, 10);
        assertThat(t.beginNew(P0, 20).settledBelow()).isEqualTo(1);
        t.settle(2);
        final RequestTracker.Ticket retry = t.beginRetry(1, P01, 30);
        assertThat(retry.retry()).isTrue();
        assertThat(retry.settledBelow()).isEqualTo(1);
        assertThatThrownBy(() -> t.beginRetry(1, P01, 40))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("still in flight");
        t.settle(1);
        assertThat(t.settledBelow(50)).isEqualTo(3);
        assertThatThrownBy(() -> t.beginRetry(1, P01, 60))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is settled");
    }

    @Test
    void shouldSettleUnknownIdsAfterTheRetentionTime()
    {
        final RequestTracker t = new RequestTracker(1, 8, RETENTION_NS);
        t.beginNew(P0, 0);
        t.unknown(1, 0);
        assertThat(t.settledBelow(RETENTION_NS - 1)).isEqualTo(1);
        assertThat(t.settledBelow(RETENTION_NS)).isEqualTo(2);
        assertThatThrownBy(() -> t.beginRetry(1, P0, RETENTION_NS))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is settled")
            .hasMessageContaining("retry window");
    }

    @Test
    void shouldSettleTheOldestUnknownIdsBeyondTheCapacity()
    {
        final RequestTracker t = new RequestTracker(1, 2, RETENTION_NS);
        for (int i = 0; i < 3; i++)
        {
            t.beginNew(P0, 0);
        }
        t.unknown(2, 0);
        t.unknown(1, 0);
        t.unknown(3, 0);
        assertThat(t.unknownCount()).isEqualTo(2);
        assertThatThrownBy(() -> t.beginRetry(2, P0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.settledBelow(0)).isEqualTo(1);
        t.beginRetry(1, P0, 0);
        t.settle(1);
        assertThat(t.settledBelow(0)).isEqualTo(3);
    }

    @Test
    void shouldRefuseIdsNeverIssuedAndRetriesToOtherPartitions()
    {
        final RequestTracker t = new RequestTracker(1, 8, RETENTION_NS);
        t.beginNew(P0, 0);
        t.unknown(1, 0);
        assertThatThrownBy(() -> t.beginRetry(5, P0, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never issued");
        assertThatThrownBy(() -> t.beginRetry(1, P01, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0] but the retry goes to [0, 1]");
        assertThat(t.beginRetry(1, P0, 0).requestId()).as("still retryable after a refused retry").isEqualTo(1);
    }

    @Test
    void shouldSettleAnAbandonedNewIdButKeepAnAbandonedRetryUnknown()
    {
        final RequestTracker t = new RequestTracker(1, 8, RETENTION_NS);
        t.abandon(t.beginNew(P0, 0), 0);
        assertThat(t.settledBelow(0)).isEqualTo(2);
        t.beginNew(P0, 0);
        t.unknown(2, 0);
        t.abandon(t.beginRetry(2, P0, 0), 0);
        assertThat(t.unknownCount()).isEqualTo(1);
        assertThat(t.settledBelow(0)).isEqualTo(2);
    }

    @Test
    void shouldNeverLowerTheWatermarkNorLetItPassARetryableId()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final RequestTracker t = new RequestTracker(1, 16, 50);
        final List<Long> inFlight = new ArrayList<>();
        final List<Long> unknown = new ArrayList<>();
        long now = 0;
        long watermark = 0;
        for (int step = 0; step < 20_000; step++)
        {
            now += random.nextInt(3);
            final int action = random.nextInt(4);
            if (action == 0 || inFlight.isEmpty())
            {
                inFlight.add(t.beginNew(P0, now).requestId());
            }
            else if (action == 1)
            {
                t.settle(inFlight.remove(random.nextInt(inFlight.size())));
            }
            else if (action == 2)
            {
                final long id = inFlight.remove(random.nextInt(inFlight.size()));
                t.unknown(id, now);
                unknown.add(id);
            }
            else if (!unknown.isEmpty())
            {
                final long id = unknown.remove(random.nextInt(unknown.size()));
                try
                {
                    final RequestTracker.Ticket ticket = t.beginRetry(id, P0, now);
                    assertThat(ticket.settledBelow()).as("seed %d", seed).isLessThanOrEqualTo(id);
                    inFlight.add(id);
                }
                catch (final IllegalArgumentException settled)
                {
                    assertThat(id).as("seed %d: only ids below the watermark are settled", seed).isLessThan(
                        t.settledBelow(now) + 1_000_000);
                }
            }
            final long w = t.settledBelow(now);
            assertThat(w).as("seed %d step %d: the watermark never decreases", seed, step).isGreaterThanOrEqualTo(watermark);
            for (final long id : inFlight)
            {
                assertThat(w).as("seed %d: in-flight %d is not settled", seed, id).isLessThanOrEqualTo(id);
            }
            watermark = w;
        }
    }
}
