package io.ramcast.bench.faults;

import io.ramcast.bench.process.ProcessOwner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.ramcast.bench.faults.PeerProcess.CUT_PING_TIMEOUT_MS;
import static io.ramcast.bench.faults.PeerProcess.WHOLE_PING_TIMEOUT_MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Cuts links between real processes, each under a uid of its own, on loopback: three "replicas"
 * listening on a small port range and one "client" (all {@link EchoPeer}s), with the real
 * iptables. Skipped, with the reason, when not root or iptables does not work.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinkCutterTest
{
    /** How long a line that must not arrive is waited for. */
    private static final Duration ABSENCE_WINDOW = Duration.ofMillis(1_500);
    private static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path logDir;

    private static int portLo;
    private static List<ProcessOwner> owners;
    private static final List<PeerProcess> REPLICAS = new ArrayList<>();
    private static PeerProcess client;
    private LinkCutter cutter;

    @BeforeAll
    static void startPeers() throws InterruptedException
    {
        final java.util.Optional<String> unavailable = LinkCutter.unavailableReason();
        assumeTrue(unavailable.isEmpty(), () -> "link cutting unavailable: " + unavailable.orElse(""));
        LinkCutter.cleanupStale();
        portLo = freeConsecutivePorts(3);
        owners = ProcessOwner.allocate(4);
        for (int id = 0; id < 3; id++)
        {
            REPLICAS.add(PeerProcess.start("replica-" + id, owners.get(id), portLo + id, logDir));
        }
        client = PeerProcess.start("client", owners.get(3), 0, logDir);
    }

    @AfterAll
    static void stopPeers()
    {
        for (final PeerProcess peer : REPLICAS)
        {
            peer.close();
        }
        if (client != null)
        {
            client.close();
        }
    }

    @BeforeEach
    void installCutter()
    {
        cutter = LinkCutter.install(portLo, portLo + 2,
            Map.of(0, owners.get(0).uid(), 1, owners.get(1).uid(), 2, owners.get(2).uid()), owners.get(3).uid());
    }

    @AfterEach
    void removeCutter()
    {
        if (cutter != null)
        {
            cutter.close();
        }
    }

    @Test
    void shouldCutALinkBothWaysAndKeepItCutAcrossReconnects() throws InterruptedException
    {
        assertThat(replica(0).ping(port(1), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");

        cutter.cut(0, 1);

        // each ping is a new connection from a new ephemeral port: the cut follows the processes
        assertThat(replica(0).ping(port(1), CUT_PING_TIMEOUT_MS)).startsWith("PING TIMEOUT");
        assertThat(replica(0).ping(port(1), CUT_PING_TIMEOUT_MS)).startsWith("PING TIMEOUT");
        assertThat(replica(1).ping(port(0), CUT_PING_TIMEOUT_MS)).startsWith("PING TIMEOUT");
        assertThat(replica(0).ping(port(2), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
        assertThat(replica(2).ping(port(1), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
        assertThat(client.ping(port(0), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
        assertThat(cutter.describeCuts()).containsExactly("0->1", "1->0");
        assertThat(cutter.droppedPackets()).as("SYN-ACKs and retransmissions").isPositive();

        cutter.heal(0, 1);

        assertThat(cutter.describeCuts()).isEmpty();
        assertThat(replica(0).ping(port(1), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
        assertThat(replica(1).ping(port(0), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
    }

    @Test
    void shouldDropOnlyWhatTheIsolatedReplicaSends() throws InterruptedException
    {
        replica(0).open(port(1));
        replica(1).open(port(0));
        replica(0).send("send-0");
        replica(1).awaitLine(l -> l.equals("GOT send-0"), ARRIVAL_TIMEOUT);

        cutter.isolateSending(0);

        replica(1).send("send-1");
        replica(0).awaitLine(l -> l.equals("GOT send-1"), ARRIVAL_TIMEOUT);
        assertThat(replica(1).nextMatching(l -> l.equals("REPLY ECHO send-1"), ABSENCE_WINDOW))
            .as("replica 0's echo is something it sends").isNull();
        replica(0).send("send-2");
        assertThat(replica(1).nextMatching(l -> l.equals("GOT send-2"), ABSENCE_WINDOW)).isNull();
        assertThat(replica(2).ping(port(0), CUT_PING_TIMEOUT_MS)).as("a handshake needs replica 0's packets")
            .startsWith("PING TIMEOUT");
        assertThat(replica(2).ping(port(1), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
    }

    @Test
    void shouldDropOnlyWhatTheIsolatedReplicaReceives() throws InterruptedException
    {
        replica(0).open(port(1));
        replica(1).open(port(0));
        replica(1).send("receive-0");
        replica(0).awaitLine(l -> l.equals("GOT receive-0"), ARRIVAL_TIMEOUT);

        cutter.isolateReceiving(0);

        replica(0).send("receive-1");
        replica(1).awaitLine(l -> l.equals("GOT receive-1"), ARRIVAL_TIMEOUT);
        replica(1).send("receive-2");
        assertThat(replica(0).nextMatching(l -> l.equals("GOT receive-2"), ABSENCE_WINDOW)).isNull();
        assertThat(client.ping(port(0), CUT_PING_TIMEOUT_MS)).startsWith("PING TIMEOUT");
        assertThat(client.ping(port(1), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
    }

    @Test
    void shouldIsolateAReplicaFromClientsOnlyOrFromEveryone() throws InterruptedException
    {
        cutter.isolateFromClients(0);

        assertThat(client.ping(port(0), CUT_PING_TIMEOUT_MS)).startsWith("PING TIMEOUT");
        assertThat(client.ping(port(1), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
        assertThat(replica(1).ping(port(0), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
        assertThat(replica(0).ping(port(2), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");

        cutter.isolate(0);

        assertThat(replica(1).ping(port(0), CUT_PING_TIMEOUT_MS)).startsWith("PING TIMEOUT");
        assertThat(replica(0).ping(port(2), CUT_PING_TIMEOUT_MS)).startsWith("PING TIMEOUT");
        assertThat(client.ping(port(0), CUT_PING_TIMEOUT_MS)).startsWith("PING TIMEOUT");
        assertThat(replica(1).ping(port(2), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");

        cutter.healAll();

        assertThat(replica(1).ping(port(0), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
        assertThat(client.ping(port(0), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
    }

    @Test
    void shouldRemoveEveryRuleOnClose() throws InterruptedException
    {
        cutter.isolate(1);
        assertThat(rulesMentioning(cutter.chain())).isNotEmpty();

        cutter.close();

        assertThat(rulesMentioning(cutter.chain())).isEmpty();
        assertThat(replica(0).ping(port(1), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
        assertThat(client.ping(port(1), WHOLE_PING_TIMEOUT_MS)).isEqualTo("PING OK");
    }

    @Test
    void shouldRemoveTheChainOfAKilledRunButNotOfALiveOne() throws Exception
    {
        final List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            CrashingCutterMain.class.getName(), Integer.toString(port(2)));
        final Process crashing = new ProcessBuilder(command).redirectError(logDir.resolve("crashing.err").toFile()).start();
        final String staleChain;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(crashing.getInputStream(), StandardCharsets.UTF_8)))
        {
            final String line = out.readLine();
            assertThat(line).as("see %s", logDir.resolve("crashing.err")).startsWith("CHAIN ");
            staleChain = line.substring("CHAIN ".length());
        }
        finally
        {
            crashing.destroyForcibly();
            assertThat(crashing.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(rulesMentioning(staleChain)).as("SIGKILL runs no shutdown hook")
            .contains("-N " + staleChain, "-A OUTPUT -j " + staleChain);

        final List<String> removed = LinkCutter.cleanupStale();

        assertThat(removed).contains(staleChain).doesNotContain(cutter.chain());
        assertThat(rulesMentioning(staleChain)).isEmpty();
        assertThat(rulesMentioning(cutter.chain())).contains("-N " + cutter.chain());
    }

    private static PeerProcess replica(final int id)
    {
        return REPLICAS.get(id);
    }

    private static int port(final int id)
    {
        return portLo + id;
    }

    private static List<String> rulesMentioning(final String chain)
    {
        return Iptables.detect().listRules().stream()
            .filter(line -> List.of(line.split(" ")).contains(chain)).toList();
    }

    private static int freeConsecutivePorts(final int count)
    {
        final Random random = new Random();
        for (int attempt = 0; attempt < 50; attempt++)
        {
            final int base = 20_000 + random.nextInt(10_000);
            final List<ServerSocket> probes = new ArrayList<>();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    final ServerSocket probe = new ServerSocket();
                    probes.add(probe);
                    probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base + i));
                }
                return base;
            }
            catch (final IOException ex)
            {
                // taken: try another base
            }
            finally
            {
                for (final ServerSocket probe : probes)
                {
                    try
                    {
                        probe.close();
                    }
                    catch (final IOException ex)
                    {
                        throw new IllegalStateException("cannot close probe socket", ex);
                    }
                }
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free loopback ports found");
    }
}
