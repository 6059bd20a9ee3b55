package io.ramcast.bench.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A class path that any uid can read: entries that others cannot read (typically jars in root's
 * {@code ~/.m2}, a {@code 0700} home) are copied into a shared directory, the others are kept.
 *
 * <p>Copies are named by the entry's file name, size and modification time, so a second call (or
 * a concurrent JVM) reuses them; each is written to a temporary name and moved into place
 * atomically, so a reader never sees half a jar. The copy directory is {@code 0755}, files
 * {@code 0644}.
 *
 * <p>Threading: stateless; safe from several threads and JVMs at once. Blocking: file copies.
 */
public final class ReadableClassPath
{
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private ReadableClassPath()
    {
    }

    /** @return the shared copy directory, {@code <java.io.tmpdir>/ramcast-classpath}. */
    public static Path defaultCopyDir()
    {
        return Path.of(System.getProperty("java.io.tmpdir"), "ramcast-classpath");
    }

    /**
     * @param classPath entries separated by {@link File#pathSeparator}.
     * @param copyDir   where unreadable entries are copied (created).
     * @return the same class path with every entry others cannot read replaced by its copy.
     * @throws UncheckedIOException if an entry cannot be copied.
     */
    public static String of(final String classPath, final Path copyDir)
    {
        final List<String> entries = new ArrayList<>();
        for (final String entry : classPath.split(File.pathSeparator))
        {
            if (entry.isEmpty())
            {
                continue;
            }
            final Path path = Path.of(entry).toAbsolutePath().normalize();
            entries.add(!Files.exists(path) || readableByOthers(path) ? path.toString() : copy(path, copyDir).toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * @param path a file or directory.
     * @return whether a process of another uid (not in its group) can read it: every ancestor
     *         searchable by others, the path readable by others (and searchable, for a directory).
     */
    static boolean readableByOthers(final Path path)
    {
        try
        {
            final Set<PosixFilePermission> own = Files.getPosixFilePermissions(path);
            if (!own.contains(PosixFilePermission.OTHERS_READ) ||
                Files.isDirectory(path) && !own.contains(PosixFilePermission.OTHERS_EXECUTE))
            {
                return false;
            }
            for (Path ancestor = path.getParent(); ancestor != null; ancestor = ancestor.getParent())
            {
                if (!Files.getPosixFilePermissions(ancestor).contains(PosixFilePermission.OTHERS_EXECUTE))
                {
                    return false;
                }
            }
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static Path copy(final Path entry, final Path copyDir)
    {
        try
        {
            Files.createDirectories(copyDir);
            Files.setPosixFilePermissions(copyDir, DIR_MODE);
            final String name = entry.getFileName() + "-" + Files.size(entry) + "-" +
                Files.getLastModifiedTime(entry).toMillis();
            final Path target = copyDir.resolve(name);
            if (Files.exists(target))
            {
                return target;
            }
            final Path temporary = copyDir.resolve(name + ".tmp-" + ProcessHandle.current().pid() + "-" +
                Thread.currentThread().getId());
            if (Files.isDirectory(entry))
            {
                copyTree(entry, temporary);
            }
            else
            {
                Files.copy(entry, temporary, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(temporary, FILE_MODE);
            }
            try
            {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final IOException ex)
            {
                // another JVM moved its identical copy into place first (a directory cannot be replaced)
                if (!Files.exists(target))
                {
                    throw ex;
                }
                deleteTree(temporary);
            }
            return target;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot copy class path entry " + entry + " into " + copyDir +
                " (other uids cannot read it where it is)", ex);
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> tree = Files.walk(from))
        {
            for (final Path source : tree.toList())
            {
                final Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source))
                {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, DIR_MODE);
                }
                else
                {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(target, FILE_MODE);
                }
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> tree = Files.walk(root))
        {
            for (final Path p : tree.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
