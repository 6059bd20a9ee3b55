/**
 * The {@code ramcast} command line: its root command and what every subcommand shares.
 *
 * <p>{@link io.ramcast.bench.cli.RamcastCli} is the entry point of the runnable jar that
 * {@code bin/ramcast} launches; it groups the subcommands, which live in the package of their
 * feature: running the store as processes ({@code replica}, {@code cluster}:
 * {@link io.ramcast.bench.process}), loading and measuring it ({@code load}, {@code bench},
 * {@code bank}, {@code demo}: {@link io.ramcast.bench.load}), measuring and checking the ordering
 * layer alone and running its fabric's first checks on an RDMA host ({@code multicast-bench},
 * {@code multicast-server}, {@code check-multicast}, {@code rdma-check}:
 * {@link io.ramcast.bench.multicast}), and testing it under faults ({@code faults}:
 * {@link io.ramcast.bench.faults}). This package holds only the shared plumbing: the exit codes,
 * the duration converter and the exception that means "the run failed, print the message".
 */
package io.ramcast.bench.cli;
