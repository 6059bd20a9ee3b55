package io.ramcast.multicast.fabric;

import io.ramcast.multicast.fabric.spi.FabricLifecycle;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The meeting point of the {@code local} fabric: every process of one JVM obtains its endpoint here,
 * and endpoints of the same hub reach each other's regions directly.
 *
 * <pre>{@code
 * LocalFabricHub hub = new LocalFabricHub();
 * Fabric fabric = hub.endpoint(processId);   // one per simulated process, driven by its own thread
 * }</pre>
 *
 * <p>Semantics of the endpoints (the {@link Fabric} contract, made concrete):
 * <ul>
 *   <li>Regions are direct memory aligned to 64 bytes. A write lands synchronously, from the
 *       writer's thread, inside {@link RemoteRegion#write}: bytes {@code [0, length - 8)} with plain
 *       stores, then the last word with a release store. Different threads are different processes.
 *       Writes therefore never return {@link WriteResult#BACK_PRESSURE}.</li>
 *   <li>A write the owner does not permit returns {@link WriteResult#REJECTED} at once, moves the
 *       handle to {@link RemoteRegion.Status#FAILED}, and {@link FabricListener#onWriteRejected} is
 *       called on the writer's <em>next</em> {@link Fabric#doWork()}, never from inside the write.
 *       {@link RemoteRegion#reset()} makes a FAILED handle READY again only if the owner has granted
 *       the permission again; otherwise it stays FAILED.</li>
 *   <li>{@link LocalRegion#revoke} waits until applies of that peer already in progress finish, so
 *       once it returns nothing from that peer lands.</li>
 *   <li>Two started endpoints are connected. {@link Fabric#remote} for a peer that has not started
 *       yet returns a CONNECTING handle that becomes READY on the writer's first {@code doWork} (or
 *       {@code remote} call) after the peer started.</li>
 *   <li>Closing an endpoint is the death of its process: writes to it return
 *       {@link WriteResult#PEER_DOWN} at once, and every endpoint that was started at that moment
 *       gets {@link FabricListener#onPeerDown} once on its next {@code doWork}, with its handles to
 *       the dead process moved to PEER_DOWN. The id may then be used again for a new endpoint (a
 *       restart): once that one starts, peers' handles to the id become READY again, bound to the new
 *       incarnation's memory.</li>
 *   <li>A handle to a region the (started) owner never registered is FAILED for good, with an error
 *       logged.</li>
 * </ul>
 *
 * <p>Threading: the hub is thread-safe. Each endpoint is driven by one agent thread as the
 * {@link Fabric} contract says; {@link Fabric#close()} may come from any thread once that agent has
 * stopped. Starting and closing endpoints takes a lock that is never held on the write path.
 */
public final class LocalFabricHub
{
    private final Int2ObjectHashMap<LocalFabric> endpointById = new Int2ObjectHashMap<>();

    /**
     * Creates the endpoint of a process. The id may be reused once the previous endpoint with it has
     * been closed.
     *
     * @param processId non-negative process id.
     * @return a new, not yet started endpoint.
     * @throws IllegalArgumentException if {@code processId} is negative.
     * @throws IllegalStateException    if an endpoint with this id exists and is not closed.
     */
    public Fabric endpoint(final int processId)
    {
        if (processId < 0)
        {
            throw new IllegalArgumentException("processId=" + processId + " must be >= 0");
        }
        synchronized (this)
        {
            final LocalFabric existing = endpointById.get(processId);
            if (null != existing)
            {
                throw new IllegalStateException("process " + processId + " already has an open endpoint");
            }
            final LocalFabric endpoint = new LocalFabric(this, processId);
            endpointById.put(processId, endpoint);
            return endpoint;
        }
    }

    /**
     * Starts an endpoint and connects it with every started endpoint.
     *
     * @param starting the endpoint, in state NEW.
     */
    synchronized void start(final LocalFabric starting)
    {
        starting.lifecycle().transition(FabricLifecycle.State.STARTED);
        for (final LocalFabric other : endpointById.values())
        {
            if (other != starting && other.lifecycle().state() == FabricLifecycle.State.STARTED)
            {
                other.onPeerUp(starting);
                starting.onPeerUp(other);
            }
        }
    }

    /**
     * Closes an endpoint: frees its id and tells every started endpoint that it is down.
     *
     * @param closing the endpoint, whose regions are already closed.
     */
    synchronized void close(final LocalFabric closing)
    {
        final boolean wasStarted = closing.lifecycle().state() == FabricLifecycle.State.STARTED;
        closing.lifecycle().transition(FabricLifecycle.State.CLOSED);
        if (endpointById.get(closing.selfId()) == closing)
        {
            endpointById.remove(closing.selfId());
        }
        if (wasStarted)
        {
            for (final LocalFabric other : endpointById.values())
            {
                if (other.lifecycle().state() == FabricLifecycle.State.STARTED)
                {
                    other.onPeerDown(closing);
                }
            }
        }
    }

    @Override
    public synchronized String toString()
    {
        return "LocalFabricHub{endpoints=" + endpointById.keySet() + '}';
    }
}
