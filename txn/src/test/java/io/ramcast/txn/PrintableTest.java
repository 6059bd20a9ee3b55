package io.ramcast.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Results and key-values print their bytes as a user can read them. */
class PrintableTest
{
    @Test
    void shouldPrintTextInQuotesAndEverythingElseAsHex()
    {
        assertThat(new Result.Value("5".getBytes(StandardCharsets.UTF_8))).hasToString("Value[\"5\"]");
        assertThat(new Result.Value(null)).hasToString("Value[null]");
        assertThat(new Result.Value(new byte[] {0, 1, (byte)0xff})).hasToString("Value[0x0001ff]");
        assertThat(new Result.Output("héllo".getBytes(StandardCharsets.UTF_8))).hasToString("Output[\"héllo\"]");
        assertThat(new Result.Value("a\nb".getBytes(StandardCharsets.UTF_8))).as("control characters")
            .hasToString("Value[0x610a62]");
        assertThat(new Result.Entries(List.of(new KeyValue("k".getBytes(StandardCharsets.UTF_8), new byte[] {7}))))
            .hasToString("Entries[entries=[\"k\"=0x07]]");
        assertThat(Printable.of(new byte[100])).startsWith("0x0000").endsWith("...(100 bytes)")
            .hasSize(2 + 2 * Printable.MAX_SHOWN_BYTES + "...(100 bytes)".length());
    }
}
