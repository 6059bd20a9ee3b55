package io.ramcast.txn.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * One replica of a partition, as the cluster config file describes it.
 *
 * <p>Values come validated from {@link ClusterConfig}; the record itself does not re-check them.
 *
 * @param id        process id of the replica, in [0, 65535], unique in the cluster.
 * @param partition the partition (replica group) the replica belongs to.
 * @param host      host name or IP literal the replica listens on.
 * @param port      TCP port the replica listens on, in [1, 65535].
 * @param dataDir   absolute directory of the replica's data: the entry's {@code dataDir}, or
 *                  {@code <storage.dataRoot>/replica-<id>}.
 * @param transferPort TCP port, on {@code host}, where the replica serves snapshots of its store
 *                  (state transfer, backups), in [1, 65535]; {@link #NO_TRANSFER_PORT} if the entry
 *                  sets none, and then the replica serves no snapshots.
 * @param adminPort TCP port, on {@code host}, where the replica answers HTTP requests for its
 *                  status, health and metrics, in [1, 65535]; {@link #NO_ADMIN_PORT} if the entry
 *                  sets none, and then it answers none.
 */
public record ReplicaConfig(int id, int partition, String host, int port, Path dataDir, int transferPort, int adminPort)
{
    /** {@link #transferPort()} of a replica whose entry sets none: it serves no snapshots. */
    public static final int NO_TRANSFER_PORT = 0;
    /** {@link #adminPort()} of a replica whose entry sets none: it serves no status or metrics. */
    public static final int NO_ADMIN_PORT = 0;

    /**
     * A replica with no admin port.
     *
     * @param id           process id.
     * @param partition    partition.
     * @param host         host.
     * @param port         RamCast port.
     * @param dataDir      data directory.
     * @param transferPort snapshot port, or {@link #NO_TRANSFER_PORT}.
     */
    public ReplicaConfig(final int id, final int partition, final String host, final int port, final Path dataDir,
        final int transferPort)
    {
        this(id, partition, host, port, dataDir, transferPort, NO_ADMIN_PORT);
    }

    /**
     * A replica that serves no snapshots.
     *
     * @param id        process id.
     * @param partition partition.
     * @param host      host.
     * @param port      RamCast port.
     * @param dataDir   data directory.
     */
    public ReplicaConfig(final int id, final int partition, final String host, final int port, final Path dataDir)
    {
        this(id, partition, host, port, dataDir, NO_TRANSFER_PORT, NO_ADMIN_PORT);
    }

    /** @return whether the entry sets an {@link #adminPort()}. */
    public boolean servesAdmin()
    {
        return adminPort != NO_ADMIN_PORT;
    }

    /**
     * @return a new address for host and {@link #adminPort()}.
     * @throws IllegalStateException if the replica has no admin port.
     */
    public InetSocketAddress adminAddress()
    {
        return secondAddress(adminPort, "adminPort");
    }

    /** @return whether the entry sets a {@link #transferPort()}. */
    public boolean servesSnapshots()
    {
        return transferPort != NO_TRANSFER_PORT;
    }

    /**
     * @return a new address for host and {@link #transferPort()} (resolving the host as
     *         {@link #listenAddress()} does).
     * @throws IllegalStateException if the replica serves no snapshots.
     */
    public InetSocketAddress transferAddress()
    {
        return secondAddress(transferPort, "transferPort");
    }

    /**
     * The replica's listen address. Creating it resolves a host name (an IP literal needs no
     * lookup); a name that does not resolve gives an unresolved address, which the fabric reports
     * when it binds or connects.
     *
     * @return a new address for host and port.
     */
    public InetSocketAddress listenAddress()
    {
        return new InetSocketAddress(host, port);
    }

    private InetSocketAddress secondAddress(final int secondPort, final String field)
    {
        if (secondPort == 0)
        {
            throw new IllegalStateException("replica " + id + " has no " + field + " in its config entry");
        }
        return new InetSocketAddress(host, secondPort);
    }
}
