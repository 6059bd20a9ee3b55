package io.ramcast.check.history;

import io.ramcast.check.HistoryFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a history file written by {@link HistoryWriter} (or by anything else that follows the
 * format) into a {@link History}.
 *
 * <h2>Format</h2>
 * UTF-8 text, one event per line, each line ending in {@code \n}. A line is one JSON object with
 * exactly these fields, in any order:
 * <pre>
 * {"process": 3, "type": "invoke", "f": "transfer", "value": {"from": 0, "to": 1, "amount": 5}, "time": 1200}
 * </pre>
 * <ul>
 *   <li>{@code process}: the client thread, a non-negative integer that fits in an int;</li>
 *   <li>{@code type}: {@code "invoke"}, {@code "ok"}, {@code "fail"} or {@code "info"};</li>
 *   <li>{@code f}: {@code "transfer"}, {@code "read"} or {@code "txn"};</li>
 *   <li>{@code time}: nanoseconds on one monotonic clock, an integer that fits in a long;</li>
 *   <li>{@code value}, by {@code f}:
 *     <ul>
 *       <li>{@code transfer}: {@code {"from": a, "to": b, "amount": n}} on every event;</li>
 *       <li>{@code read}: {@code null} except on {@code ok}, where it is the balance of each account
 *           keyed by the account id as a decimal string: {@code {"0": 100, "1": 95}};</li>
 *       <li>{@code txn}: a list of micro-ops {@code ["append", "k3", 7]} and
 *           {@code ["r", "k5", [1,2,3]]}; a read's list is {@code null} except on {@code ok}.</li>
 *     </ul></li>
 * </ul>
 * Numbers are integers (no fraction, no exponent); no key repeats; no other fields; no blank
 * lines. The events must also pair up into operations as {@link History} describes.
 *
 * <p>A last line without its {@code \n} is the trace of a writer killed mid-line: it is ignored,
 * whatever it holds, and counted in {@link History#ignoredTruncatedLines()}.
 *
 * <p>Stateless; thread-safe. Errors: {@link HistoryFormatException} (file and line) for a format
 * violation, {@link IOException} if the file cannot be read.
 */
public final class HistoryReader
{
    /** Longest line accepted, bytes. */
    public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    private HistoryReader()
    {
    }

    /**
     * Reads a whole history file.
     *
     * @param file the file.
     * @return the history.
     * @throws HistoryFormatException if a complete line breaks the format or the pairing rules.
     * @throws IOException            if the file cannot be read.
     */
    public static History read(final Path file) throws IOException
    {
        final History.Builder builder = History.builder();
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = Files.newInputStream(file))
        {
            final byte[] chunk = new byte[64 * 1024];
            byte[] line = new byte[256];
            int length = 0;
            long lineNumber = 1;
            int read;
            while ((read = in.read(chunk)) != -1)
            {
                int from = 0;
                while (from < read)
                {
                    int newline = from;
                    while (newline < read && chunk[newline] != '\n')
                    {
                        newline++;
                    }
                    final int count = newline - from;
                    if (length + count > line.length)
                    {
                        if (length + count > MAX_LINE_BYTES)
                        {
                            throw new HistoryFormatException(file, lineNumber,
                                "line longer than " + MAX_LINE_BYTES + " bytes", null);
                        }
                        line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, Math.max(length + count, line.length * 2)));
                    }
                    System.arraycopy(chunk, from, line, length, count);
                    length += count;
                    if (newline == read)
                    {
                        break;
                    }
                    addLine(builder, file, lineNumber, decode(decoder, file, lineNumber, line, length));
                    length = 0;
                    lineNumber++;
                    from = newline + 1;
                }
            }
            if (length > 0)
            {
                builder.ignoredTruncatedLines(1);
            }
        }
        return builder.build();
    }

    private static String decode(
        final CharsetDecoder decoder, final Path file, final long lineNumber, final byte[] line, final int length)
        throws HistoryFormatException
    {
        try
        {
            return decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new HistoryFormatException(file, lineNumber, "not valid UTF-8", ex);
        }
    }

    private static void addLine(final History.Builder builder, final Path file, final long lineNumber, final String text)
        throws HistoryFormatException
    {
        if (text.isBlank())
        {
            throw new HistoryFormatException(file, lineNumber, "blank line", null);
        }
        try
        {
            builder.add(HistoryEventCodec.parse(text));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new HistoryFormatException(file, lineNumber, ex.getMessage(), ex);
        }
    }
}
