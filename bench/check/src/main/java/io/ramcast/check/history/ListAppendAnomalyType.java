package io.ramcast.check.history;

import io.ramcast.check.AnomalyKind;

import java.util.Set;

/**
 * The anomalies {@link ListAppendChecker} reports, after Adya's phenomena as Elle checks them.
 * Cycle anomalies ({@link #isCycle()}) come with a witness cycle; the {@code _REALTIME} ones need
 * at least one real-time edge, so they break strict serializability but not serializability.
 */
public enum ListAppendAnomalyType implements AnomalyKind
{
    /** Write cycle: a cycle of ww dependencies only. */
    G0("G0", true, false),
    /** Aborted read: a read saw a value appended by a transaction that failed. */
    G1A("G1a", false, false),
    /** Intermediate read: a read ended in a value its writer later followed with another append to that key. */
    G1B("G1b", false, false),
    /** Circular information flow: a cycle of ww and wr dependencies with at least one wr. */
    G1C("G1c", true, false),
    /** A cycle with exactly one rw anti-dependency (read skew, lost update). */
    G_SINGLE("G-single", true, false),
    /** A cycle with two or more rw anti-dependencies (write skew). */
    G2("G2", true, false),
    /** A cycle of ww and at least one real-time edge. */
    G0_REALTIME("G0-realtime", true, true),
    /** A cycle of ww, wr (at least one) and at least one real-time edge. */
    G1C_REALTIME("G1c-realtime", true, true),
    /** A cycle with exactly one rw and at least one real-time edge (for example a stale read). */
    G_SINGLE_REALTIME("G-single-realtime", true, true),
    /** A cycle with two or more rw and at least one real-time edge. */
    G2_REALTIME("G2-realtime", true, true),
    /**
     * No version order of a key explains the reads: two lists where neither is a prefix of the
     * other, or a list that separates or reorders one transaction's appends to the key.
     */
    INCOMPATIBLE_ORDER("incompatible-order", false, false),
    /** A read returned a list holding one value more than once, though every value is appended once. */
    DUPLICATE_ELEMENTS("duplicate-elements", false, false),
    /**
     * A transaction read a key inconsistently with its own earlier reads and appends of that key,
     * or saw a value it appends to that key only later.
     */
    INTERNAL("internal", false, false),
    /** A read returned a value that no transaction of the history appended to that key. */
    GARBAGE_READ("garbage-read", false, false);

    private final String label;
    private final boolean cycle;
    private final boolean realtime;

    ListAppendAnomalyType(final String label, final boolean cycle, final boolean realtime)
    {
        this.label = label;
        this.cycle = cycle;
        this.realtime = realtime;
    }

    /** @return the name used in reports, as in the literature: {@code G-single}, {@code G1c-realtime}. */
    @Override
    public String label()
    {
        return label;
    }

    /** @return whether anomalies of this type carry a witness cycle. */
    public boolean isCycle()
    {
        return cycle;
    }

    /** @return whether only real-time order makes this an anomaly (a strict serializability violation). */
    public boolean isRealtime()
    {
        return realtime;
    }

    /** @return {@code " (strict serializability violation)"} for a real-time type, else empty. */
    @Override
    public String countNote()
    {
        return realtime ? " (strict serializability violation)" : "";
    }

    /**
     * @param found anomaly types found in a history.
     * @return whether every one needs real-time order: the history is then consistent with
     *         serializability (but perhaps not with strict serializability).
     */
    public static boolean allRealtime(final Set<ListAppendAnomalyType> found)
    {
        for (final ListAppendAnomalyType type : found)
        {
            if (!type.realtime)
            {
                return false;
            }
        }
        return true;
    }

    /** @return {@link #label()}. */
    @Override
    public String toString()
    {
        return label;
    }
}
