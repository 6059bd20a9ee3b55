package io.ramcast.bench.multicast;

import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.txn.config.Secrets;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The secrets of one {@code multicast-bench --fabric tcp} run: drawn at random when the run starts
 * and handed to its server processes in their environment ({@value Secrets#REPLICA_SECRET_ENV},
 * {@value Secrets#CLIENT_SECRET_ENV}), never on a command line; its servers and clients
 * authenticate with them as a cluster's replicas and clients do, so a benchmark's ports admit
 * only the benchmark's own processes.
 */
final class BenchSecrets
{
    /** The cluster name every proof of a benchmark run binds. */
    static final String CLUSTER = "multicast-bench";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] serverSecret;
    private final byte[] clientSecret;

    private BenchSecrets(final byte[] serverSecret, final byte[] clientSecret)
    {
        this.serverSecret = serverSecret;
        this.clientSecret = clientSecret;
    }

    /** @return fresh random secrets for a run. */
    static BenchSecrets random()
    {
        final byte[] server = new byte[FabricCredentials.MIN_SECRET_BYTES];
        final byte[] client = new byte[FabricCredentials.MIN_SECRET_BYTES];
        RANDOM.nextBytes(server);
        RANDOM.nextBytes(client);
        return new BenchSecrets(server, client);
    }

    /**
     * @param environment reads an environment variable (null if unset).
     * @return the secrets a parent run handed down.
     * @throws IllegalArgumentException naming the variable if one is missing or not base64.
     */
    static BenchSecrets fromEnvironment(final UnaryOperator<String> environment)
    {
        return new BenchSecrets(decode(environment, Secrets.REPLICA_SECRET_ENV),
            decode(environment, Secrets.CLIENT_SECRET_ENV));
    }

    private static byte[] decode(final UnaryOperator<String> environment, final String variable)
    {
        final String value = environment.apply(variable);
        if (null == value)
        {
            throw new IllegalArgumentException("the environment variable " + variable + " is not set: a multicast-bench " +
                "server takes its run's secrets from its parent, multicast-bench --fabric tcp");
        }
        try
        {
            return Base64.getDecoder().decode(value.strip());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("the environment variable " + variable + " is not base64", ex);
        }
    }

    /** @return the variables that hand these secrets to a server process. */
    Map<String, String> environment()
    {
        final Base64.Encoder base64 = Base64.getEncoder();
        return Map.of(Secrets.REPLICA_SECRET_ENV, base64.encodeToString(serverSecret),
            Secrets.CLIENT_SECRET_ENV, base64.encodeToString(clientSecret));
    }

    /** @return a server's credentials. */
    FabricCredentials server()
    {
        return FabricCredentials.server(CLUSTER, serverSecret, clientSecret, FabricCredentials.newIncarnation());
    }

    /** @return a client's credentials. */
    FabricCredentials client()
    {
        return FabricCredentials.client(CLUSTER, clientSecret, FabricCredentials.newIncarnation());
    }
}
