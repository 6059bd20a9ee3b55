package io.ramcast.client;

import io.ramcast.txn.ReasonCode;

import java.util.Objects;

/**
 * A transaction definitely did not commit: every involved partition decided so for the same
 * {@link #reason()}, and none of its writes were applied. Retrying the same transaction is safe but
 * will fail the same way unless the data it depends on changes (or, for {@link ReasonCode#INVALID}
 * and {@link ReasonCode#LIMIT_EXCEEDED}, ever).
 *
 * <p>Thrown by the synchronous conveniences of {@link KvClient} (and their futures complete
 * exceptionally with it); {@link KvClient#compareAndSet} returns false instead for
 * {@link ReasonCode#CONDITION_FAILED}.
 */
public class NotCommittedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long requestId;
    private final ReasonCode reason;
    private final String detail;

    /**
     * @param requestId the request id of the attempt.
     * @param reason    why it did not commit.
     * @param detail    the replicas' detail (may be empty).
     */
    public NotCommittedException(final long requestId, final ReasonCode reason, final String detail)
    {
        super("transaction " + requestId + " did not commit: " + Objects.requireNonNull(reason, "reason") +
            (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.requestId = requestId;
        this.reason = reason;
        this.detail = detail == null ? "" : detail;
    }

    /** @return the request id of the attempt. */
    public long requestId()
    {
        return requestId;
    }

    /** @return why the transaction did not commit. */
    public ReasonCode reason()
    {
        return reason;
    }

    /** @return the replicas' human-readable detail (may be empty). */
    public String detail()
    {
        return detail;
    }
}
