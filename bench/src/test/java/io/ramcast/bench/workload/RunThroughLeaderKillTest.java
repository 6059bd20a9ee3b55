package io.ramcast.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.ramcast.bench.InJvmKvCluster;
import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.storage.ReplicaServer;
import io.ramcast.txn.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code KvClient.run} through a leader's loss: bank transfers run one after another while the
 * leader of partition 0 is cut off (its outgoing writes refused, so its followers stop hearing it
 * and elect another after the failure timeout) and then stopped; transfers caught meanwhile come
 * back unknown and run() retries them with the same request id. Every run must end committed or
 * not committed, and the final balances must be exactly what the committed transfers make, each
 * applied once.
 */
class RunThroughLeaderKillTest
{
    private static final int ACCOUNTS = 12;
    private static final long INITIAL_BALANCE = 1_000;
    private static final int TRANSFERS = 200;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldApplyEveryTransferExactlyOnceThroughALeaderKill() throws Exception
    {
        final Map<Integer, Set<Integer>> heldPeersById = new ConcurrentHashMap<>();
        try (InJvmKvCluster cluster = InJvmKvCluster.startHolding(dir.resolve("data"), heldPeersById))
        {
            final KvClient kv = cluster.client(InJvmKvCluster.FIRST_CLIENT_ID, Duration.ofMillis(400));
            final BankWorkload bank = new BankWorkload(kv, cluster.config().partitioner(), ACCOUNTS, INITIAL_BALANCE);
            bank.load();
            final long[] expected = new long[ACCOUNTS];
            Arrays.fill(expected, INITIAL_BALANCE);
            final Random random = new Random(11);
            int committed = 0;
            for (int i = 0; i < TRANSFERS; i++)
            {
                if (TRANSFERS / 4 == i)
                {
                    cutAndKillLeaderOfPartition(cluster, heldPeersById, 0);
                }
                final int from = random.nextInt(ACCOUNTS);
                final int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                final long amount = 1 + random.nextInt(50);
                final byte[] args = ByteBuffer.allocate(16).putInt(from).putInt(to).putLong(amount).array();
                final TxnOutcome outcome = kv.run(Transaction.procedure(BankProcedures.TRANSFER, args)
                    .reads(BankWorkload.accountKey(from), BankWorkload.accountKey(to))
                    .writes(BankWorkload.accountKey(from), BankWorkload.accountKey(to)).build());
                assertThat(outcome).as("transfer %d", i).isNotInstanceOf(TxnOutcome.Unknown.class);
                if (outcome instanceof TxnOutcome.Committed)
                {
                    expected[from] -= amount;
                    expected[to] += amount;
                    committed++;
                }
            }
            assertThat(kv.runRetries()).as("the election made run() retry").isPositive();
            final Map<Integer, Long> balances = bank.readAll();
            for (int a = 0; a < ACCOUNTS; a++)
            {
                assertThat(balances.get(a)).as("account %d after %d committed transfers", a, committed)
                    .isEqualTo(expected[a]);
            }
            System.out.println("committed " + committed + " of " + TRANSFERS + " transfers, " + kv.runRetries() +
                " retries by run()");
        }
    }

    /** Cuts the leader off now and stops it a second later, on another thread. */
    private static void cutAndKillLeaderOfPartition(final InJvmKvCluster cluster,
        final Map<Integer, Set<Integer>> heldPeersById, final int partition)
    {
        final int leader = cluster.replicas(partition).get(0).leaderId();
        final ReplicaServer victim = cluster.replicas(partition).stream().filter(r -> r.replica().id() == leader)
            .findFirst().orElseThrow();
        heldPeersById.get(leader).addAll(cluster.processIds());
        final Thread killer = new Thread(() ->
        {
            try
            {
                Thread.sleep(1_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            victim.close();
        }, "leader-killer");
        killer.setDaemon(true);
        killer.start();
    }
}
