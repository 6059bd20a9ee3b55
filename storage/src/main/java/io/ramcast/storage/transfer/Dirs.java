package io.ramcast.storage.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/** File helpers of state transfer: tree deletion, SHA-256 of a file, forcing a directory. Stateless. */
final class Dirs
{
    private static final int HASH_BUFFER_BYTES = 1 << 16;

    private Dirs()
    {
    }

    /**
     * Deletes a directory and everything under it; a missing directory is fine.
     *
     * @param dir the directory.
     * @throws IOException if something cannot be deleted.
     */
    static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * @param file a file.
     * @return the SHA-256 of its content, lower-case hex.
     * @throws IOException if it cannot be read.
     */
    static String sha256Hex(final Path file) throws IOException
    {
        final MessageDigest digest = newSha256();
        final byte[] buffer = new byte[HASH_BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file))
        {
            int n;
            while ((n = in.read(buffer)) > 0)
            {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Forces a directory's entries to disk, so renames and creations in it survive a crash.
     *
     * @param dir the directory.
     * @throws IOException if it cannot be opened or forced.
     */
    static void forceDirectory(final Path dir) throws IOException
    {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ))
        {
            ch.force(true);
        }
    }

    static MessageDigest newSha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM; every Java platform must have it", e);
        }
    }
}
