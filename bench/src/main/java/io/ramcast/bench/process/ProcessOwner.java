package io.ramcast.bench.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The numeric uid and gid a child process runs under, so that iptables can tell its sockets from
 * every other process's ({@link io.ramcast.bench.faults.LinkCutter}). No {@code /etc/passwd} entry is needed or made:
 * {@code setpriv} takes numeric ids.
 *
 * @param uid the user id (positive: never root).
 * @param gid the group id (positive).
 */
public record ProcessOwner(int uid, int gid)
{
    /** First uid {@link #allocate} hands out: above the ids Debian gives to real users and daemons. */
    public static final int FIRST_UID = 61_000;
    /** Uids per JVM in {@link #allocate}. */
    static final int BLOCK_SIZE = 40;
    /** Distinct blocks {@link #allocate} chooses from by pid, so concurrent JVMs rarely share uids. */
    static final int BLOCK_COUNT = 100;

    /**
     * @throws IllegalArgumentException if an id is not positive.
     */
    public ProcessOwner
    {
        if (uid <= 0 || gid <= 0)
        {
            throw new IllegalArgumentException("uid " + uid + " and gid " + gid + " must be positive (not root)");
        }
    }

    /**
     * Hands out {@code count} owners with uid = gid from a block of {@link #BLOCK_SIZE} ids chosen
     * by this JVM's pid, in {@code FIRST_UID .. FIRST_UID + BLOCK_SIZE * BLOCK_COUNT - 1}.
     *
     * @param count how many (each a different uid).
     * @return the owners, in ascending uid order.
     * @throws IllegalArgumentException if count is not in 1..{@link #BLOCK_SIZE}.
     */
    public static List<ProcessOwner> allocate(final int count)
    {
        if (count < 1 || count > BLOCK_SIZE)
        {
            throw new IllegalArgumentException("count " + count + " must be in 1.." + BLOCK_SIZE);
        }
        final int base = FIRST_UID + BLOCK_SIZE * (int)(ProcessHandle.current().pid() % BLOCK_COUNT);
        final List<ProcessOwner> owners = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            owners.add(new ProcessOwner(base + i, base + i));
        }
        return owners;
    }

    /**
     * @return the words that run a command as this owner with no supplementary groups:
     *         {@code setpriv --reuid=U --regid=G --clear-groups}; put them before the command.
     */
    public List<String> setprivPrefix()
    {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups");
    }

    /**
     * Makes a directory this owner's: creates it, checks that the owner can reach it (every
     * ancestor searchable by others), then hands it and everything in it to this owner.
     *
     * <p>Blocking: file-system calls. Needs root (chown).
     *
     * @param dir the directory.
     * @throws IllegalStateException if an ancestor is not searchable by others (the message names
     *                               it: make it {@code o+x}).
     * @throws UncheckedIOException  if creating or changing ownership fails.
     */
    public void ownDirectory(final Path dir)
    {
        final Path absolute = dir.toAbsolutePath().normalize();
        try
        {
            Files.createDirectories(absolute);
            for (Path ancestor = absolute.getParent(); ancestor != null; ancestor = ancestor.getParent())
            {
                if (!Files.getPosixFilePermissions(ancestor).contains(PosixFilePermission.OTHERS_EXECUTE))
                {
                    throw new IllegalStateException(ancestor + " is not searchable by others, so uid " + uid +
                        " cannot reach " + absolute + "; make it o+x");
                }
            }
            try (Stream<Path> tree = Files.walk(absolute))
            {
                for (final Path p : tree.toList())
                {
                    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot hand " + absolute + " to uid " + uid + " gid " + gid, ex);
        }
    }

    /**
     * Makes a directory that several owners write into: creates it with mode {@code 1777}
     * (everyone writes, only a file's owner removes it).
     *
     * @param dir the directory.
     * @throws UncheckedIOException if it cannot be created or its mode set.
     */
    public static void shareDirectory(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
            // PosixFilePermission has no sticky bit; the unix view's mode attribute does
            Files.setAttribute(dir, "unix:mode", 01777);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make " + dir + " writable by every replica", ex);
        }
    }

    /** @return why {@code setpriv} cannot be used, or empty if it is on the PATH. */
    public static Optional<String> setprivMissingReason()
    {
        final String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (final String dir : path.split(java.io.File.pathSeparator))
        {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "setpriv")))
            {
                return Optional.empty();
            }
        }
        return Optional.of("setpriv is not on the PATH (" + path + "); it comes with util-linux");
    }

    /** @return the effective uid of this process, from {@code /proc/self/status}; -1 if unknown. */
    public static long effectiveUid()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8))
            {
                if (line.startsWith("Uid:"))
                {
                    return Long.parseLong(line.substring("Uid:".length()).trim().split("\\s+")[1]);
                }
            }
            return -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
