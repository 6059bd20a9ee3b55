package io.ramcast.multicast.fabric.rdma;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory RDMA network for tests: {@link FakeVerbs} devices that listen on addresses, connect,
 * register memory and execute RDMA WRITEs with a NIC's checks (rkey valid, remote write allowed,
 * target inside the registration; otherwise a remote access error that moves the writer's queue pair
 * to the error state, after which every request is flushed). Writes are executed at post time in the
 * writer's thread, the last 8-byte word with a release store, unless the pair is
 * {@linkplain #hold held}, in which case they wait, in order, until {@link #release}.
 *
 * <p>Threading: every device may be driven by its own thread; all state is guarded by this object's
 * monitor, so a write and a deregistration never interleave (as on a NIC, where deregistration waits
 * for accesses in progress).
 */
final class FakeRdmaNetwork
{
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
