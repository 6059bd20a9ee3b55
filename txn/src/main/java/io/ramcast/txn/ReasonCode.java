package io.ramcast.txn;

/**
 * Why a transaction definitely did not commit. Every involved partition computes the same code.
 */
public enum ReasonCode
{
    /** A compare-and-set found another value. */
    CONDITION_FAILED,
    /** The procedure decided to abort. */
    PROCEDURE_ABORTED,
    /** No procedure of that name is registered on the replicas. */
    UNKNOWN_PROCEDURE,
    /** A key, value or the transaction exceeds the cluster's limits. */
    LIMIT_EXCEEDED,
    /** The transaction is malformed (undeclared key, wrong destinations, a scan over several partitions). */
    INVALID,
    /** An increment would take its counter past {@link Long#MAX_VALUE} or {@link Long#MIN_VALUE}; nothing was written. */
    COUNTER_OVERFLOW
}
