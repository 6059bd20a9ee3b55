package io.ramcast.txn.wire;

import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;

import java.util.List;

/**
 * A replica's answer to a client for one request: identical at every replica of every involved
 * partition except for the partition field.
 *
 * @param requestId the request answered.
 * @param partition the answering replica's partition.
 * @param committed whether the transaction committed.
 * @param reason    why not (null when committed).
 * @param detail    human-readable detail of the reason (empty when committed).
 * @param results   per-operation results when committed (empty otherwise).
 */
public record TxnReply(long requestId, int partition, boolean committed, ReasonCode reason, String detail,
    List<Result> results)
{
    public TxnReply
    {
        results = List.copyOf(results);
    }
}
