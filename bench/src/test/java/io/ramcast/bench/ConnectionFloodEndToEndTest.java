package io.ramcast.bench;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.process.LocalConfigFixture;
import io.ramcast.bench.process.ReplicaProcesses;
import io.ramcast.bench.workload.BankWorkload;
import io.ramcast.check.history.BankChecker;
import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryReader;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.client.KvClient;
import io.ramcast.txn.config.ClusterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lock-out, tried as an attacker on another host would: while a flooder at another source address
 * (127.0.0.2) holds hundreds of idle connections to every replica of a running partition and
 * keeps opening more, half of them half-open (a partial frame header, then silence), the bank
 * workload keeps committing through a member client and a new client connects; the bank's history
 * checks out. Three replicas as OS processes over tcp, authenticated as every deployment is.
 */
class ConnectionFloodEndToEndTest
{
    private static final int INITIAL_CONNECTIONS_PER_REPLICA = 300;
    private static final long NEW_CONNECTIONS_PER_SECOND = 200;
    private static final InetAddress FLOOD_SOURCE = loopback(2);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldKeepServingMembersWhileAnotherHostFloodsEveryReplicaWithIdleConnections() throws Exception
    {
        final int basePort = BenchTestSupport.freeBasePort(3);
        final Path configFile = LocalConfigFixture.writeOnePartition(dir, "connection-flood", basePort);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final Path historyFile = dir.resolve("history.jsonl");
        final BankWorkload bank;
        final BankWorkload.RunStats stats;
        final Map<Integer, Long> finalBalances;
        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, dir.resolve("logs"),
            List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
             KvClient client = KvClient.connect(config, config.clientIds().firstId()))
        {
            bank = new BankWorkload(client, config.partitioner(), 8, 1_000);
            bank.load();
            try (Flood flood = new Flood(List.of(basePort, basePort + 1, basePort + 2));
                 HistoryWriter history = HistoryWriter.open(historyFile))
            {
                flood.start();
                flood.awaitOpened(3L * INITIAL_CONNECTIONS_PER_REPLICA, Duration.ofSeconds(60));
                stats = bank.run(2, Duration.ofSeconds(5), 2_000, 0.2, 7, history);

                final long startNs = System.nanoTime();
                try (KvClient newcomer = KvClient.connect(config, config.clientIds().firstId() + 1))
                {
                    final long connectMs = (System.nanoTime() - startNs) / 1_000_000;
                    assertThat(newcomer.increment("newcomer".getBytes(StandardCharsets.UTF_8), 1)).isEqualTo(1);
                    System.out.println("flood: " + flood.opened() + " connections opened from " + FLOOD_SOURCE + ", " +
                        flood.refused() + " refused; bank " + stats + "; a new client connected in " + connectMs + " ms");
                }
                finalBalances = bank.readAll();
                assertThat(flood.opened()).isGreaterThanOrEqualTo(3L * INITIAL_CONNECTIONS_PER_REPLICA);
            }
            assertThat(cluster.firstDead()).as("no replica stopped").isNull();
        }
        assertThat(stats.transfersOk()).as("transfers committed under the flood").isGreaterThan(20);
        assertThat(finalBalances.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(bank.total());
        final History recorded = HistoryReader.read(historyFile);
        final var result = new BankChecker(new HashSet<>(bank.accountIds()), bank.total()).check(recorded, finalBalances);
        assertThat(result.isValid()).as(result.summary()).isTrue();
    }

    /**
     * Opens {@value #INITIAL_CONNECTIONS_PER_REPLICA} connections to each replica, then
     * {@value #NEW_CONNECTIONS_PER_SECOND} more per second, every second one sending the first 4
     * bytes of a frame header and nothing more; keeps the most recent 1,000 open.
     */
    private static final class Flood implements AutoCloseable
    {
        private final List<Integer> ports;
        private final ArrayDeque<Socket> open = new ArrayDeque<>();
        private final AtomicLong opened = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        Flood(final List<Integer> ports)
        {
            this.ports = ports;
            this.thread = new Thread(this::run, "flood");
            this.thread.setDaemon(true);
        }

        void start()
        {
            thread.start();
        }

        long opened()
        {
            return opened.get();
        }

        long refused()
        {
            return refused.get();
        }

        void awaitOpened(final long count, final Duration timeout) throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + timeout.toNanos();
            while (opened.get() < count && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(20);
            }
            assertThat(opened.get()).as("flood connections opened").isGreaterThanOrEqualTo(count);
        }

        private void run()
        {
            long n = 0;
            final long initial = (long)INITIAL_CONNECTIONS_PER_REPLICA * ports.size();
            while (running)
            {
                final int port = ports.get((int)(n % ports.size()));
                final Socket socket = new Socket();
                try
                {
                    socket.bind(new InetSocketAddress(FLOOD_SOURCE, 0));
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
                    if (n % 2 == 1)
                    {
                        final OutputStream out = socket.getOutputStream();
                        out.write(new byte[] {56, 0, 0, 0}); // the length of an AUTH frame, then silence
                        out.flush();
                    }
                    opened.incrementAndGet();
                    open.addLast(socket);
                    if (open.size() > 1_000)
                    {
                        open.removeFirst().close();
                    }
                }
                catch (final IOException ex)
                {
                    refused.incrementAndGet();
                    closeQuietly(socket);
                }
                n++;
                if (n >= initial)
                {
                    try
                    {
                        Thread.sleep(1_000 / NEW_CONNECTIONS_PER_SECOND);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
            }
        }

        @Override
        public void close()
        {
            running = false;
            thread.interrupt();
            try
            {
                thread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            for (final Socket socket : open)
            {
                closeQuietly(socket);
            }
        }

        private static void closeQuietly(final Socket socket)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ex)
            {
                // closing a socket the replica already reset
            }
        }
    }

    private static InetAddress loopback(final int last)
    {
        try
        {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte)last});
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

}
