package io.ramcast.multicast.fabric;

import java.util.concurrent.TimeUnit;

import io.ramcast.multicast.fabric.spi.ReconnectBackoff;

/**
 * Immutable tuning of a {@link TcpFabric}; build with {@link #builder()}, or take {@link #defaults()}.
 *
 * <p>Every field is validated by {@link Builder#build()}, which names the field, the value and the
 * rule on failure, before any socket is opened. Processes of one deployment should use the same
 * options: a frame larger than the receiver's {@link #maxFrameBytes()} is treated as malformed.
 *
 * <p>Threading: immutable, safe to share.
 */
public final class TcpFabricOptions
{
    /**
     * Bytes of each connection's outgoing queue kept for control frames (REJECT, RESET), which must
     * not be refused for lack of space when writes have filled the queue.
     */
    public static final int CONTROL_RESERVE_BYTES = 64 * 1024;

    /** Smallest allowed {@link #maxFrameBytes()}. */
    public static final int MIN_FRAME_BYTES = 64;

    /** Largest allowed {@link #maxFrameBytes()}. */
    public static final int MAX_FRAME_BYTES_LIMIT = 1 << 30;

    /** Default {@link #maxFrameBytes()}: 4 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

    /** Default {@link #sendBufferBytes()}: 8 MiB. */
    public static final int DEFAULT_SEND_BUFFER_BYTES = 8 * 1024 * 1024;

    /** Default {@link #connectBackoffMinNs()}: 10 ms. */
    public static final long DEFAULT_CONNECT_BACKOFF_MIN_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Default {@link #connectBackoffMaxNs()}: 1 s. */
    public static final long DEFAULT_CONNECT_BACKOFF_MAX_NS = TimeUnit.SECONDS.toNanos(1);

    /** Default {@link #connectTimeoutNs()}: 5 s. */
    public static final long DEFAULT_CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    /** Default {@link #liveClientSilenceNs()}: 2 s, the default client failure timeout. */
    public static final long DEFAULT_LIVE_CLIENT_SILENCE_NS = TimeUnit.SECONDS.toNanos(2);

    private static final TcpFabricOptions DEFAULTS = builder().build();

    private final int sendBufferBytes;
    private final int maxFrameBytes;
    private final long connectBackoffMinNs;
    private final long connectBackoffMaxNs;
    private final long connectTimeoutNs;
    private final long liveClientSilenceNs;
    private final int socketSendBufferBytes;
    private final int socketReceiveBufferBytes;
    private final FabricCredentials credentials;
    private final javax.net.ssl.SSLContext tls;

    private TcpFabricOptions(final Builder builder)
    {
        this.credentials = builder.credentials;
        this.tls = builder.tls;
        this.sendBufferBytes = builder.sendBufferBytes;
        this.maxFrameBytes = builder.maxFrameBytes;
        this.connectBackoffMinNs = builder.connectBackoffMinNs;
        this.connectBackoffMaxNs = builder.connectBackoffMaxNs;
        this.connectTimeoutNs = builder.connectTimeoutNs;
        this.liveClientSilenceNs = builder.liveClientSilenceNs;
        this.socketSendBufferBytes = builder.socketSendBufferBytes;
        this.socketReceiveBufferBytes = builder.socketReceiveBufferBytes;
    }

    /**
     * @return the default options.
     */
    public static TcpFabricOptions defaults()
    {
        return DEFAULTS;
    }

    /**
     * @return a builder holding the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return bound of each connection's outgoing queue in bytes; a write that does not fit in
     * {@code sendBufferBytes - CONTROL_RESERVE_BYTES} returns {@link WriteResult#BACK_PRESSURE}.
     * The queue grows on demand up to this bound.
     */
    public int sendBufferBytes()
    {
        return sendBufferBytes;
    }

    /**
     * @return largest frame, header included, sent or accepted; a write's length may be at most
     * {@code maxFrameBytes - 16}.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * @return delay before the first retry of a failed connection attempt, and before reconnecting
     * after a loss, in nanoseconds.
     */
    public long connectBackoffMinNs()
    {
        return connectBackoffMinNs;
    }

    /**
     * @return bound of the retry delay, which doubles after each failed attempt, in nanoseconds.
     */
    public long connectBackoffMaxNs()
    {
        return connectBackoffMaxNs;
    }

    /**
     * @return time allowed from opening (or accepting) a connection to receiving the peer's HELLO, in
     * nanoseconds; a slower connection is closed and retried.
     */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * @return how recently a connected client must have been heard for its id to count as taken by
     *         a live process: with credentials, a connection from another incarnation (another
     *         process) claiming that id is refused until the first has been silent this long, in
     *         nanoseconds. Clients heartbeat much more often than this.
     */
    public long liveClientSilenceNs()
    {
        return liveClientSilenceNs;
    }

    /**
     * @return {@code SO_SNDBUF} of each socket in bytes, 0 for the operating system's default.
     */
    public int socketSendBufferBytes()
    {
        return socketSendBufferBytes;
    }

    /**
     * @return {@code SO_RCVBUF} of each socket in bytes, 0 for the operating system's default.
     */
    public int socketReceiveBufferBytes()
    {
        return socketReceiveBufferBytes;
    }

    /**
     * @return what this process proves its membership with when it connects, and checks its peers
     *         against; null: connections are not authenticated (any process that reaches the port
     *         may claim any id).
     */
    public FabricCredentials credentials()
    {
        return credentials;
    }

    /**
     * @return the TLS context every connection is encrypted with (TLS 1.3 only, the accepting side
     *         requires the connecting side's certificate), or null for plaintext. Authentication with
     *         {@link #credentials()} runs inside the encrypted channel either way; the certificates
     *         make the channel private and tamper-proof, not the peers' identities.
     */
    public javax.net.ssl.SSLContext tls()
    {
        return tls;
    }

    @Override
    public String toString()
    {
        return "TcpFabricOptions{credentials=" + credentials + ", tls=" + (null != tls) + ", sendBufferBytes=" + sendBufferBytes + ", maxFrameBytes=" + maxFrameBytes +
            ", connectBackoffMinNs=" + connectBackoffMinNs + ", connectBackoffMaxNs=" + connectBackoffMaxNs +
            ", connectTimeoutNs=" + connectTimeoutNs + ", liveClientSilenceNs=" + liveClientSilenceNs +
            ", socketSendBufferBytes=" + socketSendBufferBytes +
            ", socketReceiveBufferBytes=" + socketReceiveBufferBytes + '}';
    }

    /**
     * Collects option values; {@link #build()} validates them. Not thread-safe.
     */
    public static final class Builder
    {
        private int sendBufferBytes = DEFAULT_SEND_BUFFER_BYTES;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private long connectBackoffMinNs = DEFAULT_CONNECT_BACKOFF_MIN_NS;
        private long connectBackoffMaxNs = DEFAULT_CONNECT_BACKOFF_MAX_NS;
        private long connectTimeoutNs = DEFAULT_CONNECT_TIMEOUT_NS;
        private long liveClientSilenceNs = DEFAULT_LIVE_CLIENT_SILENCE_NS;
        private int socketSendBufferBytes;
        private int socketReceiveBufferBytes;
        private FabricCredentials credentials;
        private javax.net.ssl.SSLContext tls;

        private Builder()
        {
        }

        /**
         * @param sendBufferBytes see {@link TcpFabricOptions#sendBufferBytes()}.
         * @return this builder.
         */
        public Builder sendBufferBytes(final int sendBufferBytes)
        {
            this.sendBufferBytes = sendBufferBytes;
            return this;
        }

        /**
         * @param maxFrameBytes see {@link TcpFabricOptions#maxFrameBytes()}.
         * @return this builder.
         */
        public Builder maxFrameBytes(final int maxFrameBytes)
        {
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        /**
         * @param connectBackoffMinNs see {@link TcpFabricOptions#connectBackoffMinNs()}.
         * @return this builder.
         */
        public Builder connectBackoffMinNs(final long connectBackoffMinNs)
        {
            this.connectBackoffMinNs = connectBackoffMinNs;
            return this;
        }

        /**
         * @param connectBackoffMaxNs see {@link TcpFabricOptions#connectBackoffMaxNs()}.
         * @return this builder.
         */
        public Builder connectBackoffMaxNs(final long connectBackoffMaxNs)
        {
            this.connectBackoffMaxNs = connectBackoffMaxNs;
            return this;
        }

        /**
         * @param connectTimeoutNs see {@link TcpFabricOptions#connectTimeoutNs()}.
         * @return this builder.
         */
        public Builder connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        /**
         * @param liveClientSilenceNs see {@link TcpFabricOptions#liveClientSilenceNs()}.
         * @return this builder.
         */
        public Builder liveClientSilenceNs(final long liveClientSilenceNs)
        {
            this.liveClientSilenceNs = liveClientSilenceNs;
            return this;
        }

        /**
         * @param socketSendBufferBytes see {@link TcpFabricOptions#socketSendBufferBytes()}.
         * @return this builder.
         */
        public Builder socketSendBufferBytes(final int socketSendBufferBytes)
        {
            this.socketSendBufferBytes = socketSendBufferBytes;
            return this;
        }

        /**
         * @param socketReceiveBufferBytes see {@link TcpFabricOptions#socketReceiveBufferBytes()}.
         * @return this builder.
         */
        public Builder socketReceiveBufferBytes(final int socketReceiveBufferBytes)
        {
            this.socketReceiveBufferBytes = socketReceiveBufferBytes;
            return this;
        }

        /**
         * @param credentials see {@link TcpFabricOptions#credentials()}; null for none.
         * @return this.
         */
        public Builder credentials(final FabricCredentials credentials)
        {
            this.credentials = credentials;
            return this;
        }

        /**
         * @param tls see {@link TcpFabricOptions#tls()}; null for plaintext.
         * @return this.
         */
        public Builder tls(final javax.net.ssl.SSLContext tls)
        {
            this.tls = tls;
            return this;
        }

        /**
         * Validates the values and creates the options.
         *
         * @return the options.
         * @throws IllegalArgumentException naming the first field that breaks a rule.
         */
        public TcpFabricOptions build()
        {
            if (maxFrameBytes < MIN_FRAME_BYTES || maxFrameBytes > MAX_FRAME_BYTES_LIMIT || (maxFrameBytes & 7) != 0)
            {
                throw new IllegalArgumentException("maxFrameBytes=" + maxFrameBytes + " must be a multiple of 8 in [" +
                    MIN_FRAME_BYTES + ", " + MAX_FRAME_BYTES_LIMIT + "]");
            }
            if ((long)sendBufferBytes < (long)maxFrameBytes + CONTROL_RESERVE_BYTES)
            {
                throw new IllegalArgumentException("sendBufferBytes=" + sendBufferBytes +
                    " must be >= maxFrameBytes + CONTROL_RESERVE_BYTES = " + maxFrameBytes + " + " +
                    CONTROL_RESERVE_BYTES + " so that any frame can be queued");
            }
            ReconnectBackoff.checkBounds("connectBackoffMinNs", connectBackoffMinNs, "connectBackoffMaxNs",
                connectBackoffMaxNs);
            if (connectTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("connectTimeoutNs=" + connectTimeoutNs + " must be > 0");
            }
            if (liveClientSilenceNs <= 0)
            {
                throw new IllegalArgumentException("liveClientSilenceNs=" + liveClientSilenceNs + " must be > 0");
            }
            if (socketSendBufferBytes < 0)
            {
                throw new IllegalArgumentException(
                    "socketSendBufferBytes=" + socketSendBufferBytes + " must be >= 0 (0 = OS default)");
            }
            if (socketReceiveBufferBytes < 0)
            {
                throw new IllegalArgumentException(
                    "socketReceiveBufferBytes=" + socketReceiveBufferBytes + " must be >= 0 (0 = OS default)");
            }
            return new TcpFabricOptions(this);
        }
    }
}
