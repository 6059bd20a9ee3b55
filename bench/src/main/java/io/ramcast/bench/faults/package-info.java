/**
 * {@code ramcast faults}: the store under crashes and pauses of replicas and clients.
 *
 * <p>{@link io.ramcast.bench.faults.FaultsCommand} parses the options and a
 * {@link io.ramcast.bench.faults.FaultSchedule}; {@link io.ramcast.bench.faults.FaultRun} starts
 * the replicas and bank client processes, injects the scheduled faults with real signals, and
 * analyses the histories, stores and delivery logs into a
 * {@link io.ramcast.bench.faults.FaultReport}, including each leader fault's
 * {@link io.ramcast.bench.faults.RecoveryTime}.
 */
package io.ramcast.bench.faults;
