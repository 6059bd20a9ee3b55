package io.ramcast.storage.transfer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transfer rate limit holds a sender back at least as long as the rate demands (a lower bound only). */
class RateLimiterTest
{
    @Test
    void shouldHoldTheCallerBackToTheRate()
    {
        final long bytesPerSecond = 1 << 20;
        final RateLimiter limiter = new RateLimiter(bytesPerSecond);
        final long startNs = System.nanoTime();
        for (int i = 0; i < 3; i++)
        {
            limiter.acquire(512 * 1024);
        }
        // 1.5 MiB at 1 MiB/s: at least 1.5 s from the limiter's start (its start is before startNs).
        assertThat(System.nanoTime() - startNs).isGreaterThanOrEqualTo(1_400_000_000L);
    }

    @Test
    void shouldRefuseANegativeRate()
    {
        assertThatThrownBy(() -> new RateLimiter(-1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("0: unlimited");
    }
}
