package io.ramcast.client;

/**
 * The transaction <b>committed</b> at every involved partition, but one partition's results did
 * not fit its reply, so the client cannot show them. Only an operation list whose partitions
 * answer with their own results can end so, and only when a stored value is larger than the
 * cluster's {@code limits.maxValueBytes} allows (it was written before the limit was lowered):
 * otherwise such a transaction is refused up front with a "limit exceeded" outcome. Its writes are
 * applied; read the keys of that partition in smaller transactions.
 *
 * <p>Retrying the request id returns the same answer: the outcome is remembered as it was sent.
 */
public final class ResultsTooLargeException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final long requestId;
    private final int partition;

    /**
     * @param requestId the committed request.
     * @param partition the partition whose results were left out.
     * @param detail    the partition's explanation.
     */
    public ResultsTooLargeException(final long requestId, final int partition, final String detail)
    {
        super("request " + requestId + " committed, but partition " + partition + " could not send its results: " +
            detail);
        this.requestId = requestId;
        this.partition = partition;
    }

    /**
     * The same failure thrown again on the caller's thread, with the original as its cause.
     *
     * @param cause the failure as the reply handling raised it.
     */
    ResultsTooLargeException(final ResultsTooLargeException cause)
    {
        super(cause.getMessage(), cause);
        this.requestId = cause.requestId;
        this.partition = cause.partition;
    }

    /** @return the committed request's id. */
    public long requestId()
    {
        return requestId;
    }

    /** @return the partition whose results were left out. */
    public int partition()
    {
        return partition;
    }
}
