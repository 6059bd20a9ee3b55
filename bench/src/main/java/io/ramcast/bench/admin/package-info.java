/**
 * Operating a running cluster: {@code ramcast status} (asks every replica's admin port) and the
 * key-value shell ({@code ramcast get|put|delete|cas|incr|scan|txn}).
 */
package io.ramcast.bench.admin;
