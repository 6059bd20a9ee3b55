package io.ramcast.multicast.fabric;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A region of this process's memory that peers write with one-sided writes.
 *
 * <p>Threading: {@link #buffer()} is read by the owning agent with acquire loads on sealing words;
 * the owner may also store into it (a process's writes to itself are local stores).
 * {@link #grant} and {@link #revoke} are called by the owning agent.
 */
public interface LocalRegion
{
    /**
     * @return the region id given at registration.
     */
    int regionId();

    /**
     * @return the memory of the region; its capacity is the registered size.
     */
    AtomicBuffer buffer();

    /**
     * Allows {@code peerId} to write this region. Idempotent.
     *
     * @param peerId process id of the peer.
     */
    void grant(int peerId);

    /**
     * Withdraws {@code peerId}'s right to write this region. When this method returns, no write from
     * that peer lands in the region any more, including writes the peer has already issued but that
     * have not landed yet. Idempotent.
     *
     * @param peerId process id of the peer.
     */
    void revoke(int peerId);

    /**
     * @param peerId process id of the peer.
     * @return whether the peer may currently write this region.
     */
    boolean isGranted(int peerId);
}
