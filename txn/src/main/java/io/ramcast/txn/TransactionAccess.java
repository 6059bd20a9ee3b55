package io.ramcast.txn;

import java.util.List;

/**
 * Builds a {@link Transaction} from decoded parts; for the codec only (public because the codec
 * lives in a sub-package).
 */
public final class TransactionAccess
{
    private TransactionAccess()
    {
    }

    /**
     * @param name      procedure name.
     * @param arguments its arguments.
     * @param reads     declared read keys.
     * @param writes    declared write keys.
     * @return the procedure call.
     */
    public static Transaction procedure(final String name, final byte[] arguments, final List<byte[]> reads,
        final List<byte[]> writes)
    {
        return new Transaction(null, name, arguments == null ? new byte[0] : arguments, reads, writes);
    }
}
