package io.ramcast.bench.cli;

import picocli.CommandLine;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads an enum option by its constant's name in lower case (any case accepted), as the command
 * line writes them ({@code --idle backoff}, {@code --encoding hex}); anything else is refused
 * naming the values. Subclass it with a no-argument constructor for picocli's {@code converter}.
 *
 * @param <E> the enum.
 */
public abstract class LowerCaseEnumConverter<E extends Enum<E>> implements CommandLine.ITypeConverter<E>
{
    private final E[] values;
    private final List<String> names;

    /** @param type the enum's class. */
    protected LowerCaseEnumConverter(final Class<E> type)
    {
        this.values = type.getEnumConstants();
        this.names = Arrays.stream(values).map(LowerCaseEnumConverter::nameOf).toList();
    }

    /**
     * @param value an enum constant.
     * @return its name on the command line.
     */
    public static String nameOf(final Enum<?> value)
    {
        return value.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public E convert(final String value)
    {
        final String wanted = value.toLowerCase(Locale.ROOT);
        for (final E e : values)
        {
            if (nameOf(e).equals(wanted))
            {
                return e;
            }
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not one of " + names);
    }
}
