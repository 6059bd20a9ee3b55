package io.ramcast.bench.admin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.storage.admin.ReplicaStatus;
import io.ramcast.txn.config.ReplicaConfig;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Asks replicas' admin ports for their {@link ReplicaStatus}, all at once, each within a timeout.
 */
final class AdminClient
{
    private static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false); // newer replicas may say more

    /**
     * One replica's answer, or why there is none.
     *
     * @param replica the replica's config entry.
     * @param status  what it said, or null.
     * @param problem why it said nothing ({@code no adminPort}, {@code connection refused}, ...), or null.
     */
    record Answer(ReplicaConfig replica, ReplicaStatus status, String problem)
    {
    }

    private final HttpClient http;
    private final Duration timeout;

    AdminClient(final Duration timeout)
    {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** @return one answer per replica, in the given order. */
    List<Answer> ask(final List<ReplicaConfig> replicas) throws InterruptedException
    {
        final List<CompletableFuture<Answer>> pending = new ArrayList<>();
        for (final ReplicaConfig r : replicas)
        {
            pending.add(r.servesAdmin() ? askOne(r) :
                CompletableFuture.completedFuture(new Answer(r, null, "no adminPort in the config")));
        }
        final List<Answer> answers = new ArrayList<>();
        for (final CompletableFuture<Answer> f : pending)
        {
            try
            {
                answers.add(f.get());
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                throw new IllegalStateException(ex.getCause()); // askOne completes every failure into an Answer
            }
        }
        return answers;
    }

    private CompletableFuture<Answer> askOne(final ReplicaConfig r)
    {
        final URI uri = URI.create("http://" + hostForUri(r.host()) + ":" + r.adminPort() + "/status");
        final HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) ->
        {
            if (failure != null)
            {
                return new Answer(r, null, describe(failure));
            }
            if (response.statusCode() != 200)
            {
                return new Answer(r, null, "HTTP " + response.statusCode() + " from " + uri);
            }
            try
            {
                return new Answer(r, JSON.readValue(response.body(), ReplicaStatus.class), null);
            }
            catch (final IOException ex)
            {
                return new Answer(r, null, "not a replica's status at " + uri + ": " + ex.getMessage());
            }
        });
    }

    private static String hostForUri(final String host)
    {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    private String describe(final Throwable failure)
    {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException || t.getCause() instanceof ConnectException ||
            t.getCause() instanceof HttpTimeoutException) && t.getCause() != null)
        {
            t = t.getCause();
        }
        if (t instanceof ConnectException)
        {
            return "connection refused (not running?)";
        }
        if (t instanceof HttpConnectTimeoutException || t instanceof HttpTimeoutException)
        {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        return t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
    }
}
