package io.ramcast.txn.config;

import java.util.Locale;

/** The memory fabric the processes of a deployment talk over (config key {@code fabric}). */
public enum FabricKind
{
    /** All processes in one JVM, direct buffers (tests, embedded demo); {@code local}. */
    LOCAL,
    /** Frames over TCP, for hosts without RDMA NICs; {@code tcp}. */
    TCP,
    /** One-sided RDMA writes over DiSNI, settings in the {@code rdma} section; {@code rdma}. */
    RDMA;

    /** @return the spelling used in config files, e.g. {@code tcp}. */
    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
