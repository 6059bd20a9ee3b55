package io.ramcast.multicast.deliverylog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Appends one process's delivery log ({@code DIR/<pid>.log}, one line per delivery, in delivery
 * order) or multicast log ({@code DIR/<pid>.sent}, one line per multicast issued) in the format
 * read by {@code io.ramcast.check.multicast.MulticastHistory.load} (module {@code ramcast-check}):
 * {@code <senderId>:<seq> <g1,g2,...>\n} with the destination group ids strictly ascending,
 * optionally followed by {@code " @<micros>"}, the wall-clock time of the delivery (read by
 * {@code io.ramcast.check.multicast.DeliveryLogTimes}). See {@code DeliveryLogFormat}.
 *
 * <p>Meant for the delivery path: lines are formatted into an internal buffer without allocation
 * and reach the file only when the buffer fills, on {@link #flush()} and on {@link #close()}. No
 * call forces data to disk (no fsync); a process killed with lines still buffered loses them,
 * which for a server makes its log a prefix of what it delivered (harmless for a process that is
 * then declared crashed), and for a client may lose multicasts it issued (the checker relaxes
 * "only multicast" for messages of crashed senders, see
 * {@code io.ramcast.check.multicast.MulticastChecker}). A client should append a multicast's line
 * before it issues the multicast.
 *
 * <p>Opening appends to an existing file. If that file ends in a partial line (a writer killed
 * mid-line), the partial line is cut off first so that new lines do not glue onto it.
 *
 * <p>Not thread-safe: one writer per process, used by one thread at a time. Errors are
 * {@link IOException}s from the file system; after one, the writer should be closed.
 */
public final class DeliveryLogWriter implements AutoCloseable
{
    private static final int BUFFER_BYTES = 64 * 1024;
    /** Bytes for {@code <senderId>:<seq> \n}: 10 + 1 + 19 + 1 + 1, rounded up. */
    private static final int ID_BYTES = 40;
    /** Bytes for one group id and its comma. */
    private static final int GROUP_BYTES = 11;
    /** Bytes for {@code " @<micros>"}. */
    private static final int TIME_BYTES = 22;

    /** The time argument of {@link #append(int, long, int[], long)} for a line without a time. */
    public static final long NO_TIME = DeliveryLogFormat.NO_TIME;

    private final Path file;
    private final FileChannel channel;
    private byte[] buffer = new byte[BUFFER_BYTES];
    private int position;
    private boolean closed;

    private DeliveryLogWriter(final Path file) throws IOException
    {
        this.file = file;
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        try
        {
            cutPartialLastLine();
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Opens (creating it and its directory if needed) the delivery log of a server process.
     *
     * @param dir       the history directory.
     * @param processId the server's process id, non-negative.
     * @return a writer appending to {@code dir/<processId>.log}.
     * @throws IOException if the file cannot be opened.
     */
    public static DeliveryLogWriter openDeliveryLog(final Path dir, final int processId) throws IOException
    {
        return new DeliveryLogWriter(dir.resolve(checkProcessId(processId) + DeliveryLogFormat.DELIVERY_SUFFIX));
    }

    /**
     * Opens (creating it and its directory if needed) the multicast log of a client process.
     *
     * @param dir       the history directory.
     * @param processId the client's process id, non-negative.
     * @return a writer appending to {@code dir/<processId>.sent}.
     * @throws IOException if the file cannot be opened.
     */
    public static DeliveryLogWriter openMulticastLog(final Path dir, final int processId) throws IOException
    {
        return new DeliveryLogWriter(dir.resolve(checkProcessId(processId) + DeliveryLogFormat.MULTICAST_SUFFIX));
    }

    /** @return the file this writer appends to. */
    public Path file()
    {
        return file;
    }

    /**
     * Appends one line. Allocation-free; reaches the file when the buffer fills or on flush/close.
     *
     * @param senderId  the message's sender id, non-negative.
     * @param seq       the message's sequence number, non-negative.
     * @param dstGroups the destination group ids, non-negative and strictly ascending, at least one.
     * @throws IllegalArgumentException if an argument breaks its rule (nothing is written).
     * @throws IllegalStateException    if the writer is closed.
     * @throws IOException              if writing a full buffer fails.
     */
    public void append(final int senderId, final long seq, final int[] dstGroups) throws IOException
    {
        append(senderId, seq, dstGroups, NO_TIME);
    }

    /**
     * Appends one line with the time of the delivery. Allocation-free; reaches the file when the
     * buffer fills or on flush/close.
     *
     * @param senderId   the message's sender id, non-negative.
     * @param seq        the message's sequence number, non-negative.
     * @param dstGroups  the destination group ids, non-negative and strictly ascending, at least one.
     * @param timeMicros wall-clock time in microseconds since the epoch, non-negative, or
     *                   {@link #NO_TIME} for a line without a time.
     * @throws IllegalArgumentException if an argument breaks its rule (nothing is written).
     * @throws IllegalStateException    if the writer is closed.
     * @throws IOException              if writing a full buffer fails.
     */
    public void append(final int senderId, final long seq, final int[] dstGroups, final long timeMicros)
        throws IOException
    {
        checkLine(senderId, seq);
        if (dstGroups.length == 0)
        {
            throw new IllegalArgumentException("message " + senderId + ":" + seq + " has no destination group");
        }
        for (int i = 0; i < dstGroups.length; i++)
        {
            if (dstGroups[i] < 0 || (i > 0 && dstGroups[i] <= dstGroups[i - 1]))
            {
                throw new IllegalArgumentException("message " + senderId + ":" + seq +
                    ": destination groups must be non-negative and strictly ascending, got " +
                    Arrays.toString(dstGroups));
            }
        }
        if (timeMicros < 0 && timeMicros != NO_TIME)
        {
            throw new IllegalArgumentException("message " + senderId + ":" + seq + ": time " + timeMicros +
                " must be >= 0 (or NO_TIME)");
        }
        ensureRoom(ID_BYTES + GROUP_BYTES * dstGroups.length + TIME_BYTES);
        putId(senderId, seq);
        for (int i = 0; i < dstGroups.length; i++)
        {
            if (i > 0)
            {
                buffer[position++] = ',';
            }
            putNumber(dstGroups[i]);
        }
        if (timeMicros != NO_TIME)
        {
            buffer[position++] = ' ';
            buffer[position++] = '@';
            putNumber(timeMicros);
        }
        buffer[position++] = '\n';
    }

    /**
     * Appends one line whose destination is given as a bit mask: bit g set means group g, for
     * groups 0..63. Allocation-free.
     *
     * @param senderId  the message's sender id, non-negative.
     * @param seq       the message's sequence number, non-negative.
     * @param groupMask the destination groups, at least one bit set.
     * @throws IllegalArgumentException if an argument breaks its rule (nothing is written).
     * @throws IllegalStateException    if the writer is closed.
     * @throws IOException              if writing a full buffer fails.
     */
    public void appendGroupMask(final int senderId, final long seq, final long groupMask) throws IOException
    {
        checkLine(senderId, seq);
        if (groupMask == 0)
        {
            throw new IllegalArgumentException("message " + senderId + ":" + seq + " has no destination group");
        }
        ensureRoom(ID_BYTES + GROUP_BYTES * Long.bitCount(groupMask));
        putId(senderId, seq);
        long mask = groupMask;
        boolean first = true;
        while (mask != 0)
        {
            if (!first)
            {
                buffer[position++] = ',';
            }
            first = false;
            putNumber(Long.numberOfTrailingZeros(mask));
            mask &= mask - 1;
        }
        buffer[position++] = '\n';
    }

    /**
     * Writes the buffered lines to the file (to the operating system; no fsync).
     *
     * @throws IllegalStateException if the writer is closed.
     * @throws IOException           if the write fails.
     */
    public void flush() throws IOException
    {
        ensureOpen();
        drain();
    }

    /**
     * Flushes and closes the file. Idempotent.
     *
     * @throws IOException if the final write or the close fails; the file is closed regardless.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            drain();
        }
        finally
        {
            channel.close();
        }
    }

    /**
     * Writes {@code dir/topology.txt}, replacing any previous one atomically (write to a temporary
     * file, then rename).
     *
     * @param dir          the history directory, created if missing.
     * @param groupMembers group id to its member process ids; ids non-negative, each process in one
     *                     group, each group non-empty.
     * @param crashed      process ids to declare crashed (may be empty).
     * @throws IllegalArgumentException if the groups break a rule (nothing is written).
     * @throws IOException              if writing fails.
     */
    public static void writeTopology(
        final Path dir,
        final Map<Integer, ? extends Collection<Integer>> groupMembers,
        final Collection<Integer> crashed) throws IOException
    {
        final StringBuilder text = new StringBuilder(
            "# delivery-log topology: 'group <gid> <pid>,<pid>,...' and 'crashed <pid>'\n");
        final TreeSet<Integer> seen = new TreeSet<>();
        for (final Map.Entry<Integer, ? extends Collection<Integer>> e : new TreeMap<>(groupMembers).entrySet())
        {
            final int gid = e.getKey();
            if (gid < 0)
            {
                throw new IllegalArgumentException("group id " + gid + " must be >= 0");
            }
            if (e.getValue().isEmpty())
            {
                throw new IllegalArgumentException("group " + gid + " has no members");
            }
            text.append(DeliveryLogFormat.GROUP_KEYWORD).append(' ').append(gid).append(' ');
            boolean first = true;
            for (final int pid : e.getValue())
            {
                checkProcessId(pid);
                if (!seen.add(pid))
                {
                    throw new IllegalArgumentException("process " + pid + " is listed in more than one group");
                }
                text.append(first ? "" : ",").append(pid);
                first = false;
            }
            text.append('\n');
        }
        for (final int pid : new TreeSet<>(crashed))
        {
            text.append(DeliveryLogFormat.CRASHED_KEYWORD).append(' ').append(checkProcessId(pid)).append('\n');
        }
        Files.createDirectories(dir);
        final Path target = dir.resolve(DeliveryLogFormat.TOPOLOGY_FILE);
        final Path temp = Files.createTempFile(dir, DeliveryLogFormat.TOPOLOGY_FILE, ".tmp");
        try
        {
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Appends a {@code crashed <pid>} line to {@code dir/topology.txt}, for a harness that learns
     * of a crash after the run started. Not atomic with respect to concurrent appenders.
     *
     * @param dir       the history directory holding topology.txt.
     * @param processId the crashed process, non-negative.
     * @throws IOException if topology.txt does not exist or cannot be written.
     */
    public static void appendCrashed(final Path dir, final int processId) throws IOException
    {
        Files.writeString(
            dir.resolve(DeliveryLogFormat.TOPOLOGY_FILE),
            DeliveryLogFormat.CRASHED_KEYWORD + " " + checkProcessId(processId) + "\n",
            StandardCharsets.US_ASCII,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
    }

    /**
     * The messages of the log's last lines, read back when the log is reopened after a crash: a
     * server killed after its journal recorded a delivery but before this log did hands it over
     * again at its restart, and must log it then, but only then.
     *
     * @param maxBytes how much of the log's end to read.
     * @return {@code <senderId>:<seq>} of every complete line in the last {@code maxBytes} bytes.
     * @throws IOException if the file cannot be read.
     */
    public java.util.Set<String> tailMessageIds(final int maxBytes) throws IOException
    {
        ensureOpen();
        final long end = channel.position();
        final long start = Math.max(0, end - maxBytes);
        final ByteBuffer tail = ByteBuffer.allocate((int)(end - start));
        while (tail.hasRemaining())
        {
            if (channel.read(tail, start + tail.position()) < 0)
            {
                throw new IOException(file + " shrank while being read");
            }
        }
        final String text = new String(tail.array(), StandardCharsets.US_ASCII);
        final java.util.Set<String> ids = new java.util.HashSet<>();
        final String[] lines = text.split("\n");
        for (int i = start == 0 ? 0 : 1; i < lines.length; i++) // the first line of a window may be cut
        {
            final int space = lines[i].indexOf(' ');
            if (space > 0)
            {
                ids.add(lines[i].substring(0, space));
            }
        }
        return ids;
    }

    private void cutPartialLastLine() throws IOException
    {
        final long fileSize = channel.size();
        long keep = fileSize;
        final ByteBuffer chunk = ByteBuffer.allocate(4096);
        scan:
        while (keep > 0)
        {
            final int length = (int)Math.min(chunk.capacity(), keep);
            chunk.clear().limit(length);
            while (chunk.hasRemaining())
            {
                if (channel.read(chunk, keep - length + chunk.position()) < 0)
                {
                    throw new IOException(file + " shrank while being opened");
                }
            }
            for (int i = length - 1; i >= 0; i--)
            {
                if (chunk.get(i) == '\n')
                {
                    keep = keep - length + i + 1;
                    break scan;
                }
            }
            keep -= length;
        }
        if (keep < fileSize)
        {
            channel.truncate(keep);
        }
        channel.position(keep);
    }

    private void checkLine(final int senderId, final long seq)
    {
        ensureOpen();
        if (senderId < 0 || seq < 0)
        {
            throw new IllegalArgumentException(
                "message " + senderId + ":" + seq + ": senderId and seq must be >= 0");
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("delivery log " + file + " is closed");
        }
    }

    private void ensureRoom(final int lineBytes) throws IOException
    {
        if (buffer.length - position < lineBytes)
        {
            drain();
            if (buffer.length < lineBytes)
            {
                buffer = new byte[lineBytes];
            }
        }
    }

    private void drain() throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, position);
        while (bytes.hasRemaining())
        {
            channel.write(bytes);
        }
        position = 0;
    }

    private void putId(final int senderId, final long seq)
    {
        putNumber(senderId);
        buffer[position++] = ':';
        putNumber(seq);
        buffer[position++] = ' ';
    }

    private void putNumber(final long value)
    {
        int digits = 1;
        for (long v = value / 10; v != 0; v /= 10)
        {
            digits++;
        }
        long v = value;
        for (int i = position + digits - 1; i >= position; i--)
        {
            buffer[i] = (byte)('0' + (v % 10));
            v /= 10;
        }
        position += digits;
    }

    private static int checkProcessId(final int processId)
    {
        if (processId < 0)
        {
            throw new IllegalArgumentException("process id " + processId + " must be >= 0");
        }
        return processId;
    }
}
