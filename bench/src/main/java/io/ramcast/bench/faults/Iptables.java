package io.ramcast.bench.faults;

import io.ramcast.bench.process.ProcessOwner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code iptables} command of the backend that works on this host (filter table only).
 *
 * <p>Debian and others ship two backends behind one front end: {@code iptables-nft} (nf_tables
 * kernel API) and {@code iptables-legacy} (x_tables). Which one works depends on the kernel and
 * the container; {@link #detect()} tries {@code iptables-nft}, then {@code iptables-legacy}, then
 * plain {@code iptables}, and takes the first that can create a chain holding the matches the
 * link cutter needs ({@code owner}, {@code multiport}, {@code connmark}, {@code CONNMARK}). The
 * result is kept for the life of the JVM.
 *
 * <p>Threading: thread-safe; each call runs one child process and waits for it (at most
 * {@link #COMMAND_TIMEOUT}). Every command passes {@code -w} so that concurrent runs wait for the
 * xtables lock instead of failing.
 */
final class Iptables
{
    /** How long one iptables command may take, lock wait included. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final String[] CANDIDATES = {"iptables-nft", "iptables-legacy", "iptables"};
    private static final String PROBE_CHAIN_PREFIX = "RAMCAST-PROBE-";
    private static final Object DETECT_LOCK = new Object();
    private static Iptables detected;
    private static String detectFailure;

    private final String executable;

    private Iptables(final String executable)
    {
        this.executable = executable;
    }

    /** What one command returned. */
    record Result(int exitCode, String output)
    {
    }

    /**
     * @return the working backend, detected once per JVM.
     * @throws LinkCutterException if this process is not root, or no candidate works (the message
     *                             says what each one printed).
     */
    static Iptables detect()
    {
        synchronized (DETECT_LOCK)
        {
            if (detected != null)
            {
                return detected;
            }
            if (detectFailure != null)
            {
                throw new LinkCutterException(detectFailure);
            }
            final long euid = ProcessOwner.effectiveUid();
            if (euid != 0)
            {
                detectFailure = "cutting links needs root (iptables, setpriv); this process runs as uid " + euid;
                throw new LinkCutterException(detectFailure);
            }
            final List<String> failures = new ArrayList<>();
            for (final String candidate : CANDIDATES)
            {
                final String failure = probe(new Iptables(candidate));
                if (failure == null)
                {
                    detected = new Iptables(candidate);
                    return detected;
                }
                failures.add(candidate + ": " + failure);
            }
            detectFailure = "no working iptables (install it: apt-get install -y iptables); tried " +
                String.join("; ", failures);
            throw new LinkCutterException(detectFailure);
        }
    }

    /** @return a failure description, or null if the candidate can hold the rules we need. */
    private static String probe(final Iptables candidate)
    {
        final String chain = PROBE_CHAIN_PREFIX + ProcessHandle.current().pid();
        try
        {
            final List<List<String>> steps = List.of(
                List.of("-N", chain),
                List.of("-A", chain, "-o", "lo", "-p", "tcp", "-m", "multiport", "--ports", "1:2",
                    "-m", "owner", "--uid-owner", "65533", "-j", "CONNMARK", "--set-xmark", "0x1/0x1"),
                List.of("-A", chain, "-o", "lo", "-p", "tcp", "-m", "multiport", "--ports", "1:2",
                    "-m", "connmark", "--mark", "0x3/0x3", "-j", "DROP"));
            for (final List<String> step : steps)
            {
                final Result result = candidate.run(step);
                if (result.exitCode() != 0)
                {
                    return "'" + String.join(" ", step) + "' failed: " + result.output().trim();
                }
            }
            return null;
        }
        catch (final LinkCutterException ex)
        {
            return ex.getMessage();
        }
        finally
        {
            try
            {
                candidate.run(List.of("-F", chain));
                candidate.run(List.of("-X", chain));
            }
            catch (final LinkCutterException ex)
            {
                // the candidate does not run at all: there is nothing to remove
            }
        }
    }


    /** @return the executable in use, e.g. {@code iptables-nft}. */
    String executable()
    {
        return executable;
    }

    /**
     * Runs {@code <executable> -w <args>} and returns its exit code and output.
     *
     * @param args the arguments after {@code -w}.
     * @return exit code and combined stdout/stderr.
     * @throws LinkCutterException if it cannot be started, does not finish in time or the wait is
     *                             interrupted (the interrupt flag is set again).
     */
    Result run(final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        command.add(executable);
        command.add("-w");
        command.addAll(args);
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new LinkCutterException("cannot run " + String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
        try (InputStream in = process.getInputStream())
        {
            // iptables prints little; reading to the end before waiting cannot fill a pipe
            final String output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                throw new LinkCutterException(String.join(" ", command) + " did not finish in " +
                    COMMAND_TIMEOUT.toSeconds() + " s");
            }
            return new Result(process.exitValue(), output);
        }
        catch (final IOException ex)
        {
            process.destroyForcibly();
            throw new LinkCutterException("cannot read the output of " + String.join(" ", command), ex);
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LinkCutterException("interrupted while running " + String.join(" ", command), ex);
        }
    }

    /**
     * Runs a command that must succeed.
     *
     * @param args the arguments after {@code -w}.
     * @return its output.
     * @throws LinkCutterException if it fails; the message has the command and its output.
     */
    String runOrThrow(final List<String> args)
    {
        final Result result = run(args);
        if (result.exitCode() != 0)
        {
            throw new LinkCutterException(executable + " -w " + String.join(" ", args) + " failed with exit code " +
                result.exitCode() + ": " + result.output().trim());
        }
        return result.output();
    }

    /**
     * @return every rule of the filter table as {@code iptables -S} prints it (chains as
     *         {@code -N NAME} lines, rules as {@code -A CHAIN ...}).
     * @throws LinkCutterException if listing fails.
     */
    List<String> listRules()
    {
        return runOrThrow(List.of("-S")).lines().filter(line -> !line.startsWith("#")).toList();
    }
}
