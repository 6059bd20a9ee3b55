package io.ramcast.bench.history;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A history file does not follow the format of {@link HistoryReader}: a line is not valid JSON,
 * lacks or adds a field, has a value of the wrong shape, or breaks the pairing rules of
 * {@link History}. The message reads {@code <file>:<line>: <problem>}.
 */
public final class HistoryFormatException extends IOException
{
    private final transient Path file;
    private final long lineNumber;

    /**
     * @param file       the offending file.
     * @param lineNumber the offending line, from 1.
     * @param problem    what is wrong, without the file and line.
     * @param cause      the underlying rejection, or {@code null}.
     */
    public HistoryFormatException(final Path file, final long lineNumber, final String problem, final Throwable cause)
    {
        super(file + ":" + lineNumber + ": " + problem, cause);
        this.file = file;
        this.lineNumber = lineNumber;
    }

    /** @return the offending file. */
    public Path file()
    {
        return file;
    }

    /** @return the offending line, from 1. */
    public long lineNumber()
    {
        return lineNumber;
    }
}
