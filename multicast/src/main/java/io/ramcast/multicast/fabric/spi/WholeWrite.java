package io.ramcast.multicast.fabric.spi;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The store the software fabrics apply a write with (the {@link io.ramcast.multicast.fabric.Fabric}
 * contract promises no placement order within a write; these fabrics give the usual one): bytes
 * {@code [0, length - 8)} with plain stores, then the last 8-byte word with a release store, so a
 * reader that sees the last word with an acquire load sees the whole write.
 *
 * <pre>
 *   offset                                   offset + length - 8    offset + length
 *     |------------ plain stores -------------|--- release store ---|
 *                                               (sealing word)
 * </pre>
 *
 * <p>Threading: stateless; the caller provides whatever exclusion the target needs.
 */
public final class WholeWrite
{
    private WholeWrite()
    {
    }

    /**
     * Copies a write into local memory, sealing word last.
     *
     * @param target       the memory written.
     * @param targetOffset byte offset in {@code target}, already checked with {@link RegionBounds#checkWrite}.
     * @param src          source bytes.
     * @param srcOffset    byte offset in {@code src}.
     * @param length       byte length, a positive multiple of {@value RegionBounds#WORD_BYTES}, already checked.
     */
    public static void store(
        final AtomicBuffer target, final int targetOffset, final DirectBuffer src, final int srcOffset, final int length)
    {
        final int lastWordOffset = length - RegionBounds.WORD_BYTES;
        if (lastWordOffset > 0)
        {
            target.putBytes(targetOffset, src, srcOffset, lastWordOffset);
        }
        target.putLongRelease(targetOffset + lastWordOffset, src.getLong(srcOffset + lastWordOffset));
    }
}
