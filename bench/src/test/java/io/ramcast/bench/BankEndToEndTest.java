package io.ramcast.bench;

import io.ramcast.bench.process.LocalConfigFixture;
import io.ramcast.bench.process.ReplicaProcesses;
import io.ramcast.bench.workload.BankWorkload;
import io.ramcast.check.history.BankChecker;
import io.ramcast.check.history.History;
import io.ramcast.check.history.HistoryReader;
import io.ramcast.check.history.HistoryWriter;
import io.ramcast.client.KvClient;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end over tcp: the nine replicas of {@code config/local.yaml} as OS processes (ports and
 * data root moved), the real client library, the bank workload. Every read must see the exact
 * total, no balance may go negative, and the three replicas of each partition must end with
 * identical stores (hash of a full scan).
 */
class BankEndToEndTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldPreserveTheTotalAndKeepReplicasIdentical() throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final Path historyFile = dir.resolve("history.jsonl");
        final BankWorkload.RunStats stats;
        final Map<Integer, Long> finalBalances;
        final BankWorkload bank;
        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, dir.resolve("logs"),
            List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")))
        {
            try (KvClient client = KvClient.connect(config, config.clientIds().firstId());
                 HistoryWriter history = HistoryWriter.open(historyFile))
            {
                bank = new BankWorkload(client, config.partitioner(), 12, 1_000);
                bank.load();
                stats = bank.run(4, Duration.ofSeconds(6), 3_000, 0.2, 42, history);
                finalBalances = bank.readAll();
            }
            assertThat(cluster.firstDead()).isNull();
            assertThat(cluster.awaitConverged(Duration.ofSeconds(60), Duration.ofMillis(500)))
                .as("replicas of each partition reach the same applied position").isTrue();
        }

        assertThat(stats.transfersOk()).isGreaterThan(50);
        assertThat(stats.readsOk()).isGreaterThan(5);
        assertThat(finalBalances.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(bank.total());

        final History history = HistoryReader.read(historyFile);
        final var result = new BankChecker(new HashSet<>(bank.accountIds()), bank.total())
            .check(history, finalBalances);
        assertThat(result.isValid()).as(result.summary()).isTrue();
        assertThat(result.stats().okReadCount()).isEqualTo((int)stats.readsOk());

        for (int p = 0; p < config.partitionCount(); p++)
        {
            final List<String> hashes = new ArrayList<>();
            for (final ReplicaConfig r : config.replicas(p))
            {
                try (RocksPartitionStore store = RocksPartitionStore.open(r.dataDir(), Durability.WAL))
                {
                    hashes.add(fullScanHash(store));
                }
            }
            assertThat(hashes).as("replicas of partition %d", p).containsOnly(hashes.get(0));
        }
    }

    static String fullScanHash(final RocksPartitionStore store) throws Exception
    {
        final MessageDigest digest = MessageDigest.getInstance("SHA-256");
        final AtomicLong entries = new AtomicLong();
        store.scan(new byte[0], null, Integer.MAX_VALUE, (k, v) ->
        {
            digest.update(k);
            digest.update(v);
            entries.incrementAndGet();
        });
        return HexFormat.of().formatHex(digest.digest()) + " (" + entries + " entries, " + store.lastApplied() + ")";
    }
}
