/**
 * The {@code ramcast} command line and the tools behind it.
 *
 * <p>{@link io.ramcast.bench.RamcastCli} is the entry point of the runnable jar that
 * {@code bin/ramcast} launches. Its subcommands run the store ({@code replica}, {@code cluster},
 * {@code demo}), load and measure it ({@code load}, {@code bench}, {@code bank}), and measure and
 * check the ordering layer alone ({@code multicast-bench}, {@code multicast-server},
 * {@code check-multicast}), and test it under faults ({@code faults}). Everything else in this package is the harness those commands are
 * made of: replica and server child processes, in-JVM and multi-process clusters, closed-loop
 * load generators, statistics and reports.
 */
package io.ramcast.bench;
