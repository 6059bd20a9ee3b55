package io.ramcast.multicast;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting in tests without sleeps: poll a condition against a deadline, optionally stepping the
 * system under test (for example every fabric's {@code doWork()}) before each poll, and park briefly
 * between polls (10 µs growing to 1 ms) so that a wait never busy-spins.
 *
 * <p>Threading: runs on the calling thread; the step runs there too.
 */
public final class Await
{
    private static final long MIN_PARK_NS = 10_000L;
    private static final long MAX_PARK_NS = 1_000_000L;
    private static final Runnable NO_STEP = () ->
    {
    };

    private Await()
    {
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @param condition   polled until true.
     * @param timeout     how long to wait at most.
     * @param description what is awaited, for the failure message ("the write landed").
     * @throws AssertionError if the condition is still false at the deadline.
     */
    public static void until(final BooleanSupplier condition, final Duration timeout, final String description)
    {
        until(condition, timeout, description, NO_STEP);
    }

    /**
     * Waits until {@code condition} holds, running {@code step} before every poll.
     *
     * @param condition   polled until true.
     * @param timeout     how long to wait at most.
     * @param description what is awaited, for the failure message.
     * @param step        makes progress, e.g. drives agents' duty cycles; its exceptions propagate.
     * @throws AssertionError if the condition is still false at the deadline.
     */
    public static void until(
        final BooleanSupplier condition, final Duration timeout, final String description, final Runnable step)
    {
        Objects.requireNonNull(description, "description");
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        long parkNs = MIN_PARK_NS;
        while (true)
        {
            step.run();
            if (condition.getAsBoolean())
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeout + " waiting until " + description);
            }
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(MAX_PARK_NS, parkNs * 2);
        }
    }

    /**
     * Checks that {@code invariant} holds at every poll during {@code period}, running {@code step}
     * before every poll: for "this never happens" properties, observed over a bounded window.
     *
     * @param invariant   must stay true.
     * @param period      how long to observe.
     * @param description the invariant, for the failure message ("the revoked write never lands").
     * @param step        makes progress, e.g. drives agents' duty cycles; its exceptions propagate.
     * @throws AssertionError as soon as the invariant is false.
     */
    public static void holdsFor(
        final BooleanSupplier invariant, final Duration period, final String description, final Runnable step)
    {
        Objects.requireNonNull(description, "description");
        final long endNs = System.nanoTime() + period.toNanos();
        long parkNs = MIN_PARK_NS;
        do
        {
            step.run();
            if (!invariant.getAsBoolean())
            {
                throw new AssertionError("violated: " + description);
            }
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(MAX_PARK_NS, parkNs * 2);
        }
        while (System.nanoTime() - endNs < 0);
    }
}
