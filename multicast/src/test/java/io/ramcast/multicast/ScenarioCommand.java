package io.ramcast.multicast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One scenario command, split into its verb, positional words and {@code key=value} arguments,
 * with typed accessors whose errors name the file, the line and the verb.
 *
 * <p>Syntax: words separated by spaces; the first is the verb; a word with {@code =} is a named
 * argument (each name at most once; lists are comma-separated); any other word is positional.
 * Immutable.
 */
final class ScenarioCommand
{
    private final String file;
    private final int lineNumber;
    private final String verb;
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> named = new LinkedHashMap<>();

    private ScenarioCommand(final String file, final int lineNumber, final String verb)
    {
        this.file = file;
        this.lineNumber = lineNumber;
        this.verb = verb;
    }

    /**
     * @param file       the scenario file's name, for errors.
     * @param lineNumber the command's 1-based line, for errors.
     * @param text       the command line.
     * @return the parsed command.
     * @throws ScenarioException for an empty line, an empty name or value, or a name given twice.
     */
    static ScenarioCommand parse(final String file, final int lineNumber, final String text)
    {
        final String[] words = text.strip().split("\\s+");
        if (words.length == 0 || words[0].isEmpty())
        {
            throw new ScenarioException(file, lineNumber, "empty command");
        }
        final ScenarioCommand command = new ScenarioCommand(file, lineNumber, words[0]);
        for (final String word : Arrays.copyOfRange(words, 1, words.length))
        {
            final int eq = word.indexOf('=');
            if (eq < 0)
            {
                command.positional.add(word);
                continue;
            }
            final String key = word.substring(0, eq);
            final String value = word.substring(eq + 1);
            if (key.isEmpty() || value.isEmpty())
            {
                throw command.error("argument '" + word + "' needs a name and a value");
            }
            if (command.named.put(key, value) != null)
            {
                throw command.error("argument '" + key + "' given twice");
            }
        }
        return command;
    }

    String verb()
    {
        return verb;
    }

    int lineNumber()
    {
        return lineNumber;
    }

    /**
     * @param message what is wrong.
     * @return an exception naming the file, the line and the verb; the caller throws it.
     */
    ScenarioException error(final String message)
    {
        return new ScenarioException(file, lineNumber, verb + ": " + message);
    }

    /**
     * Rejects named arguments outside {@code allowed} and more than {@code maxPositional}
     * positional words.
     *
     * @throws ScenarioException naming the first unknown argument and the allowed ones.
     */
    void allow(final int maxPositional, final String... allowed)
    {
        final Set<String> known = new TreeSet<>(Arrays.asList(allowed));
        for (final String key : named.keySet())
        {
            if (!known.contains(key))
            {
                throw error("unknown argument '" + key + "'" + (known.isEmpty() ? "; it takes none" : "; allowed: " + known));
            }
        }
        if (positional.size() > maxPositional)
        {
            throw error("unexpected word '" + positional.get(maxPositional) + "'");
        }
    }

    boolean has(final String key)
    {
        return named.containsKey(key);
    }

    /** @throws ScenarioException if the argument is missing. */
    String string(final String key)
    {
        final String value = named.get(key);
        if (value == null)
        {
            throw error("missing argument '" + key + "'");
        }
        return value;
    }

    String string(final String key, final String defaultValue)
    {
        return named.getOrDefault(key, defaultValue);
    }

    /** @throws ScenarioException if missing, not an integer, or outside [min, max]. */
    long integer(final String key, final long min, final long max)
    {
        return toInteger(key, string(key), min, max);
    }

    /** @throws ScenarioException if present and not an integer in [min, max]. */
    long integer(final String key, final long defaultValue, final long min, final long max)
    {
        return has(key) ? integer(key, min, max) : defaultValue;
    }

    /** @return the comma-separated items of a required argument. */
    List<String> list(final String key)
    {
        final List<String> items = Arrays.asList(string(key).split(",", -1));
        for (final String item : items)
        {
            if (item.isEmpty())
            {
                throw error("empty item in '" + key + "=" + string(key) + "'");
            }
        }
        return items;
    }

    /** @throws ScenarioException if present and neither {@code true} nor {@code false}. */
    boolean bool(final String key, final boolean defaultValue)
    {
        final String value = named.get(key);
        if (value == null)
        {
            return defaultValue;
        }
        return switch (value)
        {
            case "true" -> true;
            case "false" -> false;
            default -> throw error("'" + key + "' must be true or false, got '" + value + "'");
        };
    }

    /**
     * @return the first positional word as an integer in [min, max], or {@code defaultValue} if there is none.
     * @throws ScenarioException if it is not an integer in range.
     */
    long positionalInteger(final long defaultValue, final long min, final long max)
    {
        return positional.isEmpty() ? defaultValue : toInteger("count", positional.get(0), min, max);
    }

    /** @throws ScenarioException if {@code text} is not an integer in [min, max]. */
    long toInteger(final String what, final String text, final long min, final long max)
    {
        final long value;
        try
        {
            value = Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw error("'" + what + "' must be an integer, got '" + text + "'");
        }
        if (value < min || value > max)
        {
            throw error("'" + what + "' must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }
}
