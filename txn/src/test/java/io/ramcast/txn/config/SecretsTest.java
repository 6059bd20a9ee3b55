package io.ramcast.txn.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.ramcast.multicast.fabric.FabricCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest
{
    @TempDir
    Path dir;

    private Secrets secrets(final Map<String, String> environment)
    {
        return new Secrets(dir.resolve("secrets/replica.key"), dir.resolve("secrets/client.key"), environment::get);
    }

    @Test
    void shouldCreateMissingSecretsReadableByTheOwnerOnlyAndReadThemBack() throws Exception
    {
        final Secrets secrets = secrets(Map.of());
        final FabricCredentials first = secrets.replicaCredentials("kv", 1);
        assertThat(first.holdsServerSecret()).isTrue();
        for (final Path file : List.of(secrets.replicaSecretFile(), secrets.clientSecretFile()))
        {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        }
        final String replica = Files.readString(secrets.replicaSecretFile());
        secrets.clientCredentials("kv", 2);
        assertThat(Files.readString(secrets.replicaSecretFile())).as("an existing secret is kept").isEqualTo(replica);
        assertThat(secrets.createMissing()).isEmpty();
        try (var listing = Files.list(dir.resolve("secrets")))
        {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("replica.key", "client.key");
        }
    }

    @Test
    void shouldGiveProcessesStartingTogetherOneSecret() throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        try
        {
            final List<Future<String>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++)
            {
                final Callable<String> start = () ->
                {
                    new Secrets(dir.resolve("replica.key"), dir.resolve("client.key"), k -> null).clientCredentials("kv", 1);
                    return Files.readString(dir.resolve("client.key"));
                };
                reads.add(pool.submit(start));
            }
            final Set<String> seen = new HashSet<>();
            for (final Future<String> read : reads)
            {
                seen.add(read.get());
            }
            assertThat(seen).hasSize(1);
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRefuseSecretsOthersCanReadOrThatAreTooShort() throws Exception
    {
        final Secrets secrets = secrets(Map.of());
        secrets.createMissing();
        Files.setPosixFilePermissions(secrets.clientSecretFile(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> secrets.clientCredentials("kv", 1)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(secrets.clientSecretFile().toString())
            .hasMessageContaining("accessible to other users").hasMessageContaining("chmod 600");

        Files.setPosixFilePermissions(secrets.clientSecretFile(), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(secrets.clientSecretFile(), Base64.getEncoder().encodeToString(new byte[16]));
        assertThatThrownBy(() -> secrets.clientCredentials("kv", 1)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("holds 16 bytes; at least 32");

        Files.writeString(secrets.clientSecretFile(), "not base64!");
        assertThatThrownBy(() -> secrets.clientCredentials("kv", 1)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("not base64");
    }

    @Test
    void shouldTakeASecretFromTheEnvironmentBeforeTheFile()
    {
        final byte[] secret = new byte[40];
        secret[0] = 1;
        final Secrets secrets = secrets(Map.of(Secrets.CLIENT_SECRET_ENV, Base64.getEncoder().encodeToString(secret)));
        assertThat(secrets.clientCredentials("kv", 1)).isNotNull();
        assertThat(Files.exists(secrets.clientSecretFile())).as("no file needed").isFalse();

        final Secrets bad = secrets(Map.of(Secrets.REPLICA_SECRET_ENV, "c2hvcnQ="));
        assertThatThrownBy(() -> bad.replicaCredentials("kv", 1)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("environment variable " + Secrets.REPLICA_SECRET_ENV);
    }

    /**
     * A rotation: a file (or variable) of several secrets proves with the first and accepts every
     * one; blank lines are skipped, and an unfit line is named by its number.
     */
    @Test
    void shouldProveTheFirstSecretAndAcceptEveryListedOne() throws Exception
    {
        final byte[] oldSecret = new byte[32];
        final byte[] newSecret = new byte[32];
        java.util.Arrays.fill(oldSecret, (byte)1);
        java.util.Arrays.fill(newSecret, (byte)2);
        final byte[] client = new byte[32];
        final Base64.Encoder base64 = Base64.getEncoder();
        final Secrets secrets = secrets(Map.of());
        secrets.createMissing();
        Files.writeString(secrets.replicaSecretFile(), base64.encodeToString(oldSecret) + "\n\n" +
            base64.encodeToString(newSecret) + "\n");
        final FabricCredentials rotating = secrets.replicaCredentials("kv", 1);
        final byte[] context = "context".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final FabricCredentials oldOnly = FabricCredentials.server("kv", oldSecret, client, 1);
        final FabricCredentials newOnly = FabricCredentials.server("kv", newSecret, client, 1);
        assertThat(rotating.serverProof(context)).as("proves the first").isEqualTo(oldOnly.serverProof(context));
        assertThat(rotating.isServerProof(context, oldOnly.serverProof(context))).isTrue();
        assertThat(rotating.isServerProof(context, newOnly.serverProof(context))).isTrue();
        assertThat(newOnly.isServerProof(context, rotating.serverProof(context))).as("after the rotation").isFalse();

        final Secrets fromEnvironment = secrets(Map.of(Secrets.REPLICA_SECRET_ENV,
            base64.encodeToString(newSecret) + "," + base64.encodeToString(oldSecret)));
        final FabricCredentials swapped = fromEnvironment.replicaCredentials("kv", 1);
        assertThat(swapped.serverProof(context)).isEqualTo(newOnly.serverProof(context));
        assertThat(swapped.isServerProof(context, oldOnly.serverProof(context))).isTrue();
        assertThat(fromEnvironment.environment().get(Secrets.REPLICA_SECRET_ENV)).as("handed on to child processes")
            .isEqualTo(base64.encodeToString(newSecret) + "," + base64.encodeToString(oldSecret));

        Files.writeString(secrets.replicaSecretFile(), base64.encodeToString(oldSecret) + "\nc2hvcnQ=\n");
        assertThatThrownBy(() -> secrets.replicaCredentials("kv", 1)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("(secret 2) holds 5 bytes");
    }
}
