package io.ramcast.bench.multicast;

import io.ramcast.multicast.MulticastOptions;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * Command-line options that fix the RamCast memory layouts ({@link MulticastOptions}), shared by
 * the benchmark and the server processes it starts: every process of a deployment must use the
 * same values.
 */
final class ProtocolOptions
{
    private static final int MAX_DERIVED_RING_SLOTS = 1 << 16;

    @Option(names = "--window", paramLabel = "W", defaultValue = "" + MulticastOptions.DEFAULT_CLIENT_WINDOW,
        description = "Multicasts each client keeps in flight (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--ring-slots", paramLabel = "Q",
        description = "Slots per client ring at each server, a power of two " +
            "(default: the larger of " + MulticastOptions.DEFAULT_RING_SLOTS + " and the window rounded up).")
    Integer ringSlots;

    @Option(names = "--slot-bytes", paramLabel = "BYTES", defaultValue = "" + MulticastOptions.DEFAULT_SLOT_SIZE_BYTES,
        description = "Bytes per ring slot, a multiple of 8; bounds the payload (default: ${DEFAULT-VALUE}).")
    int slotSizeBytes;

    @Option(names = "--stream-records", paramLabel = "N", defaultValue = "" + MulticastOptions.DEFAULT_STREAM_RECORDS,
        description = "Records in each follower's leader-stream ring (default: ${DEFAULT-VALUE}).")
    int streamRecords;


    @Option(names = "--poll-batch", paramLabel = "N", defaultValue = "" + MulticastOptions.DEFAULT_POLL_BATCH,
        description = "Records taken from one ring per duty cycle at most (default: ${DEFAULT-VALUE}).")
    int pollBatch;

    /**
     * @return the validated options.
     * @throws IllegalArgumentException naming the field, the value and the rule.
     */
    MulticastOptions toOptions()
    {
        return MulticastOptions.builder()
            .clientWindow(window)
            .ringSlots(effectiveRingSlots())
            .slotSizeBytes(slotSizeBytes)
            .streamRecords(streamRecords)
            .pollBatch(pollBatch)
            .build();
    }

    /** @return the arguments that reproduce these options (ring slots resolved) on a child's command line. */
    List<String> toArgs()
    {
        return List.of(
            "--window", Integer.toString(window),
            "--ring-slots", Integer.toString(effectiveRingSlots()),
            "--slot-bytes", Integer.toString(slotSizeBytes),
            "--stream-records", Integer.toString(streamRecords),
            "--poll-batch", Integer.toString(pollBatch));
    }

    private int effectiveRingSlots()
    {
        if (ringSlots != null)
        {
            return ringSlots;
        }
        // A ring smaller than the window would cap the in-flight messages below what was asked for;
        // an out-of-range window is left for MulticastOptions to refuse by its own name.
        if (window <= MulticastOptions.DEFAULT_RING_SLOTS || window > MAX_DERIVED_RING_SLOTS)
        {
            return MulticastOptions.DEFAULT_RING_SLOTS;
        }
        return Integer.highestOneBit(window - 1) << 1;
    }
}
