package io.ramcast.txn.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

import javax.net.ssl.SSLContext;

import io.ramcast.multicast.fabric.FabricTls;

/**
 * The {@code security.tls} section: encrypts every connection of the tcp fabric and of the
 * snapshot port with TLS 1.3, both sides presenting a certificate their peer's trust store
 * accepts. Authentication with the cluster's secrets ({@link Secrets}) stays in force inside it.
 *
 * <p>The key store holds this host's private key and certificate chain, the trust store the
 * certificate (usually one cluster CA's) every peer's chain must lead to; both are PKCS12 or JKS,
 * protected by one password, read from {@value #PASSWORD_ENV} if set, else from the password file
 * (one line, readable by its owner only; a file others may access is refused).
 */
public final class TlsSettings
{
    /** Environment variable holding the stores' password, overriding the password file. */
    public static final String PASSWORD_ENV = "RAMCAST_TLS_PASSWORD";
    /** Default password file, relative to the config's directory. */
    public static final String DEFAULT_PASSWORD_FILE = "secrets/tls.password";
    /** Validity of the certificate {@link #createMissing} makes. */
    public static final int SELF_SIGNED_VALIDITY_DAYS = 825;

    private final Path keyStore;
    private final Path trustStore;
    private final Path passwordFile;
    private final UnaryOperator<String> environment;

    /**
     * @param keyStore     absolute path of the key store.
     * @param trustStore   absolute path of the trust store.
     * @param passwordFile absolute path of the password file.
     * @param environment  reads an environment variable (null if unset).
     */
    TlsSettings(final Path keyStore, final Path trustStore, final Path passwordFile,
        final UnaryOperator<String> environment)
    {
        this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
        this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
        this.passwordFile = Objects.requireNonNull(passwordFile, "passwordFile");
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** @return the key store file. */
    public Path keyStore()
    {
        return keyStore;
    }

    /** @return the trust store file. */
    public Path trustStore()
    {
        return trustStore;
    }

    /** @return the password file (unused while {@value #PASSWORD_ENV} is set). */
    public Path passwordFile()
    {
        return passwordFile;
    }

    /**
     * Creates what does not exist yet, for a cluster whose hosts share one key pair: the password
     * file (random, mode 600, unless {@value #PASSWORD_ENV} is set), and, if neither store exists, a
     * self-signed key pair valid for {@value #SELF_SIGNED_VALIDITY_DAYS} days in the key store (mode
     * 600) with its certificate in the trust store ({@link FabricTls#createSelfSigned}).
     *
     * @param cluster the cluster's name, the certificate's common name.
     * @return the files created.
     * @throws IllegalStateException if only one of the stores exists, or creating one fails.
     */
    public List<Path> createMissing(final String cluster)
    {
        final List<Path> created = new ArrayList<>();
        if (Files.exists(keyStore) != Files.exists(trustStore))
        {
            throw new IllegalStateException("tls key store " + keyStore + (Files.exists(keyStore) ? " exists" : " is missing") +
                " but trust store " + trustStore + (Files.exists(trustStore) ? " exists" : " is missing") +
                "; create both (or remove both to have new ones made)");
        }
        if (null == environment.apply(PASSWORD_ENV) && !Files.exists(passwordFile) && Secrets.create(passwordFile))
        {
            created.add(passwordFile);
        }
        if (!Files.exists(keyStore))
        {
            final char[] password = password();
            try
            {
                for (final Path file : List.of(keyStore, trustStore))
                {
                    if (null != file.getParent())
                    {
                        Files.createDirectories(file.getParent());
                    }
                }
                FabricTls.createSelfSigned(keyStore, trustStore, password, "ramcast cluster " + cluster,
                    SELF_SIGNED_VALIDITY_DAYS);
                Secrets.setOwnerOnly(keyStore);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot create tls stores " + keyStore + ", " + trustStore + ": " + ex, ex);
            }
            finally
            {
                java.util.Arrays.fill(password, '\0');
            }
            created.add(keyStore);
            created.add(trustStore);
        }
        return created;
    }

    /**
     * Reads the password and both stores.
     *
     * @return the TLS context.
     * @throws IllegalStateException naming the file and the fix if the password or a store cannot be
     *                               read or used.
     */
    public SSLContext context()
    {
        Secrets.requirePrivate(keyStore, "the tls key store (it holds the private key)");
        final char[] password = password();
        try
        {
            return FabricTls.context(keyStore, trustStore, password);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException(ex.getMessage(), ex);
        }
        finally
        {
            java.util.Arrays.fill(password, '\0');
        }
    }

    private char[] password()
    {
        final String fromEnvironment = environment.apply(PASSWORD_ENV);
        if (null != fromEnvironment)
        {
            return fromEnvironment.toCharArray();
        }
        Secrets.requirePrivate(passwordFile, "the tls password file");
        try
        {
            final String text = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            if (text.isEmpty())
            {
                throw new IllegalStateException("the tls password file " + passwordFile + " is empty");
            }
            return text.toCharArray();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the tls password file " + passwordFile + ": " + ex, ex);
        }
    }

    @Override
    public String toString()
    {
        return "TlsSettings{keyStore=" + keyStore + ", trustStore=" + trustStore + ", passwordFile=" + passwordFile + '}';
    }
}
