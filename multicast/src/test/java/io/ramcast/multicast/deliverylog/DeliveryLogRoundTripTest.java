package io.ramcast.multicast.deliverylog;

import io.ramcast.check.HistoryFormatException;
import io.ramcast.check.multicast.DeliveryLogTimes;
import io.ramcast.check.multicast.MessageId;
import io.ramcast.check.multicast.MulticastChecker;
import io.ramcast.check.multicast.MulticastHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The delivery-log format across the module boundary: what {@link DeliveryLogWriter} (multicast
 * main, run time) writes is what the reader of the {@code ramcast-check} module
 * ({@link MulticastHistory#load}, {@link DeliveryLogTimes}) reads back. The two sides keep their own
 * copy of the format's constants; these tests are what keeps them in step.
 */
class DeliveryLogRoundTripTest
{
    private static final int GROUPS = 3;
    private static final int REPLICAS = 3;
    private static final int FIRST_CLIENT = 100;

    @TempDir
    Path dir;

    @Test
    void shouldLoadExactlyTheHistoryTheWritersWrote() throws IOException
    {
        final Random random = new Random(13);
        final Map<Integer, List<Integer>> members = new TreeMap<>();
        final MulticastHistory.Builder expected = MulticastHistory.builder();
        final Map<Integer, DeliveryLogWriter> deliveryLogs = new TreeMap<>();
        for (int g = 0; g < GROUPS; g++)
        {
            final List<Integer> group = new ArrayList<>();
            for (int r = 0; r < REPLICAS; r++)
            {
                final int pid = g * REPLICAS + r;
                group.add(pid);
                deliveryLogs.put(pid, DeliveryLogWriter.openDeliveryLog(dir, pid));
            }
            members.put(g, group);
            expected.group(g, group.stream().mapToInt(Integer::intValue).toArray());
        }
        final int crashedPid = 4;
        expected.crashed(crashedPid);
        DeliveryLogWriter.writeTopology(dir, members, Set.of(crashedPid));
        try (DeliveryLogWriter client0 = DeliveryLogWriter.openMulticastLog(dir, FIRST_CLIENT);
            DeliveryLogWriter client1 = DeliveryLogWriter.openMulticastLog(dir, FIRST_CLIENT + 1))
        {
            final long[] nextSeq = new long[2];
            for (int k = 0; k < 500; k++)
            {
                final int c = random.nextInt(2);
                final long seq = ++nextSeq[c];
                final long groupMask = 1 + random.nextInt((1 << GROUPS) - 1);
                final int[] dst = IntStream.range(0, GROUPS)
                    .filter((g) -> (groupMask & (1L << g)) != 0).toArray();
                final int sender = FIRST_CLIENT + c;
                (c == 0 ? client0 : client1).append(sender, seq, dst);
                expected.recordMulticast(sender, MessageId.of(sender, seq), dst);
                for (final int g : dst)
                {
                    for (final int pid : members.get(g))
                    {
                        if (pid == crashedPid && k >= 250)
                        {
                            continue;
                        }
                        final boolean byMask = (k & 1) == 0;
                        if (byMask)
                        {
                            deliveryLogs.get(pid).appendGroupMask(sender, seq, groupMask);
                        }
                        else
                        {
                            deliveryLogs.get(pid).append(sender, seq, dst, 1_718_000_000_000_000L + k);
                        }
                        expected.recordDelivery(pid, MessageId.of(sender, seq), dst);
                    }
                }
            }
        }
        for (final DeliveryLogWriter log : deliveryLogs.values())
        {
            log.close();
        }
        final MulticastHistory written = expected.build();

        final MulticastHistory loaded = MulticastHistory.load(dir);

        assertThat(loaded.groupIds()).containsExactly(0, 1, 2);
        assertThat(loaded.members(1)).containsExactly(3, 4, 5);
        assertThat(loaded.crashedIds()).containsExactly(crashedPid);
        assertThat(loaded.serverIds()).isEqualTo(written.serverIds());
        assertThat(loaded.clientIds()).containsExactly(FIRST_CLIENT, FIRST_CLIENT + 1);
        for (final int pid : written.serverIds())
        {
            assertThat(loaded.deliveries(pid)).as("process %d", pid).isEqualTo(written.deliveries(pid));
        }
        for (final int pid : written.clientIds())
        {
            assertThat(loaded.multicasts(pid)).as("client %d", pid).isEqualTo(written.multicasts(pid));
        }
        assertThat(loaded.deliveryCount()).isEqualTo(written.deliveryCount());
        assertThat(loaded.ignoredTruncatedLines()).isZero();
        final long[] times = DeliveryLogTimes.read(DeliveryLogTimes.logFile(dir, 0));
        assertThat(times).as("every other line of process 0 carries a time").isNotEmpty()
            .hasSizeLessThan(loaded.deliveries(0).size());
        assertThat(times).isSorted();
        assertThat(times[0]).isGreaterThanOrEqualTo(1_718_000_000_000_000L);
        assertThat(new MulticastChecker().check(loaded, true).isValid()).isTrue();
    }

    @Test
    void shouldWriteOneLinePerDeliveryWithAscendingGroups() throws IOException
    {
        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 4))
        {
            writer.append(100, 1, new int[] {0, 2});
            writer.append(100, 9_000_000_000L, new int[] {1});
            writer.appendGroupMask(7, 0, 0b1101);
        }

        assertThat(Files.readString(dir.resolve("4.log")))
            .isEqualTo("100:1 0,2\n100:9000000000 1\n7:0 0,2,3\n");
    }

    @Test
    void shouldWriteDeliveryTimesThatTheCheckerIgnoresAndDeliveryLogTimesReads() throws IOException
    {
        DeliveryLogWriter.writeTopology(dir, Map.of(0, List.of(0, 1, 2), 1, List.of(3, 4, 5)), Set.of());
        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 4))
        {
            writer.append(100, 1, new int[] {1}, 1_718_000_000_123_456L);
            writer.append(100, 2, new int[] {0, 1}, DeliveryLogWriter.NO_TIME);
            writer.append(100, 3, new int[] {1}, 0);
        }

        assertThat(Files.readString(dir.resolve("4.log")))
            .isEqualTo("100:1 1 @1718000000123456\n100:2 0,1\n100:3 1 @0\n");
        assertThat(DeliveryLogTimes.read(DeliveryLogTimes.logFile(dir, 4))).containsExactly(1_718_000_000_123_456L, 0L);
        final MulticastHistory history = MulticastHistory.load(dir);
        assertThat(history.deliveries(4)).extracting(MulticastHistory.Entry::id)
            .containsExactly(MessageId.of(100, 1), MessageId.of(100, 2), MessageId.of(100, 3));
    }

    /**
     * A server reopening its log after a kill -9 reads back the newest lines, so that of the
     * deliveries it hands over again it logs exactly those the log does not hold yet.
     */
    @Test
    void shouldReadBackTheMessagesOfTheLastLinesWhenReopened() throws IOException
    {
        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 3))
        {
            for (int seq = 1; seq <= 200; seq++)
            {
                writer.append(100, seq, new int[] {0, 1}, 1_000 + seq);
            }
        }
        Files.writeString(dir.resolve("3.log"), "100:201 0", StandardCharsets.US_ASCII,
            java.nio.file.StandardOpenOption.APPEND); // a line cut by the kill

        try (DeliveryLogWriter reopened = DeliveryLogWriter.openDeliveryLog(dir, 3))
        {
            assertThat(reopened.tailMessageIds(1 << 20)).hasSize(200).contains("100:1", "100:200")
                .doesNotContain("100:201");
            final Set<String> window = reopened.tailMessageIds(100);
            assertThat(window).contains("100:200").doesNotContain("100:1").hasSizeLessThan(10);
        }
    }

    @Test
    void shouldRefuseANegativeTime() throws IOException
    {
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
            writer.append(100, 1, new int[] {0});
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
            assertThatThrownBy(() -> writer.append(1, 1, new int[] {2, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strictly ascending");
            assertThatThrownBy(() -> writer.append(1, 1, new int[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no destination group");
        }
        assertThat(Files.readString(dir.resolve("0.log"))).isEmpty();
    }

    @Test
    void shouldCutAPartialLastLineWhenReopeningALogToAppend() throws IOException
    {
        DeliveryLogWriter.writeTopology(dir, Map.of(0, List.of(0, 1, 2), 1, List.of(3, 4, 5)), Set.of());
        Files.writeString(dir.resolve("0.log"), "100:1 0\n100:2 0,");

        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 0))
        {
            writer.append(100, 2, new int[] {0, 1});
        }

        assertThat(Files.readString(dir.resolve("0.log"))).isEqualTo("100:1 0\n100:2 0,1\n");
        assertThat(MulticastHistory.load(dir).deliveries(0)).hasSize(2);
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
    void shouldBeRejectedByTheReaderWhenALineIsCorruptedAfterWriting() throws IOException
    {
        DeliveryLogWriter.writeTopology(dir, Map.of(0, List.of(0, 1, 2)), Set.of());
        try (DeliveryLogWriter writer = DeliveryLogWriter.openDeliveryLog(dir, 1))
        {
            writer.append(100, 1, new int[] {0});
        }
        Files.writeString(dir.resolve("1.log"), Files.readString(dir.resolve("1.log")).replace(':', ';'));

        assertThatThrownBy(() -> MulticastHistory.load(dir))
            .isInstanceOf(HistoryFormatException.class).hasMessageContaining("1.log:1");
    }
}
