/**
 * The embeddable client library of RamCast KV: {@link io.ramcast.client.KvClient} runs transactions
 * (built with {@link io.ramcast.txn.Transaction}) against a partitioned, replicated cluster, with
 * synchronous and {@link java.util.concurrent.CompletableFuture} APIs.
 *
 * <p>Outcomes are typed ({@link io.ramcast.client.TxnOutcome}): committed, definitely not committed
 * (with a {@link io.ramcast.txn.ReasonCode}), or unknown (timeout, connection lost, client closed;
 * retry with the same request id to learn the outcome without executing twice). The conveniences
 * throw {@link io.ramcast.client.NotCommittedException},
 * {@link io.ramcast.client.UnknownProcedureException} and
 * {@link io.ramcast.client.UnknownOutcomeException}; requests over the cluster's limits are refused
 * before sending with {@link io.ramcast.client.LimitExceededException}; a cluster that cannot be
 * reached at start is a {@link io.ramcast.client.ClusterUnreachableException}.
 *
 * <p>It depends on the transaction model ({@code ramcast-txn}) and the multicast client
 * ({@code ramcast-multicast}) only, never on RocksDB. Public: {@code KvClient}, its builder,
 * {@code TxnOutcome} and the exceptions; everything else is package-private.
 */
package io.ramcast.client;
