package io.ramcast.bench.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of one etcd member, through its v3 JSON gateway over HTTP/1.1 ({@link HttpClient} of
 * the JDK): runs this store's transactions as etcd requests ({@link EtcdCodec}), so that the bench
 * drives etcd with the same operations as this store.
 *
 * <p>Connections: the client owns one {@link HttpClient}, which keeps a pool of keep-alive
 * connections to its endpoint; a thread that executes one request at a time (a closed-loop worker)
 * keeps reusing one connection. Requests go to this client's endpoint only: the bench pins its
 * clients to endpoints round-robin, as etcd's own benchmark tool does, and a member that does not
 * lead forwards writes (and asks the leader before a linearizable read) itself.
 *
 * <p>Threading: thread-safe; {@link #execute} blocks the calling thread for at most about the
 * request timeout. Its outcomes are typed as the store client's: committed, definitely not
 * committed (a failed comparison, a refused request) or unknown (timeout, lost connection, no
 * leader, interrupted). Nothing needs closing: the {@link HttpClient}'s threads end when it is no
 * longer referenced.
 */
public final class EtcdClient
{
    /** Most operations in one transaction: etcd's default {@code --max-txn-ops}. */
    public static final int MAX_TXN_OPS = 128;
    /** Largest value the target accepts: well below etcd's default {@code --max-request-bytes} of 1.5 MiB. */
    public static final int MAX_VALUE_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI endpoint;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final AtomicLong requests = new AtomicLong();

    private EtcdClient(final URI endpoint, final HttpClient http, final Duration requestTimeout)
    {
        this.endpoint = endpoint;
        this.http = http;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Creates a client; nothing is sent until the first request.
     *
     * @param endpoint       the member's client URL, {@code http://host:port} ({@link #checkEndpoint}).
     * @param requestTimeout how long a request may take before its outcome is unknown; positive.
     * @return the client.
     * @throws IllegalArgumentException if the endpoint or the timeout is refused.
     */
    public static EtcdClient create(final URI endpoint, final Duration requestTimeout)
    {
        checkEndpoint(endpoint);
        if (requestTimeout.isZero() || requestTimeout.isNegative())
        {
            throw new IllegalArgumentException("the etcd request timeout must be positive: " + requestTimeout);
        }
        final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(requestTimeout)
            .build();
        return new EtcdClient(endpoint, http, requestTimeout);
    }

    /**
     * @param endpoint an etcd client URL.
     * @throws IllegalArgumentException unless it is {@code http://host:port} with no path other than
     *                                  {@code /}, no query and no user.
     */
    public static void checkEndpoint(final URI endpoint)
    {
        Objects.requireNonNull(endpoint, "endpoint");
        if (!"http".equals(endpoint.getScheme()))
        {
            throw new IllegalArgumentException("etcd endpoint " + endpoint + " must be http://host:port (the etcd " +
                "target speaks plain HTTP to the v3 gateway, no TLS)");
        }
        if (endpoint.getHost() == null || endpoint.getPort() < 0 || endpoint.getUserInfo() != null ||
            endpoint.getQuery() != null || endpoint.getFragment() != null ||
            !(endpoint.getPath() == null || endpoint.getPath().isEmpty() || endpoint.getPath().equals("/")))
        {
            throw new IllegalArgumentException("etcd endpoint " + endpoint + " must be http://host:port, with a port " +
                "and nothing after it");
        }
    }

    /** @return the member this client talks to. */
    public URI endpoint()
    {
        return endpoint;
    }

    /**
     * Runs a transaction as one etcd request and waits for its outcome.
     *
     * @param transaction gets, puts, deletes and compare-and-sets (see {@link EtcdCodec}).
     * @return its outcome; {@link TxnOutcome.Unknown} after a timeout, a lost or refused connection,
     *         an error etcd gives when it cannot tell (no leader, timed out), or an interrupt (the
     *         interrupt status is set again).
     * @throws IllegalArgumentException if etcd cannot run the transaction as this store would.
     * @throws EtcdException            if the answer is no outcome of the request.
     */
    public TxnOutcome execute(final Transaction transaction)
    {
        final EtcdCodec.Call call = EtcdCodec.encode(transaction);
        final long requestId = requests.incrementAndGet();
        final HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(call.path()))
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(call.body()))
            .build();
        final HttpResponse<byte[]> response;
        try
        {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (final HttpTimeoutException ex)
        {
            return new TxnOutcome.Unknown(requestId, "etcd at " + endpoint + ": no answer within " +
                requestTimeout.toMillis() + " ms");
        }
        catch (final IOException ex)
        {
            return new TxnOutcome.Unknown(requestId, "etcd at " + endpoint + ": " + ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new TxnOutcome.Unknown(requestId, "interrupted while waiting for etcd at " + endpoint);
        }
        try
        {
            return EtcdCodec.decode(call, requestId, response.statusCode(), response.body());
        }
        catch (final EtcdException ex)
        {
            throw new EtcdException("etcd at " + endpoint + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Reads one key (a linearizable range request).
     *
     * @param key the key.
     * @return its value, or null if absent.
     * @throws EtcdException if the outcome is not a committed read.
     */
    public byte[] get(final byte[] key)
    {
        final TxnOutcome outcome = execute(Transaction.builder().get(key).build());
        if (outcome instanceof TxnOutcome.Committed committed)
        {
            return ((Result.Value)committed.results().get(0)).value();
        }
        throw new EtcdException("reading " + EtcdCodec.base64(key) + " (base64) from etcd at " + endpoint + ": " +
            outcome);
    }

    /**
     * Asks the member for its version ({@code GET /version}); also shows that it answers.
     *
     * @return the server's and the cluster's version.
     * @throws EtcdException if it cannot be reached within the request timeout or answers something else.
     */
    public Version version()
    {
        final HttpRequest request = HttpRequest.newBuilder(endpoint.resolve("/version")).timeout(requestTimeout)
            .GET().build();
        final HttpResponse<byte[]> response;
        try
        {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (final IOException ex)
        {
            throw new EtcdException("etcd at " + endpoint + " cannot be reached: " + ex, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new EtcdException("interrupted while asking etcd at " + endpoint + " for its version", ex);
        }
        JsonNode json = null;
        IOException notJson = null;
        try
        {
            json = MAPPER.readTree(response.body());
        }
        catch (final IOException ex)
        {
            notJson = ex;
        }
        if (response.statusCode() == 200 && json != null && json.hasNonNull("etcdserver"))
        {
            return new Version(json.get("etcdserver").asText(), json.path("etcdcluster").asText(""));
        }
        throw new EtcdException("GET " + endpoint.resolve("/version") + " answered HTTP " + response.statusCode() +
            " without an etcd version (is this an etcd client URL?)", notJson);
    }

    /**
     * What {@code GET /version} says.
     *
     * @param server  the member's version, e.g. {@code 3.4.23}.
     * @param cluster the cluster's version, e.g. {@code 3.4.0} (empty if not given).
     */
    public record Version(String server, String cluster)
    {
        @Override
        public String toString()
        {
            return server + (cluster.isEmpty() ? "" : " (cluster " + cluster + ")");
        }
    }

    @Override
    public String toString()
    {
        return "EtcdClient{" + endpoint + '}';
    }

    /**
     * @param endpoints client URLs.
     * @param index     a client index, non-negative.
     * @return the endpoint that client is pinned to: {@code endpoints[index mod n]}.
     */
    public static URI pinnedEndpoint(final List<URI> endpoints, final int index)
    {
        return endpoints.get(index % endpoints.size());
    }
}
