package io.ramcast.txn.wire;

import io.ramcast.txn.Transaction;

/**
 * The payload a client multicasts: one transaction attempt.
 *
 * @param clientId      the client's process id (replies go there).
 * @param requestId     the request id; a retry of the same transaction reuses it, and the replicas
 *                      apply it at most once.
 * @param settledBelow  every request of this client with a smaller id is settled (the client will
 *                      never retry it), so replicas may forget its remembered outcome.
 * @param partitions    the destination partitions the client computed, ascending (checked by the
 *                      replicas against their own partitioner).
 * @param transaction   the transaction.
 */
public record TxnRequest(int clientId, long requestId, long settledBelow, int[] partitions, Transaction transaction)
{
}
