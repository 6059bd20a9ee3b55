/**
 * Workloads that drive a running RamCast KV cluster through the client library and record client
 * histories: the bank (transfers and whole-bank reads, checked for an exact total) and list-append
 * (multi-partition appends and reads, checked for strict serializability in the style of Elle),
 * with the procedures their replicas must register.
 */
package io.ramcast.bench.workload;
