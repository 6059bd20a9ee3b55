package io.ramcast.check.multicast;

import io.ramcast.check.HistoryFormatException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reader side of the delivery-log format, on hand-written files: bad lines are reported with
 * file and line, a truncated last line is ignored, times are read by {@link DeliveryLogTimes}. The
 * writer's output is read back by {@code DeliveryLogRoundTripTest} in the multicast module.
 */
class DeliveryLogReaderTest
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
    void shouldParseAndPrintMessageIds()
    {
        assertThat(MessageId.parse("7:123")).isEqualTo(MessageId.of(7, 123));
        assertThat(MessageId.of(7, 123)).hasToString("7:123");
        assertThatThrownBy(() -> MessageId.parse("7-123")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageId.parse("99999999999:1")).isInstanceOf(IllegalArgumentException.class);
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
    }

    @Test
    void shouldReadDeliveryTimesAndSkipLinesWithoutOne() throws IOException
    {
        Files.writeString(dir.resolve("topology.txt"), TOPOLOGY);
        Files.writeString(dir.resolve("4.log"), "100:1 1 @1718000000123456\n100:2 0,1\n100:3 1 @0\n100:4 1 @17");

        assertThat(DeliveryLogTimes.read(DeliveryLogTimes.logFile(dir, 4))).containsExactly(1_718_000_000_123_456L, 0L);
        assertThat(DeliveryLogTimes.read(DeliveryLogTimes.logFile(dir, 5))).isEmpty();
        final MulticastHistory history = MulticastHistory.load(dir);
        assertThat(history.deliveries(4)).extracting(MulticastHistory.Entry::id)
            .containsExactly(MessageId.of(100, 1), MessageId.of(100, 2), MessageId.of(100, 3));
        assertThat(history.ignoredTruncatedLines()).isOne();
    }
}
