package io.ramcast.storage;

import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * The executor agent's default idle strategy: Agrona's back-off (spin, yield, then park from 1 µs
 * doubling to 1 ms) whose park another thread can cut short with {@link #wake()}: the RamCast agent
 * wakes the executor when it queues a delivery or a read exchange, so a transaction does not wait
 * for the rest of a park period before it runs.
 *
 * <p>{@link #idle} runs on the agent's thread only; {@link #wake()} is safe from any thread and
 * costs a volatile read unless the agent is parked.
 */
final class WakeableIdleStrategy implements IdleStrategy
{
    static final int MAX_SPINS = 10;
    static final int MAX_YIELDS = 5;
    static final long MIN_PARK_NS = 1_000L;
    static final long MAX_PARK_NS = 1_000_000L;

    private final long minParkNs;
    private final long maxParkNs;
    /** The agent thread while it parks, else null. */
    private volatile Thread parked;
    private int spins;
    private int yields;
    private long parkNs;

    WakeableIdleStrategy()
    {
        this(MIN_PARK_NS, MAX_PARK_NS);
    }

    /**
     * @param minParkNs first park.
     * @param maxParkNs longest park.
     */
    WakeableIdleStrategy(final long minParkNs, final long maxParkNs)
    {
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    /** @return whether the agent is parked now. */
    boolean isParked()
    {
        return parked != null;
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

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < MAX_SPINS)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < MAX_YIELDS)
        {
            yields++;
            Thread.yield();
        }
        else
        {
            parked = Thread.currentThread();
            LockSupport.parkNanos(parkNs);
            parked = null;
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = minParkNs;
    }

    @Override
    public String alias()
    {
        return "wakeable-backoff";
    }
}
