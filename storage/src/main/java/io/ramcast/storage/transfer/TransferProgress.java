package io.ramcast.storage.transfer;

import io.ramcast.multicast.DurableFiles;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How far a download got, kept in {@value #FILE_NAME} in the staging directory: the snapshot's
 * manifest and, per file, how many bytes from its start are written, forced to disk and CRC32C
 * verified. Rewritten whole with {@link DurableFiles#replace} (write, force, rename), so after a
 * crash it is either the previous or the new content; it is written only after the data it counts
 * was forced, so a resumed download may trust every byte it counts.
 *
 * <p>Text: the manifest's lines (see {@link SnapshotManifest}), then
 * <pre>
 *   source=127.0.0.1:7201
 *   verified.0=8388608
 *   verified.1=16
 * </pre>
 * Not thread-safe: the fetcher's thread owns it.
 */
final class TransferProgress
{
    /** Name of the progress file inside the staging directory. */
    static final String FILE_NAME = "PROGRESS";

    private final SnapshotManifest manifest;
    private final String source;
    private final long[] verified;

    TransferProgress(final SnapshotManifest manifest, final String source, final long[] verified)
    {
        this.manifest = manifest;
        this.source = source;
        this.verified = verified;
    }

    /**
     * @param manifest the snapshot being downloaded.
     * @param source   where from, for messages.
     * @return progress with nothing verified.
     */
    static TransferProgress start(final SnapshotManifest manifest, final String source)
    {
        return new TransferProgress(manifest, source, new long[manifest.files().size()]);
    }

    SnapshotManifest manifest()
    {
        return manifest;
    }

    long verified(final int fileIndex)
    {
        return verified[fileIndex];
    }

    void verified(final int fileIndex, final long bytes)
    {
        verified[fileIndex] = bytes;
    }

    /** @return bytes verified over all files. */
    long verifiedTotal()
    {
        long total = 0;
        for (final long v : verified)
        {
            total += v;
        }
        return total;
    }

    /** @return files verified to their full size. */
    int filesDone()
    {
        int done = 0;
        for (int i = 0; i < verified.length; i++)
        {
            if (verified[i] == manifest.files().get(i).sizeBytes())
            {
                done++;
            }
        }
        return done;
    }

    /**
     * Writes the progress durably.
     *
     * @param file the progress file.
     * @throws IOException if it cannot be written.
     */
    void write(final Path file) throws IOException
    {
        final StringBuilder sb = new StringBuilder(manifest.toText())
            .append("# progress of the download: do not edit\n")
            .append("source=").append(source).append('\n');
        for (int i = 0; i < verified.length; i++)
        {
            sb.append("verified.").append(i).append('=').append(verified[i]).append('\n');
        }
        DurableFiles.replace(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a progress file.
     *
     * @param file the file.
     * @return the progress.
     * @throws IOException              if it cannot be read.
     * @throws IllegalArgumentException if it is not a valid progress file.
     */
    static TransferProgress read(final Path file) throws IOException
    {
        final String text = Files.readString(file, StandardCharsets.UTF_8);
        final Properties p = new Properties();
        p.load(new StringReader(text));
        final SnapshotManifest manifest = SnapshotManifest.fromProperties(p, file.toString());
        final long[] verified = new long[manifest.files().size()];
        for (int i = 0; i < verified.length; i++)
        {
            final String value = p.getProperty("verified." + i, "0").trim();
            final long v;
            try
            {
                v = Long.parseLong(value);
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException(file + ": verified." + i + " is not a number: '" + value + "'", e);
            }
            if (v < 0 || v > manifest.files().get(i).sizeBytes())
            {
                throw new IllegalArgumentException(file + ": verified." + i + "=" + v + " is outside [0, " +
                    manifest.files().get(i).sizeBytes() + "]");
            }
            verified[i] = v;
        }
        return new TransferProgress(manifest, p.getProperty("source", "?"), verified);
    }
}
