package io.ramcast.check.multicast;

import io.ramcast.check.HistoryFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The delivery-log format as the reader side sees it: file names, the line grammar and the line
 * parser used by {@link MulticastHistory#load} and {@link DeliveryLogTimes}. The files are written
 * at run time by {@code io.ramcast.multicast.deliverylog.DeliveryLogWriter} in the multicast module,
 * which this module does not depend on; that module's {@code DeliveryLogRoundTripTest} reads the
 * writer's output back with this reader, so the two copies of the constants cannot drift apart.
 *
 * <pre>
 *   DIR/&lt;pid&gt;.log     one line per delivery by server process pid, in delivery order
 *   DIR/&lt;pid&gt;.sent    one line per multicast issued by client process pid
 *   DIR/topology.txt   "group &lt;gid&gt; &lt;pid&gt;,&lt;pid&gt;,..." and "crashed &lt;pid&gt;" lines
 *
 *   line := senderId ':' seq ' ' gid (',' gid)* [' @' micros] '\n'
 *           decimal, no sign, gids strictly ascending; micros (optional, delivery logs written
 *           with a clock) is the wall-clock time of the delivery in microseconds since the epoch
 * </pre>
 */
final class DeliveryLogFormat
{
    static final String DELIVERY_SUFFIX = ".log";
    static final String MULTICAST_SUFFIX = ".sent";
    static final String TOPOLOGY_FILE = "topology.txt";
    static final String GROUP_KEYWORD = "group";
    static final String CRASHED_KEYWORD = "crashed";
    static final String LINE_SYNTAX = "<senderId>:<seq> <g1,g2,...>[ @<micros>]";
    /** {@link LineParser#timeMicros} of a line without a time. */
    static final long NO_TIME = -1;

    /** Longest accepted log line, in bytes, without its newline; longer means a corrupt file. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    private DeliveryLogFormat()
    {
    }

    /**
     * Parses one log line into reusable fields. Not thread-safe: one instance per reader.
     */
    static final class LineParser
    {
        int senderId;
        long seq;
        int[] dst = new int[8];
        int dstCount;
        long timeMicros;

        /**
         * @param line bytes of the line, without its newline.
         * @param length number of bytes.
         * @return null if the line parsed into the fields, else the reason it does not.
         */
        String parse(final byte[] line, final int length)
        {
            int i = 0;
            final int senderEnd = digitsEnd(line, i, length);
            if (senderEnd == i || senderEnd == length || line[senderEnd] != ':')
            {
                return "expected '" + LINE_SYNTAX + "', got '" + text(line, length) + "'";
            }
            final long sender = number(line, i, senderEnd, Integer.MAX_VALUE);
            if (sender < 0)
            {
                return "senderId out of range in '" + text(line, length) + "'";
            }
            i = senderEnd + 1;
            final int seqEnd = digitsEnd(line, i, length);
            if (seqEnd == i || seqEnd == length || line[seqEnd] != ' ')
            {
                return "expected '" + LINE_SYNTAX + "', got '" + text(line, length) + "'";
            }
            final long sequence = number(line, i, seqEnd, Long.MAX_VALUE);
            if (sequence < 0)
            {
                return "seq out of range in '" + text(line, length) + "'";
            }
            i = seqEnd + 1;
            int count = 0;
            while (true)
            {
                final int end = digitsEnd(line, i, length);
                if (end == i)
                {
                    return "expected '" + LINE_SYNTAX + "', got '" + text(line, length) + "'";
                }
                final long gid = number(line, i, end, Integer.MAX_VALUE);
                if (gid < 0)
                {
                    return "group id out of range in '" + text(line, length) + "'";
                }
                if (count > 0 && gid <= dst[count - 1])
                {
                    return "destination groups must be strictly ascending in '" + text(line, length) + "'";
                }
                if (count == dst.length)
                {
                    dst = Arrays.copyOf(dst, count * 2);
                }
                dst[count++] = (int)gid;
                if (end == length || line[end] == ' ')
                {
                    i = end;
                    break;
                }
                if (line[end] != ',')
                {
                    return "expected '" + LINE_SYNTAX + "', got '" + text(line, length) + "'";
                }
                i = end + 1;
            }
            long time = NO_TIME;
            if (i < length)
            {
                final int timeEnd = digitsEnd(line, i + 2, length);
                if (i + 2 > length || line[i + 1] != '@' || timeEnd == i + 2 || timeEnd != length)
                {
                    return "expected '" + LINE_SYNTAX + "', got '" + text(line, length) + "'";
                }
                time = number(line, i + 2, timeEnd, Long.MAX_VALUE);
                if (time < 0)
                {
                    return "time out of range in '" + text(line, length) + "'";
                }
            }
            senderId = (int)sender;
            seq = sequence;
            dstCount = count;
            timeMicros = time;
            return null;
        }

        private static int digitsEnd(final byte[] line, final int from, final int length)
        {
            int i = from;
            while (i < length && line[i] >= '0' && line[i] <= '9')
            {
                i++;
            }
            return i;
        }

        /** @return the value of the decimal digits, or -1 if it exceeds max. */
        private static long number(final byte[] line, final int from, final int to, final long max)
        {
            long v = 0;
            for (int i = from; i < to; i++)
            {
                final int d = line[i] - '0';
                if (v > (max - d) / 10)
                {
                    return -1;
                }
                v = v * 10 + d;
            }
            return v;
        }

        private static String text(final byte[] line, final int length)
        {
            final int shown = Math.min(length, 200);
            return new String(line, 0, shown, StandardCharsets.ISO_8859_1) + (shown < length ? "..." : "");
        }
    }

    /** Receives the lines of a log file, each without its newline, in file order. */
    interface LineSink
    {
        /**
         * @param lineNumber the line's number, from 1.
         * @param line       a buffer holding the line's bytes from index 0; reused for the next line.
         * @param length     the line's length in bytes.
         * @throws IOException to stop reading (for example a {@link HistoryFormatException}).
         */
        void onLine(long lineNumber, byte[] line, int length) throws IOException;
    }

    /**
     * Reads a log file line by line. A last line without its newline (a writer killed mid-line) is
     * not passed on.
     *
     * @param file the file.
     * @param sink receives every complete line.
     * @return whether the file ended in such a truncated line.
     * @throws HistoryFormatException if a line is longer than {@link #MAX_LINE_BYTES}.
     * @throws IOException            if the file cannot be read, or the sink throws.
     */
    static boolean readLines(final Path file, final LineSink sink) throws IOException
    {
        final byte[] buffer = new byte[64 * 1024];
        byte[] line = new byte[256];
        int lineLength = 0;
        long lineNumber = 0;
        try (InputStream in = Files.newInputStream(file))
        {
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                for (int i = 0; i < read; i++)
                {
                    final byte b = buffer[i];
                    if (b == '\n')
                    {
                        lineNumber++;
                        sink.onLine(lineNumber, line, lineLength);
                        lineLength = 0;
                    }
                    else
                    {
                        if (lineLength == line.length)
                        {
                            if (lineLength >= MAX_LINE_BYTES)
                            {
                                throw new HistoryFormatException(file, lineNumber + 1,
                                    "line longer than " + MAX_LINE_BYTES + " bytes");
                            }
                            line = Arrays.copyOf(line, lineLength * 2);
                        }
                        line[lineLength++] = b;
                    }
                }
            }
        }
        return lineLength > 0;
    }
}
