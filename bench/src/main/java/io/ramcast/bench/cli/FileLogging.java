package io.ramcast.bench.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A server process's log file, as an operator keeps it: appended across restarts (a crashed run's
 * lines stay), rolled by size into {@code FILE.1 .. FILE.N} (the oldest dropped), so that it never
 * holds more than {@code maxBytes × (N + 1)}; lines as text or one JSON object per line for log
 * shippers (logback's {@link JsonEncoder}). The console then keeps warnings and errors only.
 */
public final class FileLogging
{
    /** The most rolled files logback's fixed window keeps. */
    public static final int MAX_ROLLED_FILES = 20;
    /**
     * How often, at most, the file's size is checked against the cap (logback's default is a
     * minute, in which a busy replica can write far past it).
     */
    static final long SIZE_CHECK_INTERVAL_MS = 1000;
    /** The text pattern: date and time to the millisecond, level, thread, logger, message. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30} - %msg%n";

    /** How the lines are written. */
    public enum Format
    {
        /** One line of text per event. */
        TEXT,
        /** One JSON object per line. */
        JSON;

        /** Picocli: {@code text} or {@code json}, any case. */
        public static final class Converter extends LowerCaseEnumConverter<Format>
        {
            /** For picocli. */
            public Converter()
            {
                super(Format.class);
            }
        }
    }

    private FileLogging()
    {
    }

    /**
     * Sends this process's log to {@code file} (INFO and above, or the level the logback config
     * sets), rolling it at {@code maxBytes} and keeping {@code rolledFiles} rolled files; the
     * console appenders keep WARN and above.
     *
     * @param file        the log file; its directory must exist or be creatable.
     * @param maxBytes    roll when the file reaches this size, at least 1 KiB.
     * @param rolledFiles rolled files kept, 1 to {@link #MAX_ROLLED_FILES}.
     * @param format      text or JSON lines.
     * @return what undoes it (the file closed, the console as before); a process that logs to the
     *         file until it exits need not call it.
     * @throws IllegalArgumentException for a size or count out of range.
     */
    public static Runnable configure(final Path file, final long maxBytes, final int rolledFiles, final Format format)
    {
        return configure(file, maxBytes, rolledFiles, format, SIZE_CHECK_INTERVAL_MS);
    }

    /** As {@link #configure(Path, long, int, Format)}, checking the file's size at most every {@code checkMs}. */
    static Runnable configure(final Path file, final long maxBytes, final int rolledFiles, final Format format,
        final long checkMs)
    {
        if (maxBytes < 1024)
        {
            throw new IllegalArgumentException("the log size cap must be at least 1 KiB, not " + maxBytes + " bytes");
        }
        if (rolledFiles < 1 || rolledFiles > MAX_ROLLED_FILES)
        {
            throw new IllegalArgumentException("the rolled log files kept must be in [1, " + MAX_ROLLED_FILES + "], not " +
                rolledFiles);
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context))
        {
            return () -> { }; // another SLF4J binding: its own configuration rules
        }
        final String path = file.toAbsolutePath().toString();
        final RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("FILE");
        appender.setFile(path);
        appender.setAppend(true);

        final FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(path + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(rolledFiles);
        rolling.start();

        final SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(new FileSize(maxBytes));
        trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(checkMs));
        trigger.start();

        final Encoder<ILoggingEvent> encoder;
        if (format == Format.JSON)
        {
            final JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithFormattedMessage(true); // the message with its arguments in place, as people read it
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.start();
            encoder = json;
        }
        else
        {
            final PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setContext(context);
            text.setPattern(PATTERN);
            text.start();
            encoder = text;
        }
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.setEncoder(encoder);
        appender.start();

        final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        final List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
        for (final Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); )
        {
            consoles.add(it.next());
        }
        final ThresholdFilter warnings = new ThresholdFilter();
        warnings.setLevel(Level.WARN.levelStr);
        warnings.start();
        final List<List<Filter<ILoggingEvent>>> before = new ArrayList<>();
        for (final Appender<ILoggingEvent> console : consoles)
        {
            before.add(console.getCopyOfAttachedFiltersList());
            console.addFilter(warnings);
        }
        root.addAppender(appender);
        return () ->
        {
            root.detachAppender(appender);
            appender.stop();
            for (int i = 0; i < consoles.size(); i++)
            {
                consoles.get(i).clearAllFilters();
                before.get(i).forEach(consoles.get(i)::addFilter);
            }
        };
    }
}
