package io.ramcast.multicast.fabric.rdma;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An in-memory RDMA network for tests: {@link FakeVerbs} devices that listen on addresses, connect,
 * register memory and execute RDMA WRITEs with a NIC's checks (rkey valid, remote write allowed,
 * target inside the registration; otherwise a remote access error that moves the writer's queue pair
 * to the error state, after which every request is flushed). Writes are executed at post time in the
 * writer's thread, the last 8-byte word with a release store, unless the pair is
 * {@linkplain #hold held}, in which case they wait, in order, until {@link #release}.
 *
 * <p>{@link Harsh} switches make it behave as a real NIC and link may, where the plain model is kinder;
 * the contract suite runs with all of them ({@code HarshFakeVerbsRdmaFabricContractTest}).
 *
 * <p>Threading: every device may be driven by its own thread; all state is guarded by this object's
 * monitor, so a write and a deregistration never interleave (as on a NIC, where deregistration waits
 * for accesses in progress).
 */
final class FakeRdmaNetwork
{
    /** What a real NIC or link may do that the plain model does not. */
    enum Harsh
    {
        /** An accepting device reports ESTABLISHED only after the connection's first receive completed. */
        LATE_ESTABLISHED,
        /**
         * Executed, acknowledgement lost: writes on the wire when a queue pair enters the error state
         * are placed at the peer and still complete as flushed.
         */
        ACK_LOST,
        /**
         * The limits a queue pair was created with are enforced: a post beyond the send queue's depth
         * (a slot is free again only once a completion of it or of a later request was polled) or
         * the receive queue's, or an inline write longer than the inline limit, is refused
         * ({@code ibv_post_send} fails); a completion queue that overflows is counted
         * ({@link #completionQueueOverruns}) and puts the queue pair in the error state.
         */
        LIMITS,
        /**
         * No placement order within a write: a random half of a longer write's words (in random
         * order) is placed when it executes, the rest at a later tick (also in random order); its
         * completion comes after the rest. A registration revoked in between leaves the placed part
         * (a torn prefix) and fails the write with a remote access error. Writes of one queue pair
         * are still placed one after the other.
         */
        TORN_PLACEMENT,
        /**
         * Each write waits 0 to 3 ticks on its queue pair's wire before it executes, independently
         * per queue pair, so writes on two queue pairs to one peer land in either order.
         */
        QUEUE_PAIR_DELAYS,
        /**
         * A remote access error also moves the responder's queue pair to the error state (its posted
         * receives flush), as the responder of an InfiniBand RC connection does.
         */
        RESPONDER_ACCESS_ERROR
    }

    private final Set<Harsh> harsh;
    private final SplittableRandom random;
    private long tick;
    private long completionQueueOverruns;

    /** The plain model, no {@link Harsh} switch. */
    FakeRdmaNetwork()
    {
        this(EnumSet.noneOf(Harsh.class), 0);
    }

    /**
     * @param harsh the switches.
     * @param seed  seed of the random choices the switches make.
     */
    FakeRdmaNetwork(final Set<Harsh> harsh, final long seed)
    {
        this.harsh = EnumSet.noneOf(Harsh.class);
        this.harsh.addAll(harsh);
        this.random = new SplittableRandom(seed);
    }

    boolean isHarsh(final Harsh what)
    {
        return harsh.contains(what);
    }

    /** @return a random int in [0, bound), under this monitor. */
    int randomInt(final int bound)
    {
        return random.nextInt(bound);
    }

    /** @return the current tick: one per connection-manager poll of any device. */
    long tick()
    {
        return tick;
    }

    /** Moves time on by one tick and executes what became due on every device's queue pairs. */
    void advance()
    {
        tick++;
        for (final FakeVerbs device : new ArrayList<>(devices))
        {
            device.progress();
        }
    }

    void countCompletionQueueOverrun()
    {
        completionQueueOverruns++;
    }

    /** @return completion-queue overflows so far (a correct fabric never causes one). */
    synchronized long completionQueueOverruns()
    {
        return completionQueueOverruns;
    }

    private final Map<InetSocketAddress, FakeVerbs> listeners = new HashMap<>();
    private final Set<List<FakeVerbs>> held = new HashSet<>();
    private final List<FakeVerbs> devices = new ArrayList<>();
    private int nextKey = 0x1000;

    /**
     * @param name a name for logs.
     * @return a new device on this network.
     */
    synchronized FakeVerbs device(final String name)
    {
        final FakeVerbs device = new FakeVerbs(this, name);
        devices.add(device);
        if (harsh.contains(Harsh.LATE_ESTABLISHED))
        {
            device.establishedAfterFirstReceive();
        }
        if (harsh.contains(Harsh.ACK_LOST))
        {
            device.landHeldWritesOnLoss();
        }
        return device;
    }

    /**
     * Holds the writes {@code writer} posts towards {@code owner}: they are neither executed nor
     * completed until {@link #release}.
     */
    void hold(final FakeVerbs writer, final FakeVerbs owner)
    {
        synchronized (this)
        {
            held.add(List.of(writer, owner));
        }
    }

    /** Executes, in order, the writes held from {@code writer} to {@code owner}, and stops holding. */
    void release(final FakeVerbs writer, final FakeVerbs owner)
    {
        synchronized (this)
        {
            held.remove(List.of(writer, owner));
            writer.releaseHeld(owner);
        }
    }

    boolean isHeld(final FakeVerbs writer, final FakeVerbs owner)
    {
        return held.contains(List.of(writer, owner));
    }

    int nextKey()
    {
        return nextKey++;
    }

    FakeVerbs listener(final InetSocketAddress address)
    {
        return listeners.get(address);
    }

    boolean bind(final InetSocketAddress address, final FakeVerbs device)
    {
        return null == listeners.putIfAbsent(address, device);
    }

    void unbind(final InetSocketAddress address, final FakeVerbs device)
    {
        listeners.remove(address, device);
    }
}
