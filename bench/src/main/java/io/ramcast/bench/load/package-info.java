/**
 * Load on a running store through the client library, and its measurements: the {@code load},
 * {@code bench}, {@code bank} and {@code demo} commands.
 *
 * <p>{@link io.ramcast.bench.load.Loader} loads a workload's data set with bounded batches;
 * a bench run drives a {@link io.ramcast.bench.workload.BenchWorkload} with closed-loop workers and
 * records per-type latency statistics, reported as text, JSON, CSV and a PNG chart. The workloads
 * themselves are in {@link io.ramcast.bench.workload}.
 */
package io.ramcast.bench.load;
