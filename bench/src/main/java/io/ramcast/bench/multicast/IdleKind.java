package io.ramcast.bench.multicast;

import io.ramcast.multicast.FabricIdleStrategy;
import io.ramcast.multicast.fabric.Fabric;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import io.ramcast.bench.cli.LowerCaseEnumConverter;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How agent threads wait when they have nothing to do ({@code --idle} of the multicast benchmark and
 * of {@code ramcast replica}, whose default comes from the environment variable
 * {@code RAMCAST_IDLE}). README, "Choosing an idle strategy", says which to pick.
 */
public enum IdleKind
{
    /**
     * Spin, then yield, then wait from 1 µs doubling to 1 ms: the default, fine on shared cores. An
     * agent that drives one fabric waits in it ({@link FabricIdleStrategy}: over tcp it wakes when
     * bytes arrive); a thread shared by several agents parks (Agrona's back-off).
     */
    BACKOFF
    {
        @Override
        public IdleStrategy newStrategy(final Fabric fabric)
        {
            return fabric != null ? new FabricIdleStrategy(fabric) : new BackoffIdleStrategy();
        }
    },
    /** Sleep 1 ms whenever idle: least CPU, highest latency. */
    SLEEP
    {
        @Override
        public IdleStrategy newStrategy(final Fabric fabric)
        {
            return new SleepingMillisIdleStrategy(1);
        }
    },
    /** Busy-spin: only with a dedicated core per agent thread. */
    SPIN
    {
        @Override
        public IdleStrategy newStrategy(final Fabric fabric)
        {
            return new BusySpinIdleStrategy();
        }
    };

    /**
     * @param fabric the one fabric the agent thread drives, or null for a thread that drives several
     *               or none.
     * @return a new strategy instance; strategies are stateful, so one per agent runner.
     */
    public abstract IdleStrategy newStrategy(Fabric fabric);

    /** @return the name used on the command line. */
    String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the lower-case names; picocli's own enum parsing would want upper case. */
    public static final class Converter extends LowerCaseEnumConverter<IdleKind>
    {
        /** For picocli. */
        public Converter()
        {
            super(IdleKind.class);
        }
    }

    /** The names, for the help text. */
    public static final class Candidates implements Iterable<String>
    {
        static final List<String> NAMES = Arrays.stream(values()).map(IdleKind::cliName).toList();

        @Override
        public java.util.Iterator<String> iterator()
        {
            return NAMES.iterator();
        }
    }
}
