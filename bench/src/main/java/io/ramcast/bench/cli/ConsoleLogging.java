package io.ramcast.bench.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's log level for commands whose output is for people (the shell, status, demo):
 * warnings and errors only, so that libraries' INFO lines (RocksDB's, the client's connection
 * events) do not bury the command's own output. {@code RAMCAST_LOG_LEVEL} overrides it.
 */
public final class ConsoleLogging
{
    /** The environment variable that sets the level instead (e.g. {@code INFO}, {@code DEBUG}). */
    public static final String LEVEL_ENV = "RAMCAST_LOG_LEVEL";

    private ConsoleLogging()
    {
    }

    /**
     * Marks a command whose console is for people: {@link RamcastCli#commandLine()} runs it with
     * the root logger at WARN (or {@code $RAMCAST_LOG_LEVEL}) and restores the level afterwards.
     */
    public interface Quiet
    {
    }

    /**
     * Sets the root logger to WARN, or to {@code $RAMCAST_LOG_LEVEL} when set.
     *
     * @return what sets it back to the level it had.
     */
    public static Runnable quiet()
    {
        final String wanted = System.getenv(LEVEL_ENV);
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root)
        {
            final Level before = root.getLevel();
            root.setLevel(Level.toLevel(wanted, Level.WARN));
            return () -> root.setLevel(before);
        }
        return () -> { };
    }
}
