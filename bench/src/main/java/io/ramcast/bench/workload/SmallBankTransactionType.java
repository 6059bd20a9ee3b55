package io.ramcast.bench.workload;

/**
 * The six SmallBank transactions (Cahill, Röhm, Fekete, SIGMOD 2008; as in OLTPBench/BenchBase),
 * with the standard mix, the shape of their arguments and of their output. Each runs as the
 * procedure {@link #procedureName()} of {@link SmallBankProcedures}.
 *
 * <p>Arguments are customer references ({@link SmallBankCustomer#ENCODED_BYTES} bytes each) followed
 * by an amount in cents when the type takes one; the output is {@link #outputLongs()} 8-byte
 * big-endian longs, listed per constant. Amounts and balances are in cents.
 */
public enum SmallBankTransactionType
{
    /** Moves all of the customer's savings and checking into the other's checking: output (moved, other's checking after). */
    AMALGAMATE("amalgamate", 2, false, 15, 2),
    /** Reads the customer's savings and checking: output (savings + checking). */
    BALANCE("balance", 1, false, 15, 1),
    /** Adds a non-negative amount to checking: output (checking after). */
    DEPOSIT_CHECKING("deposit-checking", 1, true, 15, 1),
    /** Pays the other customer from checking, if checking covers it: output (checking after, other's checking after). */
    SEND_PAYMENT("send-payment", 2, true, 25, 2),
    /** Adds a possibly negative amount to savings, unless savings would go negative: output (savings after). */
    TRANSACT_SAVINGS("transact-savings", 1, true, 15, 1),
    /** Cashes a check against checking, with a penalty if savings + checking do not cover it: output (penalty, checking after). */
    WRITE_CHECK("write-check", 1, true, 15, 2);

    /** Prefix of every SmallBank procedure name. */
    public static final String PROCEDURE_PREFIX = "smallbank.";

    private static final SmallBankTransactionType[] VALUES = values();

    private final String label;
    private final int customers;
    private final boolean hasAmount;
    private final int mixPercent;
    private final int outputLongs;

    SmallBankTransactionType(
        final String label, final int customers, final boolean hasAmount, final int mixPercent, final int outputLongs)
    {
        this.label = label;
        this.customers = customers;
        this.hasAmount = hasAmount;
        this.mixPercent = mixPercent;
        this.outputLongs = outputLongs;
    }

    /** @return the label of generated operations, e.g. {@code send-payment}. */
    public String label()
    {
        return label;
    }

    /** @return the registered procedure name, e.g. {@code smallbank.send-payment}. */
    public String procedureName()
    {
        return PROCEDURE_PREFIX + label;
    }

    /** @return how many customers the transaction names (1, or 2 for a customer and an other). */
    public int customers()
    {
        return customers;
    }

    /** @return whether the arguments end with an amount. */
    public boolean hasAmount()
    {
        return hasAmount;
    }

    /** @return the share of the standard mix, in percent (the shares add up to 100). */
    public int mixPercent()
    {
        return mixPercent;
    }

    /** @return how many 8-byte longs the output holds. */
    public int outputLongs()
    {
        return outputLongs;
    }

    /** @return the size of the arguments in bytes. */
    public int argumentBytes()
    {
        return customers * SmallBankCustomer.ENCODED_BYTES + (hasAmount ? Long.BYTES : 0);
    }

    /**
     * @param percentile a value in [0, 100).
     * @return the type whose band of the standard mix holds it (bands in declaration order).
     */
    static SmallBankTransactionType ofMixPercentile(final int percentile)
    {
        int bound = 0;
        for (final SmallBankTransactionType type : VALUES)
        {
            bound += type.mixPercent;
            if (percentile < bound)
            {
                return type;
            }
        }
        throw new IllegalArgumentException("mix percentile " + percentile + " is not in [0, 100)");
    }
}
