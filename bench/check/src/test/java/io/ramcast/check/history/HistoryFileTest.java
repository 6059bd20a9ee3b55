package io.ramcast.check.history;

import io.ramcast.check.HistoryFormatException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JSON Lines history file: writer and reader agree, and the reader rejects what breaks the format. */
class HistoryFileTest
{
    private static final String INVOKE_TRANSFER =
        "{\"process\": 1, \"type\": \"invoke\", \"f\": \"transfer\", \"value\": {\"from\": 0, \"to\": 1, \"amount\": 5}, \"time\": 10}";
    private static final String OK_TRANSFER =
        "{\"process\": 1, \"type\": \"ok\", \"f\": \"transfer\", \"value\": {\"from\": 0, \"to\": 1, \"amount\": 5}, \"time\": 20}";

    @TempDir
    Path dir;

    @Test
    void shouldWriteTheLineFormatOfTheIssue() throws IOException
    {
        final Path file = dir.resolve("h.jsonl");
        try (HistoryWriter writer = HistoryWriter.open(file))
        {
            writer.append(HistoryEvent.invoke(2, OpFunction.READ, null, 5));
            writer.append(HistoryEvent.complete(2, EventType.OK, OpFunction.READ,
                OpValue.Balances.of(Map.of(0, 100L, 1, 95L)), 7));
            writer.append(HistoryEvent.invoke(3, OpFunction.TXN,
                OpValue.Txn.of(MicroOp.append("k3", 7), MicroOp.pendingRead("k5")), 8));
            writer.append(HistoryEvent.complete(3, EventType.OK, OpFunction.TXN,
                OpValue.Txn.of(MicroOp.append("k3", 7), MicroOp.read("k5", 1, 2, 3)), 9));
        }

        assertThat(Files.readAllLines(file)).containsExactly(
            "{\"process\": 2, \"type\": \"invoke\", \"f\": \"read\", \"value\": null, \"time\": 5}",
            "{\"process\": 2, \"type\": \"ok\", \"f\": \"read\", \"value\": {\"0\": 100, \"1\": 95}, \"time\": 7}",
            "{\"process\": 3, \"type\": \"invoke\", \"f\": \"txn\", \"value\": [[\"append\", \"k3\", 7], [\"r\", \"k5\", null]], \"time\": 8}",
            "{\"process\": 3, \"type\": \"ok\", \"f\": \"txn\", \"value\": [[\"append\", \"k3\", 7], [\"r\", \"k5\", [1,2,3]]], \"time\": 9}");
    }

    @Test
    void shouldRoundTripABankHistory() throws IOException
    {
        final GeneratedHistories.Bank bank = GeneratedHistories.bank(7, 500, 4, 5);
        final Path file = dir.resolve("bank.jsonl");
        write(file, bank.events());

        final History read = HistoryReader.read(file);

        assertThat(read.events()).isEqualTo(bank.events());
        assertThat(read.operations()).isEqualTo(bank.history().operations());
        assertThat(read.ignoredTruncatedLines()).isZero();
    }

    @Test
    void shouldRoundTripAListAppendHistoryWithAwkwardKeys() throws IOException
    {
        final List<HistoryEvent> events = new ArrayList<>(
            GeneratedHistories.listAppend(3, GeneratedHistories.TxnWorkload.small(300)));
        final OpValue.Txn awkward = OpValue.Txn.of(
            MicroOp.append("quote\" back\\slash\ttab é \u0001", -9), MicroOp.read("k/ü", Long.MIN_VALUE, Long.MAX_VALUE));
        events.add(HistoryEvent.invoke(999, OpFunction.TXN, awkward.withoutReadResults(), Long.MAX_VALUE - 1));
        events.add(HistoryEvent.complete(999, EventType.OK, OpFunction.TXN, awkward, Long.MAX_VALUE - 1));
        final Path file = dir.resolve("txn.jsonl");
        write(file, events);

        final History read = HistoryReader.read(file);

        assertThat(read.events()).isEqualTo(events);
    }

    @Test
    @Timeout(30)
    void shouldKeepEveryLineWholeWhenManyThreadsAppend() throws Exception
    {
        final int threads = 8;
        final int opsPerThread = 2_000;
        final Path file = dir.resolve("concurrent.jsonl");
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> workers = new ArrayList<>();
        try (HistoryWriter writer = HistoryWriter.open(file))
        {
            for (int p = 0; p < threads; p++)
            {
                final int process = p;
                final Thread worker = new Thread(() ->
                {
                    try
                    {
                        start.await();
                        for (int i = 0; i < opsPerThread; i++)
                        {
                            final OpValue.Transfer t = new OpValue.Transfer(process, i % 7, i);
                            writer.append(HistoryEvent.invoke(process, OpFunction.TRANSFER, t, 2L * i));
                            writer.append(HistoryEvent.complete(process, EventType.OK, OpFunction.TRANSFER, t, 2L * i + 1));
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }, "history-writer-test-" + p);
                workers.add(worker);
                worker.start();
            }
            start.countDown();
            for (final Thread worker : workers)
            {
                worker.join();
            }
            assertThat(writer.eventCount()).isEqualTo(2L * threads * opsPerThread);
        }
        assertThat(failure.get()).isNull();

        final History history = HistoryReader.read(file);

        assertThat(history.operations()).hasSize(threads * opsPerThread);
        for (int p = 0; p < threads; p++)
        {
            final int process = p;
            final List<Long> amounts = history.operations().stream()
                .filter((op) -> op.process() == process)
                .map((op) -> ((OpValue.Transfer)op.value()).amount())
                .toList();
            assertThat(amounts).hasSize(opsPerThread).isSorted();
        }
    }

    @Test
    void shouldIgnoreAndCountATruncatedLastLine() throws IOException
    {
        final Path file = dir.resolve("truncated.jsonl");
        Files.writeString(file, INVOKE_TRANSFER + "\n" + OK_TRANSFER + "\n" + "{\"process\": 1, \"type\": \"inv",
            StandardCharsets.UTF_8);

        final History history = HistoryReader.read(file);

        assertThat(history.ignoredTruncatedLines()).isEqualTo(1);
        assertThat(history.operations()).hasSize(1);
        assertThat(history.operations().get(0).outcome()).isEqualTo(EventType.OK);
    }

    @Test
    void shouldIgnoreACompleteLookingLastLineWithoutItsNewline() throws IOException
    {
        final Path file = dir.resolve("no-newline.jsonl");
        Files.writeString(file, INVOKE_TRANSFER + "\n" + OK_TRANSFER, StandardCharsets.UTF_8);

        final History history = HistoryReader.read(file);

        assertThat(history.ignoredTruncatedLines()).isEqualTo(1);
        assertThat(history.operations()).singleElement()
            .satisfies((op) -> assertThat(op.isCompleted()).isFalse())
            .satisfies((op) -> assertThat(op.outcome()).isEqualTo(EventType.INFO));
    }

    @Test
    void shouldIgnoreATruncatedLastLineCutInsideAMultiByteCharacter() throws IOException
    {
        final Path file = dir.resolve("cut-utf8.jsonl");
        final byte[] good = (INVOKE_TRANSFER + "\n").getBytes(StandardCharsets.UTF_8);
        final byte[] cut = "{\"process\": 1, \"f\": \"é".getBytes(StandardCharsets.UTF_8);
        final byte[] all = new byte[good.length + cut.length - 1];
        System.arraycopy(good, 0, all, 0, good.length);
        System.arraycopy(cut, 0, all, good.length, cut.length - 1);
        Files.write(file, all);

        assertThat(HistoryReader.read(file).ignoredTruncatedLines()).isEqualTo(1);
    }

    @Test
    void shouldReadAnEmptyFile() throws IOException
    {
        final Path file = dir.resolve("empty.jsonl");
        Files.write(file, new byte[0]);

        final History history = HistoryReader.read(file);

        assertThat(history.events()).isEmpty();
        assertThat(history.ignoredTruncatedLines()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        not JSON                       | {"process": 1, "type": "ok",                                                          | column
        not an object                  | [1, 2]                                                                               | must be a JSON object
        missing field                  | {"process": 1, "type": "ok", "f": "transfer", "time": 20}                            | lacks the field "value"
        unknown field                  | {"process": 1, "type": "ok", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 5}, "time": 20, "x": 1} | unknown field "x"
        duplicate key                  | {"process": 1, "process": 1, "type": "ok", "f": "transfer", "value": null, "time": 20} | duplicate key "process"
        unknown type                   | {"process": 1, "type": "done", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 5}, "time": 20} | "type" must be one of
        unknown function               | {"process": 1, "type": "ok", "f": "cas", "value": null, "time": 20}                   | "f" must be one of
        fractional time                | {"process": 1, "type": "ok", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 5}, "time": 20.5} | only integers
        string time                    | {"process": 1, "type": "ok", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 5}, "time": "20"} | "time" must be an integer
        process beyond int             | {"process": 4294967296, "type": "ok", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 5}, "time": 20} | must fit in an int
        transfer without value         | {"process": 1, "type": "ok", "f": "transfer", "value": null, "time": 20}              | needs a transfer value
        transfer of another amount     | {"process": 1, "type": "ok", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 6}, "time": 20} | but invoked
        completion of another function | {"process": 1, "type": "ok", "f": "read", "value": {"0": 1}, "time": 20}             | but invoked transfer
        completion going back in time  | {"process": 1, "type": "ok", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 5}, "time": 9} | went back in time
        second invocation              | {"process": 1, "type": "invoke", "f": "read", "value": null, "time": 20}              | still outstanding
        completion by another process  | {"process": 2, "type": "ok", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 5}, "time": 20} | no operation outstanding
        blank line                     | '   '                                                                                | blank line
        trailing garbage               | {"process": 1, "type": "ok", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 5}, "time": 20} x | after the value
        """)
    void shouldRejectAMalformedSecondLineNamingFileAndLine(final String name, final String line, final String problem)
        throws IOException
    {
        final Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, INVOKE_TRANSFER + "\n" + line + "\n" + OK_TRANSFER + "\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> HistoryReader.read(file))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageStartingWith(file + ":2: ")
            .hasMessageContaining(problem)
            .satisfies((ex) -> assertThat(((HistoryFormatException)ex).lineNumber()).isEqualTo(2));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        read ok without balances         | {"process": 1, "type": "ok", "f": "read", "value": null, "time": 20}                       | needs balances
        read invoke with a value         | {"process": 1, "type": "invoke", "f": "read", "value": {"0": 1}, "time": 20}               | must have a null value
        account id with leading zero     | {"process": 1, "type": "ok", "f": "read", "value": {"01": 1}, "time": 20}                  | leading zeros
        negative account                 | {"process": 1, "type": "ok", "f": "read", "value": {"-1": 1}, "time": 20}                  | non-negative decimal
        fractional balance               | {"process": 1, "type": "ok", "f": "read", "value": {"0": 1.5}, "time": 20}                 | only integers
        txn ok missing a read result     | {"process": 1, "type": "ok", "f": "txn", "value": [["r", "x", null]], "time": 20}         | needs the result of every read
        txn invoke with a read result    | {"process": 1, "type": "invoke", "f": "txn", "value": [["r", "x", [1]]], "time": 20}      | must not carry read results
        unknown micro-op                 | {"process": 1, "type": "invoke", "f": "txn", "value": [["cas", "x", 1]], "time": 20}      | must be "append" or "r"
        micro-op of two parts            | {"process": 1, "type": "invoke", "f": "txn", "value": [["append", "x"]], "time": 20}      | must be a list [f, key, value]
        numeric key                      | {"process": 1, "type": "invoke", "f": "txn", "value": [["append", 3, 1]], "time": 20}     | key must be a string
        empty key                        | {"process": 1, "type": "invoke", "f": "txn", "value": [["append", "", 1]], "time": 20}    | empty key
        string element                   | {"process": 1, "type": "ok", "f": "txn", "value": [["r", "x", ["1"]]], "time": 20}        | read element 0 must be an integer
        negative process                 | {"process": -1, "type": "invoke", "f": "read", "value": null, "time": 20}                 | non-negative
        """)
    void shouldRejectAValueOfTheWrongShapeNamingTheLine(final String name, final String line, final String problem)
        throws IOException
    {
        final Path file = dir.resolve("bad-value.jsonl");
        Files.writeString(file, "{\"process\": 7, \"type\": \"invoke\", \"f\": \"read\", \"value\": null, \"time\": 1}\n" +
            line + "\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> HistoryReader.read(file))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageStartingWith(file + ":2: ")
            .hasMessageContaining(problem);
    }

    @Test
    void shouldRejectInvalidUtf8NamingTheLine() throws IOException
    {
        final Path file = dir.resolve("latin1.jsonl");
        final byte[] good = (INVOKE_TRANSFER + "\n").getBytes(StandardCharsets.UTF_8);
        final byte[] bad = "{\"process\": 2, \"type\": \"invoke\", \"f\": \"txn\", \"value\": [[\"append\", \"\u00e9\", 1]], \"time\": 1}\n"
            .getBytes(StandardCharsets.ISO_8859_1);
        final byte[] all = new byte[good.length + bad.length];
        System.arraycopy(good, 0, all, 0, good.length);
        System.arraycopy(bad, 0, all, good.length, bad.length);
        Files.write(file, all);

        assertThatThrownBy(() -> HistoryReader.read(file))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessage(file + ":2: not valid UTF-8");
    }

    @Test
    void shouldRefuseToAppendAfterClose() throws IOException
    {
        final HistoryWriter writer = HistoryWriter.open(dir.resolve("closed.jsonl"));
        writer.close();
        writer.close();

        assertThatThrownBy(() -> writer.append(HistoryEvent.invoke(1, OpFunction.READ, null, 1)))
            .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectAnEventWhoseValueDoesNotFitItsFunction()
    {
        assertThatThrownBy(() -> HistoryEvent.invoke(1, OpFunction.TRANSFER, null, 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("needs a transfer value");
        assertThatThrownBy(() -> HistoryEvent.complete(1, EventType.OK, OpFunction.TXN,
            OpValue.Txn.of(MicroOp.pendingRead("x")), 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("needs the result of every read");
    }

    private static void write(final Path file, final List<HistoryEvent> events) throws IOException
    {
        try (HistoryWriter writer = HistoryWriter.open(file))
        {
            for (final HistoryEvent event : events)
            {
                writer.append(event);
            }
        }
    }
}
