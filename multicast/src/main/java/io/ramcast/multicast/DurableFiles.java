package io.ramcast.multicast;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small files that must survive a crash whole or not at all (a replica's votes, its store
 * identity): written to a temporary file beside the target, forced to disk, renamed over the
 * target in one step, and the directory forced so the rename itself is durable.
 *
 * <p>Stateless; blocks on I/O.
 */
public final class DurableFiles
{
    private DurableFiles()
    {
    }

    /**
     * Replaces {@code file} with {@code content}: after a crash at any point the file holds either
     * its previous content or all of the new one.
     *
     * @param file    the file (its directory must exist); a temporary {@code <name>.tmp} is used beside it.
     * @param content the new content.
     * @throws IOException if writing, forcing or renaming fails (the rename must be atomic: same directory).
     */
    public static void replace(final Path file, final byte[] content) throws IOException
    {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining())
            {
                ch.write(buffer);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.toAbsolutePath().getParent());
    }

    /**
     * Forces a directory, so that files created, renamed or deleted in it stay so after a power loss.
     *
     * @param directory the directory.
     * @throws IOException if it cannot be opened or forced.
     */
    public static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }
}
