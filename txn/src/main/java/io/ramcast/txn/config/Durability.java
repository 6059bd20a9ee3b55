package io.ramcast.txn.config;

import java.util.Locale;

/**
 * How far a replica's store has written a batch when {@code apply} returns (config key
 * {@code storage.durability}; DESIGN.md, "Storage": WAL off / WAL / WAL + fsync).
 *
 * <p>In every mode what survives a crash is a prefix of the applied batches, each whole, with the
 * matching applied mark (the RocksDB store writes one write-ahead-log record per batch and flushes
 * its data and meta column families atomically), so a restarted replica knows exactly where it
 * stands and never applies a batch twice. The modes differ in how long that prefix is. Note that
 * {@code kill -9} on one host leaves the page cache in place, so it cannot tell {@link #WAL} from
 * {@link #FSYNC}.
 */
public enum Durability
{
    /**
     * No write-ahead log ({@code none}): batches live in the memtable until RocksDB flushes it. A
     * process crash loses every batch since the last flush; a clean {@code close()} flushes first.
     */
    NONE,

    /**
     * Write-ahead log written to the OS on every batch, not fsynced ({@code wal}): a process crash
     * loses nothing; an OS crash or power loss may lose the most recent batches.
     */
    WAL,

    /**
     * Write-ahead log fsynced before every {@code apply} returns ({@code fsync}): survives power
     * loss, as far as the disk honours fsync. The slowest mode. A replica with an acceptor journal
     * writes its groups with {@code applyUnsynced} and syncs the store apart, at most every
     * {@link ClusterConfig#syncIntervalMs()}: the journal keeps every delivery the store has not
     * synced, so a power loss still loses nothing it answered.
     */
    FSYNC;

    /** @return the spelling used in config files, e.g. {@code wal}. */
    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
