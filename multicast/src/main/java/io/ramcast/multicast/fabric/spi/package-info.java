/**
 * Plumbing shared by the fabric implementations ({@code local} and {@code tcp} in
 * {@link io.ramcast.multicast.fabric}, {@code rdma} in {@link io.ramcast.multicast.fabric.rdma}):
 * write bounds checks, the whole-write store, the mapping of a handle's status to the
 * {@link io.ramcast.multicast.fabric.WriteResult} of a refused write, the listener event queue, the
 * fabric lifecycle, the listen-address rules and the reconnect back-off.
 *
 * <p>For fabric implementers only. RamCast and applications use the SPI in
 * {@link io.ramcast.multicast.fabric} ({@code Fabric}, {@code LocalRegion}, {@code RemoteRegion},
 * {@code FabricListener}, {@code WriteResult}) and never this package.
 *
 * <p>Stability: none promised outside this repository. These types are public only because the
 * fabrics live in two packages; they change together with the fabrics that use them, without
 * deprecation. Every helper is a plain object or a set of static checks: no clock reads, threads,
 * sockets or locks beyond what each class documents, so each is unit-tested on its own.
 */
package io.ramcast.multicast.fabric.spi;
