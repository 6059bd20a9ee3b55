package io.ramcast.bench.admin;

import io.ramcast.bench.cli.ConfigFiles;
import io.ramcast.bench.cli.ConsoleLogging;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ramcast clients --config FILE [--serve]}: how many client ids each replica serves and lays
 * out, and, with {@code --serve}, the last step of raising the client bound without stopping the
 * cluster.
 *
 * <p>Raising {@code clients.count}: restart every replica with the larger count, one at a time
 * (each lays out the new client rows but lets in only the ids the cluster serves, as its store
 * recorded); then {@code --serve} checks that every replica answers and lays out the config's
 * count, runs {@link Transaction#serveClients} through a client (multicast to every partition, so
 * every replica records it in its order, and a replica that was down takes it when it catches up),
 * and waits until every replica serves the count.
 */
@Command(name = "clients", mixinStandardHelpOptions = true,
    description = {"Show the client ids each replica serves and lays out; with --serve, serve every client id of the " +
        "config (after every replica was restarted with it, one at a time).",
        "Replicas answer on the adminPort of their config entry."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done (every replica serves the config's client ids, with --serve)",
        "2:usage error (bad arguments or config)",
        "3:a replica did not answer or lays out fewer client ids, or the transaction did not commit"
    })
public final class ClientsCommand implements Callable<Integer>, ConsoleLogging.Quiet
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "The cluster config (default: config/local.yaml of this installation).")
    private Path configFile;

    @Option(names = "--serve", description = "Serve every client id of the config's clients range.")
    private boolean serve;

    @Option(names = "--client-id", paramLabel = "ID",
        description = "The client id to run the transaction with (default: leased from the ids served now).")
    private Integer clientId;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "10000",
        description = "How long to wait for the replicas' answers and for every replica to serve, in ms " +
            "(default: ${DEFAULT-VALUE}).")
    private int timeoutMs;

    @Override
    public Integer call() throws InterruptedException
    {
        if (timeoutMs <= 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive, not " + timeoutMs);
        }
        final Path file = configFile != null ? configFile : LocalDeployment.defaultConfig();
        final ClusterConfig config = ConfigFiles.load(spec, file);
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final int wanted = config.clientIds().count();
        final AdminClient admin = new AdminClient(Duration.ofMillis(Math.min(timeoutMs, 2_000)));
        List<AdminClient.Answer> answers = admin.ask(config.allReplicas());
        print(out, answers, wanted);
        if (!serve)
        {
            return RamcastCli.EXIT_OK;
        }
        final List<String> problems = new ArrayList<>();
        for (final AdminClient.Answer a : answers)
        {
            if (a.status() == null)
            {
                problems.add("replica " + a.replica().id() + " did not answer (" + a.problem() + ")");
            }
            else if (a.status().clientsLaidOut() < wanted)
            {
                problems.add("replica " + a.replica().id() + " lays out " + a.status().clientsLaidOut() +
                    " client ids: restart it with " + file + " first");
            }
        }
        if (!problems.isEmpty())
        {
            err.println("not serving " + wanted + " client ids: every replica must answer and lay them out " +
                "(restart each with the config, one at a time, and wait until it is up):");
            problems.forEach(p -> err.println("  " + p));
            return RamcastCli.EXIT_RUN_FAILED;
        }
        if (answers.stream().allMatch(a -> a.status().clientsServed() >= wanted))
        {
            out.println("every replica serves " + wanted + " client ids already");
            return RamcastCli.EXIT_OK;
        }
        final TxnOutcome outcome;
        try (KvClient client = clientId != null ? KvClient.connect(config, clientId) : KvClient.connect(config))
        {
            outcome = client.run(Transaction.serveClients(wanted));
        }
        if (!(outcome instanceof TxnOutcome.Committed))
        {
            err.println("the serve-clients transaction did not commit: " + outcome + "; run again");
            return RamcastCli.EXIT_RUN_FAILED;
        }
        out.println("the cluster serves " + wanted + " client ids (committed at every partition); waiting for " +
            "every replica");
        final long deadlineNs = System.nanoTime() + Duration.ofMillis(timeoutMs).toNanos();
        while (true)
        {
            answers = admin.ask(config.allReplicas());
            final boolean all = answers.stream().allMatch(a -> a.status() != null &&
                a.status().clientsServed() >= wanted);
            if (all || System.nanoTime() - deadlineNs > 0)
            {
                print(out, answers, wanted);
                if (!all)
                {
                    err.println("not every replica serves " + wanted + " client ids yet (a replica that is down or " +
                        "catching up takes it from its partition): check again with bin/ramcast clients");
                    return RamcastCli.EXIT_RUN_FAILED;
                }
                return RamcastCli.EXIT_OK;
            }
            Thread.sleep(200);
        }
    }

    private static void print(final PrintWriter out, final List<AdminClient.Answer> answers, final int wanted)
    {
        out.println(String.format(Locale.ROOT, "%-8s %-9s %7s %9s  %s", "replica", "partition", "served", "laid out",
            "state"));
        for (final AdminClient.Answer a : answers)
        {
            out.println(a.status() == null ?
                String.format(Locale.ROOT, "%-8d %-9d %7s %9s  %s", a.replica().id(), a.replica().partition(), "-", "-",
                    "no answer: " + a.problem()) :
                String.format(Locale.ROOT, "%-8d %-9d %7d %9d  %s", a.replica().id(), a.replica().partition(),
                    a.status().clientsServed(), a.status().clientsLaidOut(), a.status().state()));
        }
        out.println("the config names " + wanted + " client ids");
        out.flush();
    }
}
