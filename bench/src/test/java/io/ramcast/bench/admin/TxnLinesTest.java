package io.ramcast.bench.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ramcast.txn.Op;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The lines {@code ramcast txn} reads, and the shell's key and value encodings. */
class TxnLinesTest
{
    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldParseEveryOperation()
    {
        assertThat(TxnLines.parse("  # a comment", Codec.UTF8)).isNull();
        assertThat(TxnLines.parse("   ", Codec.UTF8)).isNull();
        final Op.Put put = (Op.Put)TxnLines.parse("put \"a key\" \"say \\\"hi\\\"\"", Codec.UTF8);
        assertThat(put.key()).isEqualTo(utf8("a key"));
        assertThat(put.value()).isEqualTo(utf8("say \"hi\""));
        assertThat(((Op.Get)TxnLines.parse("GET k", Codec.UTF8)).key()).isEqualTo(utf8("k"));
        assertThat(((Op.Delete)TxnLines.parse("delete k", Codec.UTF8)).key()).isEqualTo(utf8("k"));
        assertThat(((Op.Increment)TxnLines.parse("incr n", Codec.UTF8)).delta()).isEqualTo(1);
        assertThat(((Op.Increment)TxnLines.parse("incr n -7", Codec.UTF8)).delta()).isEqualTo(-7);
        final Op.Scan scan = (Op.Scan)TxnLines.parse("scan a - 5", Codec.UTF8);
        assertThat(scan.endExclusive()).isNull();
        assertThat(scan.limit()).isEqualTo(5);
        assertThat(((Op.Scan)TxnLines.parse("scan a", Codec.UTF8)).limit()).isEqualTo(TxnLines.DEFAULT_SCAN_LIMIT);
        final Op.CompareAndSet absent = (Op.CompareAndSet)TxnLines.parse("cas k - v", Codec.UTF8);
        assertThat(absent.expected()).isNull();
        assertThat(absent.newValue()).isEqualTo(utf8("v"));
        final Op.CompareAndSet quoted = (Op.CompareAndSet)TxnLines.parse("cas k \"-\" -", Codec.UTF8);
        assertThat(quoted.expected()).as("a quoted - is the text -").isEqualTo(utf8("-"));
        assertThat(quoted.newValue()).as("a bare - deletes").isNull();
        assertThat(((Op.Put)TxnLines.parse("put 0x00ff 6869", Codec.HEX)).key()).isEqualTo(new byte[] {0, (byte)0xff});
    }

    @Test
    void shouldNameWhatIsWrong()
    {
        assertThatThrownBy(() -> TxnLines.parse("bogus k", Codec.UTF8)).hasMessageContaining("'bogus' is not an operation");
        assertThatThrownBy(() -> TxnLines.parse("put k", Codec.UTF8)).hasMessageContaining("expected 'put KEY VALUE'");
        assertThatThrownBy(() -> TxnLines.parse("get \"k", Codec.UTF8)).hasMessageContaining("quote is not closed");
        assertThatThrownBy(() -> TxnLines.parse("incr k x", Codec.UTF8)).hasMessageContaining("DELTA must be an integer");
        assertThatThrownBy(() -> TxnLines.parse("scan a b 0", Codec.UTF8)).hasMessageContaining("LIMIT must be positive");
        assertThatThrownBy(() -> TxnLines.parse("get zz", Codec.HEX)).hasMessageContaining("is not hex");
        assertThatThrownBy(() -> TxnLines.parse("get %%", Codec.BASE64)).hasMessageContaining("is not base64");
    }

    @Test
    void shouldPrintValuesInTheirEncoding()
    {
        assertThat(Codec.UTF8.encode(utf8("héllo"))).isEqualTo("héllo");
        assertThat(Codec.UTF8.encode(new byte[] {(byte)0xff, 0})).as("not UTF-8: hex").isEqualTo("0xff00");
        assertThat(Codec.HEX.encode(new byte[] {1, (byte)0xab})).isEqualTo("01ab");
        assertThat(Codec.BASE64.encode(utf8("hi"))).isEqualTo("aGk=");
        assertThat(Codec.BASE64.decode("aGk=")).isEqualTo(utf8("hi"));
    }
}
