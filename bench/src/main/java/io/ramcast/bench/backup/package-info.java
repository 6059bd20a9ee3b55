/**
 * {@code ramcast backup}: a consistent snapshot of one replica's store fetched over the replica's
 * transfer port into a directory, and the offline check of such a backup.
 */
package io.ramcast.bench.backup;
