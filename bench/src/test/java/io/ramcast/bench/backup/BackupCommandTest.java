package io.ramcast.bench.backup;

import io.ramcast.bench.InJvmKvCluster;
import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.bench.process.LocalDeployment;
import io.ramcast.client.KvClient;
import io.ramcast.storage.transfer.SnapshotFetcher;
import io.ramcast.storage.transfer.SnapshotManifest;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ReplicaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ramcast backup} against live replicas: the in-JVM cluster (real RocksDB stores) with
 * transfer ports, a backup of one replica over TCP, {@code --verify} of it, and the backup
 * compared with the replica's own store after the cluster stopped.
 */
class BackupCommandTest
{
    private static final int KEYS = 300;
    private static final int BACKED_UP = 4;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldBackUpAReplicaConsistentlyAndVerifyTheBackupOffline() throws Exception
    {
        final Path configFile = writeConfigWithTransferPorts();
        final ClusterConfig config = ClusterConfig.load(configFile);
        final ReplicaConfig replica = config.replica(BACKED_UP);
        final Path backup = dir.resolve("backups").resolve("replica-" + BACKED_UP);
        final BenchTestSupport.Execution made;
        final InJvmKvCluster cluster = InJvmKvCluster.start(config, f -> f);
        try
        {
            final KvClient client = cluster.client(InJvmKvCluster.FIRST_CLIENT_ID, Duration.ofSeconds(10));
            final List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < KEYS; i++)
            {
                writes.add(client.putAsync(InJvmKvCluster.keyOn(config, "key-" + i + "-", replica.partition()),
                    ("value-" + i).getBytes(StandardCharsets.UTF_8)));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));

            made = BenchTestSupport.execute("backup", "--config", configFile.toString(), "--replica",
                Integer.toString(BACKED_UP), "--to", backup.toString());
            assertThat(made.exitCode()).as(made.transcript()).isEqualTo(RamcastCli.EXIT_OK);

            final BenchTestSupport.Execution again = BenchTestSupport.execute("backup", "--config", configFile.toString(),
                "--replica", Integer.toString(BACKED_UP), "--to", backup.toString());
            assertThat(again.exitCode()).as(again.transcript()).isEqualTo(RamcastCli.EXIT_OK);
            assertThat(again.out()).contains("already complete: " + backup);
        }
        finally
        {
            cluster.close();
        }
        cluster.assertHealthy();
        assertThat(made.out()).contains("backup complete: " + backup).contains("applied mark  (timestamp")
            .contains("partition " + replica.partition()).contains("received in");
        assertThat(SnapshotFetcher.isInstalled(backup)).isTrue();

        final BenchTestSupport.Execution verified = BenchTestSupport.execute("backup", "--verify", backup.toString());
        assertThat(verified.exitCode()).as(verified.transcript()).isEqualTo(RamcastCli.EXIT_OK);
        final LocalDeployment.StoreDigest replicaStore =
            LocalDeployment.replicaStores(config, Set.of()).get(replica.partition()).get(BACKED_UP);
        assertThat(replicaStore.entries()).isGreaterThanOrEqualTo(KEYS);
        assertThat(verified.out()).as("the backup holds what the replica holds after the cluster stopped")
            .contains("digest        " + replicaStore + " ").contains("keys          " + replicaStore.entries());

        // A damaged backup fails verification; a directory that is no backup is a usage error.
        final SnapshotManifest manifest =
            SnapshotManifest.parse(Files.readString(backup.resolve(SnapshotManifest.FILE_NAME)), "backup");
        final Path current = backup.resolve(manifest.files().stream().filter(f -> f.name().equals("CURRENT"))
            .findFirst().orElseThrow().name());
        Files.writeString(current, "MANIFEST-999999\n");
        final BenchTestSupport.Execution damaged = BenchTestSupport.execute("backup", "--verify", backup.toString());
        assertThat(damaged.exitCode()).as(damaged.transcript()).isEqualTo(RamcastCli.EXIT_CHECK_FAILED);
        assertThat(damaged.err()).contains("file CURRENT has");
        final BenchTestSupport.Execution notABackup = BenchTestSupport.execute("backup", "--verify", dir.toString());
        assertThat(notABackup.exitCode()).as(notABackup.transcript()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(notABackup.err()).contains("has no SNAPSHOT-MANIFEST");

        // The cluster is gone: the source is unreachable.
        final BenchTestSupport.Execution unreachable = BenchTestSupport.execute("backup", "--config",
            configFile.toString(), "--replica", Integer.toString(BACKED_UP), "--to", dir.resolve("later").toString());
        assertThat(unreachable.exitCode()).as(unreachable.transcript()).isEqualTo(RamcastCli.EXIT_RUN_FAILED);
        assertThat(unreachable.err()).contains("backup of replica " + BACKED_UP + " failed: cannot fetch a snapshot from");
    }

    @Test
    void shouldRefuseBadArguments() throws Exception
    {
        final Path configFile = writeConfigWithTransferPorts();
        final BenchTestSupport.Execution unknown = BenchTestSupport.execute("backup", "--config", configFile.toString(),
            "--replica", "99", "--to", dir.resolve("b").toString());
        assertThat(unknown.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(unknown.err()).contains("--replica 99 is not a replica of this config");

        final Path noTransferPort = dir.resolve("plain.yaml");
        Files.writeString(noTransferPort, InJvmKvCluster.yaml(dir.resolve("data")));
        final BenchTestSupport.Execution plain = BenchTestSupport.execute("backup", "--config", noTransferPort.toString(),
            "--replica", "1", "--to", dir.resolve("b").toString());
        assertThat(plain.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(plain.err()).contains("replica 1 has no transferPort");

        assertThat(BenchTestSupport.execute("backup", "--replica", "1").exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(BenchTestSupport.execute("backup", "--verify", dir.toString(), "--replica", "1").exitCode())
            .isEqualTo(RamcastCli.EXIT_USAGE);
        final BenchTestSupport.Execution badRate = BenchTestSupport.execute("backup", "--config", configFile.toString(),
            "--replica", "1", "--to", dir.resolve("b").toString(), "--max-rate", "fast");
        assertThat(badRate.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(badRate.err()).contains("--max-rate 'fast'");
        assertThat(dir.resolve("b")).doesNotExist();
    }

    /** The in-JVM cluster's config with a free transfer port for every replica. */
    private Path writeConfigWithTransferPorts() throws Exception
    {
        final int replicas = InJvmKvCluster.PARTITIONS * 3;
        final int base = BenchTestSupport.freeBasePort(replicas);
        String yaml = InJvmKvCluster.yaml(dir.resolve("data"));
        for (int id = 0; id < replicas; id++)
        {
            final String entry = "port: " + (7100 + id) + " }";
            assertThat(yaml).contains(entry);
            yaml = yaml.replace(entry, "port: " + (7100 + id) + ", transferPort: " + (base + id) + " }");
        }
        final Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
