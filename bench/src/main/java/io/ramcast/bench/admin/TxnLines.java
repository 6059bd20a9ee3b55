package io.ramcast.bench.admin;

import io.ramcast.txn.Op;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The lines {@code ramcast txn} reads: one operation each ({@code get KEY}, {@code put KEY VALUE},
 * {@code delete KEY}, {@code incr KEY [DELTA]}, {@code scan START [END] [LIMIT]}, {@code cas KEY
 * EXPECTED NEW} with a bare {@code -} for absent / delete); words separated by blanks, double
 * quotes keep blanks ({@code \"} and {@code \\} escape inside them); {@code #} starts a comment line.
 */
final class TxnLines
{
    /** The scan limit when a line gives none. */
    static final int DEFAULT_SCAN_LIMIT = 100;

    private TxnLines()
    {
    }

    /**
     * @param line  one line.
     * @param codec how keys and values are written.
     * @return its operation, or null for an empty or comment line.
     * @throws IllegalArgumentException naming what is wrong.
     */
    static Op parse(final String line, final Codec codec)
    {
        final List<Word> words = words(line);
        if (words.isEmpty() || !words.get(0).quoted && words.get(0).text.startsWith("#"))
        {
            return null;
        }
        final String verb = words.get(0).text.toLowerCase(Locale.ROOT);
        final int args = words.size() - 1;
        return switch (verb)
        {
            case "get" -> new Op.Get(bytes(words, 1, 1, 1, codec, "get KEY"));
            case "delete" -> new Op.Delete(bytes(words, 1, 1, 1, codec, "delete KEY"));
            case "put" -> new Op.Put(bytes(words, 1, 2, 2, codec, "put KEY VALUE"), codec.decode(words.get(2).text));
            case "incr" ->
            {
                final byte[] key = bytes(words, 1, 1, 2, codec, "incr KEY [DELTA]");
                yield new Op.Increment(key, args == 2 ? number(words.get(2).text, "DELTA") : 1);
            }
            case "scan" ->
            {
                final byte[] start = bytes(words, 1, 1, 3, codec, "scan START [END] [LIMIT]");
                final byte[] end = args >= 2 && !absent(words.get(2)) ? codec.decode(words.get(2).text) : null;
                final long limit = args == 3 ? number(words.get(3).text, "LIMIT") : DEFAULT_SCAN_LIMIT;
                if (limit <= 0 || limit > Integer.MAX_VALUE)
                {
                    throw new IllegalArgumentException("LIMIT must be positive, not " + limit);
                }
                yield new Op.Scan(start, end, (int)limit);
            }
            case "cas" ->
            {
                final byte[] key = bytes(words, 1, 3, 3, codec, "cas KEY EXPECTED NEW");
                yield new Op.CompareAndSet(key, absent(words.get(2)) ? null : codec.decode(words.get(2).text),
                    absent(words.get(3)) ? null : codec.decode(words.get(3).text));
            }
            default -> throw new IllegalArgumentException("'" + words.get(0).text + "' is not an operation; one of " +
                "get, put, delete, cas, incr, scan");
        };
    }

    private static boolean absent(final Word w)
    {
        return !w.quoted && w.text.equals("-");
    }

    private static byte[] bytes(final List<Word> words, final int index, final int minArgs, final int maxArgs,
        final Codec codec, final String usage)
    {
        final int args = words.size() - 1;
        if (args < minArgs || args > maxArgs)
        {
            throw new IllegalArgumentException("expected '" + usage + "', got " + args + " word" + (args == 1 ? "" : "s") +
                " after " + words.get(0).text);
        }
        return codec.decode(words.get(index).text);
    }

    private static long number(final String text, final String what)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(what + " must be an integer, not '" + text + "'");
        }
    }

    private record Word(String text, boolean quoted)
    {
    }

    private static List<Word> words(final String line)
    {
        final List<Word> words = new ArrayList<>();
        int i = 0;
        while (i < line.length())
        {
            final char c = line.charAt(i);
            if (Character.isWhitespace(c))
            {
                i++;
                continue;
            }
            if (c == '"')
            {
                final StringBuilder sb = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < line.length())
                {
                    final char d = line.charAt(i++);
                    if (d == '\\' && i < line.length())
                    {
                        sb.append(line.charAt(i++));
                    }
                    else if (d == '"')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        sb.append(d);
                    }
                }
                if (!closed)
                {
                    throw new IllegalArgumentException("a quote is not closed");
                }
                words.add(new Word(sb.toString(), true));
                continue;
            }
            final int start = i;
            while (i < line.length() && !Character.isWhitespace(line.charAt(i)))
            {
                i++;
            }
            words.add(new Word(line.substring(start, i), false));
        }
        return words;
    }
}
