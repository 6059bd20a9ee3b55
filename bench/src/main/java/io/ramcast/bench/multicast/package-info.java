/**
 * The ordering layer alone: {@code multicast-bench} measures RamCast atomic multicast with a
 * closed-loop load on an in-JVM or multi-process deployment, {@code multicast-server} is one
 * server process of the latter, {@code check-multicast} checks a directory of delivery logs, and
 * {@code rdma-check} runs the {@code rdma} fabric's first-run checks on an RDMA host.
 *
 * <p>A run's validated settings come from the command's topology and protocol options; a bench
 * cluster (local fabric in this JVM, or tcp with server processes on loopback addresses) carries a
 * closed-loop load whose result, with the atomic multicast checker's verdict on the delivery logs,
 * is the report.
 */
package io.ramcast.bench.multicast;
