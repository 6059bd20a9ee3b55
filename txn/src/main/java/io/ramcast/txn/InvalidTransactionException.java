package io.ramcast.txn;

/**
 * A transaction, or a procedure call, is invalid in a way every replica of every involved
 * partition detects identically from the transaction and the values it read: a key outside the
 * declared read or write set, a value of the wrong shape (a counter that is not 8 bytes), procedure
 * arguments out of range. The executor turns it into a definite "not committed" with
 * {@link ReasonCode#INVALID} and this exception's message as the detail.
 *
 * <p>Only for failures that are a function of the transaction and its reads. Any other exception
 * thrown while a transaction executes is taken for a bug and stops the executor (fail-stop), since
 * nothing guarantees the other replicas fail the same way.
 *
 * <p>It is an {@link IllegalArgumentException}, so callers written against the
 * {@link ProcedureContext} contract ("throws IllegalArgumentException") keep working; the executor
 * catches this type only, never a plain {@code IllegalArgumentException}. No stack trace is filled
 * in: it is an expected outcome, not a diagnostic.
 */
public final class InvalidTransactionException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is invalid, returned to the client as the outcome's detail; it must be
     *                the same at every replica (no addresses, times or hash-ordered contents).
     */
    public InvalidTransactionException(final String message)
    {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace()
    {
        return this;
    }
}
