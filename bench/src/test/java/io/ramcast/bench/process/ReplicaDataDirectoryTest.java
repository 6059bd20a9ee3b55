package io.ramcast.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.storage.RocksPartitionStore;
import io.ramcast.storage.StoreIdentity;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Durability;
import io.ramcast.txn.config.ReplicaConfig;
import io.ramcast.txn.store.AppliedMark;
import io.ramcast.txn.store.StoreBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ramcast replica} started on another replica's data directory (a disk copied to the wrong
 * host, a wrong path in the config) refuses to start, says whose data it found, and leaves every
 * file of the directory as it was.
 */
class ReplicaDataDirectoryTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseAnotherReplicasDataDirectoryAndLeaveItUntouched() throws Exception
    {
        final Path configFile = LocalConfigFixture.write(dir);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final ReplicaConfig r0 = config.replica(0);
        final ReplicaConfig r1 = config.replica(1);
        try (RocksPartitionStore store = RocksPartitionStore.open(r0.dataDir(), Durability.WAL,
            new StoreIdentity(config.clusterName(), r0.partition(), r0.id())))
        {
            store.apply(new StoreBatch(new AppliedMark(7, 0, 1)).put("k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8)));
        }
        copyTree(r0.dataDir(), r1.dataDir()); // replica 0's disk, mounted where replica 1 expects its own
        final Map<String, String> before = fingerprint(r1.dataDir());

        final BenchTestSupport.Execution run = BenchTestSupport.execute("replica", "--config", configFile.toString(),
            "--id", "1");

        assertThat(run.exitCode()).as(run.transcript()).isEqualTo(RamcastCli.EXIT_RUN_FAILED);
        assertThat(run.err()).contains("replica 1 cannot start")
            .contains("belongs to cluster '" + config.clusterName() + "', partition " + r0.partition() + ", replica 0")
            .contains("nothing in it was changed");
        assertThat(fingerprint(r1.dataDir())).isEqualTo(before);
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path f : (Iterable<Path>) files::iterator)
            {
                final Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f))
                {
                    Files.createDirectories(target);
                }
                else if (!f.getFileName().toString().equals("LOCK"))
                {
                    Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static Map<String, String> fingerprint(final Path dir) throws IOException
    {
        final Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator)
            {
                out.put(dir.relativize(f).toString(), Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis() +
                    " " + java.util.Arrays.hashCode(Files.readAllBytes(f)));
            }
        }
        return out;
    }
}
