package io.ramcast.bench.workload;

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
            final long fromBalance = BankWorkload.balance(ctx.read(from));
            if (amount < 0 || fromBalance < amount)
            {
                throw ctx.abort("insufficient funds");
            }
            ctx.write(from, BankWorkload.encode(fromBalance - amount));
            ctx.write(to, BankWorkload.encode(BankWorkload.balance(ctx.read(to)) + amount));
            return new byte[0];
        });
    }
}
