package io.ramcast.multicast;

import java.util.Objects;

import io.ramcast.multicast.fabric.Fabric;
import org.agrona.concurrent.IdleStrategy;

/**
 * The default idle strategy of a RamCast agent: after a duty cycle without work it spins a few
 * times, yields a few times, then waits in its fabric ({@link Fabric#awaitActivity}) for at most a
 * park period that doubles from 1 µs to 1 ms while the agent stays idle. Over tcp the wait ends
 * when bytes arrive or another thread {@link Fabric#wakeup() hands the agent work}, so an idle
 * process costs next to nothing and a reply is handled as soon as it lands, not when a park period
 * runs out; over the shared-memory fabrics the wait is a plain park, as Agrona's back-off.
 *
 * <p>The 1 ms ceiling bounds how late timers (heartbeats, suspicion, leader election, connect
 * deadlines) are checked. On a host with a dedicated core per agent thread (RDMA), busy-spinning
 * ({@code --idle spin}) gives the lowest latency instead.
 *
 * <p>One instance per agent thread (it keeps the back-off state).
 */
public final class FabricIdleStrategy implements IdleStrategy
{
    /** Spins before yielding. */
    public static final int MAX_SPINS = 10;
    /** Yields before waiting in the fabric. */
    public static final int MAX_YIELDS = 5;
    /** First wait. */
    public static final long MIN_PARK_NS = 1_000L;
    /** Longest wait. */
    public static final long MAX_PARK_NS = 1_000_000L;

    private final Fabric fabric;
    private int spins;
    private int yields;
    private long parkNs = MIN_PARK_NS;

    /**
     * @param fabric the fabric the agent drives.
     */
    public FabricIdleStrategy(final Fabric fabric)
    {
        this.fabric = Objects.requireNonNull(fabric, "fabric");
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
            fabric.awaitActivity(parkNs);
            parkNs = Math.min(parkNs << 1, MAX_PARK_NS);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = MIN_PARK_NS;
    }

    @Override
    public String alias()
    {
        return "fabric-backoff";
    }
}
