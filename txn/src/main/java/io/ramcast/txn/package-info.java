/**
 * Transaction model, codec, partitioner and the deterministic executor that turns transactions
 * delivered by RamCast into reads and writes against a {@code PartitionStore}.
 *
 * <p>This module is the home of the transaction layer (issue "Transactions end to end"); the
 * ordering core it builds on lives in {@code ramcast-multicast}.
 */
package io.ramcast.txn;
