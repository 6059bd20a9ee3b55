package io.ramcast.check.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader and string writer for the flat shapes of history lines.
 *
 * <p>{@link #parse(String)} accepts exactly one JSON value (RFC 8259) surrounded by optional
 * whitespace, with two restrictions that suit histories: numbers must be integers that fit in a
 * {@code long} (no fraction, no exponent), and an object must not repeat a key. Objects become
 * {@link LinkedHashMap}s, arrays {@link ArrayList}s, integers {@link Long}s, JSON {@code null} Java
 * {@code null}. Nesting deeper than {@link #MAX_DEPTH} is rejected.
 *
 * <p>Stateless; thread-safe.
 */
final class Json
{
    /** Deepest nesting of arrays and objects accepted. */
    static final int MAX_DEPTH = 16;

    private final String text;
    private int pos;

    private Json(final String text)
    {
        this.text = text;
    }

    /**
     * @param text one JSON value.
     * @return the value (see the class comment for the Java types).
     * @throws IllegalArgumentException if the text is not one valid JSON value; the message gives
     *                                  the column (from 1).
     */
    static Object parse(final String text)
    {
        final Json json = new Json(text);
        json.skipWhitespace();
        final Object value = json.value(0);
        json.skipWhitespace();
        if (json.pos != text.length())
        {
            throw json.error("unexpected " + json.describeNext() + " after the value");
        }
        return value;
    }

    /**
     * Appends {@code s} as a JSON string literal, quotes included.
     *
     * @param sb the destination.
     * @param s  the string.
     */
    static void appendString(final StringBuilder sb, final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private Object value(final int depth)
    {
        if (pos >= text.length())
        {
            throw error("unexpected end of line, expected a value");
        }
        final char c = text.charAt(pos);
        return switch (c)
        {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default ->
            {
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    yield number();
                }
                throw error("unexpected " + describeNext() + ", expected a value");
            }
        };
    }

    private Map<String, Object> object(final int depth)
    {
        checkDepth(depth);
        pos++;
        final Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}')
        {
            pos++;
            return map;
        }
        while (true)
        {
            skipWhitespace();
            if (peek() != '"')
            {
                throw error("unexpected " + describeNext() + ", expected a string key");
            }
            final int keyColumn = pos + 1;
            final String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            final Object value = value(depth);
            if (map.containsKey(key))
            {
                throw new IllegalArgumentException("column " + keyColumn + ": duplicate key \"" + key + "\"");
            }
            map.put(key, value);
            skipWhitespace();
            final char c = peek();
            if (c == ',')
            {
                pos++;
            }
            else if (c == '}')
            {
                pos++;
                return map;
            }
            else
            {
                throw error("unexpected " + describeNext() + ", expected ',' or '}'");
            }
        }
    }

    private List<Object> array(final int depth)
    {
        checkDepth(depth);
        pos++;
        final List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']')
        {
            pos++;
            return list;
        }
        while (true)
        {
            skipWhitespace();
            list.add(value(depth));
            skipWhitespace();
            final char c = peek();
            if (c == ',')
            {
                pos++;
            }
            else if (c == ']')
            {
                pos++;
                return list;
            }
            else
            {
                throw error("unexpected " + describeNext() + ", expected ',' or ']'");
            }
        }
    }

    private String string()
    {
        pos++;
        StringBuilder sb = null;
        int start = pos;
        while (true)
        {
            if (pos >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(pos);
            if (c == '"')
            {
                final String s = sb == null ? text.substring(start, pos) : sb.append(text, start, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20)
            {
                throw error("control character U+" + String.format("%04X", (int)c) + " in a string");
            }
            if (c == '\\')
            {
                if (sb == null)
                {
                    sb = new StringBuilder();
                }
                sb.append(text, start, pos);
                pos++;
                sb.append(escape());
                start = pos;
            }
            else
            {
                pos++;
            }
        }
    }

    private char escape()
    {
        if (pos >= text.length())
        {
            throw error("unterminated escape");
        }
        final char c = text.charAt(pos++);
        switch (c)
        {
            case '"':
                return '"';
            case '\\':
                return '\\';
            case '/':
                return '/';
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                if (pos + 4 > text.length())
                {
                    throw error("truncated \\u escape");
                }
                int code = 0;
                for (int i = 0; i < 4; i++)
                {
                    final int digit = Character.digit(text.charAt(pos + i), 16);
                    if (digit < 0)
                    {
                        throw error("bad hex digit in \\u escape");
                    }
                    code = code * 16 + digit;
                }
                pos += 4;
                return (char)code;
            default:
                pos--;
                throw error("bad escape \\" + c);
        }
    }

    private Long number()
    {
        final int start = pos;
        if (peek() == '-')
        {
            pos++;
        }
        final int digitsStart = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9')
        {
            pos++;
        }
        if (pos == digitsStart)
        {
            throw error("'-' not followed by a digit");
        }
        if (text.charAt(digitsStart) == '0' && pos - digitsStart > 1)
        {
            pos = digitsStart;
            throw error("leading zero in a number");
        }
        if (pos < text.length())
        {
            final char c = text.charAt(pos);
            if (c == '.' || c == 'e' || c == 'E')
            {
                throw error("only integers are allowed, got a fraction or exponent");
            }
        }
        try
        {
            return Long.valueOf(Long.parseLong(text, start, pos, 10));
        }
        catch (final NumberFormatException ex)
        {
            final String digits = text.substring(start, pos);
            pos = start;
            throw error("integer " + digits + " does not fit in a long");
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, pos))
        {
            throw error("unexpected " + describeNext() + ", expected a value");
        }
        pos += word.length();
        return value;
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("unexpected " + describeNext() + ", expected '" + c + "'");
        }
        pos++;
    }

    private char peek()
    {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWhitespace()
    {
        while (pos < text.length())
        {
            final char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            {
                return;
            }
            pos++;
        }
    }

    private void checkDepth(final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
    }

    private String describeNext()
    {
        if (pos >= text.length())
        {
            return "end of line";
        }
        final char c = text.charAt(pos);
        return c < 0x20 || c > 0x7e ? String.format("character U+%04X", (int)c) : "'" + c + "'";
    }

    private IllegalArgumentException error(final String problem)
    {
        return new IllegalArgumentException("column " + (pos + 1) + ": " + problem);
    }
}
