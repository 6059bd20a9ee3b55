package io.ramcast.bench.etcd;

import io.ramcast.bench.cli.BenchTestSupport;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A one-member etcd cluster for tests: the {@code etcd} binary on the PATH started as a child
 * process on two free loopback ports, with a fresh data directory and its output in a log file the
 * test owns. {@link #close()} stops it (SIGTERM, then SIGKILL after 10 s) and waits for it.
 */
public final class EtcdMember implements AutoCloseable
{
    /** How long the member gets to answer {@code GET /version} after starting. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private EtcdMember(final Process process, final URI endpoint, final Path log)
    {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /** @return the {@code etcd} executable on the PATH, if there is one. */
    public static Optional<Path> binary()
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return Optional.empty();
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir, "etcd");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts a member and waits until it answers.
     *
     * @param binary the etcd executable.
     * @param dir    a directory the test owns: the member's data and log go there.
     * @return the running member.
     * @throws IOException           if it cannot be started.
     * @throws IllegalStateException if it does not answer within {@link #START_TIMEOUT} (the log is named).
     */
    public static EtcdMember start(final Path binary, final Path dir) throws IOException, InterruptedException
    {
        final int base = BenchTestSupport.freeBasePort(2);
        final String client = "http://127.0.0.1:" + base;
        final String peer = "http://127.0.0.1:" + (base + 1);
        final Path log = dir.resolve("etcd.log");
        final Process process = new ProcessBuilder(List.of(binary.toString(),
            "--name", "test", "--data-dir", dir.resolve("etcd-data").toString(),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "test=" + peer, "--initial-cluster-state", "new",
            "--logger", "zap", "--log-outputs", "stderr", "--log-level", "warn"))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final EtcdMember member = new EtcdMember(process, URI.create(client), log);
        try
        {
            member.awaitReady();
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            member.close();
            throw ex;
        }
        return member;
    }

    private void awaitReady() throws InterruptedException
    {
        final EtcdClient probe = EtcdClient.create(endpoint, Duration.ofSeconds(2));
        final long deadlineNs = System.nanoTime() + START_TIMEOUT.toNanos();
        EtcdException last = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("etcd exited with " + process.exitValue() + " before answering; see " + log);
            }
            try
            {
                probe.version();
                return;
            }
            catch (final EtcdException ex)
            {
                last = ex;
            }
            // Polling a child process that offers no readiness signal: the one wait this harness needs.
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("etcd did not answer within " + START_TIMEOUT.toSeconds() + " s; see " + log, last);
    }

    /** @return the member's client URL. */
    public URI endpoint()
    {
        return endpoint;
    }

    /** @return the member's log file. */
    public Path log()
    {
        return log;
    }

    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
