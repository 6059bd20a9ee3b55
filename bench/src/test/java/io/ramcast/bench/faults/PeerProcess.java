package io.ramcast.bench.faults;

import io.ramcast.bench.process.ReadableClassPath;
import io.ramcast.bench.process.ProcessOwner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The test's handle on one {@link EchoPeer} process running under a uid of its own: sends it
 * commands and waits, bounded, for the lines it prints. Its stderr goes to a file.
 */
final class PeerProcess implements AutoCloseable
{
    /** A ping that should fail gives up after this. */
    static final int CUT_PING_TIMEOUT_MS = 1_000;
    /** A ping that should work may take this long on a loaded machine. */
    static final int WHOLE_PING_TIMEOUT_MS = 5_000;

    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> transcript = java.util.Collections.synchronizedList(new ArrayList<>());
    private final int port;

    private PeerProcess(final String name, final Process process) throws InterruptedException
    {
        this.name = name;
        this.process = process;
        final Thread pump = new Thread(this::pump, name + "-stdout");
        pump.setDaemon(true);
        pump.start();
        this.port = Integer.parseInt(awaitLine(l -> l.startsWith("READY "), Duration.ofSeconds(60)).substring(6));
    }

    /**
     * @param name    names the peer in messages.
     * @param owner   the uid it runs under.
     * @param port    the loopback port it listens on (0: any).
     * @param logDir  where its stderr goes.
     * @return the started peer, once it listens.
     * @throws InterruptedException if interrupted while waiting for it.
     */
    static PeerProcess start(final String name, final ProcessOwner owner, final int port, final Path logDir)
        throws InterruptedException
    {
        final Path classes;
        try
        {
            classes = Path.of(EchoPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException("cannot locate the test classes", ex);
        }
        final List<String> command = new ArrayList<>(owner.setprivPrefix());
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
            ReadableClassPath.of(classes.toString(), ReadableClassPath.defaultCopyDir()), EchoPeer.class.getName(),
            Integer.toString(port)));
        try
        {
            return new PeerProcess(name, new ProcessBuilder(command)
                .redirectError(logDir.resolve(name + ".err").toFile()).start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), ex);
        }
    }

    private void pump()
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                transcript.add(line);
                lines.add(line);
            }
        }
        catch (final IOException ex)
        {
            lines.add("PUMP ERROR " + ex);
        }
    }

    /** @return the port it listens on. */
    int port()
    {
        return port;
    }

    /** Sends one command line. */
    void command(final String line)
    {
        try
        {
            final OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(name + " does not take commands (" + transcript + ")", ex);
        }
    }

    /**
     * Waits for the next line that matches, skipping others.
     *
     * @return the line.
     * @throws AssertionError if none comes in time (the message has the peer's transcript).
     */
    String awaitLine(final Predicate<String> wanted, final Duration timeout) throws InterruptedException
    {
        final String line = nextMatching(wanted, timeout);
        if (line == null)
        {
            throw new AssertionError(name + ": no expected line within " + timeout.toMillis() + " ms; printed " + transcript);
        }
        return line;
    }

    /** @return the next matching line within the timeout, or null (other lines are skipped). */
    String nextMatching(final Predicate<String> wanted, final Duration timeout) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final String line = lines.poll(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || wanted.test(line))
            {
                return line;
            }
        }
    }

    /**
     * Pings a port over a new connection.
     *
     * @param targetPort where to connect.
     * @param timeoutMs  connect and read timeout.
     * @return {@code PING OK}, {@code PING TIMEOUT ...} or {@code PING ERROR ...}.
     */
    String ping(final int targetPort, final int timeoutMs) throws InterruptedException
    {
        command("PING " + targetPort + " " + timeoutMs);
        return awaitLine(l -> l.startsWith("PING "), Duration.ofMillis(3L * timeoutMs + 10_000));
    }

    /** Opens the long-lived connection to a port and checks that it is up. */
    void open(final int targetPort) throws InterruptedException
    {
        command("OPEN " + targetPort);
        final String result = awaitLine(l -> l.startsWith("OPEN "), Duration.ofSeconds(15));
        if (!result.equals("OPEN OK"))
        {
            throw new AssertionError(name + ": " + result);
        }
    }

    /** Writes a line on the long-lived connection. */
    void send(final String text) throws InterruptedException
    {
        command("SEND " + text);
        awaitLine(l -> l.equals("SENT"), Duration.ofSeconds(10));
    }

    @Override
    public void close()
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return name + " (port " + port + ")";
    }
}
