/**
 * Network faults between processes on one host: cutting and healing TCP links between replica
 * processes (and their clients) on loopback, for process-level partition tests and the
 * {@code ramcast faults} tool.
 *
 * <p>{@link io.ramcast.bench.faults.LinkCutter} installs iptables rules in a chain of its own that
 * mark every connection of a cluster's port range with one bit per endpoint, chosen by the uid
 * that owns the sending socket, and drops the packets of the links it is told to cut; the cut
 * holds across reconnects because it follows the processes, not the ports.
 * {@link io.ramcast.bench.faults.ProcessOwner} and {@link io.ramcast.bench.faults.ReplicaOwners}
 * give each replica process a uid of its own (started through {@code setpriv}), which is what the
 * rules key on. Everything here needs root and Linux; {@link
 * io.ramcast.bench.faults.LinkCutter#unavailableReason()} says why it cannot run elsewhere.
 */
package io.ramcast.bench.faults;
