package io.ramcast.bench.load;

import io.ramcast.bench.cli.ConfigFiles;
import io.ramcast.bench.cli.ConsoleLogging;
import io.ramcast.bench.cli.DurationConverter;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.ServerProcess;
import io.ramcast.bench.workload.BankWorkload;
import io.ramcast.check.history.BankChecker;
import io.ramcast.check.history.HistoryReader;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.client.ClusterUnreachableException;
import io.ramcast.client.KvClient;
import io.ramcast.txn.config.ClusterConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ramcast bank --config FILE}: runs the bank workload against a running cluster (transfers
 * between accounts on different partitions, reads of every account in one transaction), writes
 * the client history as JSON Lines, and checks it: every read sees the exact total and no negative
 * balance, and a final read sees the total. Exit 1 if the check fails, 3 if the run fails (cluster
 * unreachable, a read that does not commit).
 *
 * <p>Every history line reaches the operating system as it is recorded, so the history of a bank
 * process killed with SIGKILL (as {@code ramcast faults} does) is complete up to that moment: its
 * transactions in flight show as invoked and never completed, that is with an unknown outcome.
 */
@Command(name = "bank", mixinStandardHelpOptions = true,
    description = "Run the bank workload against a running cluster and check its history.")
public final class BankCommand implements Callable<Integer>, ConsoleLogging.Quiet
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster config (YAML).")
    private Path configFile;

    @Option(names = "--client-id", paramLabel = "ID", description = "Client id from the config (default: its first).")
    private Integer clientId;

    @Option(names = "--accounts", defaultValue = "12", description = "Number of accounts (default: ${DEFAULT-VALUE}).")
    private int accounts;

    @Option(names = "--initial-balance", defaultValue = "1000",
        description = "Balance each account starts with (default: ${DEFAULT-VALUE}).")
    private long initialBalance;

    @Option(names = "--load", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Create the accounts first (default: ${DEFAULT-VALUE}); --no-load keeps existing balances.")
    private boolean load;

    @Option(names = "--threads", defaultValue = "4", description = "Worker threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
        description = "How long to run (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--max-operations", defaultValue = "1000000",
        description = "Operations to issue at most (default: ${DEFAULT-VALUE}).")
    private long maxOperations;

    @Option(names = "--read-fraction", defaultValue = "0.2",
        description = "Share of operations that read every account (default: ${DEFAULT-VALUE}).")
    private double readFraction;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random choices (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--history", paramLabel = "FILE", description = "Write the client history (JSON Lines) to FILE.")
    private Path historyFile;

    @Option(names = {"--delivery-log", "--multicast-log"}, paramLabel = "DIR",
        description = "Append every RamCast multicast the client issues to DIR/<client id>.sent.")
    private Path deliveryLog;

    @Option(names = "--exit-on-stdin-eof", description = "Stop when stdin closes (the parent that started this " +
        "process is gone); a line 'extend MILLIS' on stdin lengthens the run by MILLIS (the parent paused this " +
        "process; negative shortens).")
    private boolean exitOnStdinEof;

    /** A line on stdin that lengthens the run: {@code extend MILLIS}. */
    public static final String EXTEND_COMMAND = "extend ";
    /** Most attempts of the final whole-bank read (a read is safe to repeat after an unknown outcome). */
    static final int FINAL_READ_ATTEMPTS = 5;

    @Override
    public Integer call() throws InterruptedException, IOException
    {
        final ClusterConfig config = ConfigFiles.load(spec, configFile);
        if (accounts < 2 || threads < 1 || readFraction < 0 || readFraction > 1 || initialBalance < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "need --accounts >= 2, --threads >= 1, --read-fraction in [0, 1], --initial-balance >= 0");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final AtomicLong extensionNs = new AtomicLong();
        if (exitOnStdinEof)
        {
            ServerProcess.exitWhenStdinCloses("bank client", line ->
            {
                if (line.startsWith(EXTEND_COMMAND))
                {
                    try
                    {
                        extensionNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(
                            Long.parseLong(line.substring(EXTEND_COMMAND.length()).strip())));
                    }
                    catch (final NumberFormatException ex)
                    {
                        spec.commandLine().getErr().println("ignored a malformed line on stdin: " + line);
                    }
                }
            });
        }
        final Path history = historyFile != null ? historyFile : Path.of(System.getProperty("java.io.tmpdir"),
            "ramcast-bank-history-" + ProcessHandle.current().pid() + ".jsonl");
        final BankWorkload bank;
        final BankWorkload.RunStats stats;
        final Map<Integer, Long> finalBalances;
        try (KvClient client = KvClient.builder().config(config)
                .clientId(clientId != null ? clientId : config.clientIds().firstId()).deliveryLog(deliveryLog).build();
             HistoryWriter writer = HistoryWriter.openLineFlushed(history))
        {
            bank = new BankWorkload(client, config.partitioner(), accounts, initialBalance);
            if (load)
            {
                bank.load();
            }
            stats = bank.run(threads, duration, extensionNs, maxOperations, readFraction, seed, writer);
            finalBalances = bank.readAll(FINAL_READ_ATTEMPTS);
        }
        catch (final ClusterUnreachableException ex)
        {
            spec.commandLine().getErr().println(ex.getMessage());
            return RamcastCli.EXIT_RUN_FAILED;
        }
        catch (final IllegalStateException ex)
        {
            // the load, a whole-bank read or a worker could not complete: the run, not a check, failed
            spec.commandLine().getErr().println("bank run failed: " + ex.getMessage() + "; history so far in " + history);
            return RamcastCli.EXIT_RUN_FAILED;
        }
        final var result = new BankChecker(new HashSet<>(bank.accountIds()), bank.total())
            .check(HistoryReader.read(history), finalBalances);
        out.println("bank: " + accounts + " accounts, total " + bank.total() + ", " + threads + " threads, " +
            DurationConverter.format(duration));
        out.println("  transfers ok " + stats.transfersOk() + ", not committed " + stats.transfersFailed() +
            ", unknown " + stats.transfersUnknown() + "; reads ok " + stats.readsOk() + ", unknown " + stats.readsUnknown());
        out.println("  final balances " + finalBalances);
        out.println("  history " + history);
        out.println(result.summary());
        out.flush();
        return result.isValid() ? RamcastCli.EXIT_OK : RamcastCli.EXIT_CHECK_FAILED;
    }
}
