package io.ramcast.txn.store;

/**
 * A storage error (I/O failure, disk full, corruption). The replica that sees it must stop rather
 * than acknowledge anything further.
 */
public class StoreException extends RuntimeException
{
    /**
     * @param message what failed, naming the store (path) and the operation.
     */
    public StoreException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, naming the store (path) and the operation.
     * @param cause   the underlying error.
     */
    public StoreException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
