package io.ramcast.txn.config;

import io.ramcast.multicast.fabric.rdma.RdmaFabricOptions;

import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Settings of the {@code rdma} fabric (config section {@code rdma}, used with {@code fabric: rdma}),
 * defaults applied. Every process of a deployment must use the same values.
 *
 * <p>Values come validated from {@link ClusterConfig} (rules in {@link #validate}).
 *
 * @param device               RDMA device that must be present (e.g. {@code mlx5_0}, {@code rxe0}),
 *                             or null for any; connections use the device serving the replicas'
 *                             host addresses, which must be addresses of the RDMA interface.
 * @param sendQueueDepth       outstanding send work requests per queue pair.
 * @param completionQueueDepth entries of each queue pair's completion queue.
 * @param maxInlineBytes       writes up to this size are posted inline (IBV_SEND_INLINE).
 * @param signalInterval       every this-many-th write is signalled.
 * @param stagingBytes         registered staging memory per peer and lane; the largest single write.
 * @param connectTimeoutMs     how long establishing a connection may take, and how long a lost
 *                             incoming connection may stay lost before its peer is reported down.
 * @param resolveTimeoutMs     timeout of address and route resolution.
 */
public record RdmaSettings(
    String device,
    int sendQueueDepth,
    int completionQueueDepth,
    int maxInlineBytes,
    int signalInterval,
    int stagingBytes,
    long connectTimeoutMs,
    int resolveTimeoutMs)
{
    /** The settings when the section is absent. */
    public static final RdmaSettings DEFAULTS = new RdmaSettings(null, RdmaFabricOptions.DEFAULT_SEND_QUEUE_DEPTH,
        RdmaFabricOptions.DEFAULT_COMPLETION_QUEUE_DEPTH, RdmaFabricOptions.DEFAULT_MAX_INLINE_BYTES,
        RdmaFabricOptions.DEFAULT_SIGNAL_INTERVAL, RdmaFabricOptions.DEFAULT_STAGING_BYTES,
        TimeUnit.NANOSECONDS.toMillis(RdmaFabricOptions.DEFAULT_CONNECT_TIMEOUT_NS),
        RdmaFabricOptions.DEFAULT_RESOLVE_TIMEOUT_MS);

    private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final long MAX_TIMEOUT_MS = 600_000;

    /**
     * @return a builder of the fabric options these settings describe (leader stream on its own
     *         queue pair); {@link ClusterConfig#toRdmaFabricOptions} adds the reconnection back-off.
     */
    RdmaFabricOptions.Builder toFabricOptionsBuilder()
    {
        return RdmaFabricOptions.builder()
            .deviceName(device)
            .sendQueueDepth(sendQueueDepth)
            .completionQueueDepth(completionQueueDepth)
            .maxInlineBytes(maxInlineBytes)
            .signalInterval(signalInterval)
            .stagingBytes(stagingBytes)
            .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(connectTimeoutMs))
            .resolveTimeoutMs(resolveTimeoutMs);
    }

    /** The section as written; every field nullable (absent). Component names are the YAML keys. */
    record Raw(
        String device,
        Long sendQueueDepth,
        Long completionQueueDepth,
        Long maxInlineBytes,
        Long signalInterval,
        Long stagingBytes,
        Long connectTimeoutMs,
        Long resolveTimeoutMs)
    {
    }

    /** Where {@link #validate} reports a problem: field path, offending value, rule. */
    @FunctionalInterface
    interface Problems
    {
        void problem(String path, Object value, String rule);
    }

    /**
     * Checks the section and applies defaults.
     *
     * @param raw            the section, null if absent.
     * @param fabric         the fabric, null if invalid.
     * @param largestWrite   the largest single write the protocol issues (a slot, a mailbox record),
     *                       0 if the buffers are invalid.
     * @param problems       where problems go.
     * @return the settings, or null if a field is invalid.
     */
    static RdmaSettings validate(final Raw raw, final FabricKind fabric, final int largestWrite, final Problems problems)
    {
        if (raw == null)
        {
            return DEFAULTS;
        }
        if (fabric != null && fabric != FabricKind.RDMA)
        {
            problems.problem("rdma", "a mapping", "the rdma section is for fabric rdma, but fabric is " +
                fabric.configName() + "; remove it or set fabric: rdma");
            return null;
        }
        boolean valid = true;
        String device = null;
        if (raw.device() != null)
        {
            device = raw.device().strip();
            if (!DEVICE_NAME.matcher(device).matches())
            {
                problems.problem("rdma.device", "'" + raw.device() + "'", "a device name as listed by ibv_devices " +
                    "(letters, digits, '_', '.', '-'), e.g. mlx5_0 or rxe0");
                valid = false;
            }
        }
        final Long sendQueueDepth = inRange(problems, "rdma.sendQueueDepth", raw.sendQueueDepth(),
            RdmaFabricOptions.DEFAULT_SEND_QUEUE_DEPTH, RdmaFabricOptions.MIN_QUEUE_DEPTH, RdmaFabricOptions.MAX_QUEUE_DEPTH);
        final Long completionQueueDepth = inRange(problems, "rdma.completionQueueDepth", raw.completionQueueDepth(),
            RdmaFabricOptions.DEFAULT_COMPLETION_QUEUE_DEPTH, RdmaFabricOptions.MIN_QUEUE_DEPTH + 2,
            4L * RdmaFabricOptions.MAX_QUEUE_DEPTH);
        final Long maxInlineBytes = inRange(problems, "rdma.maxInlineBytes", raw.maxInlineBytes(),
            RdmaFabricOptions.DEFAULT_MAX_INLINE_BYTES, 0, RdmaFabricOptions.MAX_INLINE_BYTES_LIMIT);
        final Long signalInterval = inRange(problems, "rdma.signalInterval", raw.signalInterval(),
            RdmaFabricOptions.DEFAULT_SIGNAL_INTERVAL, 1, RdmaFabricOptions.MAX_QUEUE_DEPTH);
        Long stagingBytes = inRange(problems, "rdma.stagingBytes", raw.stagingBytes(),
            RdmaFabricOptions.DEFAULT_STAGING_BYTES, RdmaFabricOptions.MIN_STAGING_BYTES,
            RdmaFabricOptions.MAX_STAGING_BYTES);
        final Long connectTimeoutMs = inRange(problems, "rdma.connectTimeoutMs", raw.connectTimeoutMs(),
            DEFAULTS.connectTimeoutMs(), 1, MAX_TIMEOUT_MS);
        final Long resolveTimeoutMs = inRange(problems, "rdma.resolveTimeoutMs", raw.resolveTimeoutMs(),
            RdmaFabricOptions.DEFAULT_RESOLVE_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
        if (stagingBytes != null && stagingBytes % 8 != 0)
        {
            problems.problem("rdma.stagingBytes", stagingBytes, "must be a multiple of 8");
            stagingBytes = null;
        }
        if (sendQueueDepth != null && completionQueueDepth != null && completionQueueDepth < sendQueueDepth + 2)
        {
            problems.problem("rdma.completionQueueDepth", completionQueueDepth, "must be at least rdma.sendQueueDepth + 2 (" +
                (sendQueueDepth + 2) + "): the send queue's completions, the handshake's and a fence's must fit");
            valid = false;
        }
        if (sendQueueDepth != null && signalInterval != null && signalInterval > sendQueueDepth)
        {
            problems.problem("rdma.signalInterval", signalInterval, "must not exceed rdma.sendQueueDepth (" +
                sendQueueDepth + "), or a full send queue could hold no signalled write");
            valid = false;
        }
        if (stagingBytes != null && largestWrite > 0 && stagingBytes < largestWrite)
        {
            problems.problem("rdma.stagingBytes", stagingBytes, "must hold the largest single write, " + largestWrite +
                " bytes (buffers.slotSizeBytes, or a mailbox record of up to buffers.mailboxBytes / 4)");
            valid = false;
        }
        if (!valid || sendQueueDepth == null || completionQueueDepth == null || maxInlineBytes == null ||
            signalInterval == null || stagingBytes == null || connectTimeoutMs == null || resolveTimeoutMs == null)
        {
            return null;
        }
        return new RdmaSettings(device, sendQueueDepth.intValue(), completionQueueDepth.intValue(),
            maxInlineBytes.intValue(), signalInterval.intValue(), stagingBytes.intValue(), connectTimeoutMs,
            resolveTimeoutMs.intValue());
    }

    private static Long inRange(
        final Problems problems, final String path, final Long value, final long defaultValue, final long min,
        final long max)
    {
        if (value == null)
        {
            return defaultValue;
        }
        if (value < min || value > max)
        {
            problems.problem(path, value, "must be in [" + min + ", " + max + "]");
            return null;
        }
        return value;
    }
}
