package io.ramcast.txn.config;

import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.MulticastOptions;
import io.ramcast.txn.Partitioner;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Checks a {@link RawConfig.RawCluster} against every rule of the config format and builds the
 * {@link ClusterConfig}. Collects every problem it can find, in schema order, and throws them
 * together; a cross-field rule is checked only when the fields it relates are valid on their own,
 * so one mistake is reported once. Pure: reads no file, opens no socket.
 *
 * <p>One instance checks one file; not thread-safe.
 */
final class ConfigValidator
{
    /** Largest process id (replica or client): 16 bits in a RamCast message id. */
    static final int MAX_PROCESS_ID = GroupTopology.MAX_PROCESS_ID - 1;
    /** Largest timeout: one day, to catch values written in the wrong unit. */
    static final long MAX_TIMEOUT_MS = 86_400_000L;
    static final int MIN_MAILBOX_BYTES = 64 << 10;
    static final int MAX_MAILBOX_BYTES = 1 << 28;
    // The bounds below are MulticastOptions' own, restated so that a problem names its YAML path.
    static final int MIN_RING_SLOTS = 2;
    static final int MAX_RING_SLOTS = 1 << 16;
    static final int MIN_SLOT_SIZE_BYTES = 128;
    static final int MAX_SLOT_SIZE_BYTES = 16 << 20;
    static final int MIN_RING_RECORDS = 16;
    static final int MAX_RING_RECORDS = 1 << 24;
    static final long MAX_HEARTBEAT_INTERVAL_MS = 10_000;
    static final long MAX_FAILURE_TIMEOUT_MS = 600_000;
    static final int MAX_CLIENT_WINDOW = 1 << 16;

    private static final String REPLICA_FIELDS = "a replica needs id, host and port";
    /**
     * A DNS name or an IPv4 literal: labels of letters, digits, hyphens and underscores (container
     * service names use them), not starting or ending with a hyphen.
     */
    private static final String HOST_LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?";
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final Pattern IPV4 = Pattern.compile("(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)");
    private static final Pattern HOST_NAME = Pattern.compile("(?=.{1,253}$)" + HOST_LABEL + "(?:\\." + HOST_LABEL + ")*\\.?");

    private static final String PROCESS_ID_RULE = "process ids must be in [0, " + MAX_PROCESS_ID + "]";

    private final String source;
    private final Path baseDir;
    private final List<String> problems = new ArrayList<>();
    /** Where each replica id is declared, ascending by id; for duplicate and overlap reports. */
    private final TreeMap<Integer, Declared> replicaById = new TreeMap<>();

    private Buffers buffers;
    /** The config's fabric, once read (null if it is bad), for the rules that depend on it. */
    private FabricKind fabric;
    private Limits limits;

    /**
     * @param source  file name for messages.
     * @param baseDir absolute directory relative paths resolve against.
     */
    ConfigValidator(final String source, final Path baseDir)
    {
        this.source = source;
        this.baseDir = baseDir;
    }

    /**
     * @param raw the file as bound by Jackson.
     * @return the valid config.
     * @throws ConfigException listing every problem found.
     */
    ClusterConfig validate(final RawConfig.RawCluster raw) throws ConfigException
    {
        final String name = clusterName(raw.cluster());
        final FabricKind fabric = fabric(raw.fabric());
        this.fabric = fabric;
        final int partitionCount = raw.partitions() == null ? 0 : raw.partitions().size();
        final Partitioner partitioner = partitioner(raw.partitioner(), partitionCount);
        final RawConfig.RawStorage storage = raw.storage() == null ? new RawConfig.RawStorage(null, null, null) : raw.storage();
        final Durability durability = durability(storage.durability());
        final Long syncInterval = storage.syncIntervalMs() == null ? Long.valueOf(ClusterConfig.DEFAULT_SYNC_INTERVAL_MS) :
            longIn("storage.syncIntervalMs", storage.syncIntervalMs(), 0, ClusterConfig.MAX_SYNC_INTERVAL_MS);
        final Path dataRoot = storage.dataRoot() == null ? baseDir.resolve("data").normalize() :
            directory("storage.dataRoot", storage.dataRoot());
        final List<List<ReplicaConfig>> partitions = partitions(raw.partitions(), dataRoot);
        final IdRange clients = clients(raw.clients());
        sizes(raw.buffers(), raw.limits(), partitionCount, clients);
        final Timeouts timeouts = timeouts(raw.timeouts());
        final RdmaSettings rdma = RdmaSettings.validate(raw.rdma(), fabric, largestWrite(), this::problem);
        final RawConfig.RawSecurity security = raw.security() == null ? new RawConfig.RawSecurity(null, null, null) :
            raw.security();
        final Path replicaSecret = file("security.replicaSecretFile", security.replicaSecretFile(),
            Secrets.DEFAULT_REPLICA_SECRET_FILE);
        final Path clientSecret = file("security.clientSecretFile", security.clientSecretFile(),
            Secrets.DEFAULT_CLIENT_SECRET_FILE);
        if (replicaSecret != null && replicaSecret.equals(clientSecret))
        {
            problem("security.clientSecretFile", quote(security.clientSecretFile()),
                "must differ from security.replicaSecretFile (a client would otherwise hold the replica secret)");
        }
        final TlsSettings tls = tls(security.tls(), fabric);
        if (!problems.isEmpty())
        {
            throw new ConfigException(problems);
        }
        return new ClusterConfig(source, name, fabric, partitioner, durability, syncInterval, dataRoot, partitions,
            clients, buffers,
            limits, timeouts, rdma, new Secrets(replicaSecret, clientSecret, System::getenv), tls);
    }

    /** The {@code security.tls} section: absent means no TLS; present, both stores are required. */
    private TlsSettings tls(final RawConfig.RawTls raw, final FabricKind fabric)
    {
        if (null == raw)
        {
            return null;
        }
        if (FabricKind.TCP != fabric)
        {
            problem("security.tls", "present", "TLS encrypts the tcp fabric only; remove it for fabric " +
                (null == fabric ? "?" : fabric.toString().toLowerCase(java.util.Locale.ROOT)));
        }
        final Path keyStore = null == raw.keyStore() ? missingPath("security.tls.keyStore") :
            resolved("security.tls.keyStore", raw.keyStore(), "file");
        final Path trustStore = null == raw.trustStore() ? missingPath("security.tls.trustStore") :
            resolved("security.tls.trustStore", raw.trustStore(), "file");
        final Path passwordFile = file("security.tls.passwordFile", raw.passwordFile(), TlsSettings.DEFAULT_PASSWORD_FILE);
        return null == keyStore || null == trustStore || null == passwordFile ? null :
            new TlsSettings(keyStore, trustStore, passwordFile, System::getenv);
    }

    private Path missingPath(final String path)
    {
        problem(path, "missing", "security.tls needs a key store (this host's key and certificate) and a trust store " +
            "(the certificates that its peers' certificates must lead to)");
        return null;
    }

    /** The largest single write RamCast issues with these buffers (a slot, a mailbox record), 0 if invalid. */
    private int largestWrite()
    {
        return buffers == null ? 0 : Math.max(buffers.slotSizeBytes(), buffers.mailboxBytes() / 4);
    }

    private String clusterName(final String name)
    {
        if (name == null)
        {
            problem("cluster", "missing", "every config names its cluster");
        }
        else if (name.isBlank())
        {
            problem("cluster", quote(name), "the cluster name must not be empty");
        }
        return name;
    }

    private FabricKind fabric(final String text)
    {
        if (text == null)
        {
            problem("fabric", "missing", "must be one of local, tcp, rdma");
            return null;
        }
        final FabricKind fabric = parseEnum(FabricKind.class, text);
        if (fabric == null)
        {
            problem("fabric", quote(text), "must be one of local, tcp, rdma");
        }
        return fabric;
    }

    private Partitioner partitioner(final RawConfig.RawPartitioner raw, final int partitionCount)
    {
        final String type = raw == null || raw.type() == null ? "hash" : raw.type();
        final List<String> splitKeys = raw == null || raw.splitKeys() == null ? List.of() : raw.splitKeys();
        if ("hash".equalsIgnoreCase(type))
        {
            if (!splitKeys.isEmpty())
            {
                problem("partitioner.splitKeys", count(splitKeys.size(), "key"),
                    "split keys are for type range; hash partitioning has none");
                return null;
            }
            return partitionCount > 0 ? new HashPartitioner(partitionCount) : null;
        }
        if (!"range".equalsIgnoreCase(type))
        {
            problem("partitioner.type", quote(type), "must be hash or range");
            return null;
        }
        boolean valid = true;
        byte[] previous = null;
        String previousText = null;
        for (int i = 0; i < splitKeys.size(); i++)
        {
            final String path = "partitioner.splitKeys[" + i + "]";
            final String key = splitKeys.get(i);
            if (key == null || key.isEmpty())
            {
                problem(path, key == null ? "missing" : "''",
                    "a split key must not be empty (partition " + i + " would hold no keys)");
                valid = false;
                continue;
            }
            final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            if (previous != null && Arrays.compareUnsigned(previous, bytes) >= 0)
            {
                problem(path, quote(key), "split keys must be strictly ascending (as unsigned UTF-8 bytes), " +
                    "and it does not come after " + quote(previousText));
                valid = false;
            }
            previous = bytes;
            previousText = key;
        }
        if (partitionCount > 0 && splitKeys.size() != partitionCount - 1)
        {
            problem("partitioner.splitKeys", count(splitKeys.size(), "key"), "range partitioning of " +
                count(partitionCount, "partition") + " needs exactly " +
                count(partitionCount - 1, "split key") +
                " (partition i holds the keys from splitKeys[i-1] up to, not including, splitKeys[i])");
            valid = false;
        }
        return valid && partitionCount > 0 ? RangePartitioner.ofUtf8(splitKeys) : null;
    }

    private Durability durability(final String text)
    {
        if (text == null)
        {
            return Durability.WAL;
        }
        final Durability durability = parseEnum(Durability.class, text);
        if (durability == null)
        {
            problem("storage.durability", quote(text), "must be one of none, wal, fsync");
        }
        return durability;
    }

    private List<List<ReplicaConfig>> partitions(final List<RawConfig.RawPartition> raws, final Path dataRoot)
    {
        if (raws == null)
        {
            problem("partitions", "missing", "a cluster needs at least one partition");
            return null;
        }
        if (raws.isEmpty())
        {
            problem("partitions", "empty list", "a cluster needs at least one partition");
            return null;
        }
        final int partitionCount = raws.size();
        final int problemsBefore = problems.size();
        final String[] pathOfPartition = new String[partitionCount];
        final List<List<ReplicaConfig>> byId = new ArrayList<>(partitionCount);
        for (int p = 0; p < partitionCount; p++)
        {
            byId.add(null);
        }
        final Map<String, String> addressOwner = new HashMap<>();
        final Map<String, String> dataDirOwner = new HashMap<>();
        for (int i = 0; i < partitionCount; i++)
        {
            final String path = "partitions[" + i + "]";
            final RawConfig.RawPartition raw = raws.get(i);
            if (raw == null)
            {
                problem(path, "empty entry", "a partition needs an id and replicas");
                continue;
            }
            Integer id = null;
            if (raw.id() == null)
            {
                problem(path + ".id", "missing", "every partition needs an id");
            }
            else if (raw.id() < 0 || raw.id() >= partitionCount)
            {
                problem(path + ".id", raw.id(), "partition ids must be dense 0.." + (partitionCount - 1) +
                    " (" + count(partitionCount, "partition") + " listed)");
            }
            else if (pathOfPartition[raw.id().intValue()] != null)
            {
                problem(path + ".id", raw.id(),
                    "duplicate partition id (also " + pathOfPartition[raw.id().intValue()] + ")");
            }
            else
            {
                id = raw.id().intValue();
                pathOfPartition[id] = path;
            }
            final String label = raw.id() == null ? path : "partition " + raw.id();
            final List<ReplicaConfig> replicas =
                replicas(path, label, id, raw.replicas(), dataRoot, addressOwner, dataDirOwner);
            if (id != null)
            {
                byId.set(id, replicas);
            }
        }
        return problems.size() == problemsBefore ? List.copyOf(byId) : null;
    }

    private List<ReplicaConfig> replicas(
        final String partitionPath,
        final String partitionLabel,
        final Integer partitionId,
        final List<RawConfig.RawReplica> raws,
        final Path dataRoot,
        final Map<String, String> addressOwner,
        final Map<String, String> dataDirOwner)
    {
        final String path = partitionPath + ".replicas";
        if (raws == null)
        {
            problem(path, "missing", "a partition needs an odd number (2f+1) of replicas");
            return null;
        }
        if (raws.size() % 2 == 0)
        {
            problem(path, count(raws.size(), "replica"), "a partition needs an odd number (2f+1)");
        }
        final List<ReplicaConfig> replicas = new ArrayList<>(raws.size());
        boolean valid = partitionId != null && raws.size() % 2 == 1;
        for (int j = 0; j < raws.size(); j++)
        {
            final ReplicaConfig replica = replica(
                path + "[" + j + "]", partitionLabel, partitionId, raws.get(j), dataRoot, addressOwner, dataDirOwner);
            valid &= replica != null;
            replicas.add(replica);
        }
        return valid ? List.copyOf(replicas) : null;
    }

    private ReplicaConfig replica(
        final String path,
        final String partitionLabel,
        final Integer partitionId,
        final RawConfig.RawReplica raw,
        final Path dataRoot,
        final Map<String, String> addressOwner,
        final Map<String, String> dataDirOwner)
    {
        if (raw == null)
        {
            problem(path, "empty entry", REPLICA_FIELDS);
            return null;
        }
        final Integer id = raw.id() == null ? missing(path + ".id", REPLICA_FIELDS) :
            replicaId(path + ".id", raw.id(), partitionLabel);
        String host = raw.host();
        if (host == null)
        {
            missing(path + ".host", REPLICA_FIELDS);
        }
        else if (host.isBlank())
        {
            problem(path + ".host", quote(host), "the host must not be empty");
            host = null;
        }
        else if (host.indexOf(':') >= 0 ? !isIpv6Literal(host) : !HOST_NAME.matcher(host).matches())
        {
            problem(path + ".host", quote(host), "must be a host name (letters, digits, '-', '_' and '.') or an IPv4 or " +
                "IPv6 address (no brackets, no zone), without a port (the port has its own field)");
            host = null;
        }
        else if (host.indexOf(':') >= 0 && FabricKind.RDMA == fabric)
        {
            // DiSNI 2.1 builds IPv4 socket addresses only
            problem(path + ".host", quote(host), "the rdma fabric (DiSNI 2.1) reaches IPv4 addresses only; use the " +
                "IPv4 address of the RDMA interface");
        }
        final Integer port = raw.port() == null ? missing(path + ".port", REPLICA_FIELDS) :
            intIn(path + ".port", raw.port(), 1, 65535, "ports must be in [1, 65535]");
        if (host != null && port != null)
        {
            final String address = host + ":" + port;
            final String owner = addressOwner.putIfAbsent(address.toLowerCase(Locale.ROOT), path);
            if (owner != null)
            {
                problem(path, quote(address),
                    "address already used by " + owner + "; every replica needs its own host:port");
            }
        }
        final Integer transferPort = raw.transferPort() == null ? Integer.valueOf(ReplicaConfig.NO_TRANSFER_PORT) :
            ownPort(path + ".transferPort", host, raw.transferPort(), addressOwner, "the transfer port");
        final Integer adminPort = raw.adminPort() == null ? Integer.valueOf(ReplicaConfig.NO_ADMIN_PORT) :
            ownPort(path + ".adminPort", host, raw.adminPort(), addressOwner, "the admin port");
        Path dataDir = null;
        if (raw.dataDir() != null)
        {
            dataDir = directory(path + ".dataDir", raw.dataDir());
        }
        else if (dataRoot != null && id != null)
        {
            dataDir = dataRoot.resolve("replica-" + id);
        }
        if (dataDir != null && host != null)
        {
            final String owner = dataDirOwner.putIfAbsent(host.toLowerCase(Locale.ROOT) + "\n" + dataDir, path);
            if (owner != null)
            {
                problem(raw.dataDir() != null ? path + ".dataDir" : path, quote(dataDir.toString()),
                    "already the data directory of " + owner + " on host " + host +
                        "; replicas on one host need their own");
                dataDir = null;
            }
        }
        return id == null || host == null || port == null || dataDir == null || partitionId == null ||
            transferPort == null || adminPort == null ? null :
            new ReplicaConfig(id, partitionId, host, port, dataDir, transferPort, adminPort);
    }

    /** A second port of a replica on its host: in range and a host:port no other entry uses. */
    private Integer ownPort(final String path, final String host, final long value, final Map<String, String> addressOwner,
        final String what)
    {
        final Integer port = intIn(path, value, 1, 65535, "ports must be in [1, 65535]");
        if (host != null && port != null)
        {
            final String address = host + ":" + port;
            final String owner = addressOwner.putIfAbsent(address.toLowerCase(Locale.ROOT), path);
            if (owner != null)
            {
                problem(path, quote(address), "address already used by " + owner + "; " + what +
                    " needs a host:port of its own");
            }
        }
        return port;
    }

    private Integer replicaId(final String path, final long id, final String partitionLabel)
    {
        if (intIn(path, id, 0, MAX_PROCESS_ID, PROCESS_ID_RULE) == null)
        {
            return null;
        }
        final Declared earlier = replicaById.putIfAbsent((int)id, new Declared(path, partitionLabel));
        if (earlier == null)
        {
            return (int)id;
        }
        if (earlier.partition().equals(partitionLabel))
        {
            problem(path, id, "replica " + id + " appears twice in " + partitionLabel + " (also " + earlier.path() + ")");
        }
        else
        {
            problem(path, id, "replica " + id + " is in " + earlier.partition() + " and " + partitionLabel);
        }
        return null;
    }

    private IdRange clients(final RawConfig.RawClients raw)
    {
        if (raw == null)
        {
            problem("clients", "missing", "the clients section (firstId, count) is required");
            return null;
        }
        final Integer firstId = raw.firstId() == null ? missing("clients.firstId", "the first client id is required") :
            intIn("clients.firstId", raw.firstId(), 0, MAX_PROCESS_ID, PROCESS_ID_RULE);
        final Integer count = raw.count() == null ? missing("clients.count", "the number of clients is required") :
            intIn("clients.count", raw.count(), 1, MAX_PROCESS_ID + 1, "a cluster needs between 1 and " +
                (MAX_PROCESS_ID + 1) + " clients");
        if (firstId == null || count == null)
        {
            return null;
        }
        final IdRange clients = new IdRange(firstId, count);
        if ((long)firstId + count - 1 > MAX_PROCESS_ID)
        {
            problem("clients.count", count, "client ids " + firstId + ".." + ((long)firstId + count - 1) +
                " go past the largest process id " + MAX_PROCESS_ID);
            return null;
        }
        final Map.Entry<Integer, Declared> overlap = replicaById.ceilingEntry(firstId);
        if (overlap != null && clients.contains(overlap.getKey()))
        {
            problem("clients", "ids " + clients, "client ids must not overlap replica ids, but replica " +
                overlap.getKey() + " (" + overlap.getValue().path() + ") is in the range");
            return null;
        }
        return clients;
    }

    private void sizes(
        final RawConfig.RawBuffers rawBuffers,
        final RawConfig.RawLimits rawLimits,
        final int partitionCount,
        final IdRange clients)
    {
        final RawConfig.RawBuffers b = rawBuffers != null ? rawBuffers :
            new RawConfig.RawBuffers(null, null, null, null, null, null);
        final Integer ringSlots = powerOfTwo(
            "buffers.ringSlots", b.ringSlots(), Buffers.DEFAULT_RING_SLOTS, MIN_RING_SLOTS, MAX_RING_SLOTS);
        Integer slotSize = b.slotSizeBytes() == null ? Integer.valueOf(Buffers.DEFAULT_SLOT_SIZE_BYTES) :
            intIn("buffers.slotSizeBytes", b.slotSizeBytes(), MIN_SLOT_SIZE_BYTES, MAX_SLOT_SIZE_BYTES,
                "must be in [" + MIN_SLOT_SIZE_BYTES + ", " + MAX_SLOT_SIZE_BYTES + "]");
        if (slotSize != null && slotSize % 8 != 0)
        {
            problem("buffers.slotSizeBytes", slotSize, "must be a multiple of 8");
            slotSize = null;
        }
        final Integer streamRecords = powerOfTwo(
            "buffers.streamRecords", b.streamRecords(), Buffers.DEFAULT_STREAM_RECORDS, MIN_RING_RECORDS, MAX_RING_RECORDS);
        final Integer retainedDeliveries = b.retainedDeliveries() == null ?
            Integer.valueOf(Buffers.DEFAULT_RETAINED_DELIVERIES) :
            intIn("buffers.retainedDeliveries", b.retainedDeliveries(), MIN_RING_RECORDS, MAX_RING_RECORDS,
                "must be in [" + MIN_RING_RECORDS + ", " + MAX_RING_RECORDS + "]");
        final Integer clientWindow = b.clientWindow() == null ? Integer.valueOf(Buffers.DEFAULT_CLIENT_WINDOW) :
            intIn("buffers.clientWindow", b.clientWindow(), 1, MAX_CLIENT_WINDOW,
                "must be in [1, " + MAX_CLIENT_WINDOW + "]");
        final Integer mailboxBytes = powerOfTwo(
            "buffers.mailboxBytes", b.mailboxBytes(), Buffers.DEFAULT_MAILBOX_BYTES, MIN_MAILBOX_BYTES, MAX_MAILBOX_BYTES);

        final RawConfig.RawLimits l = rawLimits != null ? rawLimits : new RawConfig.RawLimits(null, null, null, null, null);
        final Integer maxKeyBytes = positive("limits.maxKeyBytes", l.maxKeyBytes(), Limits.DEFAULT_MAX_KEY_BYTES);
        final Integer maxValueBytes = positive("limits.maxValueBytes", l.maxValueBytes(), Limits.DEFAULT_MAX_VALUE_BYTES);
        final Integer maxTransactionBytes =
            positive("limits.maxTransactionBytes", l.maxTransactionBytes(), Limits.DEFAULT_MAX_TRANSACTION_BYTES);
        final Integer maxKeysPerTransaction =
            positive("limits.maxKeysPerTransaction", l.maxKeysPerTransaction(), Limits.DEFAULT_MAX_KEYS_PER_TRANSACTION);
        final Integer maxScanEntries =
            positive("limits.maxScanEntries", l.maxScanEntries(), Limits.DEFAULT_MAX_SCAN_ENTRIES);

        boolean valid = true;
        if (maxTransactionBytes != null)
        {
            valid &= notAbove("limits.maxKeyBytes", maxKeyBytes, "limits.maxTransactionBytes", maxTransactionBytes);
            valid &= notAbove("limits.maxValueBytes", maxValueBytes, "limits.maxTransactionBytes", maxTransactionBytes);
            if (slotSize != null && partitionCount > 0)
            {
                valid &= slotFits(slotSize, maxTransactionBytes, partitionCount);
            }
        }
        if (ringSlots != null && slotSize != null && clients != null)
        {
            final long ringsBytes = (long)clients.count() * ringSlots * slotSize;
            if (ringsBytes > Integer.MAX_VALUE)
            {
                problem("buffers", "clients.count " + clients.count() + " x ringSlots " + ringSlots +
                    " x slotSizeBytes " + slotSize + " = " + ringsBytes + " bytes",
                    "the client rings of one replica must fit in " + Integer.MAX_VALUE + " bytes");
                valid = false;
            }
        }
        if (valid && ringSlots != null && slotSize != null && streamRecords != null && retainedDeliveries != null &&
            clientWindow != null && mailboxBytes != null)
        {
            buffers = new Buffers(ringSlots, slotSize, streamRecords, retainedDeliveries, clientWindow, mailboxBytes);
        }
        if (valid && maxKeyBytes != null && maxValueBytes != null && maxTransactionBytes != null &&
            maxKeysPerTransaction != null && maxScanEntries != null)
        {
            limits = new Limits(maxKeyBytes, maxValueBytes, maxTransactionBytes, maxKeysPerTransaction, maxScanEntries);
        }
    }

    /** The multicast slot must carry the largest transaction addressed to every partition. */
    private boolean slotFits(final int slotSizeBytes, final int maxTransactionBytes, final int partitionCount)
    {
        final int room = MulticastOptions.builder().slotSizeBytes(slotSizeBytes).build().maxPayloadBytes(partitionCount);
        if (room >= maxTransactionBytes)
        {
            return true;
        }
        final String advice = room > 0 ?
            "; use at least " + align8(maxTransactionBytes + (slotSizeBytes - room)) : "";
        problem("buffers.slotSizeBytes", slotSizeBytes, "a slot must hold limits.maxTransactionBytes (" +
            maxTransactionBytes + ") plus the multicast header for a transaction to all " +
            count(partitionCount, "partition") + ", but holds a payload of at most " + room + " bytes" + advice);
        return false;
    }

    private Timeouts timeouts(final RawConfig.RawTimeouts raw)
    {
        final RawConfig.RawTimeouts t = raw != null ? raw : new RawConfig.RawTimeouts(null, null, null, null, null, null, null);
        final Long request =
            timeout("timeouts.requestTimeoutMs", t.requestTimeoutMs(), Timeouts.DEFAULT_REQUEST_TIMEOUT_MS);
        final Long connect =
            timeout("timeouts.connectTimeoutMs", t.connectTimeoutMs(), Timeouts.DEFAULT_CONNECT_TIMEOUT_MS);
        final Long backoffMin =
            timeout("timeouts.retryBackoffMinMs", t.retryBackoffMinMs(), Timeouts.DEFAULT_RETRY_BACKOFF_MIN_MS);
        final Long backoffMax =
            timeout("timeouts.retryBackoffMaxMs", t.retryBackoffMaxMs(), Timeouts.DEFAULT_RETRY_BACKOFF_MAX_MS);
        final Long heartbeat = t.heartbeatIntervalMs() == null ? Long.valueOf(Timeouts.DEFAULT_HEARTBEAT_INTERVAL_MS) :
            longIn("timeouts.heartbeatIntervalMs", t.heartbeatIntervalMs(), 1, MAX_HEARTBEAT_INTERVAL_MS);
        final Long failure = t.failureTimeoutMs() == null ? Long.valueOf(Timeouts.DEFAULT_FAILURE_TIMEOUT_MS) :
            longIn("timeouts.failureTimeoutMs", t.failureTimeoutMs(), 2, MAX_FAILURE_TIMEOUT_MS);
        final Long clientFailure = t.clientFailureTimeoutMs() == null ?
            Long.valueOf(Timeouts.DEFAULT_CLIENT_FAILURE_TIMEOUT_MS) :
            longIn("timeouts.clientFailureTimeoutMs", t.clientFailureTimeoutMs(), 2, MAX_FAILURE_TIMEOUT_MS);
        boolean valid = heartbeat != null && failure != null && clientFailure != null;
        if (heartbeat != null && failure != null && failure < 2 * heartbeat)
        {
            problem("timeouts.failureTimeoutMs", failure, "must be at least twice timeouts.heartbeatIntervalMs (" +
                heartbeat + "), or a live replica would be suspected between two heartbeats");
            valid = false;
        }
        if (heartbeat != null && clientFailure != null && clientFailure < 2 * heartbeat)
        {
            problem("timeouts.clientFailureTimeoutMs", clientFailure, "must be at least twice " +
                "timeouts.heartbeatIntervalMs (" + heartbeat + "), or a live client would be suspected between two heartbeats");
            valid = false;
        }
        if (backoffMin != null && backoffMax != null && backoffMin > backoffMax)
        {
            problem("timeouts.retryBackoffMinMs", backoffMin,
                "must not exceed timeouts.retryBackoffMaxMs (" + backoffMax + ")");
            valid = false;
        }
        if (request != null && backoffMax != null && request < backoffMax)
        {
            problem("timeouts.requestTimeoutMs", request,
                "must be at least timeouts.retryBackoffMaxMs (" + backoffMax + "), or a request could time out " +
                "before the next attempt to re-open a lost connection");
            valid = false;
        }
        return valid && request != null && connect != null && backoffMin != null && backoffMax != null ?
            new Timeouts(request, connect, backoffMin, backoffMax, heartbeat, failure, clientFailure) : null;
    }

    private Long timeout(final String path, final Long value, final long defaultValue)
    {
        if (value == null)
        {
            return defaultValue;
        }
        if (value <= 0)
        {
            problem(path, value, "must be positive");
            return null;
        }
        if (value > MAX_TIMEOUT_MS)
        {
            problem(path, value, "must be at most " + MAX_TIMEOUT_MS + " (one day)");
            return null;
        }
        return value;
    }

    private boolean notAbove(final String path, final Integer value, final String boundPath, final int bound)
    {
        if (value != null && value > bound)
        {
            problem(path, value, "must not exceed " + boundPath + " (" + bound + ")");
            return false;
        }
        return true;
    }

    private Integer positive(final String path, final Long value, final int defaultValue)
    {
        if (value == null)
        {
            return defaultValue;
        }
        if (value < 1)
        {
            problem(path, value, "must be positive");
            return null;
        }
        return intIn(path, value, 1, Integer.MAX_VALUE, "must be at most " + Integer.MAX_VALUE);
    }

    private Integer powerOfTwo(final String path, final Long value, final int defaultValue, final int min, final int max)
    {
        if (value == null)
        {
            return defaultValue;
        }
        final String rule = "must be a power of two in [" + min + ", " + max + "]";
        final Integer v = intIn(path, value, min, max, rule);
        if (v != null && Integer.bitCount(v) != 1)
        {
            problem(path, value, rule);
            return null;
        }
        return v;
    }

    private Long longIn(final String path, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            problem(path, value, "must be in [" + min + ", " + max + "]");
            return null;
        }
        return value;
    }

    private Integer intIn(final String path, final long value, final long min, final long max, final String rule)
    {
        if (value < min || value > max)
        {
            problem(path, value, rule);
            return null;
        }
        return (int)value;
    }

    /** A file path, relative ones against the config's directory; {@code fallback} if absent. */
    private Path file(final String path, final String text, final String fallback)
    {
        return text == null ? baseDir.resolve(fallback).toAbsolutePath().normalize() : resolved(path, text, "file");
    }

    private Path directory(final String path, final String text)
    {
        return resolved(path, text, "directory");
    }

    /** @param noun what the path must name, for the message. */
    private Path resolved(final String path, final String text, final String noun)
    {
        if (text.isBlank())
        {
            problem(path, quote(text), "must name a " + noun);
            return null;
        }
        try
        {
            return baseDir.resolve(text).toAbsolutePath().normalize();
        }
        catch (final InvalidPathException e)
        {
            problem(path, quote(text), "not a valid path (" + e.getReason() + ")");
            return null;
        }
    }

    private Integer missing(final String path, final String rule)
    {
        problem(path, "missing", rule);
        return null;
    }

    private void problem(final String path, final Object value, final String rule)
    {
        problems.add(source + ": " + path + ": " + value + "; " + rule);
    }

    private static <E extends Enum<E>> E parseEnum(final Class<E> type, final String text)
    {
        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().equalsIgnoreCase(text.strip()))
            {
                return constant;
            }
        }
        return null;
    }

    /**
     * @return whether {@code host} is an IPv6 address literal, not bracketed and without a zone:
     *         groups of 1–4 hex digits, at most one {@code ::}, optionally an IPv4 address last.
     */
    static boolean isIpv6Literal(final String host)
    {
        final int compressed = host.indexOf("::");
        if (host.length() > 45 || (compressed >= 0 && host.indexOf("::", compressed + 1) >= 0) ||
            (host.startsWith(":") && compressed != 0) || (host.endsWith(":") && compressed != host.length() - 2))
        {
            return false;
        }
        final String[] parts = host.split(":", -1);
        int groups = 0;
        for (int i = 0; i < parts.length; i++)
        {
            final String part = parts[i];
            if (part.isEmpty())
            {
                continue; // only around the one "::", checked above
            }
            if (i == parts.length - 1 && part.indexOf('.') >= 0)
            {
                if (!IPV4.matcher(part).matches())
                {
                    return false;
                }
                groups += 2;
            }
            else if (HEX_GROUP.matcher(part).matches())
            {
                groups++;
            }
            else
            {
                return false;
            }
        }
        return compressed >= 0 ? groups <= 7 : groups == 8;
    }

    private static String quote(final String text)
    {
        return "'" + text + "'";
    }

    private static String count(final int n, final String noun)
    {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static long align8(final long n)
    {
        return (n + 7) & ~7L;
    }

    /** Where a replica id was first declared. */
    private record Declared(String path, String partition)
    {
    }
}
