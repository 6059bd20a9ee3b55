package io.ramcast.client;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting in tests without sleeps or spinning: poll a condition against a deadline, parking in between. */
final class Await
{
    private static final long MIN_PARK_NS = 10_000L;
    private static final long MAX_PARK_NS = 1_000_000L;

    private Await()
    {
    }

    /**
     * @param condition   polled until true.
     * @param timeout     how long to wait at most.
     * @param description what is awaited, for the failure message.
     * @throws AssertionError if the condition is still false at the deadline.
     */
    static void until(final BooleanSupplier condition, final Duration timeout, final String description)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        long parkNs = MIN_PARK_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeout + " waiting until " + description);
            }
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(MAX_PARK_NS, parkNs * 2);
        }
    }
}
