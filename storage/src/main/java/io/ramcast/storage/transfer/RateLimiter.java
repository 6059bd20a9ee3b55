package io.ramcast.storage.transfer;

import java.util.concurrent.locks.LockSupport;

/**
 * Keeps one transfer at or below a byte rate: {@link #acquire} parks the calling thread until the
 * bytes it is about to move fit the rate since the limiter started (with up to one second of
 * unused allowance carried forward, so a pause does not turn into a burst above the rate).
 *
 * <p>One transfer thread per limiter; not thread-safe. Used on transfer threads only, never on an
 * agent thread (it sleeps).
 */
final class RateLimiter
{
    /** Bytes per second that mean "no limit". */
    static final long UNLIMITED = 0;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long bytesPerSecond;
    private long allowedFromNs;

    /**
     * @param bytesPerSecond the rate, or {@link #UNLIMITED}.
     */
    RateLimiter(final long bytesPerSecond)
    {
        if (bytesPerSecond < 0)
        {
            throw new IllegalArgumentException("rate limit must be >= 0 bytes/s (0: unlimited): " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.allowedFromNs = System.nanoTime();
    }

    /**
     * Waits until {@code bytes} more may be moved.
     *
     * @param bytes bytes about to be sent or consumed.
     */
    void acquire(final int bytes)
    {
        if (bytesPerSecond == UNLIMITED)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        // Never bank more than one second of idle allowance.
        allowedFromNs = Math.max(allowedFromNs, nowNs - NANOS_PER_SECOND);
        allowedFromNs += bytes * NANOS_PER_SECOND / bytesPerSecond;
        long waitNs = allowedFromNs - nowNs;
        while (waitNs > 0 && !Thread.currentThread().isInterrupted())
        {
            LockSupport.parkNanos(waitNs);
            waitNs = allowedFromNs - System.nanoTime();
        }
    }
}
