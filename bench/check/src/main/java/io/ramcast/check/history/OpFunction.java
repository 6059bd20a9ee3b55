package io.ramcast.check.history;

/**
 * The operation a history line is about (its {@code "f"} field), which fixes the shape of its
 * value (see {@link OpValue}).
 */
public enum OpFunction
{
    /** Bank workload: move an amount from one account to another ({@link OpValue.Transfer}). */
    TRANSFER("transfer"),
    /** Bank workload: read the balance of every account ({@link OpValue.Balances} once ok). */
    READ("read"),
    /** List-append workload: a transaction of appends and list reads ({@link OpValue.Txn}). */
    TXN("txn");

    private final String jsonName;

    OpFunction(final String jsonName)
    {
        this.jsonName = jsonName;
    }

    /** @return the name used for the {@code "f"} field of a history line. */
    public String jsonName()
    {
        return jsonName;
    }

    /**
     * @param name an {@code "f"} field value.
     * @return the function with that {@link #jsonName()}.
     * @throws IllegalArgumentException if no function has that name.
     */
    public static OpFunction fromJsonName(final String name)
    {
        for (final OpFunction f : values())
        {
            if (f.jsonName.equals(name))
            {
                return f;
            }
        }
        throw new IllegalArgumentException("\"f\" must be one of transfer, read, txn, got \"" + name + "\"");
    }
}
