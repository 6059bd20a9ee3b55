package io.ramcast.txn.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import io.ramcast.multicast.fabric.FabricCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code security.tls} section: validation, the stores made for a cluster, and what is refused. */
class TlsSettingsTest
{
    private static final String TCP = String.join("\n",
        "cluster: tls",
        "fabric: tcp",
        "partitions:",
        "  - id: 0",
        "    replicas:",
        "      - { id: 0, host: 127.0.0.1, port: 7100 }",
        "clients: { firstId: 1, count: 1 }",
        "");
    private static final FabricCredentials CREDENTIALS = FabricCredentials.client("tls", new byte[32], 1);

    @TempDir
    Path dir;

    @Test
    void shouldEncryptOnlyWhenTheSectionIsPresentAndResolveItsFiles() throws ConfigException
    {
        final ClusterConfig plain = ClusterConfig.parse(TCP, "plain.yaml");
        assertThat(plain.tls()).isNull();
        assertThat(plain.toTcpFabricOptions(CREDENTIALS).tls()).isNull();

        final ClusterConfig tls = ClusterConfig.parse(TCP + "security:\n  tls: { keyStore: " + dir.resolve("k.p12") +
            ", trustStore: t.p12 }\n", "tls.yaml");
        assertThat(tls.tls().keyStore()).isEqualTo(dir.resolve("k.p12"));
        assertThat(tls.tls().trustStore()).isEqualTo(Path.of("t.p12").toAbsolutePath());
        assertThat(tls.tls().passwordFile()).isEqualTo(Path.of(TlsSettings.DEFAULT_PASSWORD_FILE).toAbsolutePath());
    }

    @Test
    void shouldRefuseAnIncompleteSectionOrOneForAnotherFabric()
    {
        assertThatThrownBy(() -> ClusterConfig.parse(TCP + "security:\n  tls: { trustStore: t.p12 }\n", "nokey.yaml"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("security.tls.keyStore: missing");
        assertThatThrownBy(() -> ClusterConfig.parse(TCP.replace("fabric: tcp", "fabric: local") +
            "security:\n  tls: { keyStore: k.p12, trustStore: t.p12 }\n", "local.yaml"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("TLS encrypts the tcp fabric only");
    }

    /**
     * The stores made for a cluster: private key store and password file, a context every process
     * of the config builds; a key store others may read, a wrong password and half a pair are refused.
     */
    @Test
    void shouldCreateTheClusterStoresAndRefuseUnfitOnes() throws Exception
    {
        final TlsSettings tls = new TlsSettings(dir.resolve("tls/key.p12"), dir.resolve("tls/trust.p12"),
            dir.resolve("secrets/tls.password"), Map.<String, String>of()::get);
        assertThat(tls.createMissing("kv")).containsExactly(tls.passwordFile(), tls.keyStore(), tls.trustStore());
        for (final Path file : new Path[] {tls.keyStore(), tls.passwordFile()})
        {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        assertThat(tls.context().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(tls.createMissing("kv")).as("nothing is made twice").isEmpty();

        Files.setPosixFilePermissions(tls.keyStore(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(tls::context).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("key.p12 is accessible to other users").hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(tls.keyStore(), PosixFilePermissions.fromString("rw-------"));

        final TlsSettings wrongPassword = new TlsSettings(tls.keyStore(), tls.trustStore(), tls.passwordFile(),
            Map.of(TlsSettings.PASSWORD_ENV, "not-the-password")::get);
        assertThatThrownBy(wrongPassword::context).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("key.p12 cannot be read");

        Files.delete(tls.trustStore());
        assertThatThrownBy(() -> tls.createMissing("kv")).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("trust store").hasMessageContaining("is missing");
    }
}
