/**
 * The {@code ramcast} command line and the benchmarks behind it.
 *
 * <p>{@link io.ramcast.bench.RamcastCli} is the entry point of the runnable jar that
 * {@code bin/ramcast} launches. Its subcommands measure the multicast layer
 * ({@code multicast-bench}), run one server of a multi-process deployment ({@code multicast-server})
 * and check delivery logs written by a run ({@code check-multicast}). Everything else in this
 * package is the harness those commands are made of: in-JVM and multi-process clusters, the
 * closed-loop load generator and the report.
 */
package io.ramcast.bench;
