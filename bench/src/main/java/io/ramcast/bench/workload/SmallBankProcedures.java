package io.ramcast.bench.workload;

import io.ramcast.txn.ProcedureContext;
import io.ramcast.txn.ProcedureProvider;
import io.ramcast.txn.ProcedureRegistry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The six SmallBank procedures (Cahill, Röhm, Fekete, "Serializable isolation for snapshot
 * databases", SIGMOD 2008), registered as {@code smallbank.<label>} of
 * {@link SmallBankTransactionType}, found by every replica started from the RamCast KV jar
 * ({@code META-INF/services/io.ramcast.txn.ProcedureProvider}). Arguments and declared keys:
 * {@link SmallBankCall}; key layout: {@link SmallBankCustomer}. Balances are 8-byte big-endian
 * longs in cents.
 *
 * <p>Semantics, {@code c} the customer, {@code o} the other, {@code v} the amount:
 * <ul>
 *   <li>balance(c): returns savings(c) + checking(c).</li>
 *   <li>deposit-checking(c, v): aborts if v &lt; 0; checking(c) += v.</li>
 *   <li>transact-savings(c, v): aborts if savings(c) + v &lt; 0; savings(c) += v.</li>
 *   <li>amalgamate(c, o): moved = savings(c) + checking(c); savings(c) = checking(c) = 0;
 *       checking(o) += moved (also when the sum is negative; BenchBase's variant, which zeroes
 *       only c's checking and credits o's savings, is not followed).</li>
 *   <li>write-check(c, v): if savings(c) + checking(c) &lt; v then checking(c) -= v + {@value #PENALTY_CENTS}
 *       (the overdraft penalty) else checking(c) -= v. Checking may go negative.</li>
 *   <li>send-payment(c, o, v): aborts if checking(c) &lt; v; checking(c) -= v; checking(o) += v.</li>
 * </ul>
 * Every procedure first looks up the Accounts row of each customer it names and aborts with
 * "unknown customer &lt;id&gt;" if one is missing. Beyond the paper, which leaves these cases open:
 * a negative amount aborts write-check and send-payment (it would turn a debit into a credit that
 * no balance check covers), a missing or malformed balance row or an arithmetic overflow aborts,
 * and customer and other may be the same customer (the effects then apply in the order above).
 * Every abort gives the same reason at every replica (the {@code PROCEDURE_ABORTED} outcome).
 *
 * <p>Outputs ({@link #decodeOutput}): {@link SmallBankTransactionType#outputLongs()} longs, the
 * balances read after the procedure's own writes:
 * <pre>
 *  balance            | savings + checking |
 *  deposit-checking   | checking after |
 *  transact-savings   | savings after |
 *  write-check        | penalty (0 or 1) | checking after |
 *  amalgamate         | moved | other's checking after |
 *  send-payment       | checking after | other's checking after |
 * </pre>
 * So a client that saw a call commit knows its effect on the total of all balances: +v for
 * deposit-checking and transact-savings, -(v + penalty) for write-check, 0 for the others.
 *
 * <p>Deterministic: the outcome depends only on the arguments and the reads.
 */
public final class SmallBankProcedures implements ProcedureProvider
{
    /** Overdraft penalty of write-check, in cents. */
    public static final long PENALTY_CENTS = 1;

    @Override
    public void register(final ProcedureRegistry registry)
    {
        for (final SmallBankTransactionType type : SmallBankTransactionType.values())
        {
            registry.register(type.procedureName(), ctx -> execute(type, ctx));
        }
    }

    private static byte[] execute(final SmallBankTransactionType type, final ProcedureContext ctx)
    {
        final SmallBankCall call;
        try
        {
            call = SmallBankCall.decode(type, ctx.arguments());
        }
        catch (final IllegalArgumentException ex)
        {
            throw ctx.abort(ex.getMessage());
        }
        final SmallBankCustomer c = call.customer();
        final SmallBankCustomer o = call.other();
        final long v = call.amount();
        requireAccount(ctx, c);
        if (o != null)
        {
            requireAccount(ctx, o);
        }
        return switch (type)
        {
            case BALANCE -> output(add(ctx, savings(ctx, c), checking(ctx, c)));
            case DEPOSIT_CHECKING ->
            {
                if (v < 0)
                {
                    throw ctx.abort("negative deposit " + v + " to customer " + c.id());
                }
                final long after = add(ctx, checking(ctx, c), v);
                ctx.write(c.checkingKey(), encodeBalance(after));
                yield output(after);
            }
            case TRANSACT_SAVINGS ->
            {
                final long after = add(ctx, savings(ctx, c), v);
                if (after < 0)
                {
                    throw ctx.abort("insufficient savings: customer " + c.id() + " has " + savings(ctx, c) +
                        ", transaction of " + v);
                }
                ctx.write(c.savingsKey(), encodeBalance(after));
                yield output(after);
            }
            case WRITE_CHECK ->
            {
                if (v < 0)
                {
                    throw ctx.abort("negative check amount " + v + " for customer " + c.id());
                }
                final long checking = checking(ctx, c);
                final long penalty = add(ctx, savings(ctx, c), checking) < v ? PENALTY_CENTS : 0;
                final long after = add(ctx, checking, -add(ctx, v, penalty));
                ctx.write(c.checkingKey(), encodeBalance(after));
                yield output(penalty, after);
            }
            case AMALGAMATE ->
            {
                final long moved = add(ctx, savings(ctx, c), checking(ctx, c));
                ctx.write(c.savingsKey(), encodeBalance(0));
                ctx.write(c.checkingKey(), encodeBalance(0));
                ctx.write(o.checkingKey(), encodeBalance(add(ctx, checking(ctx, o), moved)));
                yield output(moved, checking(ctx, o));
            }
            case SEND_PAYMENT ->
            {
                if (v < 0)
                {
                    throw ctx.abort("negative payment " + v + " from customer " + c.id());
                }
                final long from = checking(ctx, c);
                if (from < v)
                {
                    throw ctx.abort("insufficient funds: customer " + c.id() + " has " + from + " in checking, payment of " + v);
                }
                ctx.write(c.checkingKey(), encodeBalance(from - v));
                ctx.write(o.checkingKey(), encodeBalance(add(ctx, checking(ctx, o), v)));
                yield output(checking(ctx, c), checking(ctx, o));
            }
        };
    }

    private static void requireAccount(final ProcedureContext ctx, final SmallBankCustomer customer)
    {
        if (ctx.read(customer.accountKey()) == null)
        {
            throw ctx.abort("unknown customer " + customer.id());
        }
    }

    private static long savings(final ProcedureContext ctx, final SmallBankCustomer customer)
    {
        return balance(ctx, customer, customer.savingsKey(), "savings");
    }

    private static long checking(final ProcedureContext ctx, final SmallBankCustomer customer)
    {
        return balance(ctx, customer, customer.checkingKey(), "checking");
    }

    private static long balance(
        final ProcedureContext ctx, final SmallBankCustomer customer, final byte[] key, final String table)
    {
        final byte[] value = ctx.read(key);
        if (value == null)
        {
            throw ctx.abort("customer " + customer.id() + " has no " + table + " row " +
                new String(key, StandardCharsets.UTF_8));
        }
        if (value.length != Long.BYTES)
        {
            throw ctx.abort("customer " + customer.id() + " " + table + " row holds " + value.length +
                " bytes, not an 8-byte balance");
        }
        return ByteBuffer.wrap(value).getLong();
    }

    private static long add(final ProcedureContext ctx, final long a, final long b)
    {
        try
        {
            return Math.addExact(a, b);
        }
        catch (final ArithmeticException ex)
        {
            throw ctx.abort("balance overflow: " + a + " + " + b);
        }
    }

    private static byte[] output(final long... values)
    {
        final ByteBuffer out = ByteBuffer.allocate(values.length * Long.BYTES);
        for (final long value : values)
        {
            out.putLong(value);
        }
        return out.array();
    }

    /**
     * @param balanceCents a balance.
     * @return its stored form: 8 bytes, big-endian.
     */
    public static byte[] encodeBalance(final long balanceCents)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(balanceCents).array();
    }

    /**
     * @param value a stored balance.
     * @return the balance in cents.
     * @throws IllegalArgumentException if the value is absent or not 8 bytes.
     */
    public static long decodeBalance(final byte[] value)
    {
        if (value == null || value.length != Long.BYTES)
        {
            throw new IllegalArgumentException("a SmallBank balance is 8 bytes, got " +
                (value == null ? "nothing" : value.length + " bytes"));
        }
        return ByteBuffer.wrap(value).getLong();
    }

    /**
     * @param type   the procedure's type.
     * @param output what it returned.
     * @return the output's longs (see the class comment).
     * @throws IllegalArgumentException if the output has the wrong size.
     */
    public static long[] decodeOutput(final SmallBankTransactionType type, final byte[] output)
    {
        if (output.length != type.outputLongs() * Long.BYTES)
        {
            throw new IllegalArgumentException(type.procedureName() + " returns " + type.outputLongs() * Long.BYTES +
                " bytes, got " + output.length);
        }
        final long[] values = new long[type.outputLongs()];
        ByteBuffer.wrap(output).asLongBuffer().get(values);
        return values;
    }
}
