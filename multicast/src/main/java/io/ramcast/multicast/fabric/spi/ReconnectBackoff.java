package io.ramcast.multicast.fabric.spi;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When to try a connection again: exponential back-off with jitter. After a failed attempt the next
 * one is due after the current back-off, shortened by a random part of at most
 * {@code jitterFraction} of it so that processes that lost each other at the same moment do not
 * retry in lock step; the back-off then doubles, up to the maximum. A success resets it to the
 * minimum.
 *
 * <pre>
 *   failure k (k = 0, 1, ...):  b = min(maxBackoffNs, minBackoffNs * 2^k)
 *                               next attempt = nowNs + b - j,  j uniform in [0, floor(b * jitterFraction)]
 * </pre>
 * So a delay is never longer than {@code maxBackoffNs} and never shorter than
 * {@code (1 - jitterFraction)} of its un-jittered value, and at least 1 ns.
 *
 * <p>Plain object: no clock is read, time comes in as {@code nowNs} (any {@link System#nanoTime()}
 * -like clock; comparisons are wrap-safe), randomness from the injected source.
 *
 * <p>Threading: one thread, the fabric's agent; the random source must only be used by it.
 */
public final class ReconnectBackoff
{
    /** The jitter fraction the fabrics use: a delay is between 75% and 100% of its back-off. */
    public static final double DEFAULT_JITTER_FRACTION = 0.25;

    private final long minBackoffNs;
    private final long maxBackoffNs;
    private final double jitterFraction;
    private final RandomGenerator random;
    private long backoffNs;
    private long nextAttemptNs;

    /**
     * Creates a back-off whose first attempt is due at time 0; call {@link #attemptNow} when the
     * fabric starts.
     *
     * @param minBackoffNs   back-off after the first failure, in nanoseconds, positive.
     * @param maxBackoffNs   bound of the back-off, in nanoseconds, at least {@code minBackoffNs}.
     * @param jitterFraction largest part of a back-off removed at random, in {@code [0, 1)}; 0 gives
     *                       plain doubling.
     * @param random         the random source for the jitter.
     * @throws IllegalArgumentException for bounds or a fraction outside those ranges.
     */
    public ReconnectBackoff(
        final long minBackoffNs, final long maxBackoffNs, final double jitterFraction, final RandomGenerator random)
    {
        checkBounds("minBackoffNs", minBackoffNs, "maxBackoffNs", maxBackoffNs);
        if (!(jitterFraction >= 0 && jitterFraction < 1))
        {
            throw new IllegalArgumentException("jitterFraction=" + jitterFraction + " must be in [0, 1)");
        }
        this.minBackoffNs = minBackoffNs;
        this.maxBackoffNs = maxBackoffNs;
        this.jitterFraction = jitterFraction;
        this.random = Objects.requireNonNull(random, "random");
        this.backoffNs = minBackoffNs;
    }

    /**
     * Checks back-off bounds, naming the caller's fields: options call it with their own names.
     *
     * @param minName name of the minimum, for the message.
     * @param minNs   the minimum in nanoseconds.
     * @param maxName name of the maximum, for the message.
     * @param maxNs   the maximum in nanoseconds.
     * @throws IllegalArgumentException if {@code minNs <= 0} (the message starts with
     *                                  {@code minName}) or {@code maxNs < minNs} (it starts with
     *                                  {@code maxName}).
     */
    public static void checkBounds(final String minName, final long minNs, final String maxName, final long maxNs)
    {
        if (minNs <= 0)
        {
            throw new IllegalArgumentException(minName + "=" + minNs + " must be > 0");
        }
        if (maxNs < minNs)
        {
            throw new IllegalArgumentException(maxName + "=" + maxNs + " must be >= " + minName + "=" + minNs);
        }
    }

    /**
     * @param nowNs the current time.
     * @return whether the next attempt is due.
     */
    public boolean isDue(final long nowNs)
    {
        return nowNs - nextAttemptNs >= 0;
    }

    /**
     * @return when the next attempt is due, in the caller's clock nanoseconds.
     */
    public long nextAttemptNs()
    {
        return nextAttemptNs;
    }

    /**
     * @return the back-off the next failure waits, before jitter, in nanoseconds.
     */
    public long backoffNs()
    {
        return backoffNs;
    }

    /**
     * Makes an attempt due at once and resets the back-off: on start, or to reconnect at once after
     * losing a connection that was up.
     *
     * @param nowNs the current time.
     */
    public void attemptNow(final long nowNs)
    {
        nextAttemptNs = nowNs;
        backoffNs = minBackoffNs;
    }

    /**
     * An attempt failed or a connection was lost: the next attempt is due after the jittered
     * back-off, which then doubles up to the maximum.
     *
     * @param nowNs the current time.
     * @return the delay until the next attempt, in nanoseconds.
     */
    public long onFailure(final long nowNs)
    {
        final long jitterSpanNs = (long)(backoffNs * jitterFraction);
        final long delayNs = 0 == jitterSpanNs ? backoffNs : backoffNs - random.nextLong(jitterSpanNs + 1);
        nextAttemptNs = nowNs + delayNs;
        backoffNs = backoffNs > maxBackoffNs / 2 ? maxBackoffNs : backoffNs * 2;
        return delayNs;
    }

    /**
     * A connection completed its handshake: the next failure waits the minimum again.
     */
    public void onSuccess()
    {
        backoffNs = minBackoffNs;
    }

    @Override
    public String toString()
    {
        return "ReconnectBackoff{backoffNs=" + backoffNs + ", nextAttemptNs=" + nextAttemptNs + '}';
    }
}
