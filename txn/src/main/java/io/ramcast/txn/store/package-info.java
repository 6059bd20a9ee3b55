/**
 * The {@link io.ramcast.txn.store.PartitionStore} SPI a replica's executor applies delivered
 * transactions to, and an in-memory implementation for tests and simulations. The RocksDB
 * implementation lives in the {@code storage} module.
 */
package io.ramcast.txn.store;
