package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.check.multicast.MessageId;
import io.ramcast.multicast.deliverylog.DeliveryLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code check-multicast} on small hand-written histories: its exit code is the verdict. */
class CheckMulticastCommandTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldAcceptAValidHistory() throws Exception
    {
        writeHistory(new MessageId(9, 1), new MessageId(9, 2));

        final BenchTestSupport.Execution run = BenchTestSupport.execute("check-multicast", "--dir", dir.toString());

        assertThat(run.exitCode()).as(run.transcript()).isEqualTo(RamcastCli.EXIT_OK);
        assertThat(run.out()).contains("VALID");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRejectReplicasThatDeliverInDifferentOrders() throws Exception
    {
        writeHistory(new MessageId(9, 2), new MessageId(9, 1));

        final BenchTestSupport.Execution run = BenchTestSupport.execute("check-multicast", "--dir", dir.toString());

        assertThat(run.exitCode()).as(run.transcript()).isEqualTo(RamcastCli.EXIT_CHECK_FAILED);
        assertThat(run.out()).contains("INVALID", "PREFIX_ORDER_VIOLATION");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseADirectoryThatDoesNotExist()
    {
        final BenchTestSupport.Execution run = BenchTestSupport.execute(
            "check-multicast", "--dir", dir.resolve("missing").toString());

        assertThat(run.exitCode()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(run.err()).contains("is not a directory");
    }

    /** One group {0, 1, 2}; client 9 multicast 9:1 and 9:2; servers 0 and 1 deliver them in order, server 2 as given. */
    private void writeHistory(final MessageId thirdReplicaFirst, final MessageId thirdReplicaSecond) throws Exception
    {
        DeliveryLogWriter.writeTopology(dir, Map.of(0, List.of(0, 1, 2)), List.of());
        try (DeliveryLogWriter sent = DeliveryLogWriter.openMulticastLog(dir, 9))
        {
            sent.append(9, 1, new int[] {0});
            sent.append(9, 2, new int[] {0});
        }
        for (final int server : new int[] {0, 1})
        {
            try (DeliveryLogWriter log = DeliveryLogWriter.openDeliveryLog(dir, server))
            {
                log.append(9, 1, new int[] {0});
                log.append(9, 2, new int[] {0});
            }
        }
        try (DeliveryLogWriter log = DeliveryLogWriter.openDeliveryLog(dir, 2))
        {
            log.append(thirdReplicaFirst.senderId(), thirdReplicaFirst.seq(), new int[] {0});
            log.append(thirdReplicaSecond.senderId(), thirdReplicaSecond.seq(), new int[] {0});
        }
    }
}
