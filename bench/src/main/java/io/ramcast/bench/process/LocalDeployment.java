package io.ramcast.bench.process;

import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.store.PartitionStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * The files and stores of a deployment that {@code demo} and {@code faults} run as replica
 * processes on this machine: the installation's default config, a copy of it with a private data
 * root, the work directory's removal, and the replicas' stores compared after they stopped.
 *
 * <p>Stateless; every method runs on the calling thread and blocks on file I/O.
 */
public final class LocalDeployment
{
    private LocalDeployment()
    {
    }

    /**
     * {@code config/local.yaml} of this installation: under {@code $RAMCAST_HOME} (set by
     * {@code bin/ramcast}), else under the working directory.
     *
     * @return the absolute path of the default config (it may not exist).
     */
    public static Path defaultConfig()
    {
        final String home = System.getenv("RAMCAST_HOME");
        return (home != null ? Path.of(home) : Path.of("")).resolve("config").resolve("local.yaml").toAbsolutePath();
    }

    /**
     * Writes a copy of a config whose {@code storage.dataRoot} line says {@code dataRoot}; nothing
     * else of the file changes.
     *
     * @param source   the config to copy.
     * @param dataRoot the data root of the copy (written as an absolute path).
     * @param target   where to write the copy (replaced if it exists).
     * @return {@code target}.
     * @throws IOException if a file cannot be read or written, or {@code source} has no
     *                     {@code dataRoot} line.
     */
    public static Path withDataRoot(final Path source, final Path dataRoot, final Path target) throws IOException
    {
        final String yaml = Files.readString(source, StandardCharsets.UTF_8);
        final String line = "  dataRoot: " + dataRoot.toAbsolutePath();
        final String replaced = yaml.replaceFirst("(?m)^\\s*dataRoot:.*$", Matcher.quoteReplacement(line));
        if (replaced.equals(yaml))
        {
            throw new IOException(source + ": the demo needs a storage.dataRoot line to point at its own data directory");
        }
        Files.writeString(target, replaced, StandardCharsets.UTF_8);
        return target;
    }

    /**
     * Deletes a directory and everything under it.
     *
     * @param dir the directory.
     * @throws IOException if it does not exist or something in it cannot be deleted.
     */
    public static void deleteTree(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The state of every replica's store, to compare the replicas of a partition: per partition, per
     * replica in config order, {@code <SHA-256 of a full scan>/<entries>/<applied mark>}. The replicas
     * must have stopped (their stores are opened here).
     *
     * @param config the cluster config.
     * @param skip   replicas to leave out (for example killed ones).
     * @return partition id to the hashes of its replicas.
     * @throws NoSuchAlgorithmException never on a conforming JVM (SHA-256 is required).
     */
    public static Map<Integer, List<String>> replicaHashes(final ClusterConfig config, final Set<Integer> skip)
        throws NoSuchAlgorithmException
    {
        final Map<Integer, List<String>> hashes = new TreeMap<>();
        replicaStores(config, skip).forEach((p, stores) ->
            hashes.put(p, stores.values().stream().map(StoreDigest::toString).toList()));
        return hashes;
    }

    /**
     * What a replica's store holds, for comparing replicas.
     *
     * @param sha256Hex   SHA-256 over every key and value of a full scan, in key order, as hex.
     * @param entries     how many entries the scan saw.
     * @param lastApplied the store's applied position.
     */
    public record StoreDigest(String sha256Hex, long entries, io.ramcast.txn.store.AppliedMark lastApplied)
    {
        /** @return {@code <sha256Hex>/<entries>/<lastApplied>}, the form {@link #replicaHashes} lists. */
        @Override
        public String toString()
        {
            return sha256Hex + "/" + entries + "/" + lastApplied;
        }
    }

    /**
     * Opens the store of every replica of the config (none may be running) and digests it.
     *
     * @param config the cluster config.
     * @param skip   replicas to leave out (for example killed ones).
     * @return partition id to (replica id to its digest), both in ascending order.
     * @throws NoSuchAlgorithmException never on a conforming JVM (SHA-256 is required).
     */
    public static Map<Integer, Map<Integer, StoreDigest>> replicaStores(final ClusterConfig config, final Set<Integer> skip)
        throws NoSuchAlgorithmException
    {
        final Map<Integer, Map<Integer, StoreDigest>> stores = new TreeMap<>();
        for (int p = 0; p < config.partitionCount(); p++)
        {
            final Map<Integer, StoreDigest> byReplica = new TreeMap<>();
            for (final ReplicaConfig r : config.replicas(p))
            {
                if (skip.contains(r.id()))
                {
                    continue;
                }
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    byReplica.put(r.id(), digest(store));
                }
            }
            stores.put(p, byReplica);
        }
        return stores;
    }

    /**
     * Opens a store read-only (a backup, an installed snapshot; nothing in it changes) and digests
     * it as {@link #digest(PartitionStore)} does.
     *
     * @param dir the store's directory.
     * @return its digest.
     * @throws io.ramcast.txn.store.StoreException if the directory holds no readable store.
     * @throws NoSuchAlgorithmException never on a conforming JVM (SHA-256 is required).
     */
    public static StoreDigest digestReadOnly(final Path dir) throws NoSuchAlgorithmException
    {
        try (RocksPartitionStore store = RocksPartitionStore.openReadOnly(dir))
        {
            return digest(store);
        }
    }

    /**
     * Digests one store as {@link #replicaStores} digests every replica's, so that a backup (opened
     * read-only) can be compared with the replicas.
     *
     * @param store an open store.
     * @return SHA-256 over every key and value of a full scan in key order, the entry count, the mark.
     * @throws NoSuchAlgorithmException never on a conforming JVM (SHA-256 is required).
     */
    public static StoreDigest digest(final PartitionStore store) throws NoSuchAlgorithmException
    {
        final MessageDigest digest = MessageDigest.getInstance("SHA-256");
        final AtomicLong entries = new AtomicLong();
        store.scan(new byte[0], null, Integer.MAX_VALUE, (k, v) ->
        {
            digest.update(k);
            digest.update(v);
            entries.incrementAndGet();
        });
        return new StoreDigest(HexFormat.of().formatHex(digest.digest()), entries.get(), store.lastApplied());
    }

    /**
     * One line for a report: per partition, the distinct store hashes of its replicas, each cut to
     * its first 8 hex digits, e.g. {@code (p0: [1a2b3c4d], p1: [5e6f7a8b, 9c0d1e2f])}.
     *
     * @param hashes the result of {@link #replicaHashes}.
     * @return the summary.
     */
    public static String hashSummary(final Map<Integer, List<String>> hashes)
    {
        final StringBuilder sb = new StringBuilder("(");
        hashes.forEach((p, h) -> sb.append(sb.length() > 1 ? ", " : "").append("p").append(p).append(": ")
            .append(h.stream().map(x -> x.substring(0, 8)).distinct().toList()));
        return sb.append(')').toString();
    }
}
