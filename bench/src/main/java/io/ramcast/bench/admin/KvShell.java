package io.ramcast.bench.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.bench.cli.ConsoleLogging;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.client.ClusterUnreachableException;
import io.ramcast.client.ClientIdInUseException;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.KeyValue;
import io.ramcast.txn.Op;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The key-value shell: {@code ramcast get|put|delete|cas|incr|scan KEY ...} runs one operation,
 * {@code ramcast txn} a transaction read from stdin (one operation per line, as {@code etcdctl txn}
 * reads one), against a running cluster, as a client of it.
 *
 * <p>Every command connects with one client id (by default leased: a free id of the config's
 * {@code clients} range, see {@link KvClient#connect(ClusterConfig)}), runs the
 * transaction with {@link KvClient#run}, which retries an unknown outcome with the same request id
 * so it executes at most once, and prints its results: text (keys and values in {@code
 * --encoding}) or {@code --json}.
 *
 * <p>Exit codes: 0 committed; 1 not committed (a compare-and-set found another value, a counter
 * would overflow, a limit; the reason is printed); 2 bad arguments; 3 outcome unknown (retried
 * until the deadline) or the cluster unreachable.
 */
public final class KvShell
{
    /** Committed. */
    static final int EXIT_COMMITTED = 0;
    /** Not committed; the reason was printed. */
    static final int EXIT_NOT_COMMITTED = 1;
    /** Unknown outcome, or no session with the cluster. */
    static final int EXIT_UNKNOWN = RamcastCli.EXIT_RUN_FAILED;
    private static final ObjectMapper JSON = new ObjectMapper();

    private KvShell()
    {
    }

    /** Options every shell command takes. */
    public static final class Options
    {
        @Option(names = "--config", paramLabel = "FILE",
            description = "The cluster config (default: config/local.yaml of this installation).")
        Path configFile;

        @Option(names = "--client-id", paramLabel = "ID",
            description = "The client id to connect with (default: a free one of the config's clients range, leased).")
        Integer clientId;

        @Option(names = "--encoding", paramLabel = "ENC", defaultValue = "utf8", converter = Codec.Converter.class,
            description = "How keys and values are written in arguments and output: utf8, hex or base64 " +
                "(default: ${DEFAULT-VALUE}; a stored value that is not UTF-8 prints as 0x and hex).")
        Codec codec;

        @Option(names = "--json", description = "Print the outcome and results as one JSON object.")
        boolean json;
    }

    /**
     * What every shell command shares: its options, exit codes and run; a command says only how it
     * builds its transaction.
     */
    @Command(mixinStandardHelpOptions = true, exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:committed", "1:not committed (the reason is printed)",
            "2:usage error (bad arguments, config, encoding or input)",
            "3:outcome unknown (retried until the deadline) or the cluster unreachable"})
    abstract static class ShellCommand implements Callable<Integer>, ConsoleLogging.Quiet
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Options options;

        /** @return the command's operations added to {@code builder}. */
        abstract Transaction.Builder operations(Transaction.Builder builder) throws IOException;

        @Override
        public final Integer call() throws InterruptedException, IOException
        {
            return run(spec, options, operations(Transaction.builder()));
        }

        final byte[] bytes(final String text)
        {
            try
            {
                return options.codec.decode(text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
            }
        }
    }

    /** {@code ramcast get KEY}. */
    @Command(name = "get", description = "Read one key (prints nothing if absent).")
    public static final class Get extends ShellCommand
    {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        Transaction.Builder operations(final Transaction.Builder builder)
        {
            return builder.get(bytes(key));
        }
    }

    /** {@code ramcast put KEY VALUE}. */
    @Command(name = "put", description = "Write one key.")
    public static final class Put extends ShellCommand
    {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        Transaction.Builder operations(final Transaction.Builder builder)
        {
            return builder.put(bytes(key), bytes(value));
        }
    }

    /** {@code ramcast delete KEY}. */
    @Command(name = "delete", description = "Delete one key (absent is fine).")
    public static final class Delete extends ShellCommand
    {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        Transaction.Builder operations(final Transaction.Builder builder)
        {
            return builder.delete(bytes(key));
        }
    }

    /** {@code ramcast cas KEY NEW (--expect VALUE | --expect-absent)}. */
    @Command(name = "cas", description = {"Compare-and-set: write NEW (or delete, with --delete) only if KEY holds " +
        "--expect (or is absent, with --expect-absent);", "exit 1 with condition_failed if it holds something else."})
    public static final class Cas extends ShellCommand
    {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "NEW", arity = "0..1", description = "The value to set.")
        String newValue;
        @Option(names = "--expect", paramLabel = "VALUE", description = "The value KEY must hold.")
        String expected;
        @Option(names = "--expect-absent", description = "KEY must be absent.")
        boolean expectAbsent;
        @Option(names = "--delete", description = "Delete KEY instead of setting a NEW value.")
        boolean delete;

        @Override
        Transaction.Builder operations(final Transaction.Builder builder)
        {
            if ((expected == null) == !expectAbsent)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --expect VALUE and " +
                    "--expect-absent");
            }
            if ((newValue == null) == !delete)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of NEW and --delete");
            }
            return builder.compareAndSet(bytes(key), expectAbsent ? null : bytes(expected), delete ? null : bytes(newValue));
        }
    }

    /** {@code ramcast incr KEY [DELTA]}. */
    @Command(name = "incr", description = "Add DELTA (default 1) to an 8-byte big-endian counter (absent counts as 0); " +
        "prints the new value.")
    public static final class Incr extends ShellCommand
    {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "DELTA", arity = "0..1", defaultValue = "1")
        long delta;

        @Override
        Transaction.Builder operations(final Transaction.Builder builder)
        {
            return builder.increment(bytes(key), delta);
        }
    }

    /** {@code ramcast scan START [END] [--limit N]}. */
    @Command(name = "scan", description = {"Read the keys from START (inclusive) to END (exclusive; none: to the end), " +
        "ascending.", "The range must lie in one partition (with hash partitioning: a single key's partition)."})
    public static final class Scan extends ShellCommand
    {
        @Parameters(index = "0", paramLabel = "START")
        String start;
        @Parameters(index = "1", paramLabel = "END", arity = "0..1")
        String end;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "Most entries (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        Transaction.Builder operations(final Transaction.Builder builder)
        {
            return builder.scan(bytes(start), end == null ? null : bytes(end), limit);
        }
    }

    /** {@code ramcast txn}: a transaction from stdin. */
    @Command(name = "txn",
        description = {"Run one transaction read from stdin, one operation per line, all or nothing:",
            "  get KEY | put KEY VALUE | delete KEY | incr KEY [DELTA] | scan START [END] [LIMIT]",
            "  cas KEY EXPECTED NEW   (a bare - for EXPECTED: must be absent; for NEW: delete)",
            "Words are separated by spaces; \"double quotes\" keep spaces (\\\" and \\\\ inside); lines",
            "starting with # and empty lines are skipped. Keys and values are in --encoding."})
    public static final class Txn extends ShellCommand
    {
        @Override
        Transaction.Builder operations(final Transaction.Builder builder) throws IOException
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            int number = 0;
            int ops = 0;
            while ((line = in.readLine()) != null)
            {
                number++;
                try
                {
                    final Op op = TxnLines.parse(line, options.codec);
                    if (op != null)
                    {
                        builder.op(op);
                        ops++;
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new CommandLine.ParameterException(spec.commandLine(), "stdin line " + number + ": " +
                        ex.getMessage());
                }
            }
            if (ops == 0)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "stdin held no operation");
            }
            return builder;
        }
    }

    private static int run(final CommandLine.Model.CommandSpec spec, final Options options,
        final Transaction.Builder operations) throws InterruptedException
    {
        final Transaction transaction;
        final ClusterConfig config;
        try
        {
            transaction = operations.build();
            config = ClusterConfig.load(options.configFile != null ? options.configFile : LocalDeployment.defaultConfig());
        }
        catch (final ConfigException | IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final Integer clientId = options.clientId;
        if (clientId != null && !config.clientIds().contains(clientId))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--client-id " + clientId + " is not in the " +
                "config's clients range " + config.clientIds());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final TxnOutcome outcome;
        try (KvClient client = clientId != null ? KvClient.connect(config, clientId) : KvClient.connect(config))
        {
            outcome = client.run(transaction);
        }
        catch (final ClusterUnreachableException ex)
        {
            return print(out, err, options, transaction, null, "the cluster is unreachable: " + ex.getMessage());
        }
        catch (final ClientIdInUseException ex)
        {
            return print(out, err, options, transaction, null, "no client id: " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        return print(out, err, options, transaction, outcome, null);
    }

    private static int print(final PrintWriter out, final PrintWriter err, final Options options,
        final Transaction transaction, final TxnOutcome outcome, final String unreachable)
    {
        final Codec codec = options.codec;
        final Map<String, Object> doc = new LinkedHashMap<>();
        final int code;
        if (outcome instanceof TxnOutcome.Committed c)
        {
            code = EXIT_COMMITTED;
            doc.put("outcome", "committed");
            doc.put("requestId", c.requestId());
            final List<Object> results = new ArrayList<>();
            for (int i = 0; i < transaction.ops().size(); i++)
            {
                results.add(describe(transaction.ops().get(i), c.results().get(i), codec, options.json ? null : out,
                    transaction.ops().size() > 1));
            }
            doc.put("results", results);
        }
        else if (outcome instanceof TxnOutcome.NotCommitted n)
        {
            code = EXIT_NOT_COMMITTED;
            doc.put("outcome", "not-committed");
            doc.put("requestId", n.requestId());
            doc.put("reason", n.reason().name().toLowerCase(Locale.ROOT));
            doc.put("detail", n.detail());
            if (!options.json)
            {
                err.println("not committed: " + n.reason().name().toLowerCase(Locale.ROOT) +
                    (n.detail().isEmpty() ? "" : ": " + n.detail()));
            }
        }
        else
        {
            code = EXIT_UNKNOWN;
            final String cause = outcome instanceof TxnOutcome.Unknown u ? "outcome unknown (request " + u.requestId() +
                ", retried until the deadline): " + u.cause() : unreachable;
            doc.put("outcome", "unknown");
            doc.put("cause", cause);
            if (!options.json)
            {
                err.println(cause);
            }
        }
        if (options.json)
        {
            try
            {
                out.println(JSON.writeValueAsString(doc));
            }
            catch (final com.fasterxml.jackson.core.JsonProcessingException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        out.flush();
        err.flush();
        return code;
    }

    /** One op's result: printed as text to {@code out} (unless null), returned as JSON. */
    private static Map<String, Object> describe(final Op op, final Result result, final Codec codec,
        final PrintWriter out, final boolean several)
    {
        final Map<String, Object> r = new LinkedHashMap<>();
        if (op instanceof Op.Get g)
        {
            final byte[] value = ((Result.Value)result).value();
            r.put("op", "get");
            r.put("key", codec.encode(g.key()));
            r.put("value", value == null ? null : codec.encode(value));
            if (out != null && (several || value != null))
            {
                out.println((several ? "get " + codec.encode(g.key()) + ": " : "") +
                    (value == null ? "(absent)" : codec.encode(value)));
            }
            return r;
        }
        if (op instanceof Op.Increment i)
        {
            final long value = ((Result.Counter)result).value();
            r.put("op", "incr");
            r.put("key", codec.encode(i.key()));
            r.put("value", value);
            if (out != null)
            {
                out.println((several ? "incr " + codec.encode(i.key()) + ": " : "") + value);
            }
            return r;
        }
        if (op instanceof Op.Scan s)
        {
            final List<KeyValue> entries = ((Result.Entries)result).entries();
            final List<Map<String, String>> list = new ArrayList<>();
            r.put("op", "scan");
            r.put("start", codec.encode(s.key()));
            for (final KeyValue kv : entries)
            {
                final Map<String, String> e = new LinkedHashMap<>();
                e.put("key", codec.encode(kv.key()));
                e.put("value", codec.encode(kv.value()));
                list.add(e);
            }
            r.put("entries", list);
            if (out != null)
            {
                if (several)
                {
                    out.println("scan " + codec.encode(s.key()) + ": " + entries.size() + " entries");
                }
                for (final KeyValue kv : entries)
                {
                    out.println((several ? "  " : "") + codec.encode(kv.key()) + "\t" + codec.encode(kv.value()));
                }
            }
            return r;
        }
        final String name;
        final byte[] key;
        if (op instanceof Op.Put p)
        {
            name = "put";
            key = p.key();
        }
        else if (op instanceof Op.Delete d)
        {
            name = "delete";
            key = d.key();
        }
        else
        {
            name = "cas";
            key = ((Op.CompareAndSet)op).key();
        }
        r.put("op", name);
        r.put("key", codec.encode(key));
        final String prefix = name + " " + codec.encode(key) + ": ";
        if (out != null)
        {
            out.println(several ? prefix + "OK" : "OK");
        }
        return r;
    }
}
