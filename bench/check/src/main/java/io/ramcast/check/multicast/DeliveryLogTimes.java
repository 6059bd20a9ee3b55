package io.ramcast.check.multicast;

import io.ramcast.check.HistoryFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The delivery times recorded in one server's delivery log ({@code DIR/<pid>.log}, lines written
 * with a time by {@code DeliveryLogWriter.append(int, long, int[], long)}), for measurements such
 * as "time from a leader's crash to the next delivery at the surviving members of its group".
 *
 * <p>Times are wall-clock microseconds since the epoch, as the writing process read them, in
 * delivery order. Lines without a time are skipped; a truncated last line (a writer killed mid-line)
 * is ignored, as {@link MulticastHistory#load} does.
 *
 * <p>Stateless; thread-safe. Errors: {@link HistoryFormatException} naming the file and line for
 * a malformed line, {@link IOException} if the file cannot be read.
 */
public final class DeliveryLogTimes
{
    private DeliveryLogTimes()
    {
    }

    /**
     * Reads the delivery times of one log.
     *
     * @param file a delivery log; a missing file means no delivery.
     * @return the times in microseconds since the epoch, in line order (an empty array for none).
     * @throws HistoryFormatException if a line is malformed.
     * @throws IOException            if the file cannot be read.
     */
    public static long[] read(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            return new long[0];
        }
        final DeliveryLogFormat.LineParser parser = new DeliveryLogFormat.LineParser();
        final long[][] times = {new long[1024]};
        final int[] count = {0};
        DeliveryLogFormat.readLines(file, (lineNumber, line, length) ->
        {
            final String problem = parser.parse(line, length);
            if (problem != null)
            {
                throw new HistoryFormatException(file, lineNumber, problem);
            }
            if (parser.timeMicros != DeliveryLogFormat.NO_TIME)
            {
                if (count[0] == times[0].length)
                {
                    times[0] = Arrays.copyOf(times[0], count[0] * 2);
                }
                times[0][count[0]++] = parser.timeMicros;
            }
        });
        return Arrays.copyOf(times[0], count[0]);
    }

    /**
     * @param serverDir the directory of the delivery logs.
     * @param processId a server process id.
     * @return the path of that server's delivery log.
     */
    public static Path logFile(final Path serverDir, final int processId)
    {
        return serverDir.resolve(processId + DeliveryLogFormat.DELIVERY_SUFFIX);
    }
}
