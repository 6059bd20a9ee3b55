/**
 * {@code ramcast faults}: the store under crashes and pauses of replicas and clients, network
 * partitions of one replica (both ways, one way, from the clients only) and whole-cluster restarts.
 *
 * <p>{@link io.ramcast.bench.faults.FaultsCommand} parses the options and a
 * {@link io.ramcast.bench.faults.FaultSchedule}; {@link io.ramcast.bench.faults.FaultRun} starts
 * the replicas and bank client processes, injects the scheduled faults with real signals, and
 * analyses the histories, stores and delivery logs into a
 * {@link io.ramcast.bench.faults.FaultReport}, including each leader fault's
 * {@link io.ramcast.bench.faults.RecoveryTime}; {@link io.ramcast.bench.faults.StoreComparison}
 * judges the stopped replicas' stores (a replica cut off may stay behind, none may diverge).
 *
 * <p>Network faults: cutting and healing TCP links between replica
 * processes (and their clients) on loopback, for process-level partition tests and the
 * {@code ramcast faults} tool.
 *
 * <p>{@link io.ramcast.bench.faults.LinkCutter} installs iptables rules in a chain of its own that
 * mark every connection of a cluster's port range with one bit per endpoint, chosen by the uid
 * that owns the sending socket, and drops the packets of the links it is told to cut; the cut
 * holds across reconnects because it follows the processes, not the ports.
 * {@link io.ramcast.bench.process.ProcessOwner} and {@link io.ramcast.bench.process.ReplicaOwners}
 * give each replica process a uid of its own (started through {@code setpriv}), which is what the
 * rules key on. Everything here needs root and Linux; {@link
 * io.ramcast.bench.faults.LinkCutter#unavailableReason()} says why it cannot run elsewhere.
 */
package io.ramcast.bench.faults;
