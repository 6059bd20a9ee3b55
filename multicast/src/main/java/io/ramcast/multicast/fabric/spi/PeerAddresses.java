package io.ramcast.multicast.fabric.spi;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The listen addresses of the processes a fabric endpoint may connect to, and the rule that decides
 * who opens a connection: a process listens iff it has an address; process p connects to q iff q
 * listens and (p does not, or {@code p < q}); otherwise p waits for q to connect in. Two processes
 * without addresses never connect.
 *
 * <p>Threading: immutable; any thread.
 */
public final class PeerAddresses
{
    private final int selfId;
    private final Map<Integer, InetSocketAddress> addressById;
    private final InetSocketAddress selfAddress;

    /**
     * Validates and copies the address map of an endpoint.
     *
     * @param selfId          the endpoint's process id, non-negative.
     * @param listenAddresses listen address of every process that listens, by process id.
     * @throws IllegalArgumentException for a negative {@code selfId}, or a null or negative id or a
     *                                  null address in {@code listenAddresses}.
     */
    public PeerAddresses(final int selfId, final Map<Integer, InetSocketAddress> listenAddresses)
    {
        if (selfId < 0)
        {
            throw new IllegalArgumentException("selfId=" + selfId + " must be >= 0");
        }
        final TreeMap<Integer, InetSocketAddress> addresses = new TreeMap<>();
        for (final Map.Entry<Integer, InetSocketAddress> entry : listenAddresses.entrySet())
        {
            if (null == entry.getKey() || entry.getKey() < 0 || null == entry.getValue())
            {
                throw new IllegalArgumentException("listenAddresses entry " + entry.getKey() + "=" + entry.getValue() +
                    ": process ids must be >= 0 and addresses not null");
            }
            addresses.put(entry.getKey(), entry.getValue());
        }
        this.selfId = selfId;
        this.addressById = Collections.unmodifiableMap(addresses);
        this.selfAddress = addresses.get(selfId);
    }

    /**
     * @return the endpoint's process id.
     */
    public int selfId()
    {
        return selfId;
    }

    /**
     * @return the endpoint's own listen address, null if it does not listen.
     */
    public InetSocketAddress selfAddress()
    {
        return selfAddress;
    }

    /**
     * @param processId a process id.
     * @return its listen address, null if it does not listen.
     */
    public InetSocketAddress addressOf(final int processId)
    {
        return addressById.get(processId);
    }

    /**
     * @return every listen address by process id, in id order, unmodifiable; includes this process's.
     */
    public Map<Integer, InetSocketAddress> byProcessId()
    {
        return addressById;
    }

    /**
     * @param peerId another process.
     * @return whether this endpoint opens the connection to {@code peerId} (else it waits for it).
     */
    public boolean connectsOutTo(final int peerId)
    {
        return addressById.containsKey(peerId) && (null == selfAddress || selfId < peerId);
    }

    /**
     * @param peerId another process.
     * @return whether the two can ever connect: false if neither listens.
     */
    public boolean canConnect(final int peerId)
    {
        return null != selfAddress || addressById.containsKey(peerId);
    }
}
