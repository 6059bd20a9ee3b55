package io.ramcast.multicast.fabric.spi;

/**
 * The size and bounds rules of regions and writes that every fabric enforces
 * ({@link io.ramcast.multicast.fabric.Fabric}, "Bounds"): region sizes, offsets and lengths are
 * multiples of {@value #WORD_BYTES} bytes, and a write must fit its region. Writers check before
 * issuing and owners check again before applying.
 *
 * <p>Threading: stateless; any thread.
 */
public final class RegionBounds
{
    /** Size in bytes of the word granularity of sizes, offsets and lengths, and of a write's sealing word. */
    public static final int WORD_BYTES = 8;

    /** Region size to pass to {@link #checkWrite} while the target's size is not known yet. */
    public static final int UNKNOWN_SIZE_BYTES = -1;

    private RegionBounds()
    {
    }

    /**
     * Checks a registration request, naming the field and rule on failure.
     *
     * @param regionId  the requested id.
     * @param sizeBytes the requested size in bytes.
     * @throws IllegalArgumentException for a negative id or a size that is not a positive multiple of 8.
     */
    public static void checkRegistration(final int regionId, final int sizeBytes)
    {
        if (regionId < 0)
        {
            throw new IllegalArgumentException("regionId=" + regionId + " must be >= 0");
        }
        if (sizeBytes <= 0 || (sizeBytes & (WORD_BYTES - 1)) != 0)
        {
            throw new IllegalArgumentException(
                "sizeBytes=" + sizeBytes + " of region " + regionId + " must be a positive multiple of 8");
        }
    }

    /**
     * Checks that a write is word-aligned and, if the region's size is known, fits the region.
     *
     * @param regionSizeBytes size of the target region in bytes, or a negative value such as
     *                        {@link #UNKNOWN_SIZE_BYTES} if not known yet (only alignment is checked).
     * @param offset          byte offset of the write in the region.
     * @param length          byte length of the write.
     * @throws IndexOutOfBoundsException if the offset is negative or not a multiple of 8, the length
     *                                   is not a positive multiple of 8, or the write does not fit.
     */
    public static void checkWrite(final int regionSizeBytes, final int offset, final int length)
    {
        checkAlignment(offset, length);
        if (regionSizeBytes >= 0 && (long)offset + length > regionSizeBytes)
        {
            throw new IndexOutOfBoundsException(
                "write offset=" + offset + " length=" + length + " exceeds region sizeBytes=" + regionSizeBytes);
        }
    }

    /**
     * Checks the word alignment of a write whose target size is not known.
     *
     * @param offset byte offset of the write.
     * @param length byte length of the write.
     * @throws IndexOutOfBoundsException if the offset is negative or not a multiple of 8, or the
     *                                   length is not a positive multiple of 8.
     */
    public static void checkAlignment(final int offset, final int length)
    {
        if (offset < 0 || (offset & (WORD_BYTES - 1)) != 0)
        {
            throw new IndexOutOfBoundsException("write offset=" + offset + " must be a non-negative multiple of 8");
        }
        if (length <= 0 || (length & (WORD_BYTES - 1)) != 0)
        {
            throw new IndexOutOfBoundsException("write length=" + length + " must be a positive multiple of 8");
        }
    }
}
