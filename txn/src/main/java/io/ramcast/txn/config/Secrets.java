package io.ramcast.txn.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.ramcast.multicast.fabric.FabricCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's two secrets (the {@code security} section): the replica secret, which replicas
 * prove to each other, and the client secret, which clients and replicas prove to each other
 * ({@link FabricCredentials}). A client host needs only the client secret.
 *
 * <p>A secret is at least 32 random bytes, written as one line of base64. During a rotation a file
 * holds several lines (a variable several comma-separated values): the first is the secret this
 * process proves, every one is accepted from peers. It comes from the
 * environment variable {@value #REPLICA_SECRET_ENV} / {@value #CLIENT_SECRET_ENV} if set, else
 * from its file. A file that does not exist yet is created with 32 fresh random bytes, readable by
 * its owner only (atomically: processes starting together on one host end up with the same
 * secret); on several hosts, copy the files, or every host makes its own and they refuse each
 * other. A file that others may read or write is refused, naming it and the fix.
 */
public final class Secrets
{
    /** Environment variable holding the replica secret (base64), overriding the file. */
    public static final String REPLICA_SECRET_ENV = "RAMCAST_REPLICA_SECRET";
    /** Environment variable holding the client secret (base64), overriding the file. */
    public static final String CLIENT_SECRET_ENV = "RAMCAST_CLIENT_SECRET";
    /** Default replica secret file, relative to the config's directory. */
    public static final String DEFAULT_REPLICA_SECRET_FILE = "secrets/replica.key";
    /** Default client secret file, relative to the config's directory. */
    public static final String DEFAULT_CLIENT_SECRET_FILE = "secrets/client.key";

    private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final Path replicaSecretFile;
    private final Path clientSecretFile;
    private final UnaryOperator<String> environment;

    /**
     * @param replicaSecretFile absolute path of the replica secret.
     * @param clientSecretFile  absolute path of the client secret.
     * @param environment       reads an environment variable (null if unset).
     */
    Secrets(final Path replicaSecretFile, final Path clientSecretFile, final UnaryOperator<String> environment)
    {
        this.replicaSecretFile = Objects.requireNonNull(replicaSecretFile, "replicaSecretFile");
        this.clientSecretFile = Objects.requireNonNull(clientSecretFile, "clientSecretFile");
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** @return the replica secret's file. */
    public Path replicaSecretFile()
    {
        return replicaSecretFile;
    }

    /** @return the client secret's file. */
    public Path clientSecretFile()
    {
        return clientSecretFile;
    }

    /**
     * @param cluster     the cluster's name.
     * @param incarnation the replica's incarnation.
     * @return a replica's credentials.
     * @throws IllegalStateException if a secret cannot be read or created, or is unfit; the message
     *                               names the file or variable and the fix.
     */
    public FabricCredentials replicaCredentials(final String cluster, final long incarnation)
    {
        return FabricCredentials.server(cluster, secrets(REPLICA_SECRET_ENV, replicaSecretFile, "replica"),
            secrets(CLIENT_SECRET_ENV, clientSecretFile, "client"), incarnation);
    }

    /**
     * @param cluster     the cluster's name.
     * @param incarnation the client's incarnation.
     * @return a client's credentials.
     * @throws IllegalStateException as for {@link #replicaCredentials}.
     */
    public FabricCredentials clientCredentials(final String cluster, final long incarnation)
    {
        return FabricCredentials.client(cluster, secrets(CLIENT_SECRET_ENV, clientSecretFile, "client"), incarnation);
    }

    /**
     * Creates the secret files that do not exist yet.
     *
     * @return the files created.
     * @throws IllegalStateException as for {@link #replicaCredentials}.
     */
    public List<Path> createMissing()
    {
        final List<Path> created = new ArrayList<>();
        for (final Path file : List.of(replicaSecretFile, clientSecretFile))
        {
            if (!Files.exists(file) && create(file))
            {
                created.add(file);
            }
        }
        return created;
    }

    /**
     * Both secrets as environment variables, for child processes that cannot read the files (they
     * run under another user): read, or first created, here.
     *
     * @return {@value #REPLICA_SECRET_ENV} and {@value #CLIENT_SECRET_ENV} to base64.
     * @throws IllegalStateException as for {@link #replicaCredentials}.
     */
    public Map<String, String> environment()
    {
        return Map.of(REPLICA_SECRET_ENV, encoded(secrets(REPLICA_SECRET_ENV, replicaSecretFile, "replica")),
            CLIENT_SECRET_ENV, encoded(secrets(CLIENT_SECRET_ENV, clientSecretFile, "client")));
    }

    private static String encoded(final List<byte[]> secrets)
    {
        final Base64.Encoder base64 = Base64.getEncoder();
        return String.join(",", secrets.stream().map(base64::encodeToString).toList());
    }

    /** @return the secrets of a kind: the first is proved, all are accepted. */
    private List<byte[]> secrets(final String variable, final Path file, final String name)
    {
        final String fromEnvironment = environment.apply(variable);
        if (null != fromEnvironment)
        {
            return decodeAll(List.of(fromEnvironment.split(",")), "environment variable " + variable);
        }
        if (!Files.exists(file) && create(file))
        {
            LOG.warn("created a new {} secret in {}: every host of this cluster needs a copy of it (or the variable {})",
                name, file, variable);
        }
        requirePrivate(file, "the " + name + " secret");
        try
        {
            return decodeAll(Files.readAllLines(file, StandardCharsets.US_ASCII), "the " + name + " secret " + file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalStateException("the " + name + " secret " + file + " does not exist", ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the " + name + " secret " + file + ": " + ex, ex);
        }
    }

    /**
     * Refuses a secret file that users other than its owner may access.
     *
     * @param file the file.
     * @param what what it holds, for the message ("the replica secret").
     * @throws IllegalStateException naming the file, its permissions and the fix.
     */
    static void requirePrivate(final Path file, final String what)
    {
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(OTHERS::contains))
            {
                throw new IllegalStateException(what + " " + file + " is accessible to other users (" +
                    PosixFilePermissions.toString(permissions) + "); refused: make it private (chmod 600 " + file + ")");
            }
        }
        catch (final UnsupportedOperationException ex)
        {
            // not a POSIX file system: nothing to check
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalStateException(what + " " + file + " does not exist", ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the permissions of " + what + " " + file + ": " + ex, ex);
        }
    }

    /**
     * Creates a file holding 32 fresh random bytes in base64, readable by its owner only, atomically.
     *
     * @return whether this call created the file (false: another process did meanwhile).
     */
    static boolean create(final Path file)
    {
        final byte[] secret = new byte[FabricCredentials.MIN_SECRET_BYTES];
        RANDOM.nextBytes(secret);
        final byte[] text = (Base64.getEncoder().encodeToString(secret) + "\n").getBytes(StandardCharsets.US_ASCII);
        try
        {
            if (null != file.getParent())
            {
                Files.createDirectories(file.getParent());
            }
            final Path partial = Files.createTempFile(file.toAbsolutePath().getParent(), ".secret", ".partial");
            try
            {
                setOwnerOnly(partial);
                Files.write(partial, text, StandardOpenOption.TRUNCATE_EXISTING);
                Files.createLink(file, partial); // fails if another process created the file first
                return true;
            }
            catch (final FileAlreadyExistsException ex)
            {
                return false;
            }
            finally
            {
                Files.deleteIfExists(partial);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot create the secret " + file + ": " + ex, ex);
        }
    }

    static void setOwnerOnly(final Path file) throws IOException
    {
        try
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        catch (final UnsupportedOperationException ex)
        {
            // not a POSIX file system
        }
    }

    /** Decodes every non-blank line (or comma-separated part) in order. */
    private static List<byte[]> decodeAll(final List<String> texts, final String what)
    {
        final List<byte[]> secrets = new ArrayList<>();
        int line = 0;
        for (final String text : texts)
        {
            line++;
            if (!text.isBlank())
            {
                secrets.add(decode(text, texts.size() > 1 ? what + " (secret " + line + ")" : what));
            }
        }
        if (secrets.isEmpty())
        {
            throw new IllegalStateException(what + " is empty; it needs one line of base64 of at least " +
                FabricCredentials.MIN_SECRET_BYTES + " random bytes");
        }
        return secrets;
    }

    private static byte[] decode(final String text, final String what)
    {
        final byte[] secret;
        try
        {
            secret = Base64.getDecoder().decode(text.strip());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException(what + " is not base64 (" + ex.getMessage() + ")", ex);
        }
        if (secret.length < FabricCredentials.MIN_SECRET_BYTES)
        {
            throw new IllegalStateException(what + " holds " + secret.length + " bytes; at least " +
                FabricCredentials.MIN_SECRET_BYTES + " random bytes are needed");
        }
        return secret;
    }

    @Override
    public String toString()
    {
        return "Secrets{replica=" + replicaSecretFile + ", client=" + clientSecretFile + '}';
    }
}
