package io.ramcast.txn.wire;

import io.ramcast.txn.KeyValue;

import java.util.List;

/**
 * The reads one partition made for a multi-partition transaction, sent to the replicas of the
 * other involved partitions so that every partition computes the same outcome.
 *
 * @param messageId     the RamCast message id of the transaction (identical everywhere).
 * @param fromPartition the partition that read.
 * @param reads         its local part of the read set, in read-set order (value null: absent).
 * @param scans         for each scan of the transaction owned by that partition: its index among the
 *                      transaction's scans and the entries read.
 * @param oversize      the reads did not fit one message (then reads and scans are empty): every
 *                      partition refuses the transaction with LIMIT_EXCEEDED.
 */
public record ReadExchange(long messageId, int fromPartition, List<KeyValue> reads, List<ScanRead> scans,
    boolean oversize)
{
    /**
     * @param scanIndex index of the scan among the transaction's scans.
     * @param entries   the entries read, ascending.
     */
    public record ScanRead(int scanIndex, List<KeyValue> entries)
    {
    }
}
