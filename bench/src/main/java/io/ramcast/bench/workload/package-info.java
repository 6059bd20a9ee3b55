/**
 * Workloads that drive a running RamCast KV cluster through the client library: the
 * {@link io.ramcast.bench.workload.BenchWorkload} SPI run by {@code load} and {@code bench} (YCSB
 * core A/B/C/F, bank, SmallBank, list-append), and the history-recording runners of the end-to-end
 * checks (bank, list-append), with the procedures their replicas register through
 * {@code META-INF/services/io.ramcast.txn.ProcedureProvider}.
 */
package io.ramcast.bench.workload;
