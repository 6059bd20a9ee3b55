package io.ramcast.storage;

import java.util.concurrent.locks.LockSupport;

import io.ramcast.multicast.FabricIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * The executor agent's default idle strategy: the back-off of {@link FabricIdleStrategy} (spin,
 * yield, then park from 1 µs doubling to 1 ms) whose park another thread can cut short with
 * {@link #wake()}: the RamCast agent wakes the executor when it queues a delivery or a read
 * exchange, so a transaction does not wait for the rest of a park period before it runs.
 *
 * <p>{@link #idle} runs on the agent's thread only; {@link #wake()} is safe from any thread and
 * costs a volatile read unless the agent is parked.
 */
final class WakeableIdleStrategy implements IdleStrategy
{
    private final FabricIdleStrategy backoff;
    /** The agent thread while it parks, else null. */
    private volatile Thread parked;

    WakeableIdleStrategy()
    {
        this(FabricIdleStrategy.MIN_PARK_NS, FabricIdleStrategy.MAX_PARK_NS);
    }

    /**
     * @param minParkNs first park.
     * @param maxParkNs longest park.
     */
    WakeableIdleStrategy(final long minParkNs, final long maxParkNs)
    {
        backoff = new FabricIdleStrategy(this::park, minParkNs, maxParkNs);
    }

    /** Ends the agent's current park, if it is parked; a wake just before a park is lost (it parks at most 1 ms). */
    void wake()
    {
        final Thread thread = parked;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /** @return whether the agent is parked now. */
    boolean isParked()
    {
        return parked != null;
    }

    private void park(final long nanos)
    {
        parked = Thread.currentThread();
        LockSupport.parkNanos(nanos);
        parked = null;
    }

    @Override
    public void idle(final int workCount)
    {
        backoff.idle(workCount);
    }

    @Override
    public void idle()
    {
        backoff.idle();
    }

    @Override
    public void reset()
    {
        backoff.reset();
    }

    @Override
    public String alias()
    {
        return "wakeable-backoff";
    }
}
