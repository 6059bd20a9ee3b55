package io.ramcast.storage.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ramcast.storage.ReplicaServer;
import io.ramcast.txn.config.ClusterConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A replica's admin port: a small HTTP server, on one daemon thread of its own, that answers
 * <ul>
 *   <li>{@code GET /status}: {@link ReplicaStatus} as JSON (what {@code ramcast status} asks);</li>
 *   <li>{@code GET /metrics}: every meter of {@link ReplicaMetrics} in the Prometheus text format;</li>
 *   <li>{@code GET /health}: 200 while the replica runs, 503 once an error stopped it (liveness);</li>
 *   <li>{@code GET /ready}: 200 while it is up (caught up with its partition), 503 otherwise, with
 *       its state (readiness: send clients to it).</li>
 * </ul>
 *
 * <p>Read-only: it changes nothing, reads no key or value and serves nothing secret, so it asks
 * for no credentials, as etcd's and most servers' metrics ports do; bind it to a network only
 * operators and the metrics scraper reach. The same thread samples the replica once a second for
 * its commit rate and ballot changes.
 */
public final class AdminServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReplicaMetrics metrics;
    private final HttpServer http;
    private final ScheduledExecutorService thread;
    private final int id;
    private boolean closed;

    private AdminServer(final ReplicaMetrics metrics, final HttpServer http, final int id)
    {
        this.metrics = metrics;
        this.http = http;
        this.id = id;
        this.thread = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "replica-" + id + "-admin");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Binds the replica's admin port (so that a port in use fails the replica's start) and
     * registers its metrics; {@link #start()} serves.
     *
     * @param replica the replica, built.
     * @param config  the cluster's config; the replica's entry sets {@code adminPort}.
     * @return the server, bound, not yet serving.
     * @throws UncheckedIOException naming the address if it cannot be bound.
     */
    public static AdminServer open(final ReplicaServer replica, final ClusterConfig config)
    {
        final InetSocketAddress address = replica.replica().adminAddress();
        final HttpServer http;
        try
        {
            http = HttpServer.create(address, 16);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("replica " + replica.replica().id() + ": cannot listen on its adminPort " +
                address.getHostString() + ":" + address.getPort() + ": " + ex.getMessage(), ex);
        }
        final ReplicaMetrics metrics = new ReplicaMetrics(replica, config.clusterName(), config.clientIds(),
            config.fabric().name().toLowerCase(Locale.ROOT));
        final AdminServer server = new AdminServer(metrics, http, replica.replica().id());
        http.createContext("/", server::handle);
        http.setExecutor(server.thread);
        return server;
    }

    /** Serves requests and starts the once-a-second sampling. */
    public void start()
    {
        http.start();
        thread.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
        LOG.info("replica {} serves /status, /metrics, /health and /ready on {}", id, http.getAddress());
    }

    private void sample()
    {
        try
        {
            metrics.sample();
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("replica {}: sampling its metrics failed", id, ex);
        }
    }

    /** @return the port it listens on. */
    public int port()
    {
        return http.getAddress().getPort();
    }

    /** @return the metrics it serves. */
    public ReplicaMetrics metrics()
    {
        return metrics;
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n");
                return;
            }
            switch (exchange.getRequestURI().getPath())
            {
                case "/status" -> respond(exchange, 200, "application/json", JSON.writeValueAsString(metrics.status()) + "\n");
                case "/metrics" -> respond(exchange, 200, PROMETHEUS_TEXT, metrics.scrape());
                case "/health" ->
                {
                    final boolean live = !ReplicaStatus.FAILED.equals(metrics.state());
                    respond(exchange, live ? 200 : 503, "text/plain; charset=utf-8", live ? "live\n" : "failed\n");
                }
                case "/ready" ->
                {
                    final boolean ready = metrics.ready();
                    respond(exchange, ready ? 200 : 503, "text/plain; charset=utf-8",
                        ready ? "ready\n" : "not ready: " + metrics.state() + "\n");
                }
                default -> respond(exchange, 404, "text/plain; charset=utf-8",
                    "no such page; try /status, /metrics, /health or /ready\n");
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("replica {}: admin request {} failed", id, exchange.getRequestURI(), ex);
        }
    }

    private static void respond(final HttpExchange exchange, final int code, final String type, final String body)
        throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
        if (!head)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        }
    }

    /** Stops serving (at once: a scrape in progress breaks), the sampling and the metrics. Idempotent. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        http.stop(0);
        thread.shutdownNow();
        try
        {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        metrics.close();
    }
}
