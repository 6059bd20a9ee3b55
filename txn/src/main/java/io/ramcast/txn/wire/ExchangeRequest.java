package io.ramcast.txn.wire;

/**
 * A replica that waits for another partition's reads of a multi-partition transaction asks that
 * partition's replicas to send them again: after a restart, a replica executes again a delivery its
 * store had not applied, while the other partitions applied it long ago and will not read for it
 * again. A replica that applied the transaction answers with the very {@link ReadExchange} it sent
 * then (kept with the transaction's writes, or in memory for a read-only transaction); one that has
 * not executed it yet sends its reads when it does; one that executed it and keeps its reads no
 * longer answers {@link ReadsGone}, which it can tell from the transaction's position carried here.
 *
 * @param messageId     the RamCast message id of the transaction.
 * @param fromPartition the partition of the replica that waits.
 * @param timestamp     the transaction's final timestamp.
 * @param group         the group that gave it.
 */
public record ExchangeRequest(long messageId, int fromPartition, long timestamp, int group)
{
}
