package io.ramcast.multicast.fabric.rdma;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.ramcast.multicast.fabric.spi.ReconnectBackoff;

/**
 * Immutable tuning of an {@link RdmaFabric}; build with {@link #builder()}, or take {@link #defaults()}.
 *
 * <p>{@link Builder#build()} validates every field and the rules between them, naming the field,
 * the value and the rule, before any device is opened.
 *
 * <p>Threading: immutable, safe to share.
 */
public final class RdmaFabricOptions
{
    /** Default {@link #sendQueueDepth()}. */
    public static final int DEFAULT_SEND_QUEUE_DEPTH = 256;
    /** Default {@link #completionQueueDepth()}. */
    public static final int DEFAULT_COMPLETION_QUEUE_DEPTH = 512;
    /** Default {@link #maxInlineBytes()}. */
    public static final int DEFAULT_MAX_INLINE_BYTES = 64;
    /** Default {@link #signalInterval()}. */
    public static final int DEFAULT_SIGNAL_INTERVAL = 16;
    /** Default {@link #stagingBytes()}: 512 KiB per lane. */
    public static final int DEFAULT_STAGING_BYTES = 512 * 1024;
    /** Default {@link #connectTimeoutNs()}: 5 s. */
    public static final long DEFAULT_CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    /** Default {@link #resolveTimeoutMs()}. */
    public static final int DEFAULT_RESOLVE_TIMEOUT_MS = 2000;
    /** Default {@link #connectBackoffMinNs()}: 10 ms. */
    public static final long DEFAULT_CONNECT_BACKOFF_MIN_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Default {@link #connectBackoffMaxNs()}: 1 s. */
    public static final long DEFAULT_CONNECT_BACKOFF_MAX_NS = TimeUnit.SECONDS.toNanos(1);
    /** The default isolated region: RamCast's leader stream ({@code Layout.STREAM_REGION}). */
    public static final int LEADER_STREAM_REGION_ID = 3;

    /** Bounds, shared with the config validator. */
    public static final int MIN_QUEUE_DEPTH = 2;
    /** Largest queue depth accepted (providers allow more; the fabric never needs it). */
    public static final int MAX_QUEUE_DEPTH = 16384;
    /** Largest inline size accepted; providers cap it lower (often 64 to 256 bytes). */
    public static final int MAX_INLINE_BYTES_LIMIT = 1024;
    /** Smallest staging area per lane. */
    public static final int MIN_STAGING_BYTES = 4096;
    /** Largest staging area per lane. */
    public static final int MAX_STAGING_BYTES = 1 << 30;
    /** Most isolated regions (each costs a queue pair per peer and direction). */
    public static final int MAX_ISOLATED_REGIONS = 8;

    private static final RdmaFabricOptions DEFAULTS = builder().build();

    private final String deviceName;
    private final int sendQueueDepth;
    private final int completionQueueDepth;
    private final int maxInlineBytes;
    private final int signalInterval;
    private final int stagingBytes;
    private final int stagedWriteLimit;
    private final long connectTimeoutNs;
    private final int resolveTimeoutMs;
    private final long connectBackoffMinNs;
    private final long connectBackoffMaxNs;
    private final int[] isolatedRegionIds;
    private final int clientPeers;
    private final io.ramcast.multicast.fabric.FabricCredentials credentials;

    private RdmaFabricOptions(final Builder b)
    {
        this.clientPeers = b.clientPeers;
        this.credentials = b.credentials;
        this.deviceName = b.deviceName;
        this.sendQueueDepth = b.sendQueueDepth;
        this.completionQueueDepth = b.completionQueueDepth;
        this.maxInlineBytes = b.maxInlineBytes;
        this.signalInterval = b.signalInterval;
        this.stagingBytes = b.stagingBytes;
        this.stagedWriteLimit = Integer.highestOneBit(Math.max(4 * b.sendQueueDepth, 16) - 1) << 1;
        this.connectTimeoutNs = b.connectTimeoutNs;
        this.resolveTimeoutMs = b.resolveTimeoutMs;
        this.connectBackoffMinNs = b.connectBackoffMinNs;
        this.connectBackoffMaxNs = b.connectBackoffMaxNs;
        this.isolatedRegionIds = b.isolatedRegionIds.clone();
    }

    /** @return the default options. */
    public static RdmaFabricOptions defaults()
    {
        return DEFAULTS;
    }

    /** @return a builder holding the defaults. */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the RDMA device that must be present (e.g. {@code mlx5_0}, {@code rxe0}), or null for
     *         any; connections use the device that serves the listen addresses either way.
     */
    public String deviceName()
    {
        return deviceName;
    }

    /** @return most outstanding send work requests per queue pair. */
    public int sendQueueDepth()
    {
        return sendQueueDepth;
    }

    /** @return entries of each queue pair's completion queue. */
    public int completionQueueDepth()
    {
        return completionQueueDepth;
    }

    /** @return writes up to this many bytes are posted with IBV_SEND_INLINE. */
    public int maxInlineBytes()
    {
        return maxInlineBytes;
    }

    /** @return every this-many-th write is signalled (selective signalling). */
    public int signalInterval()
    {
        return signalInterval;
    }

    /** @return bytes of registered staging memory per lane; also the largest write. */
    public int stagingBytes()
    {
        return stagingBytes;
    }

    /** @return writes a lane holds between issue and confirmation (a power of two, 4 x the send queue). */
    public int stagedWriteLimit()
    {
        return stagedWriteLimit;
    }

    /**
     * @return how long establishing a connection may take, and how long a lost incoming connection
     *         may stay lost before its peer is reported down.
     */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /** @return timeout of address and route resolution, milliseconds. */
    public int resolveTimeoutMs()
    {
        return resolveTimeoutMs;
    }

    /** @return first delay before reconnecting. */
    public long connectBackoffMinNs()
    {
        return connectBackoffMinNs;
    }

    /** @return largest delay between reconnection attempts. */
    public long connectBackoffMaxNs()
    {
        return connectBackoffMaxNs;
    }

    /**
     * @return region ids carried on a queue pair of their own (lane 1, 2, ... in this order); every
     *         other region travels on lane 0. Default: the leader stream only.
     */
    public int[] isolatedRegionIds()
    {
        return isolatedRegionIds.clone();
    }

    /**
     * @param regionId a region id.
     * @return the lane that carries writes into it.
     */
    int laneOf(final int regionId)
    {
        for (int i = 0; i < isolatedRegionIds.length; i++)
        {
            if (isolatedRegionIds[i] == regionId)
            {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * @return what this process proves its membership with in every connection's handshake, and
     *         checks its peers against, before an owner sends its region table (the region keys are
     *         capabilities); null: handshakes are not authenticated.
     */
    public io.ramcast.multicast.fabric.FabricCredentials credentials()
    {
        return credentials;
    }

    /**
     * @return how many client processes (peers without a listen address) may connect to a listening
     *         process: the cluster's client id range. With the listen addresses it bounds the peers,
     *         and so the memory the fabric pins ({@link RdmaFabric#lockedMemoryNeed()}).
     */
    public int clientPeers()
    {
        return clientPeers;
    }

    /** @return lanes per peer and direction. */
    int laneCount()
    {
        return isolatedRegionIds.length + 1;
    }

    @Override
    public String toString()
    {
        return "RdmaFabricOptions{device=" + deviceName + ", sendQueueDepth=" + sendQueueDepth +
            ", completionQueueDepth=" + completionQueueDepth + ", maxInlineBytes=" + maxInlineBytes +
            ", signalInterval=" + signalInterval + ", stagingBytes=" + stagingBytes + ", connectTimeoutNs=" +
            connectTimeoutNs + ", isolatedRegionIds=" + Arrays.toString(isolatedRegionIds) + ", clientPeers=" +
            clientPeers + ", credentials=" +
            credentials + '}';
    }

    /** Builds {@link RdmaFabricOptions}; not thread-safe. */
    public static final class Builder
    {
        private String deviceName;
        private int sendQueueDepth = DEFAULT_SEND_QUEUE_DEPTH;
        private int completionQueueDepth = DEFAULT_COMPLETION_QUEUE_DEPTH;
        private int maxInlineBytes = DEFAULT_MAX_INLINE_BYTES;
        private int signalInterval = DEFAULT_SIGNAL_INTERVAL;
        private int stagingBytes = DEFAULT_STAGING_BYTES;
        private long connectTimeoutNs = DEFAULT_CONNECT_TIMEOUT_NS;
        private int resolveTimeoutMs = DEFAULT_RESOLVE_TIMEOUT_MS;
        private long connectBackoffMinNs = DEFAULT_CONNECT_BACKOFF_MIN_NS;
        private long connectBackoffMaxNs = DEFAULT_CONNECT_BACKOFF_MAX_NS;
        private int[] isolatedRegionIds = {LEADER_STREAM_REGION_ID};
        private int clientPeers;
        private io.ramcast.multicast.fabric.FabricCredentials credentials;

        private Builder()
        {
        }

        /** @param value see {@link RdmaFabricOptions#clientPeers()}; default 0. @return this. */
        public Builder clientPeers(final int value)
        {
            clientPeers = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#deviceName()}; null or blank for any. @return this. */
        public Builder deviceName(final String value)
        {
            deviceName = null == value || value.isBlank() ? null : value.strip();
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#sendQueueDepth()}. @return this. */
        public Builder sendQueueDepth(final int value)
        {
            sendQueueDepth = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#completionQueueDepth()}. @return this. */
        public Builder completionQueueDepth(final int value)
        {
            completionQueueDepth = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#maxInlineBytes()}. @return this. */
        public Builder maxInlineBytes(final int value)
        {
            maxInlineBytes = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#signalInterval()}. @return this. */
        public Builder signalInterval(final int value)
        {
            signalInterval = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#stagingBytes()}. @return this. */
        public Builder stagingBytes(final int value)
        {
            stagingBytes = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#connectTimeoutNs()}. @return this. */
        public Builder connectTimeoutNs(final long value)
        {
            connectTimeoutNs = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#resolveTimeoutMs()}. @return this. */
        public Builder resolveTimeoutMs(final int value)
        {
            resolveTimeoutMs = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#connectBackoffMinNs()}. @return this. */
        public Builder connectBackoffMinNs(final long value)
        {
            connectBackoffMinNs = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#connectBackoffMaxNs()}. @return this. */
        public Builder connectBackoffMaxNs(final long value)
        {
            connectBackoffMaxNs = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#credentials()}; null for none. @return this. */
        public Builder credentials(final io.ramcast.multicast.fabric.FabricCredentials value)
        {
            credentials = value;
            return this;
        }

        /** @param value see {@link RdmaFabricOptions#isolatedRegionIds()}. @return this. */
        public Builder isolatedRegionIds(final int... value)
        {
            isolatedRegionIds = value.clone();
            return this;
        }

        /**
         * @return the options.
         * @throws IllegalArgumentException naming the first field that breaks its rule.
         */
        public RdmaFabricOptions build()
        {
            inRange("sendQueueDepth", sendQueueDepth, MIN_QUEUE_DEPTH, MAX_QUEUE_DEPTH);
            inRange("completionQueueDepth", completionQueueDepth, sendQueueDepth + 2, 4 * MAX_QUEUE_DEPTH);
            inRange("maxInlineBytes", maxInlineBytes, 0, MAX_INLINE_BYTES_LIMIT);
            inRange("signalInterval", signalInterval, 1, sendQueueDepth);
            inRange("stagingBytes", stagingBytes, MIN_STAGING_BYTES, MAX_STAGING_BYTES);
            if ((stagingBytes & 7) != 0)
            {
                throw new IllegalArgumentException("stagingBytes=" + stagingBytes + " must be a multiple of 8");
            }
            if (connectTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("connectTimeoutNs=" + connectTimeoutNs + " must be positive");
            }
            inRange("resolveTimeoutMs", resolveTimeoutMs, 1, 600_000);
            inRange("clientPeers", clientPeers, 0, 1 << 16);
            ReconnectBackoff.checkBounds("connectBackoffMinNs", connectBackoffMinNs, "connectBackoffMaxNs",
                connectBackoffMaxNs);
            if (isolatedRegionIds.length > MAX_ISOLATED_REGIONS)
            {
                throw new IllegalArgumentException("isolatedRegionIds has " + isolatedRegionIds.length +
                    " ids; at most " + MAX_ISOLATED_REGIONS);
            }
            for (int i = 0; i < isolatedRegionIds.length; i++)
            {
                if (isolatedRegionIds[i] < 0)
                {
                    throw new IllegalArgumentException("isolatedRegionIds[" + i + "]=" + isolatedRegionIds[i] +
                        " must be >= 0");
                }
                for (int j = 0; j < i; j++)
                {
                    if (isolatedRegionIds[i] == isolatedRegionIds[j])
                    {
                        throw new IllegalArgumentException("isolatedRegionIds[" + i + "]=" + isolatedRegionIds[i] +
                            " is repeated");
                    }
                }
            }
            return new RdmaFabricOptions(this);
        }

        private static void inRange(final String name, final long value, final long min, final long max)
        {
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(name + "=" + value + " must be in [" + min + ", " + max + "]");
            }
        }
    }
}
