package io.ramcast.bench.cli;

import io.ramcast.bench.admin.KvShell;
import io.ramcast.bench.admin.ClientsCommand;
import io.ramcast.bench.admin.StatusCommand;
import io.ramcast.bench.backup.BackupCommand;
import io.ramcast.bench.backup.RestoreCommand;
import io.ramcast.bench.faults.FaultsCommand;
import io.ramcast.bench.load.BankCommand;
import io.ramcast.bench.load.BenchCommand;
import io.ramcast.bench.load.DemoCommand;
import io.ramcast.bench.load.LoadCommand;
import io.ramcast.bench.multicast.CheckMulticastCommand;
import io.ramcast.bench.multicast.MulticastBenchCommand;
import io.ramcast.bench.multicast.MulticastServerCommand;
import io.ramcast.bench.multicast.RdmaCheckCommand;
import io.ramcast.bench.process.ClusterCommand;
import io.ramcast.bench.process.ReplicaCommand;
import io.ramcast.bench.process.SecretsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ramcast} command: the entry point of the runnable jar launched by {@code bin/ramcast}.
 *
 * <p>Subcommands do the work; this command only groups them. Exit codes are shared by all of them:
 * <ul>
 *   <li>{@link #EXIT_OK} 0: done, and any check passed;</li>
 *   <li>{@link #EXIT_CHECK_FAILED} 1: a history check found anomalies;</li>
 *   <li>{@link #EXIT_USAGE} 2: bad arguments (the message names the option and the rule);</li>
 *   <li>{@link #EXIT_RUN_FAILED} 3: the run itself failed (a process stopped, a stall, a timeout,
 *       an I/O error); the message says what and where the process logs are.</li>
 * </ul>
 *
 * <p>Usable programmatically: {@code RamcastCli.commandLine().execute(args)} returns the
 * exit code without calling {@link System#exit}; only {@link #main} exits the JVM.
 */
@Command(
    name = "ramcast",
    mixinStandardHelpOptions = true,
    versionProvider = RamcastCli.VersionProvider.class,
    description = "RamCast KV command line: benchmarks and tools.",
    subcommands = {
        DemoCommand.class,
        ReplicaCommand.class,
        ClusterCommand.class,
        BankCommand.class,
        LoadCommand.class,
        BenchCommand.class,
        MulticastBenchCommand.class,
        MulticastServerCommand.class,
        CheckMulticastCommand.class,
        RdmaCheckCommand.class,
        FaultsCommand.class,
        BackupCommand.class,
        RestoreCommand.class,
        SecretsCommand.class,
        StatusCommand.class,
        ClientsCommand.class,
        KvShell.Get.class,
        KvShell.Put.class,
        KvShell.Delete.class,
        KvShell.Cas.class,
        KvShell.Incr.class,
        KvShell.Scan.class,
        KvShell.Txn.class,
        CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done; any check passed",
        "1:a history check found anomalies",
        "2:usage error (bad arguments)",
        "3:the run failed (process stopped, stall, timeout, I/O error)"
    })
public final class RamcastCli implements Runnable
{
    /** Done; any check passed. */
    public static final int EXIT_OK = 0;
    /** A history check found anomalies. */
    public static final int EXIT_CHECK_FAILED = 1;
    /** Bad arguments. */
    public static final int EXIT_USAGE = 2;
    /** The run failed: a process stopped, a stall, a timeout or an I/O error. */
    public static final int EXIT_RUN_FAILED = 3;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the arguments, a subcommand first.
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /** Without a subcommand: a usage error. */
    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** Reports the implementation version of the jar, if the manifest has one. */
    /**
     * The command line as {@code bin/ramcast} runs it: a command marked {@link ConsoleLogging.Quiet}
     * runs with libraries' INFO lines kept off the console, the level restored afterwards.
     *
     * @return a new command line over a new {@link RamcastCli}.
     */
    public static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new RamcastCli());
        cli.setExecutionStrategy(parseResult ->
        {
            CommandLine.ParseResult last = parseResult;
            while (last.hasSubcommand())
            {
                last = last.subcommand();
            }
            final Runnable restore = last.commandSpec().userObject() instanceof ConsoleLogging.Quiet ?
                ConsoleLogging.quiet() : () -> { };
            try
            {
                return new CommandLine.RunLast().execute(parseResult);
            }
            finally
            {
                restore.run();
            }
        });
        return cli;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = RamcastCli.class.getPackage().getImplementationVersion();
            return new String[] {"ramcast " + (version == null ? "(development build)" : version)};
        }
    }
}
