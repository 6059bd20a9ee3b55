/**
 * {@code ramcast backup} and {@code ramcast restore}: a backup of every partition at one point of
 * the delivery order (a checkpoint transaction, then each partition's copy fetched over a replica's
 * transfer port), or of one replica's store; the offline check of either; and the stores of a new
 * cluster made from a backup of every partition.
 */
package io.ramcast.bench.backup;
