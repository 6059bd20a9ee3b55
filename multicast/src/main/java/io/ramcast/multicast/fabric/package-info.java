/**
 * The memory fabric: one-sided remote writes into registered memory, with per-peer write
 * permissions. RamCast is written once against {@link io.ramcast.multicast.fabric.Fabric}; the
 * implementations are {@code local} (one JVM) and {@code tcp} (owner-applied frames over sockets);
 * {@code FaultInjectingFabric}, in this package's test sources, wraps either for tests and simulation.
 * The plumbing the implementations share (bounds checks, event queue, lifecycle, reconnect
 * back-off) is in {@link io.ramcast.multicast.fabric.spi}.
 */
package io.ramcast.multicast.fabric;
