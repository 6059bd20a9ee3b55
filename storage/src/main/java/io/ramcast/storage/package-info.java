/**
 * The RocksDB implementation of the partition store ({@link io.ramcast.storage.RocksPartitionStore})
 * and the replica server ({@link io.ramcast.storage.ReplicaServer}: RamCast agent, executor agent,
 * store). The only module that puts RocksDB on a class path; the client library never depends on it.
 */
package io.ramcast.storage;
