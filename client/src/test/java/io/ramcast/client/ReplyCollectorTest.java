package io.ramcast.client;

import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.wire.TxnReply;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        final ReplyCollector c = new ReplyCollector(7, new int[] {1, 3}, null);
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
        final ReplyCollector c = new ReplyCollector(7, new int[] {0, 1}, null);
        assertThat(c.onReply(failed(1, ReasonCode.CONDITION_FAILED))).isEqualTo(ReplyCollector.Status.WAITING);
        assertThat(c.onReply(failed(0, ReasonCode.CONDITION_FAILED))).isEqualTo(ReplyCollector.Status.COMPLETE);
        assertThat(c.outcome()).isEqualTo(new TxnOutcome.NotCommitted(7, ReasonCode.CONDITION_FAILED, "detail 1"));
    }

    @Test
    void shouldDetectPartitionsThatDisagreeOnVerdictOrReason()
    {
        final ReplyCollector verdict = new ReplyCollector(7, new int[] {0, 1, 2}, null);
        verdict.onReply(committed(0, 1));
        assertThat(verdict.onReply(failed(2, ReasonCode.INVALID))).isEqualTo(ReplyCollector.Status.DISAGREEMENT);
        assertThat(verdict.disagreement()).hasMessage("partitions disagree on the outcome of request 7: partition 0 " +
            "answered committed but partition 2 answered not committed (INVALID: detail 2); replicas must compute one " +
            "outcome (this is a bug)");

        final ReplyCollector reason = new ReplyCollector(7, new int[] {0, 1}, null);
        reason.onReply(failed(0, ReasonCode.CONDITION_FAILED));
        assertThat(reason.onReply(failed(1, ReasonCode.PROCEDURE_ABORTED))).isEqualTo(ReplyCollector.Status.DISAGREEMENT);
    }

    @Test
    void shouldTakeEachOperationsResultFromThePartitionOwningItsKey()
    {
        // operations owned by partitions 2, 0, 2: each partition's reply has placeholders for the others'
        final ReplyCollector c = new ReplyCollector(7, new int[] {0, 2}, new int[] {2, 0, 2});
        final Result placeholder = new Result.Value(null);
        c.onReply(new TxnReply(7, 0, true, null, "", List.of(placeholder, new Result.Value(new byte[] {1}), placeholder)));
        assertThat(c.onReply(new TxnReply(7, 2, true, null, "",
            List.of(new Result.Counter(4), placeholder, new Result.None())))).isEqualTo(ReplyCollector.Status.COMPLETE);

        final List<Result> results = c.outcome().resultsOrThrow();
        assertThat(results.get(0)).isEqualTo(new Result.Counter(4));
        assertThat(((Result.Value) results.get(1)).value()).containsExactly(1);
        assertThat(results.get(2)).isEqualTo(new Result.None());
    }

    @Test
    void shouldReportCommittedResultsThatDidNotFitAReply()
    {
        final ReplyCollector c = new ReplyCollector(7, new int[] {0, 1}, new int[] {0, 1});
        c.onReply(new TxnReply(7, 0, true, null, "", List.of(new Result.None(), new Result.Value(null))));
        c.onReply(new TxnReply(7, 1, true, null, "too large", List.of()));

        assertThatThrownBy(c::outcome).isInstanceOf(ResultsTooLargeException.class)
            .hasMessage("request 7 committed, but partition 1 could not send its results: too large");
    }
}
