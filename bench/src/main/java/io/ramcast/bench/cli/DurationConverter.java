package io.ramcast.bench.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written as a whole number and a unit, {@code 500ms}, {@code 10s}, {@code 2m},
 * {@code 1h} (a bare {@code 0} is zero), or in ISO-8601 form ({@code PT10S}). Negative durations are
 * refused. Stateless.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration>
{
    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    @Override
    public Duration convert(final String value)
    {
        return parse(value);
    }

    /**
     * @param value the text.
     * @return the duration, not negative.
     * @throws CommandLine.TypeConversionException naming the accepted forms.
     */
    static Duration parse(final String value)
    {
        final String text = value.trim().toLowerCase(Locale.ROOT);
        if (text.equals("0"))
        {
            return Duration.ZERO;
        }
        final Matcher m = SIMPLE.matcher(text);
        if (m.matches())
        {
            final long amount = Long.parseLong(m.group(1));
            return switch (m.group(2))
            {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try
        {
            final Duration d = Duration.parse(value.trim());
            if (!d.isNegative())
            {
                return d;
            }
        }
        catch (final DateTimeParseException ignored)
        {
            // fall through to the error that names the accepted forms
        }
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration; use a whole number with ms, s, m or h (e.g. 500ms, 10s) or PT10S");
    }

    /**
     * @param d a duration.
     * @return it in the short form {@link #parse} accepts, for printing and for child command lines.
     */
    public static String format(final Duration d)
    {
        final long ms = d.toMillis();
        if (ms % 1000 != 0)
        {
            return ms + "ms";
        }
        return (ms / 1000) + "s";
    }
}
