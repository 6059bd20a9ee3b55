package io.ramcast.check.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes a history file in the format of {@link HistoryReader}: one JSON line per event.
 *
 * <p>Threading: thread-safe. Many client threads may {@link #append} concurrently; each event is
 * formatted by the calling thread and then written as one whole line under a lock, so lines never
 * interleave. Lines appear in the order the lock is taken, which for events of different threads
 * need not be the order of their times; the reader does not require it.
 *
 * <p>Buffering and durability: lines are buffered and reach the file when the buffer fills, on
 * {@link #flush()} and on {@link #close()}; a writer from {@link #openLineFlushed} hands every line
 * to the operating system before {@link #append} returns, so that a process killed with SIGKILL
 * loses no line it appended (an invocation recorded before a request was sent stays recorded).
 * Nothing is forced to disk (no fsync). A process killed mid-write leaves at most a truncated last
 * line, which the reader ignores and counts.
 *
 * <p>Errors: an {@link IOException} from the file system is thrown to the caller that hit it;
 * the writer should then be closed and the history treated as incomplete. Appending after
 * {@link #close()} throws {@link IllegalStateException}.
 */
public final class HistoryWriter implements AutoCloseable
{
    private static final int BUFFER_CHARS = 64 * 1024;

    private final Path file;
    private final Writer out;
    private final boolean flushEachLine;
    private long eventCount;
    private boolean closed;

    private HistoryWriter(final Path file, final Writer out, final boolean flushEachLine)
    {
        this.file = file;
        this.out = out;
        this.flushEachLine = flushEachLine;
    }

    /**
     * Creates (or truncates) a history file, and its parent directories if needed.
     *
     * @param file the file.
     * @return a writer to it.
     * @throws IOException if the file cannot be created.
     */
    public static HistoryWriter open(final Path file) throws IOException
    {
        return open(file, false);
    }

    /**
     * Creates (or truncates) a history file, and its parent directories if needed, whose every line
     * reaches the operating system before {@link #append} returns (one write per event).
     *
     * @param file the file.
     * @return a writer to it.
     * @throws IOException if the file cannot be created.
     */
    public static HistoryWriter openLineFlushed(final Path file) throws IOException
    {
        return open(file, true);
    }

    private static HistoryWriter open(final Path file, final boolean flushEachLine) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        final Writer out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
            StandardCharsets.UTF_8), BUFFER_CHARS);
        return new HistoryWriter(file, out, flushEachLine);
    }

    /** @return the file written. */
    public Path file()
    {
        return file;
    }

    /**
     * Appends one event as one line. Safe to call from many threads.
     *
     * @param event the event.
     * @throws IllegalStateException if the writer is closed.
     * @throws IOException           if writing a full buffer fails.
     */
    public void append(final HistoryEvent event) throws IOException
    {
        Objects.requireNonNull(event, "event");
        final StringBuilder line = new StringBuilder(128);
        HistoryEventCodec.format(event, line);
        line.append('\n');
        synchronized (this)
        {
            if (closed)
            {
                throw new IllegalStateException("history writer for " + file + " is closed");
            }
            out.append(line);
            if (flushEachLine)
            {
                out.flush();
            }
            eventCount++;
        }
    }

    /**
     * Appends an event to {@code history} if there is one, for workloads whose history is optional.
     *
     * @param history the writer, or null for none.
     * @param event   the event.
     * @throws java.io.UncheckedIOException if writing fails.
     */
    public static void record(final HistoryWriter history, final HistoryEvent event)
    {
        if (history == null)
        {
            return;
        }
        try
        {
            history.append(event);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot append to " + history.file(), ex);
        }
    }

    /** @return how many events were appended. */
    public synchronized long eventCount()
    {
        return eventCount;
    }

    /**
     * Writes buffered lines to the file (without fsync).
     *
     * @throws IllegalStateException if the writer is closed.
     * @throws IOException           if writing fails.
     */
    public synchronized void flush() throws IOException
    {
        if (closed)
        {
            throw new IllegalStateException("history writer for " + file + " is closed");
        }
        out.flush();
    }

    /**
     * Flushes and closes the file. Idempotent.
     *
     * @throws IOException if writing or closing fails.
     */
    @Override
    public synchronized void close() throws IOException
    {
        if (!closed)
        {
            closed = true;
            out.close();
        }
    }
}
