/**
 * The YCSB binding ({@link io.ramcast.ycsb.RamcastDb}): the standard YCSB client drives the store
 * through {@code bin/ycsb}.
 */
package io.ramcast.ycsb;
