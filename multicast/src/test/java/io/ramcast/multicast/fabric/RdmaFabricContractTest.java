package io.ramcast.multicast.fabric;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.ramcast.multicast.fabric.rdma.RdmaEnvironment;
import io.ramcast.multicast.fabric.rdma.RdmaFabric;
import io.ramcast.multicast.fabric.rdma.RdmaFabricOptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fabric contract over the {@code rdma} fabric on a real RDMA device (a NIC or Soft-RoCE) through
 * DiSNI. Runs only when enabled and possible, and is otherwise reported as skipped with the reason:
 * <ul>
 *   <li>{@code RAMCAST_RDMA_TESTS=1} enables it;</li>
 *   <li>{@code libdisni} must be on {@code java.library.path} (e.g. run Maven with
 *       {@code LD_LIBRARY_PATH=/usr/local/lib}, which the JVM adds to it) and an RDMA device listed in
 *       {@code /sys/class/infiniband} ({@code RAMCAST_RDMA_DEVICE} names one, optional);</li>
 *   <li>{@code RAMCAST_RDMA_ADDRESS} is an IPv4 address of the RDMA interface; without it the first
 *       IPv4 address of the device's network interface is used.</li>
 * </ul>
 * Writes cannot be held on real hardware (they land when posted), so {@link #holdWrites} says so.
 */
class RdmaFabricContractTest extends FabricContractTest
{
    /** Short reconnection so that the scenarios with restarts stay short. */
    private static final RdmaFabricOptions OPTIONS = RdmaFabricOptions.builder()
        .deviceName(System.getenv("RAMCAST_RDMA_DEVICE"))
        .connectTimeoutNs(TimeUnit.SECONDS.toNanos(2))
        .connectBackoffMinNs(TimeUnit.MILLISECONDS.toNanos(1))
        .connectBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(50))
        .build();

    private static InetAddress rdmaAddress;
    private static String skipReason;
    private static boolean probed;

    private final Map<Integer, InetSocketAddress> addressById = new HashMap<>();

    /**
     * Checked before each scenario (not once per class) so that every scenario is reported skipped
     * with the reason: surefire does not report a class whose set-up was aborted at all.
     */
    @BeforeEach
    void requireRdma()
    {
        if (!probed)
        {
            probed = true;
            skipReason = probe();
        }
        assumeTrue(null == skipReason, skipReason);
    }

    private static String probe()
    {
        final RdmaEnvironment.Report report = RdmaEnvironment.probe(OPTIONS.deviceName());
        if (!report.isUsable())
        {
            return "rdma contract tests need libdisni and an RDMA device:\n" + report.describe();
        }
        if (!"1".equals(System.getenv("RAMCAST_RDMA_TESTS")))
        {
            return "rdma contract tests are off: set RAMCAST_RDMA_TESTS=1 to run them on this RDMA host";
        }
        rdmaAddress = address();
        return null == rdmaAddress ? "no IPv4 address found for the RDMA device; set RAMCAST_RDMA_ADDRESS" : null;
    }

    @Override
    protected Fabric newEndpoint(final int processId, final int[] listeningIds)
    {
        final Map<Integer, InetSocketAddress> listenAddresses = new HashMap<>();
        for (final int id : listeningIds)
        {
            listenAddresses.put(id, addressById.computeIfAbsent(id, ignored -> freeAddress()));
        }
        return RdmaFabric.open(processId, listenAddresses, OPTIONS);
    }

    @Override
    protected boolean holdWrites(final Fabric writer, final Fabric owner)
    {
        return false; // one-sided writes land when the NIC executes them; nothing can hold them
    }

    @Override
    protected void releaseWrites(final Fabric writer, final Fabric owner)
    {
    }

    private static InetSocketAddress freeAddress()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, rdmaAddress))
        {
            return new InetSocketAddress(rdmaAddress, socket.getLocalPort());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no free port on " + rdmaAddress, ex);
        }
    }

    private static InetAddress address()
    {
        try
        {
            final String configured = System.getenv("RAMCAST_RDMA_ADDRESS");
            if (null != configured && !configured.isBlank())
            {
                return InetAddress.getByName(configured.strip());
            }
            for (final String netdev : netdevsOfRdmaDevices())
            {
                final NetworkInterface nic = NetworkInterface.getByName(netdev);
                if (null != nic)
                {
                    final List<InetAddress> addresses = nic.inetAddresses().filter(a -> a instanceof Inet4Address).toList();
                    if (!addresses.isEmpty())
                    {
                        return addresses.get(0);
                    }
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("looking up the RDMA interface's address failed", ex);
        }
    }

    /** Network devices of RDMA devices, from {@code /sys/class/infiniband/<dev>/ports/<n>/gid_attrs/ndevs/0}. */
    private static List<String> netdevsOfRdmaDevices() throws IOException
    {
        final String wanted = OPTIONS.deviceName();
        try (Stream<Path> devices = Files.list(RdmaEnvironment.SYS_CLASS_INFINIBAND))
        {
            return devices
                .filter(device -> null == wanted || device.getFileName().toString().equals(wanted))
                .flatMap(device -> list(device.resolve("ports")))
                .map(port -> port.resolve("gid_attrs/ndevs/0"))
                .filter(Files::isReadable)
                .map(RdmaFabricContractTest::read)
                .filter(name -> !name.isBlank())
                .toList();
        }
        catch (final SocketException ex)
        {
            throw new IOException(ex);
        }
    }

    private static Stream<Path> list(final Path directory)
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.toList().stream();
        }
        catch (final IOException ex)
        {
            return Stream.empty();
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file).strip();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
