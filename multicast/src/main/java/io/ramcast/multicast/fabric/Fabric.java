package io.ramcast.multicast.fabric;

import java.util.concurrent.locks.LockSupport;

/**
 * One process's view of a memory fabric: one-sided remote writes into registered regions of
 * peers, the abstraction RamCast is written against (DESIGN.md, "The memory fabric").
 *
 * <p>Lifecycle: {@link #register} every local region, then {@link #start()}, then obtain
 * {@link RemoteRegion} handles with {@link #remote}. Regions cannot be added after start, like
 * memory regions whose keys are exchanged when an RDMA connection is set up.
 *
 * <p>Guarantees every implementation gives (checked by the contract test suite):
 * <ul>
 *   <li><b>Issue order.</b> Writes issued by one writer to one peer become visible at that peer in
 *       the order they were issued, whatever the regions they target.</li>
 *   <li><b>No placement order within a write.</b> A write is issued as one unit, but its bytes may
 *       become visible in any order (InfiniBand defines none within a message; the local and tcp
 *       fabrics happen to copy the last word last). Readers therefore accept a record only when it
 *       validates itself: a seal over every field or a checksum over its body, written last and
 *       checked after reading (ramcast-protocol.md §B.4, §F.15); a record that does not validate
 *       yet is read again later, never consumed or dropped. Each 8-byte aligned word is placed
 *       whole.</li>
 *   <li><b>Permissions.</b> The owner of a region grants and revokes each peer's right to write it.
 *       A write issued after the revocation took effect never lands: it fails at the writer, either
 *       at once ({@link WriteResult#REJECTED}) or later, when the writer's fabric learns of it, by
 *       moving the handle to {@link RemoteRegion.Status#FAILED} and calling
 *       {@link FabricListener#onWriteRejected}.</li>
 *   <li><b>Bounds.</b> Offsets and lengths are checked at the writer against the region's size and
 *       again at the owner; an out-of-bounds write throws {@link IndexOutOfBoundsException} at
 *       the writer and never lands.</li>
 *   <li><b>Peer death.</b> When a peer's connection is lost the fabric reports it once through
 *       {@link FabricListener#onPeerDown} and every handle to that peer fails its later writes
 *       with {@link WriteResult#PEER_DOWN}.</li>
 *   <li><b>At most once.</b> A write lands at most once. A fabric never hands a write to its
 *       transport a second time when the first attempt may have landed: writes whose fate a lost
 *       connection left unknown are dropped and the peer is reported down (tcp: the writes queued
 *       on the lost connection are discarded; rdma: a write posted and not confirmed by a completion
 *       is not posted again, except the writes after a remote access error, which InfiniBand
 *       guarantees were not executed). Readers therefore never see a write of the past again, and
 *       monotonic words never go back.</li>
 * </ul>
 *
 * <p>Threading: a fabric is driven by exactly one thread, the owning process's agent, which calls
 * {@link #doWork()} in its duty cycle and issues all writes. Remote writes from peers may land in
 * local regions concurrently (that is the point of the fabric); local readers poll with acquire
 * loads. {@link #close()} may be called from any thread once the agent has stopped.
 */
public interface Fabric extends AutoCloseable
{
    /**
     * @return the process id this fabric endpoint belongs to.
     */
    int selfId();

    /**
     * Registers a local region that peers may write once permitted.
     *
     * @param regionId        small non-negative identifier, unique within this process.
     * @param sizeBytes       size of the region, a positive multiple of 8.
     * @param writableByAll   if true every peer may write it until revoked; if false no peer may
     *                        write it until {@link LocalRegion#grant granted}.
     * @return the region, whose buffer the owner polls.
     * @throws IllegalStateException    after {@link #start()}.
     * @throws IllegalArgumentException for a duplicate id or a bad size.
     */
    LocalRegion register(int regionId, int sizeBytes, boolean writableByAll);

    /**
     * Makes the registered regions reachable by peers (binds sockets, publishes addresses).
     * Non-blocking: connections to peers are established lazily by {@link #doWork()}.
     */
    void start();

    /**
     * A handle for writing into a peer's region. Handles are cheap and cached; the first write may
     * return {@link WriteResult#NOT_CONNECTED} until the connection to the peer is established.
     *
     * @param peerId   process id of the owner.
     * @param regionId region id at the owner.
     * @return the handle, never null.
     */
    RemoteRegion remote(int peerId, int regionId);

    /**
     * Does one bounded unit of fabric work: accept and establish connections, apply received
     * frames, flush queued writes, detect dead peers. Never blocks.
     *
     * @return the amount of work done, 0 if idle (for the agent's idle strategy).
     */
    int doWork();

    /**
     * Waits, on the agent thread, until the fabric may have work or {@code maxNanos} passed: the
     * idle strategy's park ({@link io.ramcast.multicast.FabricIdleStrategy}). A fabric that can tell
     * when bytes arrive (tcp: the selector) returns as soon as a connection is readable, writable
     * with output queued, connected or {@link #wakeup() woken}, and may round {@code maxNanos} up to
     * its timer's granularity (tcp: 1 ms); the default just parks the thread for {@code maxNanos}
     * (the shared-memory fabrics, where remote writes land without a notification to wait on).
     *
     * @param maxNanos the longest wait, positive.
     */
    default void awaitActivity(final long maxNanos)
    {
        LockSupport.parkNanos(maxNanos);
    }

    /**
     * Ends the agent's current or next {@link #awaitActivity} early: called from any thread that
     * hands the agent work (a message to send, a multicast to submit). Cheap when the agent is not
     * waiting; a no-op for fabrics whose wait is a plain park.
     */
    default void wakeup()
    {
    }

    /**
     * The peers this fabric has a live connection with (authenticated, handshake done), for status
     * reports and metrics. Safe from any thread: a copy, which may be out of date as soon as it is
     * returned.
     *
     * @return ascending peer ids, or null if this fabric does not track its connections.
     */
    default int[] connectedPeers()
    {
        return null;
    }

    /**
     * Which client processes (peers without a listen address) a listening process lets in: a
     * connection claiming a client id for which {@code refusalReason} returns a reason is refused
     * with it ({@link Refusal.Reason#CLIENT_ID_NOT_SERVED} at the refused side) and closed, before
     * anything of this process's regions reaches it. Set before {@link #start()}; the function runs
     * on the agent thread at each handshake and may change its answers over time (a replica that
     * starts serving more client ids). The default fabric lets every client in.
     *
     * @param refusalReason a client id to the reason it is not served, or null if it is.
     */
    default void clientAdmission(final java.util.function.IntFunction<String> refusalReason)
    {
    }

    /**
     * Why a peer last refused this process's connection, for a caller that can act on it (a client
     * whose id another live process holds takes another one). Safe from any thread; cleared once a
     * connection to the peer is up.
     *
     * @param peerId a peer.
     * @return the refusal, or null if the peer did not refuse (or this fabric has no refusals).
     */
    default Refusal refusal(final int peerId)
    {
        return null;
    }

    /**
     * A peer's refusal of this process's connection.
     *
     * @param reason  why.
     * @param message the peer's explanation, for the log.
     */
    record Refusal(Reason reason, String message)
    {
        /** Why a peer refused. */
        public enum Reason
        {
            /** This process's client id is held by another live process. */
            CLIENT_ID_IN_USE,
            /**
             * The peer does not serve this process's client id: it is beyond the client ids the
             * peer's cluster serves (yet).
             */
            CLIENT_ID_NOT_SERVED
        }
    }

    /**
     * Sets the listener told of fabric events; called on the agent thread from {@link #doWork()}.
     *
     * @param listener the listener, not null.
     */
    void listener(FabricListener listener);

    /**
     * Releases sockets and memory. Idempotent.
     */
    @Override
    void close();
}
