package io.ramcast.multicast.fabric.rdma;

import io.ramcast.multicast.JvmSupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks, before any DiSNI class is touched, that this host and process can run the {@code rdma}
 * fabric: DiSNI's native library {@code libdisni} is on {@code java.library.path} and loads (it
 * needs rdma-core's {@code libibverbs} and {@code librdmacm}), an RDMA device (a NIC, or a
 * Soft-RoCE device) is listed in {@code /sys/class/infiniband}, the JVM exports
 * {@code java.base/sun.nio.ch} to the class path ({@link JvmSupport#RDMA_OPTION}), and the
 * locked-memory limit is unlimited or above {@link #MIN_LOCKED_MEMORY_BYTES}, a floor; the exact
 * need of the process, from its regions and peers, is checked when its fabric starts
 * ({@code RdmaFabric.lockedMemoryNeed}). The report says what is missing and how to fix it.
 *
 * <p>Stateless; thread-safe.
 */
public final class RdmaEnvironment
{
    /** Where the kernel lists RDMA devices. */
    public static final Path SYS_CLASS_INFINIBAND = Path.of("/sys/class/infiniband");

    /** How to build and install {@code libdisni}, for messages and the README. */
    public static final String LIBDISNI_HOW_TO =
        "build DiSNI's native library from source against rdma-core: " +
        "apt-get install libibverbs-dev librdmacm-dev rdma-core ibverbs-utils build-essential autoconf automake " +
        "libtool; git clone --branch v2.1 https://github.com/zrlio/disni.git; cd disni/libdisni; ./autoprepare.sh; " +
        "./configure --with-jdk=$JAVA_HOME; make install (installs /usr/local/lib/libdisni.so); then start the JVM " +
        "with -Djava.library.path=/usr/local/lib (for bin/ramcast: RAMCAST_JAVA_OPTS=-Djava.library.path=/usr/local/lib)";

    /** How to get an RDMA device, for messages and the README. */
    public static final String DEVICE_HOW_TO =
        "install rdma-core and the driver of the RDMA NIC, or, without RDMA hardware, create a Soft-RoCE device " +
        "on an Ethernet interface: modprobe rdma_rxe; rdma link add rxe0 type rxe netdev eth0 (check with " +
        "ibv_devices; the replicas' host addresses must be addresses of that interface)";

    /** Where the kernel tells this process its resource limits. */
    public static final Path PROC_SELF_LIMITS = Path.of("/proc/self/limits");

    /**
     * The floor of the locked-memory limit (RLIMIT_MEMLOCK) checked before anything opens: above the
     * 8 MiB many distributions default to, which no process of the fabric fits in with the
     * configuration's default buffers (a client of {@code config/rdma.yaml} pins up to 15 MiB, a
     * replica up to 317 MiB). The exact need, from the process's regions and peers, is checked when
     * its fabric starts.
     */
    public static final long MIN_LOCKED_MEMORY_BYTES = 16L << 20;

    /** How to raise the locked-memory limit, for messages and the README. */
    public static final String LOCKED_MEMORY_HOW_TO =
        "raise it to unlimited: ulimit -l unlimited in the shell that starts the process (as root, or after " +
        "raising the hard limit: '* - memlock unlimited' in /etc/security/limits.conf), LimitMEMLOCK=infinity in " +
        "a systemd unit (config/systemd/ramcast-replica@.service has it), --ulimit memlock=-1 for docker run";

    /** What is missing. */
    public enum Missing
    {
        /** {@code libdisni} is not on {@code java.library.path}, or does not load. */
        LIBDISNI,
        /** No RDMA device, or not the configured one. */
        RDMA_DEVICE,
        /** The JVM does not export {@code java.base/sun.nio.ch}, which DiSNI calls. */
        JVM_EXPORT,
        /** The locked-memory limit is below {@link #MIN_LOCKED_MEMORY_BYTES}, or below the fabric's need at start. */
        LOCKED_MEMORY
    }

    /**
     * The outcome of a probe.
     *
     * @param missing  what is missing, empty if the fabric can run.
     * @param problems one line per missing item: what exactly is wrong and how to fix it.
     */
    public record Report(List<Missing> missing, List<String> problems)
    {
        /** Copies the lists. */
        public Report
        {
            missing = List.copyOf(missing);
            problems = List.copyOf(problems);
        }

        /** @return whether nothing is missing. */
        public boolean isUsable()
        {
            return missing.isEmpty();
        }

        /** @return the problems, one per line, each starting with "- ". */
        public String describe()
        {
            final StringBuilder sb = new StringBuilder();
            for (final String problem : problems)
            {
                sb.append(sb.length() == 0 ? "" : "\n").append("- ").append(problem);
            }
            return sb.toString();
        }
    }

    private RdmaEnvironment()
    {
    }

    /**
     * Probes this JVM and host; if {@code libdisni} is found it is loaded (which makes DiSNI's own
     * later load a no-op).
     *
     * @param deviceName the device that must be present, or null for any.
     * @return the report.
     */
    public static Report probe(final String deviceName)
    {
        final Report host = probe(deviceName, System.getProperty("java.library.path", ""), SYS_CLASS_INFINIBAND, true);
        return withProcessChecks(host, JvmSupport.nioInternalsExported(), lockedMemoryLimit(PROC_SELF_LIMITS));
    }

    /**
     * Adds what this process itself must have: the JVM export DiSNI needs and the locked-memory limit.
     *
     * @param host        the report of the host checks.
     * @param nioExported whether {@code java.base/sun.nio.ch} is exported to the class path.
     * @param lockedBytes the soft RLIMIT_MEMLOCK in bytes ({@link Long#MAX_VALUE}: unlimited; -1: unknown).
     * @return the report with those problems added.
     */
    static Report withProcessChecks(final Report host, final boolean nioExported, final long lockedBytes)
    {
        final List<Missing> missing = new ArrayList<>(host.missing());
        final List<String> problems = new ArrayList<>(host.problems());
        if (!nioExported)
        {
            missing.add(Missing.JVM_EXPORT);
            problems.add("the JVM does not export java.base/sun.nio.ch, which DiSNI 2.1 calls (IllegalAccessError on " +
                "its first call): start it with " + JvmSupport.RDMA_OPTION + " (bin/ramcast's jar and the replica " +
                "processes it starts have it; an embedding application adds it to its java command)");
        }
        if (lockedBytes >= 0 && lockedBytes < MIN_LOCKED_MEMORY_BYTES)
        {
            missing.add(Missing.LOCKED_MEMORY);
            problems.add("the locked-memory limit (RLIMIT_MEMLOCK) of this process is " + lockedBytes + " bytes, " +
                "below the " + MIN_LOCKED_MEMORY_BYTES + " the rdma fabric needs at least (its regions and buffers " +
                "are pinned for the NIC, once per peer: a replica of config/rdma.yaml pins up to 317 MiB; ibv_reg_mr " +
                "would fail on the first connection); " + LOCKED_MEMORY_HOW_TO);
        }
        return new Report(missing, problems);
    }

    /**
     * @return this process's soft locked-memory limit (RLIMIT_MEMLOCK) in bytes, {@link Long#MAX_VALUE}
     *         if it is unlimited or cannot be read (not Linux).
     */
    public static long processLockedMemoryLimit()
    {
        final long limit = lockedMemoryLimit(PROC_SELF_LIMITS);
        return limit < 0 ? Long.MAX_VALUE : limit;
    }

    /**
     * @param limitsFile a {@code /proc/<pid>/limits} file.
     * @return the soft "Max locked memory" limit in bytes, {@link Long#MAX_VALUE} if unlimited, -1 if
     *         the file cannot be read or has no such line (not Linux).
     */
    static long lockedMemoryLimit(final Path limitsFile)
    {
        try
        {
            for (final String line : Files.readAllLines(limitsFile))
            {
                if (line.startsWith("Max locked memory"))
                {
                    final String[] words = line.substring("Max locked memory".length()).trim().split("\\s+");
                    return "unlimited".equals(words[0]) ? Long.MAX_VALUE : Long.parseLong(words[0]);
                }
            }
            return -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * Probes the given library path and device directory.
     *
     * @param deviceName   the device that must be present, or null for any.
     * @param libraryPath  a {@code java.library.path} value.
     * @param deviceDir    the directory listing RDMA devices.
     * @param loadLibrary  whether a found {@code libdisni} is loaded to check its dependencies.
     * @return the report.
     */
    static Report probe(final String deviceName, final String libraryPath, final Path deviceDir, final boolean loadLibrary)
    {
        final List<Missing> missing = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final String libraryProblem = checkLibrary(libraryPath, loadLibrary);
        if (null != libraryProblem)
        {
            missing.add(Missing.LIBDISNI);
            problems.add(libraryProblem + "; " + LIBDISNI_HOW_TO);
        }
        final String deviceProblem = checkDevice(deviceName, deviceDir);
        if (null != deviceProblem)
        {
            missing.add(Missing.RDMA_DEVICE);
            problems.add(deviceProblem + "; " + DEVICE_HOW_TO);
        }
        return new Report(missing, problems);
    }

    private static String checkLibrary(final String libraryPath, final boolean loadLibrary)
    {
        final String fileName = System.mapLibraryName("disni");
        Path found = null;
        for (final String entry : libraryPath.split(File.pathSeparator))
        {
            if (entry.isBlank())
            {
                continue;
            }
            final Path candidate = Path.of(entry).resolve(fileName);
            if (Files.isRegularFile(candidate))
            {
                found = candidate.toAbsolutePath();
                break;
            }
        }
        if (null == found)
        {
            return "libdisni not found on java.library.path (no " + fileName + " in " +
                (libraryPath.isBlank() ? "an empty path" : libraryPath) + ")";
        }
        if (loadLibrary)
        {
            try
            {
                System.load(found.toString());
            }
            catch (final UnsatisfiedLinkError ex)
            {
                return "libdisni found at " + found + " but it does not load (" + ex.getMessage() +
                    "; rdma-core's libibverbs.so.1 and librdmacm.so.1 must be installed)";
            }
        }
        return null;
    }

    private static String checkDevice(final String deviceName, final Path deviceDir)
    {
        final List<String> devices = new ArrayList<>();
        if (Files.isDirectory(deviceDir))
        {
            try (Stream<Path> entries = Files.list(deviceDir))
            {
                entries.map(path -> path.getFileName().toString()).sorted().forEach(devices::add);
            }
            catch (final IOException ex)
            {
                return "cannot list RDMA devices in " + deviceDir + " (" + ex + ")";
            }
        }
        if (devices.isEmpty())
        {
            return "no RDMA device in " + deviceDir;
        }
        if (null != deviceName && !devices.contains(deviceName))
        {
            return "RDMA device '" + deviceName + "' (rdma.device) not found in " + deviceDir + "; present: " +
                String.join(", ", devices);
        }
        return null;
    }
}
