package io.ramcast.multicast.fabric;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the TLS context of the {@code tcp} fabric ({@link TcpFabricOptions#tls()}) from a key
 * store (this process's private key and certificate chain) and a trust store (the certificates,
 * usually one cluster CA's, that peers' chains must lead to). Both are read with the JDK's
 * {@link KeyStore}, whose type (PKCS12 or JKS) is detected from the file.
 */
public final class FabricTls
{
    private FabricTls()
    {
    }

    /**
     * @param keyStore   the key store file.
     * @param trustStore the trust store file.
     * @param password   the password of both stores and of the key in the key store.
     * @return a TLS 1.3 context.
     * @throws IllegalArgumentException naming the file, if a store is missing, unreadable, has a wrong
     *                                  password or holds no usable key or certificate.
     */
    public static SSLContext context(final Path keyStore, final Path trustStore, final char[] password)
    {
        final KeyStore keys = load(keyStore, password, "key store");
        final KeyStore trusted = load(trustStore, password, "trust store");
        try
        {
            if (!hasKey(keys))
            {
                throw new IllegalArgumentException("tls key store " + keyStore + " holds no private key");
            }
            if (0 == trusted.size())
            {
                throw new IllegalArgumentException("tls trust store " + trustStore + " holds no certificate");
            }
            final KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            final TrustManagerFactory trustManagers =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            final SSLContext context = SSLContext.getInstance(TcpConnection.TLS_PROTOCOL);
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("tls: cannot use key store " + keyStore + " and trust store " +
                trustStore + ": " + ex.getMessage(), ex);
        }
    }

    private static boolean hasKey(final KeyStore keys) throws GeneralSecurityException
    {
        for (final String alias : java.util.Collections.list(keys.aliases()))
        {
            if (keys.isKeyEntry(alias))
            {
                return true;
            }
        }
        return false;
    }

    private static KeyStore load(final Path file, final char[] password, final String what)
    {
        if (!Files.isRegularFile(file))
        {
            throw new IllegalArgumentException("tls " + what + " " + file + " does not exist");
        }
        try
        {
            return KeyStore.getInstance(file.toFile(), password);
        }
        catch (final IOException | GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("tls " + what + " " + file + " cannot be read (" + ex.getMessage() +
                "; a wrong password, or not a PKCS12 or JKS file)", ex);
        }
    }

    /**
     * Creates a self-signed EC (P-256) key pair valid for {@code validityDays}, in a new PKCS12 key
     * store, and a new PKCS12 trust store holding its certificate, with the JDK's {@code keytool}
     * (of the running JVM). Every process given both files trusts every other: the simplest
     * deployment, where the key store is a cluster-wide secret like the replica secret. Deployments
     * that give each host its own key use a CA instead (README).
     *
     * @param keyStore     the key store to create; must not exist.
     * @param trustStore   the trust store to create; must not exist.
     * @param password     the password of both stores.
     * @param commonName   the certificate's subject common name.
     * @param validityDays how long the certificate is valid.
     * @throws IllegalStateException if a file exists already or keytool fails, with its output.
     */
    public static void createSelfSigned(final Path keyStore, final Path trustStore, final char[] password,
        final String commonName, final int validityDays)
    {
        for (final Path file : List.of(keyStore, trustStore))
        {
            if (Files.exists(file))
            {
                throw new IllegalStateException("tls store " + file + " exists already; not overwritten");
            }
        }
        final Path certificate = keyStore.resolveSibling(keyStore.getFileName() + ".crt.partial");
        final String storePassword = new String(password);
        try
        {
            keytool("-genkeypair", "-alias", "ramcast", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + commonName, "-validity", Integer.toString(validityDays), "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass:env", KEYTOOL_PASSWORD_ENV, "-keypass:env",
                KEYTOOL_PASSWORD_ENV).accept(storePassword);
            keytool("-exportcert", "-alias", "ramcast", "-keystore", keyStore.toString(), "-storepass:env",
                KEYTOOL_PASSWORD_ENV, "-file", certificate.toString()).accept(storePassword);
            keytool("-importcert", "-noprompt", "-alias", "ramcast-cluster", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass:env", KEYTOOL_PASSWORD_ENV)
                .accept(storePassword);
        }
        finally
        {
            try
            {
                Files.deleteIfExists(certificate);
            }
            catch (final IOException ex)
            {
                // a leftover public certificate is harmless
            }
        }
    }

    /** The variable the password reaches keytool through (not its command line, which others may read). */
    private static final String KEYTOOL_PASSWORD_ENV = "RAMCAST_KEYTOOL_PASSWORD";

    private static java.util.function.Consumer<String> keytool(final String... arguments)
    {
        return password ->
        {
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
            command.addAll(List.of(arguments));
            final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put(KEYTOOL_PASSWORD_ENV, password);
            try
            {
                final Process process = builder.start();
                final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(2, TimeUnit.MINUTES) || 0 != process.exitValue())
                {
                    process.destroyForcibly();
                    throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output.strip());
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot run " + command.get(0) + ": " + ex.getMessage() +
                    " (a JDK's keytool is needed to create tls stores)", ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running keytool", ex);
            }
        };
    }
}
