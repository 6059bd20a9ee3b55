package io.ramcast.multicast.fabric.rdma;

/**
 * The key word of a region as one writer may use it: the rkey of the memory registration the owner
 * made for that writer, a generation that grows with each re-registration, and whether the
 * registration allows remote writes. One 8-byte word, so that an owner can publish a new key into
 * the writer's key table with one write that the writer reads whole with an acquire load.
 *
 * <pre>
 *  63                              32 31                             1   0
 * +----------------------------------+--------------------------------+---+
 * |               rkey               |      generation (31 bits)      | W |
 * +----------------------------------+--------------------------------+---+
 * </pre>
 *
 * <p>A word of 0 means "no key yet" (generation 0 is never published). Stateless; thread-safe.
 */
final class RegionKey
{
    /** Largest generation; an owner that would exceed it wraps to 1, after 2^31 permission changes. */
    static final int MAX_GENERATION = Integer.MAX_VALUE;

    private RegionKey()
    {
    }

    /**
     * @param rkey       the registration's remote key.
     * @param generation 1 to {@link #MAX_GENERATION}.
     * @param writable   whether the registration grants remote write.
     * @return the word.
     */
    static long encode(final int rkey, final int generation, final boolean writable)
    {
        if (generation <= 0)
        {
            throw new IllegalArgumentException("generation=" + generation + " must be positive");
        }
        return ((long)rkey << 32) | ((long)generation << 1) | (writable ? 1L : 0L);
    }

    /** @param word a key word. @return its rkey. */
    static int rkey(final long word)
    {
        return (int)(word >>> 32);
    }

    /** @param word a key word. @return its generation, 0 for "no key". */
    static int generation(final long word)
    {
        return (int)((word >>> 1) & MAX_GENERATION);
    }

    /** @param word a key word. @return whether it grants remote write. */
    static boolean isWritable(final long word)
    {
        return (word & 1L) != 0;
    }

    /**
     * @param generation a generation.
     * @return the one after it, wrapping from {@link #MAX_GENERATION} to 1.
     */
    static int next(final int generation)
    {
        return generation >= MAX_GENERATION ? 1 : generation + 1;
    }

    /**
     * Whether {@code candidate} is newer than {@code current}, in wrap-around order (a window of 2^30).
     *
     * @param candidate a generation.
     * @param current   the generation held.
     * @return true if the candidate should replace the current one.
     */
    static boolean isNewer(final int candidate, final int current)
    {
        if (current == 0)
        {
            return candidate != 0;
        }
        final int distance = (candidate - current) & MAX_GENERATION;
        return distance != 0 && distance < (1 << 30);
    }
}
