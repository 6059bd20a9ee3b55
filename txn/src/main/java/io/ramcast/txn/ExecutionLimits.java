package io.ramcast.txn;

/**
 * Limits a replica enforces on every delivered transaction (and a client checks before sending).
 *
 * @param maxKeyBytes           largest key.
 * @param maxValueBytes         largest value (written or expected).
 * @param maxKeysPerTransaction largest number of declared keys (read set + write set).
 * @param maxScanEntries        largest scan limit.
 */
public record ExecutionLimits(int maxKeyBytes, int maxValueBytes, int maxKeysPerTransaction, int maxScanEntries)
{
    /** Limits for tests and examples: 1 KiB keys, 4 KiB values, 256 keys, 1000 scan entries. */
    public static final ExecutionLimits DEFAULT = new ExecutionLimits(1024, 4096, 256, 1000);

    public ExecutionLimits
    {
        if (maxKeyBytes <= 0 || maxValueBytes <= 0 || maxKeysPerTransaction <= 0 || maxScanEntries <= 0)
        {
            throw new IllegalArgumentException("limits must be positive: " + maxKeyBytes + ", " + maxValueBytes +
                ", " + maxKeysPerTransaction + ", " + maxScanEntries);
        }
    }

    /**
     * Checks a transaction against the limits.
     *
     * @param t the transaction.
     * @return null if it fits, else what exceeds which limit.
     */
    public String check(final Transaction t)
    {
        final int keys = t.readKeys().size() + t.writeKeys().size();
        if (keys > maxKeysPerTransaction)
        {
            return "transaction declares " + keys + " keys; the limit is " + maxKeysPerTransaction +
                " (limits.maxKeysPerTransaction)";
        }
        for (final byte[] k : t.readKeys())
        {
            if (k.length > maxKeyBytes)
            {
                return key(k);
            }
        }
        for (final byte[] k : t.writeKeys())
        {
            if (k.length > maxKeyBytes)
            {
                return key(k);
            }
        }
        if (t.ops() != null)
        {
            for (final Op op : t.ops())
            {
                final String problem = check(op);
                if (problem != null)
                {
                    return problem;
                }
            }
        }
        return null;
    }

    private String check(final Op op)
    {
        if (op.key().length > maxKeyBytes)
        {
            return key(op.key());
        }
        if (op instanceof Op.Put p)
        {
            return value(p.value());
        }
        if (op instanceof Op.CompareAndSet c)
        {
            final String e = value(c.expected());
            return e != null ? e : value(c.newValue());
        }
        if (op instanceof Op.Scan s)
        {
            if (s.endExclusive() != null && s.endExclusive().length > maxKeyBytes)
            {
                return key(s.endExclusive());
            }
            if (s.limit() > maxScanEntries)
            {
                return "scan limit " + s.limit() + " exceeds the limit of " + maxScanEntries + " (limits.maxScanEntries)";
            }
        }
        return null;
    }

    /**
     * @param value a value (null allowed).
     * @return null if it fits, else the problem.
     */
    public String value(final byte[] value)
    {
        return value != null && value.length > maxValueBytes ?
            "value of " + value.length + " bytes exceeds the limit of " + maxValueBytes + " (limits.maxValueBytes)" : null;
    }

    private String key(final byte[] key)
    {
        return "key of " + key.length + " bytes exceeds the limit of " + maxKeyBytes + " (limits.maxKeyBytes)";
    }
}
