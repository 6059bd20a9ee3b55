package io.ramcast.multicast.check;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A delivery-log directory holds a file that does not follow the format of
 * {@link MulticastHistory#load(java.nio.file.Path)}, or files that contradict each other or the
 * topology. The message names the file, the line (1-based) when there is one, and the rule.
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
