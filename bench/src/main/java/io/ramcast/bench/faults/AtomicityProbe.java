package io.ramcast.bench.faults;

import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two-partition probe of the whole-cluster steps: transactions that put one unique value on a
 * key of partition 0 and a key of partition 1, written around a restart or a crash of every
 * replica, and read back from every replica's store once the replicas have stopped.
 *
 * <p>A probe that committed must be on both partitions at every replica checked; a probe whose
 * outcome is unknown (issued just before every replica was killed) may be on both partitions or
 * on neither, and the same at every replica, never on one partition only. This is the atomicity
 * the bank checker sees only indirectly (through totals), asked of each replica directly.
 *
 * <p>Threading: one controlling thread.
 */
final class AtomicityProbe
{
    /** How long a probe may take to commit. */
    private static final long COMMIT_TIMEOUT_S = 30;

    /**
     * One probe.
     *
     * @param name      names it in the report, e.g. {@code kill-all#1 before}.
     * @param key0      its key on partition 0.
     * @param key1      its key on partition 1.
     * @param value     the unique value put on both.
     * @param committed whether the client learnt that it committed.
     * @param outcome   what the client learnt, in words.
     */
    private record Probe(String name, byte[] key0, byte[] key1, byte[] value, boolean committed, String outcome)
    {
    }

    private final ClusterConfig config;
    private final List<Probe> probes = new ArrayList<>();
    /** Probes started and not yet settled, by name. */
    private final Map<String, Pending> inFlight = new TreeMap<>();

    private record Pending(byte[][] keys, byte[] value, CompletableFuture<TxnOutcome> outcome)
    {
    }

    /**
     * @param config the cluster; the probe needs at least two partitions ({@link #possible}).
     */
    AtomicityProbe(final ClusterConfig config)
    {
        this.config = config;
    }

    /** @return whether the cluster has the two partitions the probe writes to. */
    boolean possible()
    {
        return config.partitionCount() >= 2;
    }

    /**
     * Writes a probe and waits for its outcome.
     *
     * @param client a client the running replicas execute for.
     * @param name   names the probe (unique).
     * @throws InterruptedException if interrupted while waiting.
     */
    void write(final KvClient client, final String name) throws InterruptedException
    {
        final byte[][] keys = keys(name);
        final byte[] value = value(name);
        String outcome;
        boolean committed = false;
        try
        {
            // an unknown outcome (the groups still electing their leaders after a whole-cluster step)
            // is retried with the same request id, as a user would, until the probe's time is up
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMIT_TIMEOUT_S);
            TxnOutcome o = client.executeAsync(transaction(keys, value)).get(COMMIT_TIMEOUT_S, TimeUnit.SECONDS);
            while (o instanceof TxnOutcome.Unknown unknown && System.nanoTime() < deadlineNs)
            {
                o = client.executeAsync(unknown.requestId(), transaction(keys, value))
                    .get(COMMIT_TIMEOUT_S, TimeUnit.SECONDS);
            }
            committed = o instanceof TxnOutcome.Committed;
            outcome = committed ? "committed" : o.toString();
        }
        catch (final ExecutionException ex)
        {
            outcome = "failed: " + ex.getCause();
        }
        catch (final TimeoutException ex)
        {
            outcome = "no outcome within " + COMMIT_TIMEOUT_S + " s";
        }
        probes.add(new Probe(name, keys[0], keys[1], value, committed, outcome));
    }

    /**
     * Issues a probe without waiting: it is in flight when what follows (a crash of every replica)
     * happens; {@link #settle} records what the client learnt.
     *
     * @param client a client the running replicas execute for.
     * @param name   names the probe (unique).
     */
    void start(final KvClient client, final String name)
    {
        final byte[][] keys = keys(name);
        final byte[] value = value(name);
        inFlight.put(name, new Pending(keys, value, client.executeAsync(transaction(keys, value))));
    }

    /** Records the outcome every probe started with {@link #start} has by now, unknown if none. */
    void settle()
    {
        inFlight.forEach((name, pending) ->
        {
            final CompletableFuture<TxnOutcome> future = pending.outcome();
            String outcome = "unknown (no answer before the replicas were killed)";
            boolean committed = false;
            if (future.isDone() && !future.isCompletedExceptionally())
            {
                final TxnOutcome o = future.join();
                committed = o instanceof TxnOutcome.Committed;
                outcome = committed ? "committed before the kill" : o.toString();
            }
            else if (future.isCompletedExceptionally())
            {
                outcome = "unknown (" + future.handle((v, ex) -> ex.toString()).join() + ")";
            }
            probes.add(new Probe(name, pending.keys()[0], pending.keys()[1], pending.value(), committed, outcome));
        });
        inFlight.clear();
    }

    /** @return whether a probe was written. */
    boolean isEmpty()
    {
        return probes.isEmpty() && inFlight.isEmpty();
    }

    /**
     * Reads every probe from the stores of every replica of partitions 0 and 1 (all stopped).
     *
     * @param skip replicas to leave out (killed on purpose, or behind after a cut).
     * @return the check: passed if every committed probe is on both partitions at every replica, and
     *         every other probe on both or on neither, the same at every replica.
     */
    FaultReport.Check check(final Set<Integer> skip)
    {
        settle();
        final List<String> problems = new ArrayList<>();
        final Map<Integer, Map<String, byte[]>> read = new TreeMap<>();
        for (final int p : new int[] {0, 1})
        {
            for (final ReplicaConfig r : config.replicas(p))
            {
                if (skip.contains(r.id()))
                {
                    continue;
                }
                final Map<String, byte[]> values = new TreeMap<>();
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    for (final Probe probe : probes)
                    {
                        final byte[] v = store.get(p == 0 ? probe.key0() : probe.key1());
                        if (v != null)
                        {
                            values.put(probe.name(), v);
                        }
                    }
                }
                read.put(r.id(), values);
            }
        }
        int both = 0;
        int neither = 0;
        for (final Probe probe : probes)
        {
            final List<String> on = new ArrayList<>();
            final List<String> off = new ArrayList<>();
            for (int i = 0; i < 2; i++)
            {
                for (final ReplicaConfig r : config.replicas(i))
                {
                    if (!read.containsKey(r.id()))
                    {
                        continue;
                    }
                    final byte[] v = read.get(r.id()).get(probe.name());
                    if (v != null && !Arrays.equals(v, probe.value()))
                    {
                        problems.add(probe.name() + ": replica " + r.id() + " holds another value");
                    }
                    (v != null ? on : off).add("p" + i + "/r" + r.id());
                }
            }
            if (probe.committed() && !off.isEmpty())
            {
                problems.add(probe.name() + " (" + probe.outcome() + ") missing at " + off);
            }
            else if (!on.isEmpty() && !off.isEmpty())
            {
                problems.add(probe.name() + " (" + probe.outcome() + ") applied at " + on + " but not at " + off);
            }
            else if (!probe.committed() && probe.outcome().startsWith("failed"))
            {
                problems.add(probe.name() + " was to commit but " + probe.outcome());
            }
            if (off.isEmpty())
            {
                both++;
            }
            else if (on.isEmpty())
            {
                neither++;
            }
        }
        final String summary = probes.size() + " probes (" + String.join(", ", probes.stream()
            .map(p -> p.name() + ": " + p.outcome()).toList()) + "); " + both + " on both partitions at every " +
            "replica checked, " + neither + " on neither" + (skip.isEmpty() ? "" : " (replicas left out: " + skip + ")");
        return new FaultReport.Check("atomicity probe: each two-partition probe on both partitions or neither, at every " +
            "replica", problems.isEmpty(), problems.isEmpty() ? summary : String.join("; ", problems) + "; " + summary);
    }

    private byte[][] keys(final String name)
    {
        final String prefix = "atomicity-probe-" + name.replace(' ', '-') + "-";
        return new byte[][] {keyOn(prefix + "a-", 0), keyOn(prefix + "b-", 1)};
    }

    private byte[] keyOn(final String prefix, final int partition)
    {
        for (int n = 0; n < 1_000_000; n++)
        {
            final byte[] key = (prefix + n).getBytes(StandardCharsets.UTF_8);
            if (config.partitioner().partitionOf(key) == partition)
            {
                return key;
            }
        }
        throw new IllegalStateException("no key with prefix " + prefix + " falls on partition " + partition);
    }

    private static byte[] value(final String name)
    {
        return (name + "@" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
    }

    private static Transaction transaction(final byte[][] keys, final byte[] value)
    {
        return Transaction.builder().put(keys[0], value).put(keys[1], value).build();
    }
}
