package io.ramcast.check.history;

/** Why one transaction must precede another in any serialization ({@link Dependency}). */
public enum DependencyKind
{
    /** Write-write: the first appended a version of a key, the second appended the next version. */
    WW("ww", 1),
    /** Write-read: the second read a list whose last element the first appended. */
    WR("wr", 2),
    /** Read-write anti-dependency: the first read a key up to some version, the second appended the next one. */
    RW("rw", 4),
    /** Real time: the first completed ok before the second was invoked (strict serializability only). */
    REALTIME("realtime", 8);

    private final String symbol;
    private final int bit;

    DependencyKind(final String symbol, final int bit)
    {
        this.symbol = symbol;
        this.bit = bit;
    }

    /** @return the short name used in reports ({@code ww}, {@code wr}, {@code rw}, {@code realtime}). */
    public String symbol()
    {
        return symbol;
    }

    /** @return this kind's bit in an edge mask of {@link DependencyGraph}. */
    int bit()
    {
        return bit;
    }

    /**
     * @param bit one kind's bit.
     * @return that kind.
     */
    static DependencyKind ofBit(final int bit)
    {
        for (final DependencyKind kind : values())
        {
            if (kind.bit == bit)
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("no dependency kind has bit " + bit);
    }
}
