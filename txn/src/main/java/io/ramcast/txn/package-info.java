/**
 * The transaction layer: the model ({@link io.ramcast.txn.Transaction}, {@link io.ramcast.txn.Op},
 * {@link io.ramcast.txn.Result}), procedures ({@link io.ramcast.txn.Procedure} and its registry),
 * partitioning ({@link io.ramcast.txn.Partitioner}, {@link io.ramcast.txn.Destinations}), limits, and
 * the deterministic executor ({@link io.ramcast.txn.PartitionExecutor}) that turns transactions
 * delivered by RamCast into reads, a read exchange between partitions, and atomic writes against a
 * {@link io.ramcast.txn.store.PartitionStore}. Sub-packages: {@code config} (the cluster file),
 * {@code wire} (messages and codec), {@code store} (the store SPI).
 */
package io.ramcast.txn;
