/**
 * RocksDB implementation of the partition store and the replica server process.
 *
 * <p>This module is the home of the storage layer (issue "Transactions end to end"). It is the
 * only module that puts RocksDB on a class path; the client library never depends on it.
 */
package io.ramcast.storage;
