package io.ramcast.multicast;

import java.util.Objects;
import java.util.function.LongConsumer;

import io.ramcast.multicast.fabric.Fabric;
import org.agrona.concurrent.IdleStrategy;

/**
 * The default idle strategy of a RamCast agent: after a duty cycle without work it spins a few
 * times, yields a few times, then waits in its fabric ({@link Fabric#awaitActivity}) for at most a
 * park period that doubles from 1 µs to 1 ms while the agent stays idle. Over tcp the 1 ms waits
 * block in the selector and end when bytes arrive or another thread
 * {@link Fabric#wakeup() hands the agent work}, so a reply to an idle process is handled as soon as
 * it lands, not when a park period runs out; the shorter waits are parks (a hand-off cuts them
 * short too), so a busy agent handles what arrived meanwhile in one duty cycle. Over the
 * shared-memory fabrics every wait is a plain park, as Agrona's back-off.
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

    private final LongConsumer wait;
    private final long minParkNs;
    private final long maxParkNs;
    private int spins;
    private int yields;
    private long parkNs;

    /**
     * @param fabric the fabric the agent drives.
     */
    public FabricIdleStrategy(final Fabric fabric)
    {
        this(Objects.requireNonNull(fabric, "fabric")::awaitActivity, MIN_PARK_NS, MAX_PARK_NS);
    }

    /**
     * The same back-off over another wait: for an agent without a fabric whose wait other threads
     * can cut short (the replica's executor, woken when work is queued for it).
     *
     * @param wait      waits at most the nanoseconds it is given.
     * @param minParkNs the first wait, positive.
     * @param maxParkNs the longest wait, at least {@code minParkNs}.
     */
    public FabricIdleStrategy(final LongConsumer wait, final long minParkNs, final long maxParkNs)
    {
        if (minParkNs <= 0 || maxParkNs < minParkNs)
        {
            throw new IllegalArgumentException("minParkNs=" + minParkNs + ", maxParkNs=" + maxParkNs +
                ": need 0 < minParkNs <= maxParkNs");
        }
        this.wait = Objects.requireNonNull(wait, "wait");
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
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
            wait.accept(parkNs);
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
        return "fabric-backoff";
    }
}
