package io.ramcast.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCreateTheMissingSecretsOnceAndRefuseOnesOthersCanRead() throws Exception
    {
        final Path config = LocalConfigFixture.write(dir);
        final Path replicaKey = config.getParent().resolve("secrets/replica.key");
        final Path clientKey = config.getParent().resolve("secrets/client.key");

        final BenchTestSupport.Execution first = BenchTestSupport.execute("secrets", "--config", config.toString());
        assertThat(first.exitCode()).as(first.transcript()).isEqualTo(RamcastCli.EXIT_OK);
        assertThat(first.out()).contains(replicaKey + " (created now)").contains(clientKey + " (created now)");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(replicaKey))).isEqualTo("rw-------");
        final String secret = Files.readString(replicaKey);

        final BenchTestSupport.Execution again = BenchTestSupport.execute("secrets", "--config", config.toString());
        assertThat(again.exitCode()).as(again.transcript()).isEqualTo(RamcastCli.EXIT_OK);
        assertThat(again.out()).doesNotContain("created now");
        assertThat(Files.readString(replicaKey)).as("kept").isEqualTo(secret);

        Files.setPosixFilePermissions(clientKey, PosixFilePermissions.fromString("rw-r--r--"));
        final BenchTestSupport.Execution open = BenchTestSupport.execute("secrets", "--config", config.toString());
        assertThat(open.exitCode()).as(open.transcript()).isEqualTo(RamcastCli.EXIT_RUN_FAILED);
        assertThat(open.err()).contains(clientKey.toString()).contains("chmod 600");
    }

    /** With security.tls the command also makes the cluster's stores and password, private, once. */
    @Test
    void shouldCreateTheTlsStoresOfTheConfig() throws Exception
    {
        final Path config = LocalConfigFixture.write(dir);
        Files.writeString(config, Files.readString(config).replace("  # tls:\n", "  tls:\n")
            .replace("  #   keyStore:", "    keyStore:").replace("  #   trustStore:", "    trustStore:")
            .replace("  #   passwordFile:", "    passwordFile:"));
        final Path keyStore = config.getParent().resolve("secrets/tls-key.p12");

        final BenchTestSupport.Execution first = BenchTestSupport.execute("secrets", "--config", config.toString());
        assertThat(first.exitCode()).as(first.transcript()).isEqualTo(RamcastCli.EXIT_OK);
        assertThat(first.out()).contains(keyStore + " (created now)")
            .contains(config.getParent().resolve("secrets/tls-trust.p12") + " (created now)")
            .contains(config.getParent().resolve("secrets/tls.password") + " (created now)");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyStore))).isEqualTo("rw-------");

        final BenchTestSupport.Execution again = BenchTestSupport.execute("secrets", "--config", config.toString());
        assertThat(again.exitCode()).as(again.transcript()).isEqualTo(RamcastCli.EXIT_OK);
        assertThat(again.out()).contains("tls key store").doesNotContain("created now");
    }
}
