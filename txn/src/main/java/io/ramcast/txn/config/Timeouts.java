package io.ramcast.txn.config;

import java.time.Duration;

/**
 * Timeouts and the reconnection back-off (config section {@code timeouts}), in milliseconds.
 *
 * <p>Values come validated from {@link ClusterConfig}: each in [1, 86 400 000] (one day),
 * {@code retryBackoffMinMs <= retryBackoffMaxMs <= requestTimeoutMs}.
 *
 * @param requestTimeoutMs  how long a client waits for a transaction's outcome before it reports
 *                          it as unknown (may or may not have committed).
 * @param connectTimeoutMs  how long a connection attempt may take.
 * @param retryBackoffMinMs first delay before the tcp or rdma fabric of a client or replica
 *                          retries a failed connection attempt or re-opens a lost connection;
 *                          the delay doubles after each failed attempt
 *                          ({@link ClusterConfig#toTcpFabricOptions},
 *                          {@link ClusterConfig#toRdmaFabricOptions}).
 * @param retryBackoffMaxMs largest delay between two connection attempts to one peer.
 * @param heartbeatIntervalMs    how often every process advances its heartbeat at the processes that
 *                               watch it (failure detection), in [1, 10 000].
 * @param failureTimeoutMs       heartbeat silence after which a replica suspects another replica of
 *                               its partition; a suspected leader is replaced. At least twice the
 *                               heartbeat interval. A replica whose connection drops (its process
 *                               was killed) is suspected at once.
 * @param clientFailureTimeoutMs heartbeat silence after which replicas suspect a client and relay
 *                               the transactions it left half-sent. At least twice the heartbeat
 *                               interval.
 */
public record Timeouts(
    long requestTimeoutMs,
    long connectTimeoutMs,
    long retryBackoffMinMs,
    long retryBackoffMaxMs,
    long heartbeatIntervalMs,
    long failureTimeoutMs,
    long clientFailureTimeoutMs)
{
    /** Default {@link #requestTimeoutMs()}. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5000;
    /** Default {@link #connectTimeoutMs()}. */
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 5000;
    /** Default {@link #retryBackoffMinMs()}. */
    public static final long DEFAULT_RETRY_BACKOFF_MIN_MS = 10;
    /** Default {@link #retryBackoffMaxMs()}. */
    public static final long DEFAULT_RETRY_BACKOFF_MAX_MS = 1000;
    /** Default {@link #heartbeatIntervalMs()}. */
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 20;
    /** Default {@link #failureTimeoutMs()}. */
    public static final long DEFAULT_FAILURE_TIMEOUT_MS = 500;
    /** Default {@link #clientFailureTimeoutMs()}. */
    public static final long DEFAULT_CLIENT_FAILURE_TIMEOUT_MS = 2000;

    /** @return {@link #requestTimeoutMs()} as a duration. */
    public Duration requestTimeout()
    {
        return Duration.ofMillis(requestTimeoutMs);
    }

    /** @return {@link #connectTimeoutMs()} as a duration. */
    public Duration connectTimeout()
    {
        return Duration.ofMillis(connectTimeoutMs);
    }

    /** @return {@link #retryBackoffMinMs()} as a duration. */
    public Duration retryBackoffMin()
    {
        return Duration.ofMillis(retryBackoffMinMs);
    }

    /** @return {@link #retryBackoffMaxMs()} as a duration. */
    public Duration retryBackoffMax()
    {
        return Duration.ofMillis(retryBackoffMaxMs);
    }
}
