package io.ramcast.multicast.fabric;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a process proves its membership with when it connects: the cluster's name, the shared
 * secrets it holds, and its incarnation.
 *
 * <p>Two secrets, so that holding the clients' secret never lets anyone pass as a server: a
 * connection between two servers (processes that listen: replicas) is authenticated with the
 * server secret, a connection between a client and a server with the client secret. Servers hold
 * both; clients hold only the client secret.
 *
 * <p>The handshake is a mutual challenge–response over fresh nonces: each side sends a random
 * {@value #NONCE_BYTES}-byte nonce and proves it holds the secret with an HMAC-SHA-256 over a
 * domain tag, the cluster name, its own id, role and incarnation, the other side's id, the other
 * side's nonce and its own nonce ({@link #proof}). A proof is bound to the connection (the
 * verifier's fresh nonce), so recording one and playing it back later fails. What it does not
 * protect against is an attacker on the path between two members, who could relay and then alter
 * frames; that needs the fabric's encryption.
 *
 * <p>During a rotation a process holds several secrets of a kind: it proves with the first and
 * accepts a proof made with any ({@link #server(String, List, List, long)}).
 *
 * <p>Immutable; the secrets are copied in and never handed out.
 */
public final class FabricCredentials
{
    /** The last incarnation {@link #newIncarnation()} handed out in this JVM. */
    private static final java.util.concurrent.atomic.AtomicLong LAST_INCARNATION = new java.util.concurrent.atomic.AtomicLong();
    /** Shortest secret accepted: 256 bits. */
    public static final int MIN_SECRET_BYTES = 32;
    /** Length of a handshake nonce. */
    public static final int NONCE_BYTES = 32;
    /** Length of a proof (HMAC-SHA-256). */
    public static final int PROOF_BYTES = 32;

    private static final String MAC_ALGORITHM = "HmacSHA256";
    private static final byte[] DOMAIN = "ramcast-fabric-auth-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_PROOF_DOMAIN = "ramcast-server-proof-v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom NONCES = new SecureRandom();

    private final byte[] cluster;
    /** The server secrets accepted, the first of which this process proves; empty for a client. */
    private final List<byte[]> serverSecrets;
    /** The client secrets accepted, the first of which this process proves. */
    private final List<byte[]> clientSecrets;
    private final long incarnation;

    private FabricCredentials(final String cluster, final List<byte[]> serverSecrets, final List<byte[]> clientSecrets,
        final long incarnation)
    {
        if (Objects.requireNonNull(cluster, "cluster").isEmpty())
        {
            throw new IllegalArgumentException("cluster name must not be empty");
        }
        this.cluster = cluster.getBytes(StandardCharsets.UTF_8);
        this.serverSecrets = checked(serverSecrets, "server secret");
        this.clientSecrets = checked(clientSecrets, "client secret");
        if (clientSecrets.isEmpty())
        {
            throw new IllegalArgumentException("a client secret is required");
        }
        for (final byte[] serverSecret : this.serverSecrets)
        {
            for (final byte[] clientSecret : this.clientSecrets)
            {
                if (Arrays.equals(serverSecret, clientSecret))
                {
                    throw new IllegalArgumentException("the server and client secrets must differ: a client would " +
                        "otherwise pass as a server");
                }
            }
        }
        this.incarnation = incarnation;
    }

    /**
     * @param cluster      the cluster's name (part of every proof: a member of one cluster is no
     *                     member of another with the same secrets).
     * @param serverSecret the secret of the servers, at least {@value #MIN_SECRET_BYTES} bytes.
     * @param clientSecret the secret of the clients, as long, different from the server secret.
     * @param incarnation  this process's incarnation: larger after every restart (for example its
     *                     start time in microseconds).
     * @return credentials of a server, which authenticates servers and clients.
     */
    public static FabricCredentials server(final String cluster, final byte[] serverSecret, final byte[] clientSecret,
        final long incarnation)
    {
        return server(cluster, List.of(Objects.requireNonNull(serverSecret, "serverSecret")),
            List.of(Objects.requireNonNull(clientSecret, "clientSecret")), incarnation);
    }

    /**
     * Server credentials during a rotation: the first secret of each list is the one this process
     * proves, every one is accepted from peers (README, "Rotating secrets").
     *
     * @param cluster       the cluster's name.
     * @param serverSecrets the server secrets, at least one.
     * @param clientSecrets the client secrets, at least one, none equal to a server secret.
     * @param incarnation   this process's incarnation.
     * @return credentials of a server.
     */
    public static FabricCredentials server(final String cluster, final List<byte[]> serverSecrets,
        final List<byte[]> clientSecrets, final long incarnation)
    {
        if (serverSecrets.isEmpty())
        {
            throw new IllegalArgumentException("a server secret is required");
        }
        return new FabricCredentials(cluster, serverSecrets, clientSecrets, incarnation);
    }

    /**
     * @param cluster      the cluster's name.
     * @param clientSecret the secret of the clients, at least {@value #MIN_SECRET_BYTES} bytes.
     * @param incarnation  this process's incarnation.
     * @return credentials of a client, which can authenticate only to servers.
     */
    public static FabricCredentials client(final String cluster, final byte[] clientSecret, final long incarnation)
    {
        return client(cluster, List.of(Objects.requireNonNull(clientSecret, "clientSecret")), incarnation);
    }

    /**
     * Client credentials during a rotation: the first secret is proved, every one accepted.
     *
     * @param cluster       the cluster's name.
     * @param clientSecrets the client secrets, at least one.
     * @param incarnation   this process's incarnation.
     * @return credentials of a client.
     */
    public static FabricCredentials client(final String cluster, final List<byte[]> clientSecrets,
        final long incarnation)
    {
        return new FabricCredentials(cluster, List.of(), clientSecrets, incarnation);
    }

    /** @return whether these credentials hold the server secret. */
    public boolean holdsServerSecret()
    {
        return !serverSecrets.isEmpty();
    }

    /** @return this process's incarnation. */
    public long incarnation()
    {
        return incarnation;
    }

    /**
     * @return an incarnation for a process starting now: the wall clock in microseconds, so a
     *         restarted process (on a host whose clock does not jump back) has a larger one, and
     *         above every incarnation this JVM handed out before, so that two clients of one JVM
     *         created in the same microsecond (two threads leasing at once) differ: a server takes a
     *         connection with its holder's incarnation for a reconnection of the same process and
     *         would let the second in in place of the first.
     */
    public static long newIncarnation()
    {
        final java.time.Instant now = java.time.Instant.now();
        final long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        return LAST_INCARNATION.accumulateAndGet(micros, (last, clock) -> Math.max(clock, last + 1));
    }

    /** @return a fresh random nonce for one handshake. */
    public static byte[] newNonce()
    {
        final byte[] nonce = new byte[NONCE_BYTES];
        NONCES.nextBytes(nonce);
        return nonce;
    }

    /**
     * The proof a prover sends a verifier.
     *
     * @param proverId           the prover's process id.
     * @param proverIsServer     whether the prover is a server.
     * @param proverIncarnation  the prover's incarnation.
     * @param verifierId         the verifier's process id.
     * @param verifierIsServer   whether the verifier is a server.
     * @param verifierNonce      the nonce the verifier sent.
     * @param proverNonce        the nonce the prover sent.
     * @return the proof, or null if these credentials lack the secret that connection needs (a
     *         client asked about a connection between servers).
     */
    public byte[] proof(final int proverId, final boolean proverIsServer, final long proverIncarnation, final int verifierId,
        final boolean verifierIsServer, final byte[] verifierNonce, final byte[] proverNonce)
    {
        final List<byte[]> keys = proverIsServer && verifierIsServer ? serverSecrets : clientSecrets;
        if (keys.isEmpty())
        {
            return null;
        }
        return proof(keys.get(0), proverId, proverIsServer, proverIncarnation, verifierId, verifierIsServer,
            verifierNonce, proverNonce);
    }

    /**
     * Checks a peer's proof against every accepted secret of the connection's kind.
     *
     * @param received the proof the peer sent; the other parameters as for {@link #proof}.
     * @return whether some accepted secret gives exactly that proof (each compared in constant time).
     */
    public boolean verifies(final int proverId, final boolean proverIsServer, final long proverIncarnation,
        final int verifierId, final boolean verifierIsServer, final byte[] verifierNonce, final byte[] proverNonce,
        final byte[] received)
    {
        boolean verified = false;
        for (final byte[] key : proverIsServer && verifierIsServer ? serverSecrets : clientSecrets)
        {
            verified |= matches(proof(key, proverId, proverIsServer, proverIncarnation, verifierId, verifierIsServer,
                verifierNonce, proverNonce), received);
        }
        return verified;
    }

    /**
     * The message every fabric gives when a peer's proof does not hold.
     *
     * @param peerId         the peer.
     * @param serverToServer whether the connection needed the server secret (both ends are servers).
     * @return {@code authentication failed: process N did not prove ...}, naming the secret and the
     *         usual causes.
     */
    public static String notProven(final int peerId, final boolean serverToServer)
    {
        return "authentication failed: process " + peerId + " did not prove that it holds the " +
            (serverToServer ? "server" : "client") + " secret of this cluster (a wrong or missing secret, another " +
            "cluster's name, or not a member)";
    }

    private byte[] proof(final byte[] key, final int proverId, final boolean proverIsServer, final long proverIncarnation,
        final int verifierId, final boolean verifierIsServer, final byte[] verifierNonce, final byte[] proverNonce)
    {
        final ByteBuffer input = ByteBuffer.allocate(DOMAIN.length + 4 + cluster.length + 4 + 1 + 8 + 4 + 1 +
            verifierNonce.length + proverNonce.length);
        input.put(DOMAIN).putInt(cluster.length).put(cluster)
            .putInt(proverId).put((byte)(proverIsServer ? 1 : 2)).putLong(proverIncarnation)
            .putInt(verifierId).put((byte)(verifierIsServer ? 1 : 2))
            .put(verifierNonce).put(proverNonce);
        return hmac(key, input.array());
    }

    /**
     * A proof of holding the server secret over a context the caller defines, for channels other
     * than the fabric (the snapshot port): an HMAC-SHA-256 keyed with the server secret over a
     * domain tag of its own, the cluster name and the context, which must hold fresh nonces of
     * both sides and say who proves to whom.
     *
     * @param context the bytes to prove over.
     * @return the proof, {@value #PROOF_BYTES} bytes.
     * @throws IllegalStateException if these credentials hold no server secret.
     */
    public byte[] serverProof(final byte[] context)
    {
        if (serverSecrets.isEmpty())
        {
            throw new IllegalStateException("these credentials hold only the client secret");
        }
        return serverProof(serverSecrets.get(0), context);
    }

    private byte[] serverProof(final byte[] key, final byte[] context)
    {
        final ByteBuffer input = ByteBuffer.allocate(SERVER_PROOF_DOMAIN.length + 4 + cluster.length + context.length);
        input.put(SERVER_PROOF_DOMAIN).putInt(cluster.length).put(cluster).put(context);
        return hmac(key, input.array());
    }

    /**
     * @param context  the bytes the proof was made over.
     * @param received the peer's proof.
     * @return whether it is the proof {@link #serverProof} gives with some accepted server secret,
     *         each compared in constant time.
     * @throws IllegalStateException if these credentials hold no server secret.
     */
    public boolean isServerProof(final byte[] context, final byte[] received)
    {
        if (serverSecrets.isEmpty())
        {
            throw new IllegalStateException("these credentials hold only the client secret");
        }
        boolean verified = false;
        for (final byte[] key : serverSecrets)
        {
            verified |= matches(serverProof(key, context), received);
        }
        return verified;
    }

    private static byte[] hmac(final byte[] key, final byte[] input)
    {
        try
        {
            final Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(new SecretKeySpec(key, MAC_ALGORITHM));
            return mac.doFinal(input);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(MAC_ALGORITHM + " is required of every Java platform but failed", ex);
        }
    }

    /**
     * @param expected the proof computed here, or null.
     * @param received the proof the peer sent.
     * @return whether they are equal, compared in time independent of where they differ.
     */
    static boolean matches(final byte[] expected, final byte[] received)
    {
        return null != expected && MessageDigest.isEqual(expected, received);
    }

    private static List<byte[]> checked(final List<byte[]> secrets, final String name)
    {
        final List<byte[]> copies = new ArrayList<>(secrets.size());
        for (final byte[] secret : secrets)
        {
            Objects.requireNonNull(secret, name);
            if (secret.length < MIN_SECRET_BYTES)
            {
                throw new IllegalArgumentException("the " + name + " has " + secret.length + " bytes; at least " +
                    MIN_SECRET_BYTES + " are required");
            }
            copies.add(secret.clone());
        }
        return List.copyOf(copies);
    }

    @Override
    public String toString()
    {
        return "FabricCredentials{cluster=" + new String(cluster, StandardCharsets.UTF_8) + ", " +
            (holdsServerSecret() ? "server" : "client") + ", incarnation=" + incarnation + '}'; // never the secrets
    }
}
