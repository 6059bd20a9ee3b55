package io.ramcast.storage;

import io.ramcast.multicast.DurableFiles;
import io.ramcast.txn.store.StoreException;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Whose data a store directory holds: the cluster, the partition and the replica id it was created
 * for. A replica refuses a directory of another cluster, partition or replica (a copied disk, a
 * wrong path in the config) before anything in it is opened or written, so a mistake of the
 * operator can never mix two replicas' data.
 *
 * <p>The identity lives in a small text file, {@value #FILE_NAME}, beside RocksDB's files, written
 * once when the store is created ({@link DurableFiles#replace}: whole or not at all) and only read
 * after that:
 * <pre>
 *   # RamCast KV store identity: do not edit
 *   format=1
 *   cluster=local
 *   partition=0
 *   replica=1
 * </pre>
 * It is read before RocksDB opens the directory, because opening a RocksDB store writes to it
 * (its info log, options and manifest files).
 *
 * @param cluster   the cluster name ({@code cluster:} of the config).
 * @param partition the partition the replica serves.
 * @param replicaId the replica's process id.
 */
public record StoreIdentity(String cluster, int partition, int replicaId)
{
    /** Name of the identity file inside a store directory. */
    public static final String FILE_NAME = "RAMCAST-STORE-ID";

    /** Version of the file's format; a file of another version is refused. */
    static final int FORMAT = 1;

    /**
     * @param cluster   the cluster name (non-empty).
     * @param partition the partition, {@code >= 0}.
     * @param replicaId the replica id, {@code >= 0}.
     */
    public StoreIdentity
    {
        Objects.requireNonNull(cluster, "cluster");
        if (cluster.isEmpty() || partition < 0 || replicaId < 0)
        {
            throw new IllegalArgumentException("bad store identity: cluster '" + cluster + "', partition " +
                partition + ", replica " + replicaId);
        }
    }

    /**
     * Checks that {@code dir} may hold this identity's store, and records the identity if the
     * directory is new. Writes nothing unless the directory is missing or empty.
     *
     * @param dir the store directory.
     * @throws StoreException if the directory belongs to another cluster, partition or replica,
     *                        holds files but no identity (not a store of this replica), holds an
     *                        unreadable identity file, or cannot be written.
     */
    void claim(final Path dir)
    {
        final StoreIdentity found = read(dir);
        if (found != null)
        {
            if (!found.equals(this))
            {
                throw new StoreException("data directory " + dir + " belongs to " + found.describe() + ", not to " +
                    describe() + "; refusing to use it (nothing in it was changed). Point the replica at its own " +
                    "data directory, or give it an empty one and start it with --rebuild to fetch its partition from a peer.");
            }
            return;
        }
        if (Files.isDirectory(dir) && !isEmpty(dir))
        {
            throw new StoreException("data directory " + dir + " holds files but no " + FILE_NAME + " file, so it " +
                "is not a store of " + describe() + "; refusing to use it (nothing in it was changed). Give the " +
                "replica an empty or missing directory.");
        }
        write(dir);
    }

    /**
     * Records this identity in {@code dir}, which holds a complete snapshot of this identity's
     * cluster and partition (installed by a rebuild, checked by its fetcher) and no identity yet.
     *
     * @throws StoreException if the directory holds another identity or no installed snapshot.
     */
    void claimRebuilt(final Path dir)
    {
        final StoreIdentity found = read(dir);
        if (found != null)
        {
            if (!found.equals(this))
            {
                throw new StoreException("data directory " + dir + " belongs to " + found.describe() + ", not to " +
                    describe());
            }
            return;
        }
        if (!io.ramcast.storage.transfer.SnapshotFetcher.isInstalled(dir))
        {
            throw new StoreException("data directory " + dir + " holds no installed snapshot to claim for " + describe());
        }
        write(dir);
    }

    private void write(final Path dir)
    {
        final Path file = dir.resolve(FILE_NAME);
        try
        {
            Files.createDirectories(dir);
            DurableFiles.replace(file, ("# RamCast KV store identity: do not edit\n" +
                "format=" + FORMAT + "\n" +
                "cluster=" + cluster + "\n" +
                "partition=" + partition + "\n" +
                "replica=" + replicaId + "\n").getBytes(StandardCharsets.UTF_8));
        }
        catch (final IOException e)
        {
            throw new StoreException("cannot record the identity of store " + dir + ": " + e, e);
        }
    }

    /**
     * Reads the identity recorded in {@code dir}.
     *
     * @param dir a store directory.
     * @return the identity, or null if the directory or its identity file does not exist.
     * @throws StoreException if the file exists but cannot be read or is not a valid identity.
     */
    public static StoreIdentity read(final Path dir)
    {
        final Path file = dir.resolve(FILE_NAME);
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException e)
        {
            return null;
        }
        catch (final IOException e)
        {
            throw new StoreException("cannot read the store identity " + file + ": " + e, e);
        }
        final Properties p = new Properties();
        try
        {
            p.load(new StringReader(text));
            final int format = Integer.parseInt(p.getProperty("format", "").trim());
            if (format != FORMAT)
            {
                throw new StoreException("store identity " + file + " has format " + format + "; this version " +
                    "reads format " + FORMAT + " only");
            }
            return new StoreIdentity(p.getProperty("cluster", "").trim(),
                Integer.parseInt(p.getProperty("partition", "").trim()),
                Integer.parseInt(p.getProperty("replica", "").trim()));
        }
        catch (final IOException | IllegalArgumentException e)
        {
            throw new StoreException("store identity " + file + " is damaged (" + e.getMessage() + "); refusing " +
                "to guess whose data the directory holds", e);
        }
    }

    /** @return e.g. {@code cluster 'local', partition 0, replica 1}. */
    public String describe()
    {
        return "cluster '" + cluster + "', partition " + partition + ", replica " + replicaId;
    }

    private static boolean isEmpty(final Path dir)
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findAny().isEmpty();
        }
        catch (final IOException e)
        {
            throw new StoreException("cannot list data directory " + dir + ": " + e, e);
        }
    }
}
