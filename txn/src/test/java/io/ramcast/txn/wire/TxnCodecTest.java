package io.ramcast.txn.wire;

import io.ramcast.txn.KeyValue;
import io.ramcast.txn.Op;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TxnCodecTest
{
    private final TxnCodec codec = new TxnCodec();

    @Test
    void shouldRoundTripRequestsWithEveryOperation()
    {
        final Transaction t = Transaction.builder().get(new byte[] {1}).put(new byte[] {2}, new byte[] {3})
            .delete(new byte[] {4}).compareAndSet(new byte[] {5}, null, new byte[] {6}).increment(new byte[] {7}, -3)
            .scan(new byte[] {8}, null, 10).build();
        final TxnRequest in = new TxnRequest(101, 5_000_000_000L, 42, new int[] {0, 2}, t);

        final TxnRequest out = codec.decode(codec.encode(in), TxnRequest.class);

        assertThat(out.clientId()).isEqualTo(101);
        assertThat(out.requestId()).isEqualTo(5_000_000_000L);
        assertThat(out.settledBelow()).isEqualTo(42);
        assertThat(out.partitions()).containsExactly(0, 2);
        assertThat(out.transaction().ops()).hasSize(6);
        final Op.CompareAndSet cas = (Op.CompareAndSet)out.transaction().ops().get(3);
        assertThat(cas.expected()).isNull();
        assertThat(cas.newValue()).containsExactly(6);
        assertThat(((Op.Increment)out.transaction().ops().get(4)).delta()).isEqualTo(-3);
        assertThat(((Op.Scan)out.transaction().ops().get(5)).endExclusive()).isNull();
        assertThat(out.transaction().readKeys()).hasSize(3);
        assertThat(out.transaction().writeKeys()).hasSize(4);
    }

    @Test
    void shouldRoundTripProceduresRepliesAndExchanges()
    {
        final Transaction p = Transaction.procedure("transfer", new byte[] {9}).reads(new byte[] {1}).writes(new byte[] {2})
            .build();
        final TxnRequest r = codec.decode(codec.encode(new TxnRequest(1, 2, 3, new int[] {1}, p)), TxnRequest.class);
        assertThat(r.transaction().procedureName()).isEqualTo("transfer");
        assertThat(r.transaction().procedureArguments()).containsExactly(9);

        final TxnRequest c = codec.decode(codec.encode(new TxnRequest(1, 2, 3, new int[] {0, 1},
            Transaction.checkpoint(0x7abcL))), TxnRequest.class);
        assertThat(c.transaction().isCheckpoint()).isTrue();
        assertThat(c.transaction().checkpointId()).isEqualTo(0x7abcL);
        assertThat(c.transaction().ops()).isEmpty();
        assertThat(r.transaction().isCheckpoint()).isFalse();
        final TxnRequest serve = codec.decode(codec.encode(new TxnRequest(1, 2, 3, new int[] {0, 1},
            Transaction.serveClients(64))), TxnRequest.class);
        assertThat(serve.transaction().isServeClients()).isTrue();
        assertThat(serve.transaction().servedClients()).isEqualTo(64);
        assertThat(serve.transaction().isCheckpoint()).isFalse();
        assertThat(c.transaction().isServeClients()).isFalse();

        final TxnReply reply = new TxnReply(7, 2, true, null, "", List.of(new Result.None(), new Result.Value(null),
            new Result.Counter(-1), new Result.Entries(List.of(new KeyValue(new byte[] {1}, new byte[] {2}))),
            new Result.Output(new byte[0])));
        final TxnReply back = codec.decode(codec.encode(reply), TxnReply.class);
        assertThat(back.results()).hasSize(5);
        assertThat(((Result.Counter)back.results().get(2)).value()).isEqualTo(-1);
        final TxnReply no = codec.decode(codec.encode(new TxnReply(8, 0, false, ReasonCode.CONDITION_FAILED, "why",
            List.of())), TxnReply.class);
        assertThat(no.reason()).isEqualTo(ReasonCode.CONDITION_FAILED);
        assertThat(no.detail()).isEqualTo("why");

        final ReadExchange x = new ReadExchange(99, 1, List.of(new KeyValue(new byte[] {1}, null)),
            List.of(new ReadExchange.ScanRead(0, List.of())), false);
        final ReadExchange y = codec.decode(codec.encode(x), ReadExchange.class);
        assertThat(y.messageId()).isEqualTo(99);
        assertThat(y.reads().get(0).value()).isNull();
        assertThat(y.scans()).hasSize(1);
        assertThat(codec.decode(codec.encode(new ReadExchange(1, 2, List.of(), List.of(), true)), ReadExchange.class)
            .oversize()).isTrue();
    }

    @Test
    void shouldRefuseMalformedBytes()
    {
        final byte[] good = codec.encode(new TxnRequest(1, 2, 3, new int[] {0},
            Transaction.builder().put(new byte[] {1}, new byte[100]).build()));
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, good.length - 10)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> codec.decode(new byte[] {(byte)0x7f, 1, 2}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
        final byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> codec.decode(trailing)).hasMessageContaining("trailing");
        assertThatThrownBy(() -> codec.decode(good, TxnReply.class)).hasMessageContaining("expected TxnReply");
    }
}
