/**
 * The {@code rdma} memory fabric: one-sided RDMA WRITEs over reliable-connected queue pairs set up
 * with the RDMA connection manager, on DiSNI's verbs API. {@link io.ramcast.multicast.fabric.rdma.RdmaFabric}
 * implements {@link io.ramcast.multicast.fabric.Fabric}; {@link io.ramcast.multicast.fabric.rdma.RdmaEnvironment}
 * tells whether this host can run it and {@link io.ramcast.multicast.fabric.rdma.RdmaCheck} runs its first-run
 * checks on an RDMA host. Everything DiSNI-specific sits in one package-private class
 * behind a small verbs interface, so the fabric's logic is tested without RDMA hardware and loading
 * these classes does not need the native {@code libdisni}.
 */
package io.ramcast.multicast.fabric.rdma;
