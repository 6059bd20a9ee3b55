package io.ramcast.txn.config;

import java.util.Locale;

/** How a replica makes an applied batch durable (config key {@code storage.durability}). */
public enum Durability
{
    /** No write-ahead log: a crash loses whatever the store had not flushed; {@code none}. */
    NONE,
    /** Write-ahead log, written but not synced per batch: survives a process crash, not a power loss; {@code wal}. */
    WAL,
    /** Write-ahead log synced to disk with every batch: survives a power loss; {@code fsync}. */
    FSYNC;

    /** @return the spelling used in config files, e.g. {@code wal}. */
    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
