package io.ramcast.bench.process;

import io.ramcast.bench.cli.BenchTestSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's {@code config/local.yaml}, with its data root moved into a test directory and
 * its ports (RamCast, transfer and admin ports) moved to a free range, so tests run the default deployment without clashing with a
 * cluster a user runs on the same machine. Nothing else of the file changes.
 */
public final class LocalConfigFixture
{
    private LocalConfigFixture()
    {
    }

    /**
     * @param dir where the config and the data go.
     * @return the path of the written config.
     * @throws IOException if the files cannot be read or written.
     */
    public static Path write(final Path dir) throws IOException
    {
        String yaml = Files.readString(Path.of("..", "config", "local.yaml"), StandardCharsets.UTF_8);
        final String dataRoot = "dataRoot: /tmp/ramcast-kv/local";
        if (!yaml.contains(dataRoot))
        {
            throw new IllegalStateException("config/local.yaml no longer says '" + dataRoot + "'");
        }
        yaml = yaml.replace(dataRoot, "dataRoot: " + dir.resolve("data").toAbsolutePath());
        final int base = BenchTestSupport.freeBasePort(27);
        for (int id = 0; id < 9; id++)
        {
            final String ports = "port: " + (7100 + id) + ", transferPort: " + (7200 + id) + ", adminPort: " + (7300 + id) +
                " ";
            if (!yaml.contains(ports))
            {
                throw new IllegalStateException("config/local.yaml no longer has '" + ports + "'");
            }
            yaml = yaml.replace(ports, "port: " + (base + id) + ", transferPort: " + (base + 9 + id) + ", adminPort: " +
                (base + 18 + id) + " ");
        }
        final Path file = dir.resolve("local-test.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * A config of one partition of three replicas on loopback over tcp, durability wal, two
     * client ids from 100.
     *
     * @param dir      where the config and the data go.
     * @param cluster  the cluster name, also the file's name.
     * @param basePort the first of three free ports.
     * @return the path of the written config.
     * @throws IOException if the file cannot be written.
     */
    public static Path writeOnePartition(final Path dir, final String cluster, final int basePort) throws IOException
    {
        final String yaml = String.join("\n",
            "cluster: " + cluster,
            "fabric: tcp",
            "storage:",
            "  durability: wal",
            "  dataRoot: " + dir.resolve("data").toAbsolutePath(),
            "partitions:",
            "  - id: 0",
            "    replicas:",
            "      - { id: 0, host: 127.0.0.1, port: " + basePort + " }",
            "      - { id: 1, host: 127.0.0.1, port: " + (basePort + 1) + " }",
            "      - { id: 2, host: 127.0.0.1, port: " + (basePort + 2) + " }",
            "clients:",
            "  firstId: 100",
            "  count: 2",
            "");
        final Path file = dir.resolve(cluster + ".yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }
}
