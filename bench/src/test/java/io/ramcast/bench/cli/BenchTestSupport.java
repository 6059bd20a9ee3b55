package io.ramcast.bench.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Runs the command line in-process and captures what it prints. */
public final class BenchTestSupport
{
    private BenchTestSupport()
    {
    }

    /** What one execution printed and returned. */
    public record Execution(int exitCode, String out, String err)
    {
        /** @return everything, for assertion messages. */
        public String transcript()
        {
            return "exit code " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    /**
     * Executes {@code ramcast <args>} as {@code bin/ramcast} would, without exiting the JVM; the
     * output is also echoed to this JVM's stdout (surefire keeps it in the test's report).
     */
    public static Execution execute(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = RamcastCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final int exitCode = cli.execute(args);
        final Execution execution = new Execution(exitCode, out.toString(), err.toString());
        System.out.println("ramcast " + String.join(" ", args) + "\n" + execution.transcript());
        return execution;
    }

    /**
     * Finds a base port such that {@code base .. base+count-1} are free on loopback right now.
     *
     * @param count ports needed.
     * @return the base port.
     */
    public static int freeBasePort(final int count)
    {
        final Random random = new Random();
        for (int attempt = 0; attempt < 50; attempt++)
        {
            // below Linux's ephemeral range (32768 and up): a restarted replica must find its port
            // free, not taken as the local port of some outgoing connection in the meantime
            final int base = 12_000 + random.nextInt(20_000 - count);
            if (allFree(base, count))
            {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found on loopback");
    }

    private static boolean allFree(final int base, final int count)
    {
        final List<ServerSocket> sockets = new ArrayList<>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                final ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base + i));
            }
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
        finally
        {
            for (final ServerSocket socket : sockets)
            {
                try
                {
                    socket.close();
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException("cannot close probe socket " + socket, ex);
                }
            }
        }
    }
}
