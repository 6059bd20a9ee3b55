package io.ramcast.bench.workload;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * How a workload picks records: {@code zipfian} (YCSB's scrambled zipfian, constant 0.99: a few
 * records are hot, scattered over the key space) or {@code uniform}. The name is the value of
 * {@link WorkloadSettings#keyDistribution()} and of {@code --distribution}.
 */
public enum KeyDistribution
{
    /** YCSB's scrambled zipfian ({@link ScrambledZipfian}). */
    ZIPFIAN("zipfian", ScrambledZipfian.INSTANCE),
    /** Every record equally likely. */
    UNIFORM("uniform", (random, itemCount) -> random.nextLong(itemCount));

    private final String cliName;
    private final Chooser chooser;

    KeyDistribution(final String cliName, final Chooser chooser)
    {
        this.cliName = cliName;
        this.chooser = chooser;
    }

    /** @return the name on the command line and in reports. */
    public String cliName()
    {
        return cliName;
    }

    /**
     * @param random    the caller's random source.
     * @param itemCount number of records to choose from, at least 1.
     * @return an index in {@code [0, itemCount)}.
     */
    long next(final SplittableRandom random, final long itemCount)
    {
        return chooser.next(random, itemCount);
    }

    /**
     * @param name a name, case-insensitive.
     * @return the distribution.
     * @throws IllegalArgumentException naming the accepted names.
     */
    public static KeyDistribution of(final String name)
    {
        for (final KeyDistribution d : values())
        {
            if (d.cliName.equals(name == null ? null : name.toLowerCase(Locale.ROOT)))
            {
                return d;
            }
        }
        throw new IllegalArgumentException("--distribution=" + name + " is not a key distribution; use one of " + names());
    }

    /** @return the accepted names, comma separated. */
    public static String names()
    {
        return Arrays.stream(values()).map(KeyDistribution::cliName).collect(Collectors.joining(", "));
    }

    /** Draws record indexes; stateless apart from the caller's random source, so thread-safe. */
    @FunctionalInterface
    interface Chooser
    {
        /**
         * @param random    the caller's random source.
         * @param itemCount number of records, at least 1.
         * @return an index in {@code [0, itemCount)}.
         */
        long next(SplittableRandom random, long itemCount);
    }
}
