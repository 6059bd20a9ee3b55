package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.RamcastCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ramcast check-multicast --dir DIR [--incomplete]}: checks the delivery logs a run wrote
 * (topology.txt, {@code <pid>.log}, {@code <pid>.sent}) against the guarantees of atomic multicast
 * and prints the checker's summary.
 *
 * <p>Exit codes: {@link RamcastCli#EXIT_OK} if the history is valid, {@link RamcastCli#EXIT_CHECK_FAILED}
 * if it is not (anomalies, or files that break the format), {@link RamcastCli#EXIT_USAGE} if
 * {@code DIR} is not a directory, {@link RamcastCli#EXIT_RUN_FAILED} if a file cannot be read.
 * Blocking; reads every file, memory proportional to the number of deliveries.
 */
@Command(
    name = "check-multicast",
    mixinStandardHelpOptions = true,
    description = "Check a delivery-log directory against the atomic multicast guarantees " +
        "(integrity, agreement and validity, prefix and acyclic order).")
public final class CheckMulticastCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", required = true,
        description = "Directory holding topology.txt, <pid>.log and <pid>.sent files.")
    private Path dir;

    @Option(names = "--incomplete",
        description = "The run did not end quiescent: skip agreement and validity (a message some " +
            "process delivered may be missing elsewhere).")
    private boolean incomplete;

    @Override
    public Integer call()
    {
        if (!Files.isDirectory(dir))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dir=" + dir + " is not a directory");
        }
        final PrintWriter out = spec.commandLine().getOut();
        try
        {
            final HistoryCheck check = HistoryCheck.run(dir, !incomplete);
            out.println(check.summary());
            out.flush();
            return check.valid() ? RamcastCli.EXIT_OK : RamcastCli.EXIT_CHECK_FAILED;
        }
        catch (final IOException ex)
        {
            spec.commandLine().getErr().println("cannot read the history in " + dir + ": " + ex);
            return RamcastCli.EXIT_RUN_FAILED;
        }
    }
}
