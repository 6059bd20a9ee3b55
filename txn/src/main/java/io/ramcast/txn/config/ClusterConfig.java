package io.ramcast.txn.config;

import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.MulticastOptions;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.multicast.fabric.TcpFabricOptions;
import io.ramcast.multicast.fabric.rdma.RdmaFabricOptions;
import io.ramcast.txn.Partitioner;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The description of a deployment, read from one YAML file that every process of the deployment
 * reads; each process is told separately which id it is. The format is documented, section by
 * section, in {@code config/local.yaml}.
 *
 * <p>{@link #load(Path)} validates every field and every cross-field rule (ids, addresses, sizes,
 * limits, timeouts, split keys) before it returns, and opens nothing but the file itself; a bad
 * file is a {@link ConfigException} that names the file, the field path, the value and the rule.
 * Everything below therefore returns valid values and never fails, except lookups by an unknown id.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClusterConfig
{
    /** Default {@link #syncIntervalMs()}. */
    public static final long DEFAULT_SYNC_INTERVAL_MS = 10;
    /** Largest {@link #syncIntervalMs()}: one hour. */
    public static final long MAX_SYNC_INTERVAL_MS = 3_600_000;

    private final String source;
    private final String clusterName;
    private final FabricKind fabric;
    private final Partitioner partitioner;
    private final Durability durability;
    private final long syncIntervalMs;
    private final Path dataRoot;
    private final List<List<ReplicaConfig>> replicasByPartition;
    private final List<ReplicaConfig> allReplicas;
    private final Map<Integer, ReplicaConfig> replicaById;
    private final IdRange clientIds;
    private final Buffers buffers;
    private final Limits limits;
    private final Timeouts timeouts;
    private final GroupTopology topology;
    private final MulticastOptions multicastOptions;
    private final RdmaSettings rdma;
    private final Secrets secrets;
    private final TlsSettings tls;

    ClusterConfig(
        final String source,
        final String clusterName,
        final FabricKind fabric,
        final Partitioner partitioner,
        final Durability durability,
        final long syncIntervalMs,
        final Path dataRoot,
        final List<List<ReplicaConfig>> replicasByPartition,
        final IdRange clientIds,
        final Buffers buffers,
        final Limits limits,
        final Timeouts timeouts,
        final RdmaSettings rdma,
        final Secrets secrets,
        final TlsSettings tls)
    {
        this.secrets = secrets;
        this.tls = tls;
        this.source = source;
        this.clusterName = clusterName;
        this.fabric = fabric;
        this.partitioner = partitioner;
        this.durability = durability;
        this.syncIntervalMs = syncIntervalMs;
        this.dataRoot = dataRoot;
        this.replicasByPartition = List.copyOf(replicasByPartition);
        this.clientIds = clientIds;
        this.buffers = buffers;
        this.limits = limits;
        this.timeouts = timeouts;
        this.rdma = rdma;

        final List<ReplicaConfig> all = new ArrayList<>();
        final TreeMap<Integer, ReplicaConfig> byId = new TreeMap<>();
        final int[][] members = new int[replicasByPartition.size()][];
        for (int p = 0; p < members.length; p++)
        {
            final List<ReplicaConfig> replicas = replicasByPartition.get(p);
            members[p] = new int[replicas.size()];
            for (int i = 0; i < replicas.size(); i++)
            {
                members[p][i] = replicas.get(i).id();
                all.add(replicas.get(i));
                byId.put(replicas.get(i).id(), replicas.get(i));
            }
        }
        this.allReplicas = List.copyOf(all);
        this.replicaById = Collections.unmodifiableMap(byId);
        // Both were validated field by field already; a failure here is a bug in the validator.
        this.topology = new GroupTopology(members, clientIds.toArray());
        this.multicastOptions = MulticastOptions.builder()
            .ringSlots(buffers.ringSlots())
            .slotSizeBytes(buffers.slotSizeBytes())
            .streamRecords(buffers.streamRecords())
            .retainedDeliveries(buffers.retainedDeliveries())
            .clientWindow(buffers.clientWindow())
            .mailboxBytes(buffers.mailboxBytes())
            .heartbeatIntervalMillis((int)timeouts.heartbeatIntervalMs())
            .failureTimeoutMillis((int)timeouts.failureTimeoutMs())
            .clientFailureTimeoutMillis((int)timeouts.clientFailureTimeoutMs())
            .build();
    }

    /**
     * Reads and validates a config file. Relative paths in the file resolve against the file's
     * directory. Blocks on the file read; opens nothing else.
     *
     * @param file the YAML file.
     * @return the valid config.
     * @throws ConfigException if the file cannot be read, is not valid YAML (the message names the
     *                         line), has an unknown or missing field, or breaks a rule.
     */
    public static ClusterConfig load(final Path file) throws ConfigException
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException e)
        {
            throw new ConfigException(file + ": no such file", e);
        }
        catch (final CharacterCodingException e)
        {
            throw new ConfigException(file + ": not UTF-8 text", e);
        }
        catch (final IOException e)
        {
            throw new ConfigException(file + ": cannot read the config file (" + e + ")", e);
        }
        final Path directory = file.toAbsolutePath().normalize().getParent();
        return ConfigReader.read(text, file.toString(), directory != null ? directory : Path.of("").toAbsolutePath());
    }

    /**
     * Validates config text that does not come from a file, e.g. in tests. Relative paths resolve
     * against the working directory.
     *
     * @param yaml       the YAML text.
     * @param sourceName what messages call the text, e.g. a file name.
     * @return the valid config.
     * @throws ConfigException if the text is not valid YAML or breaks a rule, as for {@link #load(Path)}.
     */
    public static ClusterConfig parse(final String yaml, final String sourceName) throws ConfigException
    {
        return ConfigReader.read(yaml, sourceName, Path.of("").toAbsolutePath());
    }

    /** @return where the config came from: the file path as given to {@link #load(Path)}, or the source name. */
    public String source()
    {
        return source;
    }

    /** @return the cluster's name ({@code cluster}). */
    public String clusterName()
    {
        return clusterName;
    }

    /** @return the memory fabric ({@code fabric}). */
    public FabricKind fabric()
    {
        return fabric;
    }

    /** @return the key-to-partition mapping ({@code partitioner}), for {@link #partitionCount()} partitions. */
    public Partitioner partitioner()
    {
        return partitioner;
    }

    /** @return how replicas make applied batches durable ({@code storage.durability}). */
    public Durability durability()
    {
        return durability;
    }

    /**
     * @return with {@link Durability#FSYNC}, the shortest time between two syncs of a replica's
     *         store ({@code storage.syncIntervalMs}): transactions are answered once their group is
     *         written, the acceptor journal keeping every delivery the store has not synced; 0 syncs
     *         again as soon as the last sync ended and something was written since. Unused in the
     *         other modes.
     */
    public long syncIntervalMs()
    {
        return syncIntervalMs;
    }

    /** @return the absolute directory under which replicas keep data by default ({@code storage.dataRoot}). */
    public Path dataRoot()
    {
        return dataRoot;
    }

    /** @return the number of partitions (replica groups), at least 1; ids are {@code 0..partitionCount()-1}. */
    public int partitionCount()
    {
        return replicasByPartition.size();
    }

    /**
     * @param partition a partition id.
     * @return the partition's replicas in listed order; the first is the initial leader.
     * @throws IllegalArgumentException if there is no such partition.
     */
    public List<ReplicaConfig> replicas(final int partition)
    {
        if (partition < 0 || partition >= replicasByPartition.size())
        {
            throw new IllegalArgumentException("no partition " + partition + " in cluster '" + clusterName +
                "' (" + source + "); partitions are 0.." + (replicasByPartition.size() - 1));
        }
        return replicasByPartition.get(partition);
    }

    /** @return every replica, by partition id and then in listed order. */
    public List<ReplicaConfig> allReplicas()
    {
        return allReplicas;
    }

    /**
     * @param id a process id.
     * @return the replica with that id.
     * @throws IllegalArgumentException if no replica has that id (for instance a client id).
     */
    public ReplicaConfig replica(final int id)
    {
        final ReplicaConfig replica = replicaById.get(id);
        if (replica == null)
        {
            throw new IllegalArgumentException("no replica with id " + id + " in cluster '" + clusterName + "' (" +
                source + "); replica ids are " + replicaById.keySet() +
                (clientIds.contains(id) ? ", and " + id + " is a client id" : ""));
        }
        return replica;
    }

    /**
     * @param id a process id.
     * @return whether a replica has that id.
     */
    public boolean isReplicaId(final int id)
    {
        return replicaById.containsKey(id);
    }

    /** @return the client process ids ({@code clients.firstId}, {@code clients.count}); clients do not listen. */
    public IdRange clientIds()
    {
        return clientIds;
    }

    /**
     * @param id a process id.
     * @return whether it is a client id.
     */
    public boolean isClientId(final int id)
    {
        return clientIds.contains(id);
    }

    /** @return memory sizes ({@code buffers}), defaults applied. */
    public Buffers buffers()
    {
        return buffers;
    }

    /** @return transaction size limits ({@code limits}), defaults applied. */
    public Limits limits()
    {
        return limits;
    }

    /** @return timeouts and back-off ({@code timeouts}), defaults applied. */
    public Timeouts timeouts()
    {
        return timeouts;
    }

    /** @return the rdma fabric's settings ({@code rdma}), defaults applied; used with fabric rdma. */
    public RdmaSettings rdma()
    {
        return rdma;
    }

    /**
     * @return the RamCast topology: group g is partition g with its replica ids in listed order
     *         (the first is the initial leader), and the clients are {@link #clientIds()}.
     */
    public GroupTopology toTopology()
    {
        return topology;
    }

    /**
     * @return the RamCast options from {@link #buffers()} (ring slots, slot size, stream and inbox
     *         records, client window; the poll batch is RamCast's default).
     */
    public MulticastOptions toMulticastOptions()
    {
        return multicastOptions;
    }

    /** @return the cluster's secrets (the {@code security} section). */
    public Secrets secrets()
    {
        return secrets;
    }

    /** @return the {@code security.tls} section, null if connections are not encrypted. */
    public TlsSettings tls()
    {
        return tls;
    }

    /**
     * @return the TLS context of every connection (tcp fabric and snapshot port), read now from the
     *         stores; null without {@code security.tls}.
     * @throws IllegalStateException if the stores or their password cannot be read or used, naming
     *                               the file.
     */
    public javax.net.ssl.SSLContext tlsContext()
    {
        return null == tls ? null : tls.context();
    }

    /**
     * @param incarnation the replica's incarnation (larger after every restart).
     * @return what a replica proves its membership with; reads (or first creates) the secrets.
     * @throws IllegalStateException if a secret cannot be read or is unfit, naming it and the fix.
     */
    public FabricCredentials replicaCredentials(final long incarnation)
    {
        return secrets.replicaCredentials(clusterName, incarnation);
    }

    /**
     * @param incarnation the client's incarnation.
     * @return what a client proves its membership with; reads (or first creates) the client secret.
     * @throws IllegalStateException as for {@link #replicaCredentials}.
     */
    public FabricCredentials clientCredentials(final long incarnation)
    {
        return secrets.clientCredentials(clusterName, incarnation);
    }

    /**
     * The tcp fabric's options for every process of this deployment, client or replica: the
     * fabric's defaults, except that a failed connection attempt is retried, and a lost connection
     * re-opened, after {@code timeouts.retryBackoffMinMs}, the delay doubling after each failed
     * attempt up to {@code timeouts.retryBackoffMaxMs} (no jitter), that connections are
     * authenticated with {@code credentials}, and encrypted with {@link #tlsContext()} if the config
     * has {@code security.tls}.
     *
     * @param credentials the process's credentials ({@link #replicaCredentials},
     *                    {@link #clientCredentials}).
     * @return new options on each call.
     * @throws IllegalStateException as {@link #tlsContext()}.
     */
    public TcpFabricOptions toTcpFabricOptions(final FabricCredentials credentials)
    {
        return TcpFabricOptions.builder()
            .connectBackoffMinNs(timeouts.retryBackoffMin().toNanos())
            .connectBackoffMaxNs(timeouts.retryBackoffMax().toNanos())
            .liveClientSilenceNs(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeouts.clientFailureTimeoutMs()))
            .credentials(Objects.requireNonNull(credentials, "credentials"))
            .tls(tlsContext())
            .build();
    }

    /**
     * The rdma fabric's options for every process of this deployment: the {@link #rdma()} section,
     * with the reconnection back-off of {@link #toTcpFabricOptions} ({@code timeouts.retryBackoffMinMs}
     * doubling up to {@code timeouts.retryBackoffMaxMs}).
     *
     * Every handshake is authenticated with {@code credentials} before an owner sends its region
     * table.
     *
     * @param credentials the process's credentials ({@link #replicaCredentials},
     *                    {@link #clientCredentials}).
     * @return new options on each call.
     */
    public RdmaFabricOptions toRdmaFabricOptions(final FabricCredentials credentials)
    {
        return rdma.toFabricOptionsBuilder()
            .clientPeers(clientIds().count())
            .connectBackoffMinNs(timeouts.retryBackoffMin().toNanos())
            .connectBackoffMaxNs(timeouts.retryBackoffMax().toNanos())
            .credentials(Objects.requireNonNull(credentials, "credentials"))
            .build();
    }

    /**
     * The listen address of every replica, for the tcp fabric. Builds new addresses on each call,
     * which resolves host names now (IP literals need no lookup), never while loading.
     *
     * @return replica id to host:port, in ascending id order; unmodifiable.
     */
    public Map<Integer, InetSocketAddress> listenAddresses()
    {
        final Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (final ReplicaConfig replica : replicaById.values())
        {
            addresses.put(replica.id(), replica.listenAddress());
        }
        return Collections.unmodifiableMap(addresses);
    }

    @Override
    public String toString()
    {
        return "ClusterConfig{source=" + source + ", cluster=" + clusterName + ", fabric=" + fabric.configName() +
            ", partitions=" + partitionCount() + ", replicas=" + allReplicas.size() + ", clients=" + clientIds +
            ", partitioner=" + partitioner + ", durability=" + durability.configName() + ", dataRoot=" + dataRoot + '}';
    }
}
