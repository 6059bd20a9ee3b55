package io.ramcast.multicast.check;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The delivery-log format in one place: file names and the line grammar shared by
 * {@link DeliveryLogWriter} and {@link MulticastHistory#load}.
 *
 * <pre>
 *   DIR/&lt;pid&gt;.log     one line per delivery by server process pid, in delivery order
 *   DIR/&lt;pid&gt;.sent    one line per multicast issued by client process pid
 *   DIR/topology.txt   "group &lt;gid&gt; &lt;pid&gt;,&lt;pid&gt;,..." and "crashed &lt;pid&gt;" lines
 *
 *   line := senderId ':' seq ' ' gid (',' gid)* '\n'     decimal, no sign, gids strictly ascending
 * </pre>
 */
final class DeliveryLogFormat
{
    static final String DELIVERY_SUFFIX = ".log";
    static final String MULTICAST_SUFFIX = ".sent";
    static final String TOPOLOGY_FILE = "topology.txt";
    static final String GROUP_KEYWORD = "group";
    static final String CRASHED_KEYWORD = "crashed";
    static final String LINE_SYNTAX = "<senderId>:<seq> <g1,g2,...>";

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
                if (end == length)
                {
                    break;
                }
                if (line[end] != ',')
                {
                    return "expected '" + LINE_SYNTAX + "', got '" + text(line, length) + "'";
                }
                i = end + 1;
            }
            senderId = (int)sender;
            seq = sequence;
            dstCount = count;
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
}
