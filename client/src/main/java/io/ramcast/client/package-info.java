/**
 * The embeddable client library of RamCast KV (issue "Transactions end to end").
 *
 * <p>It depends on the transaction model and the multicast client only, never on RocksDB.
 */
package io.ramcast.client;
