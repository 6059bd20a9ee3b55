package io.ramcast.storage.transfer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Offline checks of a directory a {@link SnapshotFetcher} installed (a backup): its manifest, and
 * whether every file still has the size and SHA-256 the manifest lists. Stateless; blocks on
 * reading every file.
 */
public final class InstalledSnapshot
{
    private InstalledSnapshot()
    {
    }

    /**
     * @param dir an installed snapshot.
     * @return its manifest.
     * @throws SnapshotTransferException of kind {@link SnapshotTransferException.Kind#BAD_TARGET} if
     *                                   the directory holds no readable manifest (it is not a complete
     *                                   snapshot: missing, a staging directory, another directory).
     */
    public static SnapshotManifest readManifest(final Path dir)
    {
        final Path file = dir.resolve(SnapshotManifest.FILE_NAME);
        try
        {
            return SnapshotManifest.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        }
        catch (final NoSuchFileException e)
        {
            throw new SnapshotTransferException(SnapshotTransferException.Kind.BAD_TARGET, dir + " is not a complete " +
                "snapshot: it has no " + SnapshotManifest.FILE_NAME + " (a download that did not finish never has one)",
                e);
        }
        catch (final IOException | IllegalArgumentException e)
        {
            throw new SnapshotTransferException(SnapshotTransferException.Kind.BAD_TARGET, "cannot read " + file + ": " +
                e.getMessage(), e);
        }
    }

    /**
     * Compares every file with the manifest.
     *
     * @param dir      an installed snapshot.
     * @param manifest its manifest.
     * @return one line per missing, resized or changed file; empty if all match.
     * @throws IOException if a file exists but cannot be read.
     */
    public static List<String> fileProblems(final Path dir, final SnapshotManifest manifest) throws IOException
    {
        final List<String> problems = new ArrayList<>();
        for (final SnapshotManifest.FileEntry f : manifest.files())
        {
            final Path file = dir.resolve(f.name());
            if (!Files.isRegularFile(file))
            {
                problems.add("file " + f.name() + " is missing");
                continue;
            }
            final long size = Files.size(file);
            if (size != f.sizeBytes())
            {
                problems.add("file " + f.name() + " has " + size + " bytes, the manifest says " + f.sizeBytes());
                continue;
            }
            final String sha = Dirs.sha256Hex(file);
            if (!sha.equals(f.sha256Hex()))
            {
                problems.add("file " + f.name() + " has SHA-256 " + sha + ", the manifest says " + f.sha256Hex());
            }
        }
        return problems;
    }
}
