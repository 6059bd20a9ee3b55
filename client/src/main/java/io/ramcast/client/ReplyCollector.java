package io.ramcast.client;

import io.ramcast.txn.Result;
import io.ramcast.txn.wire.TxnReply;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Gathers the replies to one transaction attempt until it holds one from every involved partition.
 *
 * <p>Every replica of every involved partition answers; replicas are deterministic, so the first
 * reply from each partition stands for the whole partition and later ones are ignored. Partitions
 * must agree on the verdict (committed, or not committed with the same reason): they compute it from
 * the same reads in the same order, so a disagreement is a bug, reported as such.
 *
 * <p>The results of an operation list come from several replies: a partition may answer with the
 * results of its own operations only (the others' are placeholders; see {@code PartitionExecutor},
 * "Which partitions send their reads"), so each operation's result is taken from the reply of the
 * partition owning its key. A procedure's single result is the same in every reply.
 *
 * <p>Fed on the client's RamCast agent thread; a timeout on the completer thread reads its
 * progress, so every method synchronizes (uncontended in the common case).
 */
final class ReplyCollector
{
    /** What a reply did to the attempt. */
    enum Status
    {
        /** Accepted; replies from other partitions are still missing. */
        WAITING,
        /** Accepted; every partition has answered and they agree. */
        COMPLETE,
        /** Accepted, and it contradicts an earlier partition's verdict. */
        DISAGREEMENT,
        /** Ignored: its partition had answered already (another replica was faster). */
        DUPLICATE,
        /** Ignored: its partition is not a destination of the attempt (a bug at the replica). */
        NOT_INVOLVED
    }

    private final long requestId;
    private final int[] partitions;
    /** Per operation, the partition whose reply carries its result; null for a procedure call. */
    private final int[] resultPartitions;
    private final TxnReply[] firstReplies;
    private TxnReply reference;
    private TxnReply contradiction;
    private int answered;

    /**
     * @param requestId        the attempt's request id.
     * @param partitions       its destination partitions, ascending.
     * @param resultPartitions per operation, the partition owning its key (among {@code partitions});
     *                         null for a procedure call.
     */
    ReplyCollector(final long requestId, final int[] partitions, final int[] resultPartitions)
    {
        this.requestId = requestId;
        this.partitions = partitions;
        this.resultPartitions = resultPartitions;
        this.firstReplies = new TxnReply[partitions.length];
    }

    /**
     * @param reply a reply with this attempt's request id.
     * @return what it did.
     */
    synchronized Status onReply(final TxnReply reply)
    {
        final int index = Arrays.binarySearch(partitions, reply.partition());
        if (index < 0)
        {
            return Status.NOT_INVOLVED;
        }
        if (firstReplies[index] != null)
        {
            return Status.DUPLICATE;
        }
        firstReplies[index] = reply;
        answered++;
        if (reference == null)
        {
            reference = reply;
        }
        else if (reply.committed() != reference.committed() || reply.reason() != reference.reason())
        {
            contradiction = reply;
            return Status.DISAGREEMENT;
        }
        return answered == partitions.length ? Status.COMPLETE : Status.WAITING;
    }

    /**
     * @return the outcome, once {@link Status#COMPLETE}.
     * @throws ResultsTooLargeException if it committed but a partition's results did not fit its reply.
     */
    synchronized TxnOutcome outcome()
    {
        if (answered != partitions.length || contradiction != null)
        {
            throw new IllegalStateException("request " + requestId + " has no agreed outcome yet: " + progress());
        }
        if (!reference.committed())
        {
            return new TxnOutcome.NotCommitted(requestId, reference.reason(), reference.detail());
        }
        if (resultPartitions == null)
        {
            return new TxnOutcome.Committed(requestId, reference.results());
        }
        final List<Result> results = new ArrayList<>(resultPartitions.length);
        for (int i = 0; i < resultPartitions.length; i++)
        {
            final TxnReply owner = firstReplies[Arrays.binarySearch(partitions, resultPartitions[i])];
            if (owner.results().size() != resultPartitions.length)
            {
                throw new ResultsTooLargeException(requestId, owner.partition(), owner.detail());
            }
            results.add(owner.results().get(i));
        }
        return new TxnOutcome.Committed(requestId, results);
    }

    /** @return the error describing the disagreement, once {@link Status#DISAGREEMENT}. */
    synchronized IllegalStateException disagreement()
    {
        return new IllegalStateException("partitions disagree on the outcome of request " + requestId + ": partition " +
            reference.partition() + " answered " + verdict(reference) + " but partition " + contradiction.partition() +
            " answered " + verdict(contradiction) + "; replicas must compute one outcome (this is a bug)");
    }

    /** @return which partitions answered and which are awaited. */
    synchronized String progress()
    {
        final StringBuilder done = new StringBuilder();
        final StringBuilder missing = new StringBuilder();
        for (int i = 0; i < partitions.length; i++)
        {
            final StringBuilder sb = firstReplies[i] != null ? done : missing;
            sb.append(sb.length() == 0 ? "" : ", ").append(partitions[i]);
        }
        return "answered by partitions [" + done + "], waiting for [" + missing + "]";
    }

    private static String verdict(final TxnReply reply)
    {
        return reply.committed() ? "committed" :
            "not committed (" + reply.reason() + (reply.detail().isEmpty() ? "" : ": " + reply.detail()) + ")";
    }
}
