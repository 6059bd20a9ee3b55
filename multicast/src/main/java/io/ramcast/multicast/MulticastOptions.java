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
    /** Default records in each inbox ring (proposals from another group's leader). */
    public static final int DEFAULT_INBOX_RECORDS = 4096;
    /** Default number of messages a client keeps in flight. */
    public static final int DEFAULT_CLIENT_WINDOW = 16;
    /** Default bound on records taken from one ring in one duty cycle. */
    public static final int DEFAULT_POLL_BATCH = 32;
    /** Default bytes of each point-to-point mailbox ring. */
    public static final int DEFAULT_MAILBOX_BYTES = 256 * 1024;

    private final int ringSlots;
    private final int slotSizeBytes;
    private final int streamRecords;
    private final int inboxRecords;
    private final int clientWindow;
    private final int pollBatch;
    private final int mailboxBytes;

    private MulticastOptions(final Builder b)
    {
        ringSlots = b.ringSlots;
        slotSizeBytes = b.slotSizeBytes;
        streamRecords = b.streamRecords;
        inboxRecords = b.inboxRecords;
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

    /** @return records in each inbox ring. */
    public int inboxRecords()
    {
        return inboxRecords;
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
            ", streamRecords=" + streamRecords + ", inboxRecords=" + inboxRecords +
            ", clientWindow=" + clientWindow + ", pollBatch=" + pollBatch + ", mailboxBytes=" + mailboxBytes + '}';
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder
    {
        private int ringSlots = DEFAULT_RING_SLOTS;
        private int slotSizeBytes = DEFAULT_SLOT_SIZE_BYTES;
        private int streamRecords = DEFAULT_STREAM_RECORDS;
        private int inboxRecords = DEFAULT_INBOX_RECORDS;
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
         * @param records inbox ring records, a power of two in [16, 2^24].
         * @return this.
         */
        public Builder inboxRecords(final int records)
        {
            inboxRecords = records;
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
            powerOfTwo("inboxRecords", inboxRecords, 16, 1 << 24);
            range("clientWindow", clientWindow, 1, 1 << 16);
            range("pollBatch", pollBatch, 1, 1 << 16);
            powerOfTwo("mailboxBytes", mailboxBytes, 4096, 1 << 28);
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
