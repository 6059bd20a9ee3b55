/**
 * Replicas and servers as OS processes on this machine: starting them, reading the
 * {@code READY}/{@code STATUS}/{@code DELIVERED} lines they print, signalling, killing and
 * awaiting them.
 *
 * <p>{@link io.ramcast.bench.process.ServerProcess} supervises one child JVM;
 * {@link io.ramcast.bench.process.ReplicaProcesses} a whole cluster of replicas and
 * {@link io.ramcast.bench.process.BankClientProcess} a bank client. The child's side is the
 * {@code replica} command ({@link io.ramcast.bench.process.ReplicaCommand}); the {@code cluster}
 * command runs a cluster until stopped. {@link io.ramcast.bench.process.LocalDeployment} holds the
 * files and stores of a local deployment that {@code demo} and {@code faults} share.
 */
package io.ramcast.bench.process;
