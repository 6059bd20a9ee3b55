package io.ramcast.multicast.fabric;

import java.nio.file.Path;

import javax.net.ssl.SSLContext;

/**
 * Stores made with {@link FabricTls#createSelfSigned}: a key pair in {@code NAME-key.p12} and its
 * certificate in {@code NAME-trust.p12}. Processes given the same pair trust each other; another
 * pair is a stranger.
 */
final class TlsStores
{
    static final char[] PASSWORD = "store-password".toCharArray();

    private TlsStores()
    {
    }

    /**
     * @return the context of a new pair named {@code name} in {@code dir}.
     */
    static SSLContext create(final Path dir, final String name)
    {
        final Path key = dir.resolve(name + "-key.p12");
        final Path trust = dir.resolve(name + "-trust.p12");
        FabricTls.createSelfSigned(key, trust, PASSWORD, name, 30);
        return FabricTls.context(key, trust, PASSWORD);
    }
}
