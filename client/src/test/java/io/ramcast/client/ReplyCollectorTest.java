package io.ramcast.client;

import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.wire.TxnReply;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplyCollectorTest
{
    private static TxnReply committed(final int partition, final long counter)
    {
        return new TxnReply(7, partition, true, null, "", List.of(new Result.Counter(counter)));
    }

    private static TxnReply failed(final int partition, final ReasonCode reason)
    {
        return new TxnReply(7, partition, false, reason, "detail " + partition, List.of());
    }

    @Test
    void shouldCompleteOnlyOnceEveryPartitionAnsweredTakingTheFirstReplyOfEach()
    {
        final ReplyCollector c = new ReplyCollector(7, new int[] {1, 3});
        assertThat(c.onReply(committed(3, 5))).isEqualTo(ReplyCollector.Status.WAITING);
        assertThat(c.progress()).isEqualTo("answered by partitions [3], waiting for [1]");
        assertThat(c.onReply(committed(3, 99))).isEqualTo(ReplyCollector.Status.DUPLICATE);
        assertThat(c.onReply(committed(2, 5))).isEqualTo(ReplyCollector.Status.NOT_INVOLVED);
        assertThat(c.onReply(committed(1, 5))).isEqualTo(ReplyCollector.Status.COMPLETE);
        assertThat(c.outcome()).isEqualTo(new TxnOutcome.Committed(7, List.of(new Result.Counter(5))));
        assertThat(c.onReply(committed(1, 5))).isEqualTo(ReplyCollector.Status.DUPLICATE);
    }

    @Test
    void shouldReportNotCommittedWithTheFirstPartitionsDetail()
    {
        final ReplyCollector c = new ReplyCollector(7, new int[] {0, 1});
        assertThat(c.onReply(failed(1, ReasonCode.CONDITION_FAILED))).isEqualTo(ReplyCollector.Status.WAITING);
        assertThat(c.onReply(failed(0, ReasonCode.CONDITION_FAILED))).isEqualTo(ReplyCollector.Status.COMPLETE);
        assertThat(c.outcome()).isEqualTo(new TxnOutcome.NotCommitted(7, ReasonCode.CONDITION_FAILED, "detail 1"));
    }

    @Test
    void shouldDetectPartitionsThatDisagreeOnVerdictOrReason()
    {
        final ReplyCollector verdict = new ReplyCollector(7, new int[] {0, 1, 2});
        verdict.onReply(committed(0, 1));
        assertThat(verdict.onReply(failed(2, ReasonCode.INVALID))).isEqualTo(ReplyCollector.Status.DISAGREEMENT);
        assertThat(verdict.disagreement()).hasMessage("partitions disagree on the outcome of request 7: partition 0 " +
            "answered committed but partition 2 answered not committed (INVALID: detail 2); replicas must compute one " +
            "outcome (this is a bug)");

        final ReplyCollector reason = new ReplyCollector(7, new int[] {0, 1});
        reason.onReply(failed(0, ReasonCode.CONDITION_FAILED));
        assertThat(reason.onReply(failed(1, ReasonCode.PROCEDURE_ABORTED))).isEqualTo(ReplyCollector.Status.DISAGREEMENT);
    }
}
