package io.ramcast.bench.workload;

import java.util.SplittableRandom;

/**
 * YCSB's scrambled zipfian key choice, written out here (no library provides it): a zipfian draw
 * with constant {@value #ZIPFIAN_CONSTANT} over {@value #ITEM_COUNT} + 1 items, hashed with 64-bit
 * FNV-1a and reduced modulo the number of records, so the popular records are scattered over the
 * key space (and so over the partitions) instead of being the first ones.
 *
 * <p>Follows {@code site.ycsb.generator.ScrambledZipfianGenerator} and {@code ZipfianGenerator}
 * (Gray et al., "Quickly generating billion-record synthetic databases", SIGMOD 1994): the zipfian
 * draw is taken over a fixed huge item count whose zeta constant {@value #ZETAN} YCSB precomputed,
 * so one generator serves any number of records in O(1) per draw and needs no O(n) set-up. As in
 * YCSB, the reduction modulo the record count flattens the tail: for a few thousand records the
 * most popular record still receives about 1/{@value #ZETAN} of the draws, tens of times the
 * median record's share.
 *
 * <p>Stateless and immutable (the random source is the caller's); thread-safe.
 */
final class ScrambledZipfian implements KeyDistribution.Chooser
{
    /** YCSB's zipfian constant (theta). */
    static final double ZIPFIAN_CONSTANT = 0.99;
    /** The item count of the underlying zipfian draw (YCSB's {@code ITEM_COUNT}). */
    static final long ITEM_COUNT = 10_000_000_000L;
    /** zeta(ITEM_COUNT + 1, 0.99), precomputed by YCSB ({@code ScrambledZipfianGenerator.ZETAN}). */
    static final double ZETAN = 26.46902820178302;

    private static final long FNV_OFFSET_BASIS_64 = 0xCBF29CE484222325L;
    private static final long FNV_PRIME_64 = 1099511628211L;

    /** The one instance: nothing varies. */
    static final ScrambledZipfian INSTANCE = new ScrambledZipfian();

    private final long items = ITEM_COUNT + 1;
    private final double theta = ZIPFIAN_CONSTANT;
    private final double alpha = 1.0 / (1.0 - theta);
    private final double zeta2theta = 1.0 + Math.pow(0.5, theta);
    private final double eta = (1 - Math.pow(2.0 / items, 1 - theta)) / (1 - zeta2theta / ZETAN);
    private final double secondItemBound = 1.0 + Math.pow(0.5, theta);

    private ScrambledZipfian()
    {
    }

    /**
     * @param random    the caller's random source.
     * @param itemCount the number of records, at least 1.
     * @return a record index in {@code [0, itemCount)}.
     */
    @Override
    public long next(final SplittableRandom random, final long itemCount)
    {
        return fnv1a64(zipfian(random)) % itemCount;
    }

    /**
     * @param random the random source.
     * @return a zipfian rank in {@code [0, ITEM_COUNT]}; rank 0 is the most popular.
     */
    long zipfian(final SplittableRandom random)
    {
        final double u = random.nextDouble();
        final double uz = u * ZETAN;
        if (uz < 1.0)
        {
            return 0;
        }
        if (uz < secondItemBound)
        {
            return 1;
        }
        return (long)(items * Math.pow(eta * u - eta + 1, alpha));
    }

    /**
     * YCSB's {@code Utils.fnvhash64}: FNV-1a over the eight bytes of {@code value}, low byte first
     * (arithmetic shift, as YCSB), then the absolute value. The one hash equal to
     * {@link Long#MIN_VALUE}, whose absolute value YCSB leaves negative, maps to
     * {@link Long#MAX_VALUE} here.
     *
     * @param value the value.
     * @return a non-negative hash.
     */
    static long fnv1a64(final long value)
    {
        long v = value;
        long hash = FNV_OFFSET_BASIS_64;
        for (int i = 0; i < Long.BYTES; i++)
        {
            hash ^= v & 0xff;
            hash *= FNV_PRIME_64;
            v >>= 8;
        }
        return hash == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(hash);
    }
}
