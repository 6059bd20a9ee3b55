/**
 * The {@link io.ramcast.txn.store.PartitionStore} SPI a replica's executor applies delivered
 * transactions to. The RocksDB implementation lives in the {@code storage} module; the in-memory
 * {@code MemoryPartitionStore} for tests lives in this package's test sources and reaches other
 * modules' tests through the {@code ramcast-txn} test-jar.
 */
package io.ramcast.txn.store;
