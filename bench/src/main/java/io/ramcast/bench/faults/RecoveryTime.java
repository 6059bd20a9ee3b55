package io.ramcast.bench.faults;

import java.util.Arrays;
import java.util.List;

/**
 * How long a group stopped delivering after a fault, measured from its surviving members' delivery
 * logs (wall-clock microseconds of every delivery).
 *
 * <p>Right after a leader is killed its followers may still deliver what was already decided (the
 * pipeline drains in a millisecond or so); then the group is silent until a new leader orders
 * again. So the measure is the <em>longest silence</em> after the fault: among the deliveries of all
 * surviving members in {@code [faultMicros, windowEndMicros)}, merged, the longest gap between two
 * consecutive ones, counting the fault itself as the first point. {@link #recoveryMicros} is the
 * time from the fault to the delivery that ends that silence ("the first new delivery"),
 * {@link #silenceStartMicros} when the silence began, {@link #firstDeliveryMicros} the first
 * delivery after the fault at all. Without any delivery in the window the group did not recover.
 *
 * @param faultMicros         wall-clock time of the fault, microseconds since the epoch.
 * @param deliveries          deliveries by the survivors in the window.
 * @param firstDeliveryMicros time from the fault to the first delivery in the window, or -1 if none.
 * @param silenceStartMicros  time from the fault to the start of the longest silence, or -1 if no delivery.
 * @param recoveryMicros      time from the fault to the end of the longest silence, or -1 if no delivery.
 */
record RecoveryTime(
    long faultMicros, int deliveries, long firstDeliveryMicros, long silenceStartMicros, long recoveryMicros)
{
    /**
     * @param faultMicros     wall-clock time of the fault, microseconds since the epoch.
     * @param windowEndMicros end of the observation window (exclusive), e.g. the next fault.
     * @param survivorTimes   per surviving member, its delivery times in microseconds.
     * @return the measure.
     */
    static RecoveryTime measure(final long faultMicros, final long windowEndMicros, final List<long[]> survivorTimes)
    {
        final long[] merged = survivorTimes.stream().flatMapToLong(Arrays::stream)
            .filter(t -> t >= faultMicros && t < windowEndMicros).sorted().toArray();
        if (merged.length == 0)
        {
            return new RecoveryTime(faultMicros, 0, -1, -1, -1);
        }
        long previous = faultMicros;
        long longestStart = faultMicros;
        long longestEnd = merged[0];
        for (final long t : merged)
        {
            if (t - previous > longestEnd - longestStart)
            {
                longestStart = previous;
                longestEnd = t;
            }
            previous = t;
        }
        return new RecoveryTime(faultMicros, merged.length, merged[0] - faultMicros, longestStart - faultMicros,
            longestEnd - faultMicros);
    }

    /** @return whether any survivor delivered in the window. */
    boolean recovered()
    {
        return deliveries > 0;
    }
}
