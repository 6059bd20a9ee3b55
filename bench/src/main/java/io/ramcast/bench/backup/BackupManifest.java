package io.ramcast.bench.backup;

import io.ramcast.bench.process.LocalDeployment;

import java.io.IOException;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What a backup of every partition holds ({@value #FILE_NAME} in the backup directory, written
 * last): the cluster, the checkpoint transaction that fixed the cut, and for each partition the
 * replica its copy came from and the digest of its data (SHA-256 of a full scan and the number of
 * keys, {@link LocalDeployment#digest}). Each partition's copy is an installed snapshot in
 * {@code partition-<P>/} with its own {@code SNAPSHOT-MANIFEST} (files, sizes, SHA-256, applied mark).
 *
 * <p>Text form, {@link Properties} syntax:
 * <pre>
 *   # RamCast KV backup of every partition
 *   format=1
 *   cluster=local
 *   checkpoint=3f6c0b9d2e4a1c77
 *   created=2026-12-07T14:02:11.482Z
 *   partitions=3
 *   partition.0=1 &lt;64 hex digits of SHA-256&gt; 1200      (source replica, data digest, keys)
 * </pre>
 * A backup being made holds {@value #PENDING_FILE_NAME} instead (the same lines without the
 * partitions): the checkpoint committed, its copies still being fetched; a run with the same
 * directory resumes it.
 *
 * @param cluster      the cluster's name.
 * @param checkpointId the checkpoint transaction's id (the snapshots' id at every replica).
 * @param createdEpochMs when the checkpoint committed.
 * @param partitionCount how many partitions the cluster had.
 * @param partitions   one entry per partition, in partition order (empty in a pending file).
 */
record BackupManifest(String cluster, long checkpointId, long createdEpochMs, int partitionCount,
    List<PartitionEntry> partitions)
{
    /** The file that makes a directory a complete backup of every partition. */
    static final String FILE_NAME = "BACKUP-MANIFEST";
    /** The file of a backup whose checkpoint committed and whose copies are being fetched. */
    static final String PENDING_FILE_NAME = "BACKUP-PENDING";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * @param sourceReplica the replica the partition's copy came from.
     * @param sha256Hex     SHA-256 of a full scan of its data.
     * @param entries       its number of keys.
     */
    record PartitionEntry(int sourceReplica, String sha256Hex, long entries)
    {
    }

    /**
     * @param dir       a backup directory.
     * @param partition a partition.
     * @return where that partition's copy is.
     */
    static Path partitionDir(final Path dir, final int partition)
    {
        return dir.resolve("partition-" + partition);
    }

    /** @return the checkpoint id as 16 hex digits. */
    String idText()
    {
        return HexFormat.of().toHexDigits(checkpointId);
    }

    /**
     * Writes the manifest (or, with no partitions, the pending file) atomically: to a temporary
     * file, forced, then renamed.
     *
     * @param dir the backup directory.
     * @throws IOException if it cannot be written.
     */
    void write(final Path dir) throws IOException
    {
        final StringBuilder sb = new StringBuilder()
            .append(partitions.isEmpty() ? "# RamCast KV backup of every partition, being fetched\n" :
                "# RamCast KV backup of every partition\n")
            .append("format=1\n")
            .append("cluster=").append(cluster).append('\n')
            .append("checkpoint=").append(idText()).append('\n')
            .append("created=").append(Instant.ofEpochMilli(createdEpochMs)).append('\n')
            .append("partitions=").append(partitionCount).append('\n');
        for (int p = 0; p < partitions.size(); p++)
        {
            final PartitionEntry e = partitions.get(p);
            sb.append("partition.").append(p).append('=').append(e.sourceReplica()).append(' ').append(e.sha256Hex())
                .append(' ').append(e.entries()).append('\n');
        }
        final Path file = dir.resolve(partitions.isEmpty() ? PENDING_FILE_NAME : FILE_NAME);
        final Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * @param file a {@value #FILE_NAME} or {@value #PENDING_FILE_NAME} file.
     * @return its content, or null if there is no such file.
     * @throws IOException              if it cannot be read.
     * @throws IllegalArgumentException if it is malformed, naming the file and the field.
     */
    static BackupManifest read(final Path file) throws IOException
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException e)
        {
            return null;
        }
        final Properties p = new Properties();
        p.load(new StringReader(text));
        if (!"1".equals(p.getProperty("format")))
        {
            throw new IllegalArgumentException(file + ": format " + p.getProperty("format") + " is not 1");
        }
        String key = "cluster";
        try
        {
            final String cluster = required(p, key, file);
            key = "checkpoint";
            final long id = HexFormat.fromHexDigitsToLong(required(p, key, file));
            key = "created";
            final long created = Instant.parse(required(p, key, file)).toEpochMilli();
            key = "partitions";
            final int count = Integer.parseInt(required(p, key, file));
            if (count < 1)
            {
                throw new IllegalArgumentException("not positive");
            }
            final List<PartitionEntry> entries = new ArrayList<>();
            final boolean complete = file.getFileName().toString().equals(FILE_NAME);
            for (int i = 0; complete && i < count; i++)
            {
                key = "partition." + i;
                final String[] parts = required(p, key, file).split(" ");
                if (parts.length != 3 || !SHA256.matcher(parts[1]).matches())
                {
                    throw new IllegalArgumentException("expected '<replica> <sha256> <keys>'");
                }
                entries.add(new PartitionEntry(Integer.parseInt(parts[0]), parts[1], Long.parseLong(parts[2])));
            }
            return new BackupManifest(cluster, id, created, count, List.copyOf(entries));
        }
        catch (final RuntimeException e)
        {
            throw new IllegalArgumentException(file + ": field '" + key + "': " + e.getMessage(), e);
        }
    }

    private static String required(final Properties p, final String key, final Path file)
    {
        final String v = p.getProperty(key);
        if (v == null || v.isBlank())
        {
            throw new IllegalArgumentException("missing in " + file);
        }
        return v.trim();
    }
}
