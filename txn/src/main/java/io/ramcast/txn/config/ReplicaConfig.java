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
 */
public record ReplicaConfig(int id, int partition, String host, int port, Path dataDir)
{
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
}
