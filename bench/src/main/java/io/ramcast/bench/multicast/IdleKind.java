package io.ramcast.bench.multicast;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the agent threads of a benchmark wait when they have nothing to do ({@code --idle}).
 */
enum IdleKind
{
    /** Spin, then yield, then park from 1 µs doubling to 1 ms: the default, fine on shared cores. */
    BACKOFF
    {
        @Override
        IdleStrategy newStrategy()
        {
            return new BackoffIdleStrategy();
        }
    },
    /** Sleep 1 ms whenever idle: least CPU, highest latency. */
    SLEEP
    {
        @Override
        IdleStrategy newStrategy()
        {
            return new SleepingMillisIdleStrategy(1);
        }
    },
    /** Busy-spin: only with a dedicated core per agent thread. */
    SPIN
    {
        @Override
        IdleStrategy newStrategy()
        {
            return new BusySpinIdleStrategy();
        }
    };

    /** @return a new strategy instance; strategies are stateful, so one per agent runner. */
    abstract IdleStrategy newStrategy();

    /** @return the name used on the command line. */
    String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the lower-case names; picocli's own enum parsing would want upper case. */
    static final class Converter implements CommandLine.ITypeConverter<IdleKind>
    {
        @Override
        public IdleKind convert(final String value)
        {
            for (final IdleKind kind : values())
            {
                if (kind.cliName().equals(value.toLowerCase(Locale.ROOT)))
                {
                    return kind;
                }
            }
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not one of " + Candidates.NAMES);
        }
    }

    /** The names, for the help text. */
    static final class Candidates implements Iterable<String>
    {
        static final List<String> NAMES = Arrays.stream(values()).map(IdleKind::cliName).toList();

        @Override
        public java.util.Iterator<String> iterator()
        {
            return NAMES.iterator();
        }
    }
}
