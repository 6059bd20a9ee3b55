package io.ramcast.txn.wire;

/**
 * The answer to an {@link ExchangeRequest} from a replica that executed the transaction and no
 * longer keeps the reads it sent for it. A read-only transaction's reads are kept in memory only,
 * so after a restart a replica may execute again a read-only transaction every other partition has
 * passed; it has no effect anywhere, so the waiting replica skips it on this answer (its client
 * had its outcome, or retries). For a transaction that writes it means the waiting replica is too
 * far behind to finish it from the kept reads.
 *
 * @param messageId     the RamCast message id of the transaction.
 * @param fromPartition the partition that answers.
 */
public record ReadsGone(long messageId, int fromPartition)
{
}
