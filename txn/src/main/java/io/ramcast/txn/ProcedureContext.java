package io.ramcast.txn;

/**
 * What a {@link Procedure} sees of its transaction. Not thread-safe; valid only during
 * {@link Procedure#execute}.
 */
public interface ProcedureContext
{
    /** @return the arguments the client passed. */
    byte[] arguments();

    /**
     * @param key a key of the transaction's read set.
     * @return its value as of this point of the transaction (earlier writes of the procedure
     *         included), or null if absent.
     * @throws InvalidTransactionException if the key is not in the read set (the transaction does
     *                                     not commit: {@link ReasonCode#INVALID}).
     */
    byte[] read(byte[] key);

    /**
     * @param key   a key of the transaction's write set.
     * @param value its new value, not null.
     * @throws InvalidTransactionException if the key is not in the write set or the value is null
     *                                     (the transaction does not commit: {@link ReasonCode#INVALID}).
     */
    void write(byte[] key, byte[] value);

    /**
     * @param key a key of the transaction's write set, to remove.
     * @throws InvalidTransactionException if the key is not in the write set (the transaction does
     *                                     not commit: {@link ReasonCode#INVALID}).
     */
    void delete(byte[] key);

    /**
     * Ends the transaction without committing; every partition reaches the same decision.
     *
     * @param reason why, returned to the client.
     * @return never returns; declared so callers can write {@code throw context.abort("...")}.
     */
    default Abort abort(final String reason)
    {
        throw new Abort(reason);
    }

    /** Thrown by {@link #abort(String)}. */
    final class Abort extends RuntimeException
    {
        /**
         * @param reason why the procedure aborted.
         */
        public Abort(final String reason)
        {
            super(reason, null, false, false);
        }
    }
}
