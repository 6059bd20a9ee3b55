package io.ramcast.bench.process;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.bench.cli.RamcastCli;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code multicast-server} child process of a tcp benchmark, and the parent's view of it.
 *
 * <p>The child's stdout is read by a daemon pump thread that copies every line to
 * {@link #stdoutFile()} and watches for the two lines of the parent-child protocol:
 * {@code READY <id>} once the server is built and started, and {@code DELIVERED <id> <count>} when
 * its shutdown hook has closed it. Its stderr (its log) goes straight to {@link #stderrFile()}. The
 * parent keeps the child's stdin open; a child started with {@code --exit-on-stdin-eof} exits when
 * it closes, so a parent killed without running its shutdown hook does not leave servers behind.
 *
 * <p>Threading: methods are called by the controlling thread; {@link #kill()} also from a shutdown
 * hook. All waits are bounded and their timeouts name the process and its log files.
 */
public final class ServerProcess
{
    /**
     * JVM options every replica and multicast server process gets whatever its JVM-options option
     * says: Agrona 2 reads {@code jdk.internal.misc.Unsafe} and DiSNI {@code sun.nio.ch} (the
     * runnable jar's manifest says the same for {@code java -jar}, but children run with
     * {@code -cp}), and the fabric logs at INFO.
     */
    public static final List<String> REQUIRED_JVM_OPTIONS = List.of(
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        // DiSNI (the rdma fabric) reaches sun.nio.ch.DirectBuffer on its first call
        "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
        // Their logs go to files, where the fabric's connection events help (see logback.xml).
        "-Dramcast.fabric.log.level=INFO");
    /** First word of the line a server prints once it runs. */
    public static final String READY = "READY";
    /** The line a replica started with {@code --rebuild} prints once its snapshot is installed. */
    public static final String REBUILT = "REBUILT";
    /** First word of the line a server prints once it closed: {@code DELIVERED <id> <count>}. */
    public static final String DELIVERED = "DELIVERED";
    /**
     * First word of a replica's progress line: {@code STATUS <id> <executed> <applied mark>}, then
     * {@code key=value} fields ({@code leader=<id> ballot=<round>.<leader>}); see
     * {@link ReplicaCommand#status}.
     */
    static final String STATUS = "STATUS";
    /** {@link #leaderId()} before a STATUS line named one. */
    public static final int NO_LEADER = -1;
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);

    private final int id;
    private final Process process;
    private final Path stdoutFile;
    private final Path stderrFile;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final AtomicLong delivered = new AtomicLong(-1);
    private volatile String appliedMark = "";
    private volatile int leaderId = NO_LEADER;
    private volatile String ballot = "";
    private volatile long upNs;
    private volatile String rebuilt;
    private final Thread pump;

    private ServerProcess(final int id, final Process process, final Path stdoutFile, final Path stderrFile)
    {
        this.id = id;
        this.process = process;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
        this.pump = new Thread(this::pumpStdout, "server-" + id + "-stdout");
        pump.setDaemon(true);
    }

    /**
     * Starts a child process.
     *
     * @param id         the server's process id.
     * @param command    the full command line.
     * @param stdoutFile where the child's stdout is copied.
     * @param stderrFile where the child's stderr goes.
     * @return the started child.
     * @throws BenchFailureException if the process cannot be started.
     */
    public static ServerProcess start(final int id, final List<String> command, final Path stdoutFile, final Path stderrFile)
    {
        return start(id, command, Map.of(), stdoutFile, stderrFile);
    }

    /**
     * As {@link #start(int, List, Path, Path)}, with variables added to the child's environment.
     *
     * @param id          the server's process id.
     * @param command     the command.
     * @param environment added to (or replacing in) the inherited environment.
     * @param stdoutFile  where its stdout is copied.
     * @param stderrFile  where its stderr goes.
     * @return the running server.
     */
    public static ServerProcess start(final int id, final List<String> command, final Map<String, String> environment,
        final Path stdoutFile, final Path stderrFile)
    {
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(environment);
        try
        {
            final ServerProcess server = new ServerProcess(id, builder.start(), stdoutFile, stderrFile);
            server.pump.start();
            return server;
        }
        catch (final IOException ex)
        {
            throw new BenchFailureException("cannot start server " + id + " with " + String.join(" ", command), ex);
        }
    }

    private void pumpStdout()
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(stdoutFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                 StandardOpenOption.APPEND))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                out.write(line);
                out.newLine();
                out.flush();
                onLine(line);
            }
        }
        catch (final IOException ex)
        {
            ready.completeExceptionally(ex);
        }
        finally
        {
            ready.completeExceptionally(new IllegalStateException("stdout closed before " + READY));
        }
    }

    private void onLine(final String line)
    {
        final String[] words = line.trim().split("\\s+");
        if (words.length == 2 && words[0].equals(READY) && words[1].equals(Integer.toString(id)))
        {
            ready.complete(null);
        }
        else if (words.length >= 4 && words[0].equals(STATUS) && words[1].equals(Integer.toString(id)))
        {
            appliedMark = words[3];
            for (int i = 4; i < words.length; i++)
            {
                if (words[i].startsWith("leader="))
                {
                    leaderId = parseId(words[i].substring("leader=".length()));
                }
                else if (words[i].startsWith("ballot="))
                {
                    ballot = words[i].substring("ballot=".length());
                    if (i + 1 < words.length && words[i + 1].equals("up") && upNs == 0)
                    {
                        upNs = System.nanoTime();
                    }
                }
            }
        }
        else if (words.length >= 2 && words[0].equals(REBUILT) && words[1].equals(Integer.toString(id)))
        {
            rebuilt = line.trim();
        }
        else if (words.length == 3 && words[0].equals(DELIVERED) && words[1].equals(Integer.toString(id)))
        {
            try
            {
                delivered.set(Long.parseLong(words[2]));
            }
            catch (final NumberFormatException ex)
            {
                delivered.set(-1);
            }
        }
    }

    private static int parseId(final String text)
    {
        try
        {
            return Integer.parseInt(text);
        }
        catch (final NumberFormatException ex)
        {
            return NO_LEADER;
        }
    }

    /** @return the server's process id. */
    public int id()
    {
        return id;
    }

    /** @return where the child's stdout is copied. */
    public Path stdoutFile()
    {
        return stdoutFile;
    }

    /** @return where the child's stderr (its log) goes. */
    public Path stderrFile()
    {
        return stderrFile;
    }

    /** @return whether the child is still running. */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** @return the child's exit code (128 + N when signal N killed it: 137 for kill -9), or -1 while it runs. */
    int exitCode()
    {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** @return "exit code N", or "still running". */
    public String exitDescription()
    {
        return process.isAlive() ? "still running" : "exit code " + process.exitValue();
    }

    /**
     * Waits for the child's {@code READY} line.
     *
     * @param deadlineNs {@link System#nanoTime()} by which it must have arrived.
     * @throws BenchFailureException if the child exits first or the deadline passes.
     * @throws InterruptedException  if interrupted.
     */
    public void awaitReady(final long deadlineNs) throws InterruptedException
    {
        try
        {
            ready.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new BenchFailureException("server " + id + " did not print '" + READY + " " + id +
                "' in time; see " + stderrFile + " and " + stdoutFile);
        }
        catch (final ExecutionException ex)
        {
            throw new BenchFailureException("server " + id + " ended before it was ready" + exitText() + "; see " +
                stderrFile + " and " + stdoutFile, ex.getCause());
        }
    }

    private String exitText()
    {
        try
        {
            if (process.waitFor(1, TimeUnit.SECONDS))
            {
                return " (exit code " + process.exitValue() + ")";
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    /** @return whether the child printed its {@code READY} line (without waiting for it). */
    public boolean isReady()
    {
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    /** Asks the child to stop (SIGTERM): its shutdown hook closes the server and flushes its log. */
    public void requestStop()
    {
        // Through the handle: Process.destroy() would also close our end of the child's stdout,
        // losing the DELIVERED line its shutdown hook prints.
        process.toHandle().destroy();
    }

    /**
     * Waits for the child to exit after {@link #requestStop()}, then for its stdout to be drained;
     * kills it forcibly if it does not exit by the deadline.
     *
     * @param deadlineNs {@link System#nanoTime()} by which it must have exited.
     * @return whether it exited by itself in time.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitExit(final long deadlineNs) throws InterruptedException
    {
        final boolean exited = process.waitFor(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (!exited)
        {
            process.destroyForcibly();
            process.waitFor(Duration.ofSeconds(5).toNanos(), TimeUnit.NANOSECONDS);
        }
        pump.join(Duration.ofSeconds(5).toMillis());
        return exited;
    }

    /** @return the applied mark of the replica's last STATUS line, or "" before the first. */
    String appliedMark()
    {
        return appliedMark;
    }

    /** @return when ({@link System#nanoTime()}) a STATUS line of this process first said {@code up}; 0 before. */
    public long upNs()
    {
        return upNs;
    }

    /** @return the replica's {@code REBUILT} line (where its snapshot came from, bytes, time), or null. */
    public String rebuiltLine()
    {
        return rebuilt;
    }

    /** @return the leader named by the replica's last STATUS line, or {@link #NO_LEADER} before one. */
    int leaderId()
    {
        return leaderId;
    }

    /** @return the ballot ({@code <round>.<leader>}) of the replica's last STATUS line, or "" before one. */
    String ballot()
    {
        return ballot;
    }

    /** @return the operating-system process id of the child. */
    long pid()
    {
        return process.pid();
    }

    /**
     * Sends a signal to the child with {@code kill(1)}, for the signals {@link Process} cannot send
     * ({@code STOP}, {@code CONT}). Waits for {@code kill} to finish (bounded).
     *
     * @param signal the signal name without {@code SIG}, e.g. {@code "STOP"}.
     * @throws BenchFailureException if {@code kill} fails or does not finish in time.
     * @throws InterruptedException  if interrupted while waiting.
     */
    void signal(final String signal) throws InterruptedException
    {
        signal(process.pid(), signal, "server " + id);
    }

    /**
     * Sends a signal to a process with {@code kill(1)}; see {@link #signal(String)}.
     *
     * @param pid    the operating-system process id.
     * @param signal the signal name without {@code SIG}.
     * @param who    names the process in errors.
     * @throws BenchFailureException if {@code kill} fails or does not finish in time.
     * @throws InterruptedException  if interrupted while waiting.
     */
    static void signal(final long pid, final String signal, final String who) throws InterruptedException
    {
        final Process kill;
        try
        {
            kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        catch (final IOException ex)
        {
            throw new BenchFailureException("cannot run kill -" + signal + " " + pid + " (" + who + ")", ex);
        }
        if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
        {
            kill.destroyForcibly();
            throw new BenchFailureException("kill -" + signal + " " + pid + " (" + who + ") did not finish in " +
                SIGNAL_TIMEOUT.toSeconds() + " s");
        }
        if (kill.exitValue() != 0)
        {
            throw new BenchFailureException("kill -" + signal + " " + pid + " (" + who + ") failed with exit code " +
                kill.exitValue());
        }
    }

    /** @return deliveries the child reported when it closed, or -1 if it did not report. */
    public long deliveredCount()
    {
        return delivered.get();
    }

    /** Kills the child at once (SIGKILL) if it still runs; for failure paths and shutdown hooks. */
    public void kill()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
    }

    /**
     * In a child process: exits the JVM (running its shutdown hooks) once stdin reaches its end,
     * that is when the parent that started this process is gone.
     *
     * @param who names the process in the log line.
     */
    public static void exitWhenStdinCloses(final String who)
    {
        exitWhenStdinCloses(who, line -> { });
    }

    /**
     * In a child process: hands every line read from stdin to {@code onLine} (on a watcher thread)
     * and exits the JVM (running its shutdown hooks) once stdin reaches its end, that is when the
     * parent that started this process is gone.
     *
     * @param who    names the process in the log line.
     * @param onLine told each line, without its terminator; must not throw.
     */
    public static void exitWhenStdinCloses(final String who, final java.util.function.Consumer<String> onLine)
    {
        final Thread watcher = new Thread(() ->
        {
            try (java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    onLine.accept(line);
                }
            }
            catch (final IOException ex)
            {
                org.slf4j.LoggerFactory.getLogger(ServerProcess.class)
                    .warn("{}: reading stdin failed, treating it as closed: {}", who, ex.toString());
            }
            org.slf4j.LoggerFactory.getLogger(ServerProcess.class).info("{}: stdin closed (the parent is gone), stopping", who);
            System.exit(RamcastCli.EXIT_OK);
        }, "stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
