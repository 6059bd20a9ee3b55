package io.ramcast.multicast.fabric.rdma;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks, before any DiSNI class is touched, that this host can run the {@code rdma} fabric: DiSNI's
 * native library {@code libdisni} is on {@code java.library.path} and loads (it needs rdma-core's
 * {@code libibverbs} and {@code librdmacm}), and an RDMA device (a NIC, or a Soft-RoCE device) is
 * listed in {@code /sys/class/infiniband}. The report says what is missing and how to install it.
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

    /** What is missing. */
    public enum Missing
    {
        /** {@code libdisni} is not on {@code java.library.path}, or does not load. */
        LIBDISNI,
        /** No RDMA device, or not the configured one. */
        RDMA_DEVICE
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
        return probe(deviceName, System.getProperty("java.library.path", ""), SYS_CLASS_INFINIBAND, true);
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
