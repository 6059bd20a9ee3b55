package io.ramcast.bench.process;

import io.ramcast.bench.cli.BenchFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ramcast bank} child process of {@code ramcast faults}: a bank client with its own
 * client id, history file and multicast log, that {@code faults} can kill with SIGKILL.
 *
 * <p>The child's stdout and stderr go to files; its stdin stays open and the child is started with
 * {@code --exit-on-stdin-eof}, so it exits if the parent dies without stopping it.
 *
 * <p>Threading: one controlling thread; {@link #kill()} also from a shutdown hook.
 */
public final class BankClientProcess
{
    private final int clientId;
    private final Process process;
    private final Path history;
    private final Path stdoutFile;
    private final Path stderrFile;
    private volatile boolean killed;

    private BankClientProcess(
        final int clientId, final Process process, final Path history, final Path stdoutFile, final Path stderrFile)
    {
        this.clientId = clientId;
        this.process = process;
        this.history = history;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
    }

    /**
     * Starts {@code ramcast bank} in a child JVM.
     *
     * @param clientId   the client id (from the config's client range).
     * @param jvmOptions JVM options of the child.
     * @param bankArgs   the arguments after {@code bank} other than {@code --client-id},
     *                   {@code --history} and {@code --exit-on-stdin-eof}.
     * @param history    the history file the child writes.
     * @param logDir     where its stdout and stderr go.
     * @return the running child.
     * @throws BenchFailureException if it cannot be started.
     */
    public static BankClientProcess start(
        final int clientId, final List<String> jvmOptions, final List<String> bankArgs, final Path history,
        final Path logDir)
    {
        final List<String> command = ReplicaProcesses.javaCommand(jvmOptions);
        command.add("bank");
        command.addAll(bankArgs);
        command.addAll(List.of("--client-id", Integer.toString(clientId), "--history", history.toAbsolutePath().toString(),
            "--exit-on-stdin-eof"));
        final Path out = logDir.resolve("client-" + clientId + ".out");
        final Path err = logDir.resolve("client-" + clientId + ".err");
        try
        {
            Files.createDirectories(logDir);
            final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            return new BankClientProcess(clientId, process, history, out, err);
        }
        catch (final IOException ex)
        {
            throw new BenchFailureException("cannot start bank client " + clientId + " with " + String.join(" ", command), ex);
        }
    }

    /** @return the client id. */
    public int clientId()
    {
        return clientId;
    }

    /** @return the history file. */
    public Path history()
    {
        return history;
    }

    /** @return where the child's stderr goes. */
    public Path stderrFile()
    {
        return stderrFile;
    }

    /** @return where the child's stdout goes. */
    public Path stdoutFile()
    {
        return stdoutFile;
    }

    /** @return whether it was killed on purpose. */
    public boolean killed()
    {
        return killed;
    }

    /** @return whether the child runs. */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** @return whether the child's history holds at least one event (its workload started). */
    public boolean started()
    {
        try
        {
            return Files.exists(history) && Files.size(history) > 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** @return the child's exit code; only once it exited. */
    public int exitCode()
    {
        return process.exitValue();
    }

    /**
     * Pauses the child (SIGSTOP): it keeps its sockets and memory but runs no code until
     * {@link #resume}. A paused child can still be killed.
     *
     * @throws BenchFailureException if the signal cannot be sent.
     * @throws InterruptedException  if interrupted while waiting for {@code kill(1)}.
     */
    public void pause() throws InterruptedException
    {
        ServerProcess.signal(process.pid(), "STOP", "bank client " + clientId);
    }

    /**
     * Resumes a child paused by {@link #pause} (SIGCONT).
     *
     * @throws BenchFailureException if the signal cannot be sent.
     * @throws InterruptedException  if interrupted while waiting for {@code kill(1)}.
     */
    public void resume() throws InterruptedException
    {
        ServerProcess.signal(process.pid(), "CONT", "bank client " + clientId);
    }

    /**
     * Lengthens the child's run by {@code extension}, e.g. by the time it was paused, through its
     * stdin ({@code extend MILLIS}); a negative one shortens it again.
     *
     * @param extension how much longer to run (negative: shorter).
     * @throws BenchFailureException if the line cannot be written.
     */
    public void extend(final java.time.Duration extension)
    {
        try
        {
            final java.io.OutputStream in = process.getOutputStream();
            final String line = io.ramcast.bench.load.BankCommand.EXTEND_COMMAND + extension.toMillis() + "\n";
            in.write(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            in.flush();
        }
        catch (final IOException ex)
        {
            throw new BenchFailureException("cannot tell bank client " + clientId + " to run " + extension.toMillis() +
                " ms longer", ex);
        }
    }

    /**
     * Kills the child at once (SIGKILL) and waits until it is gone (bounded).
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void kill() throws InterruptedException
    {
        killed = true;
        process.destroyForcibly();
        process.waitFor(ReplicaProcesses.STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Kills the child if it still runs, without waiting; for failure paths and shutdown hooks. */
    public void destroy()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
    }

    /**
     * Waits for the child to end by itself.
     *
     * @param deadlineNs {@link System#nanoTime()} by which it must have exited.
     * @return whether it exited in time.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitExit(final long deadlineNs) throws InterruptedException
    {
        return process.waitFor(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** @return "exit code N" or "still running", and whether it was killed on purpose. */
    public String describe()
    {
        return "bank client " + clientId + ": " + (process.isAlive() ? "still running" :
            killed ? "killed (SIGKILL)" : "exit code " + process.exitValue());
    }
}
