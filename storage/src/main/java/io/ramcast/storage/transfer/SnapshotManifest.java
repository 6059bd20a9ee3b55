package io.ramcast.storage.transfer;

import io.ramcast.txn.store.AppliedMark;

import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What a snapshot holds: its id and creation time, whose store it copies, the applied mark the
 * copy is consistent with, and every file with its size and SHA-256. The source sends it first;
 * the fetcher keeps it in its progress file while downloading and writes it as
 * {@value #FILE_NAME} into the installed directory, where {@code ramcast backup --verify} reads it.
 *
 * <p>Text form, one {@code key=value} per line (UTF-8, {@link Properties} syntax):
 * <pre>
 *   # RamCast KV snapshot manifest
 *   format=1
 *   snapshot=6f1c2a9e0b3d4c5e
 *   created=2026-12-06T12:21:15.123Z
 *   cluster=local
 *   partition=0
 *   replica=1
 *   applied=17 1 6553600042          (timestamp, group, message id; "none" for an empty store)
 *   files=2
 *   file.0=000012.sst 1048576 &lt;64 hex digits of SHA-256&gt;
 *   file.1=CURRENT 16 &lt;...&gt;
 * </pre>
 * File names are plain names (letters, digits, {@code . _ -}): a manifest naming a path is refused,
 * so a source can never make a fetcher write outside its staging directory.
 *
 * @param snapshotId    the source's id of the snapshot, never {@link #NEW_SNAPSHOT}.
 * @param createdEpochMs when the source created it, epoch milliseconds.
 * @param cluster       the cluster of the source replica.
 * @param partition     the partition the store belongs to.
 * @param sourceReplica the replica the snapshot was taken from.
 * @param appliedMark   the applied mark stored in the snapshot.
 * @param files         the snapshot's files, in the order they are transferred.
 */
public record SnapshotManifest(
    long snapshotId,
    long createdEpochMs,
    String cluster,
    int partition,
    int sourceReplica,
    AppliedMark appliedMark,
    List<FileEntry> files)
{
    /** Name of the manifest file in an installed snapshot (a backup). */
    public static final String FILE_NAME = "SNAPSHOT-MANIFEST";

    /** The snapshot id that asks a source for a new snapshot. */
    public static final long NEW_SNAPSHOT = 0;

    /** Version of the text form. */
    static final int FORMAT = 1;

    private static final Pattern FILE_NAME_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,255}");

    /**
     * One file of a snapshot.
     *
     * @param name      plain file name inside the snapshot directory.
     * @param sizeBytes its length.
     * @param sha256Hex SHA-256 of its content, 64 lower-case hex digits.
     */
    public record FileEntry(String name, long sizeBytes, String sha256Hex)
    {
        /**
         * @param name      plain file name.
         * @param sizeBytes length, {@code >= 0}.
         * @param sha256Hex 64 hex digits.
         */
        public FileEntry
        {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256Hex, "sha256Hex");
            if (!FILE_NAME_PATTERN.matcher(name).matches() || name.equals(".") || name.equals(".."))
            {
                throw new IllegalArgumentException("snapshot file name '" + name + "' is not a plain file name");
            }
            if (sizeBytes < 0)
            {
                throw new IllegalArgumentException("snapshot file " + name + " has negative size " + sizeBytes);
            }
            if (sha256Hex.length() != 64 || !sha256Hex.chars().allMatch(c -> Character.digit(c, 16) >= 0))
            {
                throw new IllegalArgumentException("snapshot file " + name + " has a bad SHA-256 '" + sha256Hex + "'");
            }
        }
    }

    /**
     * @param snapshotId     not {@link #NEW_SNAPSHOT}.
     * @param createdEpochMs creation time.
     * @param cluster        non-empty cluster name.
     * @param partition      {@code >= 0}.
     * @param sourceReplica  {@code >= 0}.
     * @param appliedMark    the mark.
     * @param files          the files, unique names.
     */
    public SnapshotManifest
    {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(appliedMark, "appliedMark");
        files = List.copyOf(files);
        if (snapshotId == NEW_SNAPSHOT)
        {
            throw new IllegalArgumentException("snapshot id " + NEW_SNAPSHOT + " is reserved for 'a new snapshot'");
        }
        if (cluster.isBlank() || partition < 0 || sourceReplica < 0)
        {
            throw new IllegalArgumentException("bad snapshot source: cluster '" + cluster + "', partition " +
                partition + ", replica " + sourceReplica);
        }
        if (files.stream().map(FileEntry::name).distinct().count() != files.size())
        {
            throw new IllegalArgumentException("snapshot " + idText(snapshotId) + " lists a file twice");
        }
    }

    /** @return the sum of the files' sizes. */
    public long totalBytes()
    {
        long total = 0;
        for (final FileEntry f : files)
        {
            total += f.sizeBytes();
        }
        return total;
    }

    /** @return the snapshot id as 16 hex digits, as logs and manifests show it. */
    public String idText()
    {
        return idText(snapshotId);
    }

    /**
     * @param snapshotId an id.
     * @return it as 16 hex digits.
     */
    public static String idText(final long snapshotId)
    {
        return HexFormat.of().toHexDigits(snapshotId);
    }

    /** @return the text form (see the class comment). */
    public String toText()
    {
        final StringBuilder sb = new StringBuilder(128 + 100 * files.size())
            .append("# RamCast KV snapshot manifest\n")
            .append("format=").append(FORMAT).append('\n')
            .append("snapshot=").append(idText()).append('\n')
            .append("created=").append(Instant.ofEpochMilli(createdEpochMs)).append('\n')
            .append("cluster=").append(escape(cluster)).append('\n')
            .append("partition=").append(partition).append('\n')
            .append("replica=").append(sourceReplica).append('\n')
            .append("applied=").append(AppliedMark.NONE.equals(appliedMark) ? "none" :
                appliedMark.timestamp() + " " + appliedMark.group() + " " + appliedMark.messageId()).append('\n')
            .append("files=").append(files.size()).append('\n');
        for (int i = 0; i < files.size(); i++)
        {
            final FileEntry f = files.get(i);
            sb.append("file.").append(i).append('=').append(f.name()).append(' ').append(f.sizeBytes()).append(' ')
                .append(f.sha256Hex()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Parses the text form; keys it does not know are ignored (a progress file adds its own).
     *
     * @param text   the text.
     * @param source where it came from, for messages.
     * @return the manifest.
     * @throws IllegalArgumentException naming the source and the bad or missing key.
     */
    public static SnapshotManifest parse(final String text, final String source)
    {
        final Properties p = new Properties();
        try
        {
            p.load(new StringReader(text));
        }
        catch (final IOException | IllegalArgumentException e)
        {
            throw new IllegalArgumentException(source + ": not a snapshot manifest: " + e.getMessage(), e);
        }
        return fromProperties(p, source);
    }

    static SnapshotManifest fromProperties(final Properties p, final String source)
    {
        String key = "format";
        try
        {
            final int format = Integer.parseInt(required(p, key, source));
            if (format != FORMAT)
            {
                throw new IllegalArgumentException(source + ": manifest format " + format + "; this version reads " +
                    "format " + FORMAT + " only");
            }
            key = "snapshot";
            final long id = Long.parseUnsignedLong(required(p, key, source), 16);
            key = "created";
            final long created = Instant.parse(required(p, key, source)).toEpochMilli();
            key = "cluster";
            final String cluster = required(p, key, source);
            key = "partition";
            final int partition = Integer.parseInt(required(p, key, source));
            key = "replica";
            final int replica = Integer.parseInt(required(p, key, source));
            key = "applied";
            final String applied = required(p, key, source);
            final AppliedMark mark;
            if (applied.equals("none"))
            {
                mark = AppliedMark.NONE;
            }
            else
            {
                final String[] parts = applied.split(" ");
                if (parts.length != 3)
                {
                    throw new IllegalArgumentException("expected 'timestamp group messageId' or 'none'");
                }
                mark = new AppliedMark(Long.parseLong(parts[0]), Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
            }
            key = "files";
            final int count = Integer.parseInt(required(p, key, source));
            if (count < 0 || count > TransferProtocol.MAX_MANIFEST_FILES)
            {
                throw new IllegalArgumentException("file count must be in [0, " + TransferProtocol.MAX_MANIFEST_FILES + "]");
            }
            final List<FileEntry> files = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                key = "file." + i;
                final String[] parts = required(p, key, source).split(" ");
                if (parts.length != 3)
                {
                    throw new IllegalArgumentException("expected 'name size sha256'");
                }
                files.add(new FileEntry(parts[0], Long.parseLong(parts[1]), parts[2]));
            }
            return new SnapshotManifest(id, created, cluster, partition, replica, mark, files);
        }
        catch (final RuntimeException e)
        {
            if (e.getMessage() != null && e.getMessage().startsWith(source + ":"))
            {
                throw e;
            }
            throw new IllegalArgumentException(source + ": manifest key '" + key + "' is bad: " + e.getMessage(), e);
        }
    }

    private static String required(final Properties p, final String key, final String source)
    {
        final String value = p.getProperty(key);
        if (value == null)
        {
            throw new IllegalArgumentException(source + ": manifest key '" + key + "' is missing");
        }
        return value.trim();
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    @Override
    public String toString()
    {
        return "snapshot " + idText() + " of " + "cluster '" + cluster + "' partition " + partition + " (replica " +
            sourceReplica + ", applied " + appliedMark + ", " + files.size() + " files, " + totalBytes() + " bytes)";
    }
}
