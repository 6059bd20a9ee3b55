package io.ramcast.bench.workload;

import io.ramcast.txn.ProcedureContext;
import io.ramcast.txn.ProcedureProvider;
import io.ramcast.txn.ProcedureRegistry;

import java.nio.ByteBuffer;

/**
 * The bank workload's procedure, found by every replica started from the RamCast KV jar
 * ({@code META-INF/services/io.ramcast.txn.ProcedureProvider}).
 *
 * <p>{@value #TRANSFER}: arguments (from int, to int, amount long); reads and writes the two
 * accounts' balances (8-byte big-endian longs); aborts with "insufficient funds" rather than let a
 * balance go negative. Deterministic: it depends only on its arguments and reads.
 */
public final class BankProcedures implements ProcedureProvider
{
    /** Name of the transfer procedure. */
    public static final String TRANSFER = "bank.transfer";

    @Override
    public void register(final ProcedureRegistry registry)
    {
        registry.register(TRANSFER, ctx ->
        {
            final ByteBuffer args = ByteBuffer.wrap(ctx.arguments());
            if (args.remaining() != 16)
            {
                throw ctx.abort("bank.transfer takes (from int, to int, amount long), got " + args.remaining() + " bytes");
            }
            final byte[] from = BankWorkload.accountKey(args.getInt());
            final byte[] to = BankWorkload.accountKey(args.getInt());
            final long amount = args.getLong();
            final long fromBalance = balance(ctx, from);
            if (amount < 0 || fromBalance < amount)
            {
                throw ctx.abort("insufficient funds");
            }
            ctx.write(from, BankWorkload.encode(fromBalance - amount));
            ctx.write(to, BankWorkload.encode(balance(ctx, to) + amount));
            return new byte[0];
        });
    }

    /** An account's balance; a missing or malformed account aborts the transfer (identically everywhere). */
    private static long balance(final ProcedureContext ctx, final byte[] account)
    {
        final byte[] value = ctx.read(account);
        if (value == null || value.length != Long.BYTES)
        {
            throw ctx.abort("account holds " + (value == null ? "nothing" : value.length + " bytes") +
                "; load the bank data set first");
        }
        return ByteBuffer.wrap(value).getLong();
    }
}
