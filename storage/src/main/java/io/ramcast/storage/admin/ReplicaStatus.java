package io.ramcast.storage.admin;

import java.util.List;

/**
 * What a replica says about itself on its admin port ({@code GET /status}, JSON), and what
 * {@code ramcast status} shows per row.
 *
 * @param cluster          the config's cluster name.
 * @param id               the replica's id.
 * @param partition        its partition.
 * @param state            {@code up}, {@code catching-up} (taking what it missed from its
 *                         partition), {@code stale} (its partition no longer holds what it missed:
 *                         it needs a rebuild) or {@code failed} (stopped by an error, exiting).
 * @param behind           deliveries it knows it is behind its partition: 0 up, -1 stale, and
 *                         {@link Long#MAX_VALUE} just after a restart, until it knows.
 * @param leader           the replica it takes for its partition's leader.
 * @param ballot           the ballot it follows or leads in, {@code <round>.<leader>}.
 * @param executed         transactions executed since this process started.
 * @param notCommitted     of those, not committed (any reason).
 * @param appliedMark      the position of the last transaction its store applied,
 *                         {@code <timestamp>/<group>/<message id>}, or {@code none} for an empty
 *                         store.
 * @param peers            the replicas it has a live connection with (not itself).
 * @param clients          how many clients it has a live connection with.
 * @param dataBytes        the store's files on disk (SST files plus memtables), bytes; -1 unknown.
 * @param uptimeSeconds    since the replica started.
 * @param commitsPerSecond transactions executed per second over the last 10 seconds.
 * @param durability       the store's durability ({@code none}, {@code wal}, {@code fsync}).
 * @param fabric           the fabric it talks over ({@code tcp}, {@code rdma}).
 * @param version          the software version, or {@code dev} for a build without one.
 * @param clientsServed    how many client ids it lets in: the cluster's count as its store records it.
 * @param clientsLaidOut   how many client ids its configuration lays out ({@code clients.count}); at
 *                         least {@code clientsServed}, more while the client bound is being raised.
 * @param durableMark      the position its store holds every transaction up to as durably as its
 *                         durability asks (with {@code fsync}: synced, at most
 *                         {@code storage.syncIntervalMs} behind {@code appliedMark}); the acceptor
 *                         journal keeps every delivery after it. Same format as {@code appliedMark}.
 */
public record ReplicaStatus(
    String cluster,
    int id,
    int partition,
    String state,
    long behind,
    int leader,
    String ballot,
    long executed,
    long notCommitted,
    String appliedMark,
    List<Integer> peers,
    int clients,
    long dataBytes,
    long uptimeSeconds,
    double commitsPerSecond,
    String durability,
    String fabric,
    String version,
    int clientsServed,
    int clientsLaidOut,
    String durableMark)
{
    /** {@link #state()} of a replica that serves. */
    public static final String UP = "up";
    /** {@link #state()} of a replica taking what it missed from its partition. */
    public static final String CATCHING_UP = "catching-up";
    /** {@link #state()} of a replica whose partition no longer holds what it missed. */
    public static final String STALE = "stale";
    /** {@link #state()} of a replica stopped by an error. */
    public static final String FAILED = "failed";

    /** @return whether it serves: up, with a leader known. */
    public boolean ready()
    {
        return UP.equals(state) && leader >= 0;
    }
}
