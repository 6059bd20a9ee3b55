package io.ramcast.txn.config;

import java.util.List;

/**
 * The config file as written, before validation: the shape Jackson binds the YAML to. Every field
 * is nullable (absent in the file); numbers are longs so that a value out of int range reaches
 * {@link ConfigValidator}, which reports it with its path, instead of failing inside the parser.
 * Record component names are the YAML keys.
 */
final class RawConfig
{
    private RawConfig()
    {
    }

    record RawCluster(
        String cluster,
        String fabric,
        RawPartitioner partitioner,
        RawStorage storage,
        List<RawPartition> partitions,
        RawClients clients,
        RawBuffers buffers,
        RawLimits limits,
        RawTimeouts timeouts,
        RdmaSettings.Raw rdma,
        RawSecurity security)
    {
    }

    record RawSecurity(String replicaSecretFile, String clientSecretFile, RawTls tls)
    {
    }

    record RawTls(String keyStore, String trustStore, String passwordFile)
    {
    }

    record RawPartitioner(String type, List<String> splitKeys)
    {
    }

    record RawStorage(String durability, String dataRoot, Long syncIntervalMs)
    {
    }

    record RawPartition(Long id, List<RawReplica> replicas)
    {
    }

    record RawReplica(Long id, String host, Long port, String dataDir, Long transferPort, Long adminPort)
    {
    }

    record RawClients(Long firstId, Long count)
    {
    }

    record RawBuffers(
        Long ringSlots,
        Long slotSizeBytes,
        Long streamRecords,
        Long retainedDeliveries,
        Long clientWindow,
        Long mailboxBytes)
    {
    }

    record RawLimits(
        Long maxKeyBytes,
        Long maxValueBytes,
        Long maxTransactionBytes,
        Long maxKeysPerTransaction,
        Long maxScanEntries)
    {
    }

    record RawTimeouts(
        Long requestTimeoutMs,
        Long connectTimeoutMs,
        Long retryBackoffMinMs,
        Long retryBackoffMaxMs,
        Long heartbeatIntervalMs,
        Long failureTimeoutMs,
        Long clientFailureTimeoutMs)
    {
    }
}
