package io.ramcast.client;

import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;

import java.util.List;
import java.util.Objects;

/**
 * What a client knows about one transaction attempt: it {@linkplain Committed committed}, it
 * {@linkplain NotCommitted definitely did not commit}, or its outcome is {@linkplain Unknown unknown}
 * (timeout, lost connection, client closed) and it may or may not have committed.
 *
 * <p>Every outcome carries the attempt's request id. An {@link Unknown} outcome can be resolved by
 * retrying the same transaction with the same id ({@link KvClient#executeAsync(long, io.ramcast.txn.Transaction)}):
 * replicas remember the outcome of each request id they executed and answer a retry from that
 * memory, so the retry reports the original outcome instead of executing twice.
 */
public sealed interface TxnOutcome
{
    /** @return the request id of the attempt. */
    long requestId();

    /**
     * @return the per-operation results (one {@link Result.Output} for a procedure call) if the
     *         transaction committed.
     * @throws UnknownProcedureException if it did not commit because the procedure is not registered.
     * @throws NotCommittedException     if it definitely did not commit for another reason.
     * @throws UnknownOutcomeException   if its outcome is unknown.
     */
    List<Result> resultsOrThrow();

    /**
     * The transaction committed at every involved partition.
     *
     * @param requestId the request id.
     * @param results   one result per operation, in operation order; one {@link Result.Output} for a
     *                  procedure call.
     */
    record Committed(long requestId, List<Result> results) implements TxnOutcome
    {
        public Committed
        {
            results = List.copyOf(results);
        }

        @Override
        public List<Result> resultsOrThrow()
        {
            return results;
        }
    }

    /**
     * The transaction definitely did not commit: every involved partition decided so, for the same
     * reason, and none of its writes were applied.
     *
     * @param requestId the request id.
     * @param reason    why.
     * @param detail    human-readable detail from the replicas (may be empty).
     */
    record NotCommitted(long requestId, ReasonCode reason, String detail) implements TxnOutcome
    {
        public NotCommitted
        {
            Objects.requireNonNull(reason, "reason");
            detail = detail == null ? "" : detail;
        }

        @Override
        public List<Result> resultsOrThrow()
        {
            throw toException();
        }

        /** @return the exception the synchronous conveniences throw for this outcome. */
        public NotCommittedException toException()
        {
            return reason == ReasonCode.UNKNOWN_PROCEDURE ?
                new UnknownProcedureException(requestId, detail) : new NotCommittedException(requestId, reason, detail);
        }
    }

    /**
     * The client does not know whether the transaction committed (like MicroRaft's
     * {@code IndeterminateStateException}): no answer came from every involved partition within the
     * request timeout, the client lost its connection, or it was closed. Retry with the same request
     * id to learn the outcome without executing twice.
     *
     * @param requestId the request id to retry with.
     * @param cause     why the outcome is unknown.
     */
    record Unknown(long requestId, String cause) implements TxnOutcome
    {
        public Unknown
        {
            Objects.requireNonNull(cause, "cause");
        }

        @Override
        public List<Result> resultsOrThrow()
        {
            throw toException();
        }

        /** @return the exception the synchronous conveniences throw for this outcome. */
        public UnknownOutcomeException toException()
        {
            return new UnknownOutcomeException(requestId, cause);
        }
    }
}
