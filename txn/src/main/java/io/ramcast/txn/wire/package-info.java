/**
 * The messages of the transaction layer: {@link io.ramcast.txn.wire.TxnRequest} (multicast by a
 * client), {@link io.ramcast.txn.wire.ReadExchange} (replica to replica) and
 * {@link io.ramcast.txn.wire.TxnReply} (replica to client), encoded by
 * {@link io.ramcast.txn.wire.TxnCodec}.
 */
package io.ramcast.txn.wire;
