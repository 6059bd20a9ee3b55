package io.ramcast.check;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A recorded history does not follow its format: a delivery-log directory
 * ({@link io.ramcast.check.multicast.MulticastHistory#load(java.nio.file.Path)}) holds a malformed
 * file or files that contradict each other or the topology, or a transactional history file
 * ({@link io.ramcast.check.history.HistoryReader}) holds a line that is not valid JSON, lacks or adds
 * a field, or breaks the pairing rules. The message reads {@code <file>:<line>: <problem>}, or
 * {@code <file>: <problem>} when the problem is not tied to one line.
 */
public final class HistoryFormatException extends IOException
{
    /** {@link #lineNumber()} when the problem is not tied to one line. */
    public static final long NO_LINE = 0;

    private final transient Path file;
    private final long lineNumber;

    /**
     * @param file       the offending file.
     * @param lineNumber the 1-based line, or {@link #NO_LINE}.
     * @param problem    what is wrong, without the file and line.
     */
    public HistoryFormatException(final Path file, final long lineNumber, final String problem)
    {
        super(lineNumber == NO_LINE ? file + ": " + problem : file + ":" + lineNumber + ": " + problem);
        this.file = file;
        this.lineNumber = lineNumber;
    }

    /**
     * @param file       the offending file.
     * @param lineNumber the 1-based line, or {@link #NO_LINE}.
     * @param problem    what is wrong, without the file and line.
     * @param cause      the underlying rejection.
     */
    public HistoryFormatException(final Path file, final long lineNumber, final String problem, final Throwable cause)
    {
        this(file, lineNumber, problem);
        initCause(cause);
    }

    /** @return the offending file. */
    public Path file()
    {
        return file;
    }

    /** @return the 1-based offending line, or {@link #NO_LINE} if the problem concerns the whole file. */
    public long lineNumber()
    {
        return lineNumber;
    }
}
