package io.ramcast.bench.load;

import io.ramcast.bench.InJvmKvCluster;
import io.ramcast.bench.cli.BenchTestSupport;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs the {@code load} and {@code bench} commands in-process against an {@link InJvmKvCluster}:
 * the commands read the cluster's config from a file, as on the command line, and connect their
 * clients over the cluster's hub instead of tcp.
 */
final class WorkloadCommandSupport
{
    /** Request timeout of the commands' clients. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private WorkloadCommandSupport()
    {
    }

    /**
     * Writes the config of an {@link InJvmKvCluster} whose data root is {@code dir/data}.
     *
     * @param dir the test's directory.
     * @return the config file.
     * @throws IOException if it cannot be written.
     */
    static Path writeConfig(final Path dir) throws IOException
    {
        final Path file = dir.resolve("in-jvm.yaml");
        Files.writeString(file, InJvmKvCluster.yaml(dir.resolve("data")), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * @param cluster the running cluster.
     * @return a connector that makes the cluster's clients (closed with it, too).
     */
    static ClientSet.Connector connector(final InJvmKvCluster cluster)
    {
        return (config, clientId) -> cluster.client(clientId, REQUEST_TIMEOUT);
    }

    /**
     * Executes a command object with arguments, capturing what it prints (also echoed to stdout,
     * which surefire keeps in the test's report).
     *
     * @param command the command, e.g. {@code new BenchCommand(connector)}.
     * @param args    its arguments.
     * @return the exit code and output.
     */
    static BenchTestSupport.Execution run(final Object command, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final int exitCode = cli.execute(args);
        final BenchTestSupport.Execution execution = new BenchTestSupport.Execution(exitCode, out.toString(),
            err.toString());
        System.out.println(cli.getCommandName() + " " + String.join(" ", args) + "\n" + execution.transcript());
        return execution;
    }
}
