package io.ramcast.multicast.check;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The delivery-log format: {@link DeliveryLogWriter} writes what {@link MulticastHistory#load}
 * reads, bad lines are reported with file and line, and a truncated last line is ignored.
 */
class DeliveryLogFilesTest
{
    private static final String TOPOLOGY = """
        # three groups of three
        group 0 0,1,2

        group 1 3,4,5
        group 2 6,7,8
        crashed 8
        """;

    @TempDir
    Path dir;

    @Test
    void shouldLoadExactlyTheHistoryTheWritersWrote() throws IOException
    {
        final GeneratedHistory generated = GeneratedHistory.valid(13, 3, 2, 500);
        generated.crashRandomReplicaMidway(new Random(13));
        generated.writeTo(dir);
        final MulticastHistory expected = generated.build();

        final MulticastHistory loaded = MulticastHistory.load(dir);

        assertThat(loaded.groupIds()).containsExactly(0, 1, 2);
        assertThat(loaded.members(1)).containsExactly(3, 4, 5);
        assertThat(loaded.crashedIds()).isEqualTo(expected.crashedIds()).hasSize(1);
        assertThat(loaded.serverIds()).isEqualTo(expected.serverIds());
        assertThat(loaded.clientIds()).containsExactly(100, 101);
        for (final int pid : expected.serverIds())
        {
            assertThat(loaded.deliveries(pid)).as("process %d", pid).isEqualTo(expected.deliveries(pid));
        }
        for (final int pid : expected.clientIds())
        {
            assertThat(loaded.multicasts(pid)).as("client %d", pid).isEqualTo(expected.multicasts(pid));
        }
        assertThat(loaded.deliveryCount()).isEqualTo(generated.deliveryCount());
        assertThat(loaded.ignoredTruncatedLines()).isZero();
        assertThat(new MulticastChecker().check(loaded, true).isValid()).isTrue();
    }

    @Test
    void shouldWriteOneLinePerDeliveryWithAscendingGroups() throws IOException
    {
        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 4))
        {
            writer.append(MessageId.of(100, 1), 0, 2);
            writer.append(100, 9_000_000_000L, new int[] {1});
            writer.appendGroupMask(7, 0, 0b1101);
        }

        assertThat(Files.readString(dir.resolve("4.log")))
            .isEqualTo("100:1 0,2\n100:9000000000 1\n7:0 0,2,3\n");
    }

    @Test
    void shouldWriteDeliveryTimesThatTheCheckerIgnoresAndDeliveryLogTimesReads() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 4))
        {
            writer.append(100, 1, new int[] {1}, 1_718_000_000_123_456L);
            writer.append(100, 2, new int[] {0, 1}, DeliveryLogWriter.NO_TIME);
            writer.append(100, 3, new int[] {1}, 0);
        }
        Files.writeString(dir.resolve("4.log"), "100:4 1 @1718000000999", java.nio.file.StandardOpenOption.APPEND);

        assertThat(Files.readString(dir.resolve("4.log")))
            .startsWith("100:1 1 @1718000000123456\n100:2 0,1\n100:3 1 @0\n");
        assertThat(DeliveryLogTimes.read(DeliveryLogTimes.logFile(dir, 4))).containsExactly(1_718_000_000_123_456L, 0L);
        assertThat(DeliveryLogTimes.read(DeliveryLogTimes.logFile(dir, 5))).isEmpty();
        final MulticastHistory history = MulticastHistory.load(dir);
        assertThat(history.deliveries(4)).extracting(MulticastHistory.Entry::id)
            .containsExactly(MessageId.of(100, 1), MessageId.of(100, 2), MessageId.of(100, 3));
        assertThat(history.ignoredTruncatedLines()).isOne();
    }

    @Test
    void shouldRejectAMalformedDeliveryTime() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        for (final String bad : List.of("100:1 1 @", "100:1 1 @12x", "100:1 1 12", "100:1 1 @-3", "100:1 1 ", "100:1 1 @1 @2"))
        {
            Files.writeString(dir.resolve("4.log"), bad + "\n");

            assertThatThrownBy(() -> MulticastHistory.load(dir)).as(bad).isInstanceOf(HistoryFormatException.class);
            assertThatThrownBy(() -> DeliveryLogTimes.read(dir.resolve("4.log"))).as(bad)
                .isInstanceOf(HistoryFormatException.class).hasMessageContaining("4.log:1");
        }
        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 7))
        {
            assertThatThrownBy(() -> writer.append(1, 1, new int[] {0}, -5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("time -5");
        }
    }

    @Test
    void shouldKeepLinesBufferedUntilFlushed() throws IOException
    {
        try (DeliveryLogWriter writer = DeliveryLogWriter.openMulticastLog(dir, 100))
        {
            writer.append(MessageId.of(100, 1), 0);
            assertThat(Files.readString(writer.file())).isEmpty();

            writer.flush();

            assertThat(Files.readString(writer.file())).isEqualTo("100:1 0\n");
        }
    }

    @Test
    void shouldRejectADestinationThatIsNotStrictlyAscending() throws IOException
    {
        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 0))
        {
            assertThatThrownBy(() -> writer.append(MessageId.of(1, 1), 2, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strictly ascending");
            assertThatThrownBy(() -> writer.append(MessageId.of(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no destination group");
        }
        assertThat(Files.readString(dir.resolve("0.log"))).isEmpty();
    }

    @Test
    void shouldCutAPartialLastLineWhenReopeningALogToAppend() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        Files.writeString(dir.resolve("0.log"), "100:1 0\n100:2 0,");

        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 0))
        {
            writer.append(MessageId.of(100, 2), 0, 1);
        }

        assertThat(Files.readString(dir.resolve("0.log"))).isEqualTo("100:1 0\n100:2 0,1\n");
    }

    @Test
    void shouldReportAMalformedLineWithItsFileAndLineNumber() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        final Path log = dir.resolve("4.log");
        Files.writeString(log, "100:1 1\n100:2 1;2\n100:3 1\n");

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOfSatisfying(HistoryFormatException.class, (ex) ->
            {
                assertThat(ex.file()).isEqualTo(log);
                assertThat(ex.lineNumber()).isEqualTo(2);
            })
            .hasMessageContaining("4.log:2: ")
            .hasMessageContaining("100:2 1;2");
    }

    @Test
    void shouldRejectDestinationGroupsThatAreNotStrictlyAscending() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        Files.writeString(dir.resolve("100.sent"), "100:1 2,1\n");

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageContaining("100.sent:1: destination groups must be strictly ascending");
    }

    @Test
    void shouldIgnoreATruncatedLastLineEvenIfItLooksValid() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        Files.writeString(dir.resolve("3.log"), "100:1 1\n100:2 1,");
        Files.writeString(dir.resolve("4.log"), "100:1 1\n100:23 1");

        final MulticastHistory history = MulticastHistory.load(dir);

        assertThat(history.deliveries(3)).extracting(MulticastHistory.Entry::id).containsExactly(MessageId.of(100, 1));
        assertThat(history.deliveries(4)).extracting(MulticastHistory.Entry::id).containsExactly(MessageId.of(100, 1));
        assertThat(history.ignoredTruncatedLines()).isEqualTo(2);
    }

    @Test
    void shouldRejectAMalformedLineThatIsNotTheLast() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        Files.writeString(dir.resolve("3.log"), "100:1 1\n100:2 1,\n");

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageContaining("3.log:2: ");
    }

    @Test
    void shouldRejectAnEmptyLine() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        Files.writeString(dir.resolve("3.log"), "100:1 1\n\n100:2 1\n");

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageContaining("3.log:2: ");
    }

    @Test
    void shouldRejectADeliveryLogOfAProcessOutsideEveryGroup() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        Files.writeString(dir.resolve("42.log"), "100:1 1\n");

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageContaining("42.log")
            .hasMessageContaining("process 42 is not a member of any group");
    }

    @Test
    void shouldRejectADestinationGroupTheTopologyDoesNotDeclare() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        Files.writeString(dir.resolve("3.log"), "100:1 1\n100:2 1,9\n");

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageContaining("3.log:2: destination group 9 is not declared");
    }

    @Test
    void shouldRejectOneMessageMulticastWithTwoDestinations() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        Files.writeString(dir.resolve("100.sent"), "100:1 1\n100:2 0\n100:1 0,1\n");

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageContaining("100.sent:3: message 100:1 multicast by client 100 to {0,1} was already multicast");
    }

    @Test
    void shouldReportABadTopologyLineWithItsLineNumber() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), "group 0 0,1,2\ngroup 1 3,4,x\n");

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageContaining("topology.txt:2: process id 'x' is not a decimal number");
    }

    @Test
    void shouldRejectAProcessListedInTwoGroups() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), "group 0 0,1,2\ngroup 1 2,3,4\n");

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageContaining("topology.txt:2: process 2 is listed in group 0 and in group 1");
    }

    @Test
    void shouldRequireATopologyFile()
    {
        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessageContaining("topology.txt: is missing");
    }

    @Test
    void shouldWriteATopologyThatLoadsBackAndAcceptLaterCrashes() throws IOException
    {
        DeliveryLogWriter.writeTopology(dir, Map.of(0, List.of(0, 1, 2), 1, List.of(3, 4, 5)), Set.of(1));
        DeliveryLogWriter.appendCrashed(dir, 4);

        final MulticastHistory history = MulticastHistory.load(dir);

        assertThat(history.groupIds()).containsExactly(0, 1);
        assertThat(history.members(0)).containsExactly(0, 1, 2);
        assertThat(history.crashedIds()).containsExactly(1, 4);
        assertThat(history.deliveries(5)).isEmpty();
        assertThat(Files.readString(dir.resolve("topology.txt"), StandardCharsets.US_ASCII))
            .contains("group 0 0,1,2\n", "group 1 3,4,5\n", "crashed 1\n", "crashed 4\n");
    }

    @Test
    void shouldParseAndPrintMessageIds()
    {
        assertThat(MessageId.parse("7:123")).isEqualTo(MessageId.of(7, 123));
        assertThat(MessageId.of(7, 123)).hasToString("7:123");
        assertThatThrownBy(() -> MessageId.parse("7-123")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageId.parse("99999999999:1")).isInstanceOf(IllegalArgumentException.class);
    }
}
