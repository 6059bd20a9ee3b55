package io.ramcast.multicast;

/**
 * Sizes and limits of a RamCast deployment. Every process of a deployment must use the same
 * options: they fix the memory layouts peers write into.
 *
 * <p>Immutable; build with {@link #builder()}. {@link Builder#build()} validates every field and
 * throws {@link IllegalArgumentException} naming the field, the value and the rule.
 */
public final class MulticastOptions
{
    /** Default slots per client ring at each server. */
    public static final int DEFAULT_RING_SLOTS = 64;
    /** Default slot size: room for a 1 KiB payload to up to 8 groups. */
    public static final int DEFAULT_SLOT_SIZE_BYTES = 1280;
    /** Default records in each follower's leader-stream ring. */
    public static final int DEFAULT_STREAM_RECORDS = 8192;
    /** Default interval between two heartbeats of a process, in milliseconds. */
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MILLIS = 20;
    /** Default silence after which a server suspects another server of its group, in milliseconds. */
    public static final int DEFAULT_FAILURE_TIMEOUT_MILLIS = 500;
    /** Default silence after which a server suspects a client and relays its messages, in milliseconds. */
    public static final int DEFAULT_CLIENT_FAILURE_TIMEOUT_MILLIS = 2000;
    /** Default number of delivered messages a server keeps for relay and leader change. */
    public static final int DEFAULT_RETAINED_DELIVERIES = 1024;
    /** Default number of messages a client keeps in flight. */
    public static final int DEFAULT_CLIENT_WINDOW = 16;
    /** Default bound on records taken from one ring in one duty cycle. */
    public static final int DEFAULT_POLL_BATCH = 32;
    /** Default bytes of each point-to-point mailbox ring. */
    public static final int DEFAULT_MAILBOX_BYTES = 256 * 1024;

    private final int ringSlots;
    private final int slotSizeBytes;
    private final int streamRecords;
    private final int heartbeatIntervalMillis;
    private final int failureTimeoutMillis;
    private final int clientFailureTimeoutMillis;
    private final int retainedDeliveries;
    private final int clientWindow;
    private final int pollBatch;
    private final int mailboxBytes;

    private MulticastOptions(final Builder b)
    {
        ringSlots = b.ringSlots;
        slotSizeBytes = b.slotSizeBytes;
        streamRecords = b.streamRecords;
        heartbeatIntervalMillis = b.heartbeatIntervalMillis;
        failureTimeoutMillis = b.failureTimeoutMillis;
        clientFailureTimeoutMillis = b.clientFailureTimeoutMillis;
        retainedDeliveries = b.retainedDeliveries;
        clientWindow = b.clientWindow;
        pollBatch = b.pollBatch;
        mailboxBytes = b.mailboxBytes;
    }

    /** @return a builder with the defaults. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return the options with every default. */
    public static MulticastOptions defaults()
    {
        return builder().build();
    }

    /** @return slots per client ring at each server (Q). */
    public int ringSlots()
    {
        return ringSlots;
    }

    /** @return bytes per ring slot (S). */
    public int slotSizeBytes()
    {
        return slotSizeBytes;
    }

    /** @return records in a follower's leader-stream ring. */
    public int streamRecords()
    {
        return streamRecords;
    }

    /** @return milliseconds between two heartbeats of a process. */
    public int heartbeatIntervalMillis()
    {
        return heartbeatIntervalMillis;
    }

    /**
     * @return milliseconds of heartbeat silence after which a server suspects another member of its
     *         group (a suspected leader is replaced; §C.7). A process whose connection the fabric
     *         reports lost is suspected at once.
     */
    public int failureTimeoutMillis()
    {
        return failureTimeoutMillis;
    }

    /**
     * @return milliseconds of heartbeat silence after which a server suspects a client and relays
     *         the client's messages it holds (Task 10, §C.8). A false suspicion costs only
     *         redundant relays.
     */
    public int clientFailureTimeoutMillis()
    {
        return clientFailureTimeoutMillis;
    }

    /**
     * @return delivered messages a server keeps (body and proposals) so that it can relay them,
     *         re-send its proposals to a new leader of another group and report them at a leader
     *         change; a member lagging further behind than this cannot be caught up.
     */
    public int retainedDeliveries()
    {
        return retainedDeliveries;
    }

    /** @return messages a client may have in flight. */
    public int clientWindow()
    {
        return clientWindow;
    }

    /** @return records taken from one ring per duty cycle at most. */
    public int pollBatch()
    {
        return pollBatch;
    }

    /** @return bytes of each point-to-point mailbox ring (one per sending server at each process). */
    public int mailboxBytes()
    {
        return mailboxBytes;
    }

    /** @return the largest point-to-point message, in bytes: a quarter of a mailbox ring, less its framing. */
    public int maxMailboxMessageBytes()
    {
        return mailboxBytes / 4 - Layout.MAILBOX_MIN_RECORD_BYTES;
    }

    /**
     * @param destinationCount number of destination groups of a message.
     * @return the largest payload, in bytes, that fits a slot for that many destinations.
     */
    public int maxPayloadBytes(final int destinationCount)
    {
        return Layout.maxPayloadBytes(slotSizeBytes, destinationCount);
    }

    @Override
    public String toString()
    {
        return "MulticastOptions{ringSlots=" + ringSlots + ", slotSizeBytes=" + slotSizeBytes +
            ", streamRecords=" + streamRecords + ", clientWindow=" + clientWindow + ", pollBatch=" + pollBatch + ", mailboxBytes=" + mailboxBytes +
            ", heartbeatIntervalMillis=" + heartbeatIntervalMillis + ", failureTimeoutMillis=" + failureTimeoutMillis +
            ", clientFailureTimeoutMillis=" + clientFailureTimeoutMillis + ", retainedDeliveries=" + retainedDeliveries + '}';
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder
    {
        private int ringSlots = DEFAULT_RING_SLOTS;
        private int slotSizeBytes = DEFAULT_SLOT_SIZE_BYTES;
        private int streamRecords = DEFAULT_STREAM_RECORDS;
        private int heartbeatIntervalMillis = DEFAULT_HEARTBEAT_INTERVAL_MILLIS;
        private int failureTimeoutMillis = DEFAULT_FAILURE_TIMEOUT_MILLIS;
        private int clientFailureTimeoutMillis = DEFAULT_CLIENT_FAILURE_TIMEOUT_MILLIS;
        private int retainedDeliveries = DEFAULT_RETAINED_DELIVERIES;
        private int clientWindow = DEFAULT_CLIENT_WINDOW;
        private int pollBatch = DEFAULT_POLL_BATCH;
        private int mailboxBytes = DEFAULT_MAILBOX_BYTES;

        private Builder()
        {
        }

        /**
         * @param slots slots per client ring, a power of two in [2, 65536].
         * @return this.
         */
        public Builder ringSlots(final int slots)
        {
            ringSlots = slots;
            return this;
        }

        /**
         * @param bytes bytes per slot, a multiple of 8 in [128, 16 MiB].
         * @return this.
         */
        public Builder slotSizeBytes(final int bytes)
        {
            slotSizeBytes = bytes;
            return this;
        }

        /**
         * @param records leader-stream ring records, a power of two in [16, 2^24].
         * @return this.
         */
        public Builder streamRecords(final int records)
        {
            streamRecords = records;
            return this;
        }

        /**
         * @param millis interval between heartbeats, in [1, 10000].
         * @return this.
         */
        public Builder heartbeatIntervalMillis(final int millis)
        {
            heartbeatIntervalMillis = millis;
            return this;
        }

        /**
         * @param millis silence before a group member is suspected, in [2, 600000] and at least
         *               twice the heartbeat interval.
         * @return this.
         */
        public Builder failureTimeoutMillis(final int millis)
        {
            failureTimeoutMillis = millis;
            return this;
        }

        /**
         * @param millis silence before a client is suspected, in [2, 600000] and at least twice the
         *               heartbeat interval.
         * @return this.
         */
        public Builder clientFailureTimeoutMillis(final int millis)
        {
            clientFailureTimeoutMillis = millis;
            return this;
        }

        /**
         * @param count delivered messages kept per server, in [16, 2^24].
         * @return this.
         */
        public Builder retainedDeliveries(final int count)
        {
            retainedDeliveries = count;
            return this;
        }

        /**
         * @param window messages a client keeps in flight, in [1, 65536].
         * @return this.
         */
        public Builder clientWindow(final int window)
        {
            clientWindow = window;
            return this;
        }

        /**
         * @param batch records taken from one ring per duty cycle, in [1, 65536].
         * @return this.
         */
        public Builder pollBatch(final int batch)
        {
            pollBatch = batch;
            return this;
        }

        /**
         * @param bytes bytes of each mailbox ring, a power of two in [4096, 2^28].
         * @return this.
         */
        public Builder mailboxBytes(final int bytes)
        {
            mailboxBytes = bytes;
            return this;
        }

        /**
         * @return the validated options.
         * @throws IllegalArgumentException naming the first invalid field.
         */
        public MulticastOptions build()
        {
            powerOfTwo("ringSlots", ringSlots, 2, 1 << 16);
            range("slotSizeBytes", slotSizeBytes, 128, 16 << 20);
            if (slotSizeBytes % 8 != 0)
            {
                throw new IllegalArgumentException("slotSizeBytes=" + slotSizeBytes + " must be a multiple of 8");
            }
            powerOfTwo("streamRecords", streamRecords, 16, 1 << 24);
            range("clientWindow", clientWindow, 1, 1 << 16);
            range("pollBatch", pollBatch, 1, 1 << 16);
            powerOfTwo("mailboxBytes", mailboxBytes, 4096, 1 << 28);
            if (mailboxBytes / 4 - Layout.MAILBOX_MIN_RECORD_BYTES < slotSizeBytes + ControlMessages.RELAY_OVERHEAD_BYTES)
            {
                throw new IllegalArgumentException("mailboxBytes=" + mailboxBytes + " must be at least 4 × (slotSizeBytes + " +
                    (ControlMessages.RELAY_OVERHEAD_BYTES + Layout.MAILBOX_MIN_RECORD_BYTES) +
                    ") so that a relayed message fits a mailbox record (slotSizeBytes=" + slotSizeBytes + ")");
            }
            range("heartbeatIntervalMillis", heartbeatIntervalMillis, 1, 10_000);
            range("failureTimeoutMillis", failureTimeoutMillis, Math.max(2, 2 * heartbeatIntervalMillis), 600_000);
            range("clientFailureTimeoutMillis", clientFailureTimeoutMillis, Math.max(2, 2 * heartbeatIntervalMillis), 600_000);
            range("retainedDeliveries", retainedDeliveries, 16, 1 << 24);
            return new MulticastOptions(this);
        }

        private static void range(final String name, final int value, final int min, final int max)
        {
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(name + "=" + value + " must be in [" + min + ", " + max + "]");
            }
        }

        private static void powerOfTwo(final String name, final int value, final int min, final int max)
        {
            range(name, value, min, max);
            if (Integer.bitCount(value) != 1)
            {
                throw new IllegalArgumentException(name + "=" + value + " must be a power of two");
            }
        }
    }
}
