package io.ramcast.bench.multicast;

import java.util.SplittableRandom;

/**
 * Picks the destination groups of each benchmark multicast: either a fixed number of distinct
 * random groups, or a set whose size is uniform in {@code 1..maxDestinations} and whose members are
 * uniform among the groups.
 *
 * <p>Not thread-safe: one chooser per client thread, each with its own seed, so a run with a given
 * seed makes the same choices whatever the thread interleaving.
 */
final class DestinationChooser
{
    private final SplittableRandom random;
    private final int groupCount;
    private final int maxDestinations;
    private final boolean randomSize;
    private final int[] shuffled;

    /**
     * @param seed            seed of this chooser's choices.
     * @param groupCount      groups to choose from, at least 1.
     * @param maxDestinations destinations per message (fixed) or the largest number, in [1, groupCount].
     * @param randomSize      whether the number of destinations is random in [1, maxDestinations].
     */
    DestinationChooser(final long seed, final int groupCount, final int maxDestinations, final boolean randomSize)
    {
        if (maxDestinations < 1 || maxDestinations > groupCount)
        {
            throw new IllegalArgumentException(
                "maxDestinations=" + maxDestinations + " must be in [1, groupCount=" + groupCount + "]");
        }
        this.random = new SplittableRandom(seed);
        this.groupCount = groupCount;
        this.maxDestinations = maxDestinations;
        this.randomSize = randomSize;
        this.shuffled = new int[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            shuffled[g] = g;
        }
    }

    /** @return the next destination set: distinct group ids in no particular order, a new array. */
    int[] next()
    {
        final int count = randomSize ? 1 + random.nextInt(maxDestinations) : maxDestinations;
        // Partial Fisher-Yates: the first `count` entries become a uniform random subset.
        for (int i = 0; i < count; i++)
        {
            final int j = i + random.nextInt(groupCount - i);
            final int t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        final int[] destinations = new int[count];
        System.arraycopy(shuffled, 0, destinations, 0, count);
        return destinations;
    }
}
