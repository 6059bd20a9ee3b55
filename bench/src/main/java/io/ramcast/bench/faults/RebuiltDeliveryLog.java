package io.ramcast.bench.faults;

import io.ramcast.bench.cli.BenchFailureException;
import io.ramcast.check.multicast.DeliveryLogTimes;
import io.ramcast.multicast.MessageIds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The delivery log of a replica rebuilt from a snapshot of another one (a {@code wipe-replica}
 * step): the snapshot brings the effects of every delivery of the source up to the snapshot's
 * applied mark, which the rebuilt replica never logged. Before the rebuilt replica starts, the
 * source's log lines after the rebuilt replica's last logged delivery, up to and including the
 * snapshot's last applied message, are appended to its log, so that the multicast checker sees
 * the delivery sequence the replica's state stands for: what it delivered before its disk was lost,
 * then what the snapshot holds, then what it delivers after the rebuild.
 *
 * <p>Stateless; blocks on file I/O. The rebuilt replica must not run while its log is extended.
 */
final class RebuiltDeliveryLog
{
    private RebuiltDeliveryLog()
    {
    }

    /**
     * @param logDir          the delivery-log directory of the run.
     * @param rebuilt         the rebuilt replica.
     * @param source          the replica the snapshot came from.
     * @param lastMessageId   the message of the snapshot's applied mark, or 0 for an empty snapshot.
     * @return the number of lines appended.
     * @throws BenchFailureException if the rebuilt replica's log is not a prefix of the source's (it
     *                               was ahead of the snapshot, or the logs disagree), or the source's
     *                               log lacks the snapshot's last message.
     * @throws IOException           if a log cannot be read or written.
     */
    static int extend(final Path logDir, final int rebuilt, final int source, final long lastMessageId)
        throws IOException
    {
        if (lastMessageId == 0)
        {
            return 0;
        }
        final Path rebuiltLog = DeliveryLogTimes.logFile(logDir, rebuilt);
        final List<String> own = Files.exists(rebuiltLog) ? lines(rebuiltLog) : List.of();
        final List<String> theirs = lines(DeliveryLogTimes.logFile(logDir, source));
        for (int i = 0; i < own.size(); i++)
        {
            if (i >= theirs.size() || !id(own.get(i)).equals(id(theirs.get(i))))
            {
                throw new BenchFailureException("replica " + rebuilt + " logged " + own.size() + " deliveries before its " +
                    "disk was wiped, not a prefix of replica " + source + "'s " + theirs.size() + " (they differ at " +
                    "line " + (i + 1) + ")");
            }
        }
        final String last = MessageIds.toString(lastMessageId);
        int end = -1;
        for (int i = 0; i < theirs.size(); i++)
        {
            if (id(theirs.get(i)).equals(last))
            {
                end = i;
                break;
            }
        }
        if (end < 0)
        {
            throw new BenchFailureException("the snapshot of replica " + source + " ends at message " + last +
                ", which its delivery log does not hold");
        }
        if (end < own.size() - 1)
        {
            throw new BenchFailureException("the snapshot of replica " + source + " ends at message " + last + " (line " +
                (end + 1) + " of its log), before what replica " + rebuilt + " had delivered (" + own.size() +
                " lines): the rebuilt replica would deliver some messages twice");
        }
        final StringBuilder append = new StringBuilder();
        for (int i = own.size(); i <= end; i++)
        {
            append.append(theirs.get(i)).append('\n');
        }
        Files.writeString(rebuiltLog, append, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        return end + 1 - own.size();
    }

    private static List<String> lines(final Path file) throws IOException
    {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
    }

    private static String id(final String line)
    {
        final int space = line.indexOf(' ');
        return space < 0 ? line : line.substring(0, space);
    }
}
