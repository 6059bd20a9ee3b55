package io.ramcast.multicast.fabric.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

class ReconnectBackoffTest
{
    private static final long SEED = 20261206L;

    /** A random source that answers bounded draws from a script and records the bounds asked for. */
    private static final class ScriptedRandom implements RandomGenerator
    {
        private final ArrayDeque<Long> draws = new ArrayDeque<>();
        private final List<Long> bounds = new ArrayList<>();

        @Override
        public long nextLong()
        {
            throw new UnsupportedOperationException("the back-off only draws bounded values");
        }

        @Override
        public long nextLong(final long bound)
        {
            bounds.add(bound);
            return draws.removeFirst();
        }
    }

    private final ScriptedRandom scripted = new ScriptedRandom();

    @Test
    void shouldDoubleTheDelayUpToTheMaximumWithoutJitter()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(10, 100, 0, scripted);
        final long nowNs = 1_000;
        final List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            final long delayNs = backoff.onFailure(nowNs);
            assertThat(backoff.nextAttemptNs()).isEqualTo(nowNs + delayNs);
            delays.add(delayNs);
        }

        assertThat(delays).containsExactly(10L, 20L, 40L, 80L, 100L, 100L);
        assertThat(scripted.bounds).isEmpty();
    }

    @Test
    void shouldBeDueOnlyOnceTheDelayHasPassed()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(10, 100, 0, scripted);
        backoff.onFailure(1_000);

        assertThat(backoff.isDue(1_009)).isFalse();
        assertThat(backoff.isDue(1_010)).isTrue();
        assertThat(backoff.isDue(5_000)).isTrue();
    }

    @Test
    void shouldCompareTimesAcrossTheWrapOfTheClock()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(10, 100, 0, scripted);
        final long nowNs = Long.MAX_VALUE - 5;
        backoff.onFailure(nowNs);

        assertThat(backoff.nextAttemptNs()).isNegative();
        assertThat(backoff.isDue(Long.MAX_VALUE)).isFalse();
        assertThat(backoff.isDue(nowNs + 10)).isTrue();
    }

    @Test
    void shouldMakeAnAttemptDueAtOnceAndResetTheDelay()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(10, 100, 0, scripted);
        backoff.onFailure(0);
        backoff.onFailure(0);
        assertThat(backoff.backoffNs()).isEqualTo(40);

        backoff.attemptNow(500);

        assertThat(backoff.isDue(500)).isTrue();
        assertThat(backoff.nextAttemptNs()).isEqualTo(500);
        assertThat(backoff.onFailure(500)).isEqualTo(10);
    }

    @Test
    void shouldWaitTheMinimumAgainAfterASuccess()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(10, 100, 0, scripted);
        for (int i = 0; i < 5; i++)
        {
            backoff.onFailure(0);
        }
        assertThat(backoff.backoffNs()).isEqualTo(100);

        backoff.onSuccess();

        assertThat(backoff.backoffNs()).isEqualTo(10);
        assertThat(backoff.onFailure(2_000)).isEqualTo(10);
    }

    @Test
    void shouldShortenEachDelayByARandomPartOfAtMostTheJitterFraction()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(100, 1_000, 0.25, scripted);
        scripted.draws.add(25L);
        scripted.draws.add(0L);
        scripted.draws.add(7L);

        assertThat(backoff.onFailure(0)).isEqualTo(75);
        assertThat(backoff.onFailure(0)).isEqualTo(200);
        assertThat(backoff.onFailure(0)).isEqualTo(393);
        assertThat(scripted.bounds).containsExactly(26L, 51L, 101L);
    }

    @Test
    void shouldKeepSeededJitteredDelaysWithinTheirBounds()
    {
        final long minNs = 1_000;
        final long maxNs = 64_000;
        final ReconnectBackoff backoff = new ReconnectBackoff(minNs, maxNs, 0.25, new SplittableRandom(SEED));
        final List<Long> delaysAtMax = new ArrayList<>();
        for (int i = 0; i < 1_000; i++)
        {
            final long backoffNs = backoff.backoffNs();
            final long delayNs = backoff.onFailure(0);
            assertThat(delayNs).as("failure %d, seed %d", i, SEED).isBetween(backoffNs - backoffNs / 4, backoffNs);
            if (backoffNs == maxNs)
            {
                delaysAtMax.add(delayNs);
            }
        }

        assertThat(delaysAtMax).as("seed %d", SEED).hasSizeGreaterThan(900);
        assertThat(delaysAtMax.stream().distinct().count()).as("seed %d", SEED).isGreaterThan(1);
    }

    @Test
    void shouldNotOverflowWhenDoublingNearTheLargestDelay()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE, 0, scripted);
        backoff.onFailure(0);

        assertThat(backoff.backoffNs()).isEqualTo(Long.MAX_VALUE);
        assertThat(backoff.onFailure(0)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldRefuseBadBoundsOrJitterNamingTheField()
    {
        assertThatThrownBy(() -> new ReconnectBackoff(0, 10, 0, scripted))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("minBackoffNs=0 must be > 0");
        assertThatThrownBy(() -> new ReconnectBackoff(10, 9, 0, scripted))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBackoffNs=9 must be >= minBackoffNs=10");
        assertThatThrownBy(() -> new ReconnectBackoff(10, 10, 1, scripted))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jitterFraction=1.0");
        assertThatThrownBy(() -> new ReconnectBackoff(10, 10, -0.1, scripted))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jitterFraction");
        assertThatThrownBy(() -> new ReconnectBackoff(10, 10, Double.NaN, scripted))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jitterFraction");
        assertThatThrownBy(() -> ReconnectBackoff.checkBounds("connectBackoffMinNs", 5, "connectBackoffMaxNs", 4))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("connectBackoffMaxNs=4");
    }
}
