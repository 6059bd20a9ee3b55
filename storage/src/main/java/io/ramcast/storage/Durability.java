package io.ramcast.storage;

/**
 * How far a {@link RocksPartitionStore} has written a batch when {@code apply} returns
 * (DESIGN.md, "Storage": WAL off / WAL / WAL + fsync).
 *
 * <p>In every mode what survives a crash is a prefix of the applied batches, each whole, with the
 * matching applied mark (one write-ahead-log record per batch; flushes of the data and meta column
 * families are atomic), so a restarted replica knows exactly where it stands and never applies a
 * batch twice. The modes differ in how long that prefix is. Note that {@code kill -9} on one host
 * leaves the page cache in place, so it cannot tell {@link #WAL} from {@link #FSYNC}.
 */
public enum Durability
{
    /**
     * No write-ahead log: batches live in the memtable until RocksDB flushes it. A process crash
     * loses every batch since the last flush; a clean {@code close()} flushes first.
     */
    NONE,

    /**
     * Write-ahead log written to the OS on every batch, not fsynced: a process crash loses nothing;
     * an OS crash or power loss may lose the most recent batches.
     */
    WAL,

    /**
     * Write-ahead log fsynced before every {@code apply} returns: survives power loss, as far as
     * the disk honours fsync. The slowest mode.
     */
    FSYNC
}
