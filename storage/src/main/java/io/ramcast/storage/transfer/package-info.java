/**
 * State transfer of a partition replica's store: a live replica serves consistent snapshots of its
 * RocksDB store ({@link io.ramcast.storage.transfer.SnapshotServer}, started by the replica server
 * on its configured {@code transferPort}), and {@link io.ramcast.storage.transfer.SnapshotFetcher}
 * downloads one into a directory, verified (CRC32C per chunk, SHA-256 per file), resumable after a
 * break, and installed atomically. Used by {@code ramcast backup}; the rebuild of a replica from a
 * peer will use it as well.
 */
package io.ramcast.storage.transfer;
