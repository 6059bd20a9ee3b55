package io.ramcast.bench.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deployment files demo and faults share: the data-root copy, the tree removal, the hash summary. */
class LocalDeploymentTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReplaceOnlyTheDataRootLineOfTheCopy() throws IOException
    {
        final String yaml = "fabric: tcp\nstorage:\n  dataRoot: /tmp/ramcast-kv/local\n  durability: wal\n";
        final Path source = Files.writeString(dir.resolve("source.yaml"), yaml, StandardCharsets.UTF_8);
        final Path target = dir.resolve("copy.yaml");

        final Path written = LocalDeployment.withDataRoot(source, dir.resolve("data"), target);

        assertThat(written).isEqualTo(target);
        assertThat(Files.readString(target, StandardCharsets.UTF_8)).isEqualTo(
            "fabric: tcp\nstorage:\n  dataRoot: " + dir.resolve("data").toAbsolutePath() + "\n  durability: wal\n");
        assertThat(Files.readString(source, StandardCharsets.UTF_8)).isEqualTo(yaml);
    }

    @Test
    void shouldRefuseAConfigWithoutADataRootLine() throws IOException
    {
        final Path source = Files.writeString(dir.resolve("source.yaml"), "fabric: tcp\n", StandardCharsets.UTF_8);
        final Path target = dir.resolve("copy.yaml");

        assertThatThrownBy(() -> LocalDeployment.withDataRoot(source, dir.resolve("data"), target))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("storage.dataRoot");
        assertThat(target).doesNotExist();
    }

    @Test
    void shouldDeleteADirectoryWithEverythingUnderIt() throws IOException
    {
        final Path work = dir.resolve("work");
        Files.createDirectories(work.resolve("data").resolve("p0"));
        Files.writeString(work.resolve("data").resolve("p0").resolve("store"), "x", StandardCharsets.UTF_8);
        Files.writeString(work.resolve("cluster.yaml"), "y", StandardCharsets.UTF_8);

        LocalDeployment.deleteTree(work);

        assertThat(work).doesNotExist();
        assertThat(dir).exists();
    }

    @Test
    void shouldSummariseTheDistinctHashPrefixesOfEachPartition()
    {
        final Map<Integer, List<String>> hashes = new LinkedHashMap<>();
        hashes.put(0, List.of("1a2b3c4d5e/10/7", "1a2b3c4d5e/10/7", "1a2b3c4d5e/10/7"));
        hashes.put(1, List.of("5e6f7a8b00/3/2", "9c0d1e2f00/4/2"));

        assertThat(LocalDeployment.hashSummary(hashes)).isEqualTo("(p0: [1a2b3c4d], p1: [5e6f7a8b, 9c0d1e2f])");
    }

    @Test
    void shouldFindTheDefaultConfigUnderTheInstallation()
    {
        final Path config = LocalDeployment.defaultConfig();

        assertThat(config.isAbsolute()).as(config.toString()).isTrue();
        assertThat(config.endsWith(Path.of("config", "local.yaml"))).as(config.toString()).isTrue();
    }
}
