package io.ramcast.bench.multicast;

import io.ramcast.check.HistoryFormatException;
import io.ramcast.check.multicast.MulticastChecker;
import io.ramcast.check.multicast.MulticastHistory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The verdict of the atomic multicast checker on a delivery-log directory, as the command line
 * reports it.
 *
 * @param valid   whether the history loaded and no anomaly was found.
 * @param summary the checker's summary, or what was wrong with the files.
 */
public record HistoryCheck(boolean valid, String summary)
{
    /**
     * Loads the history in {@code dir} and checks it. A directory whose files break the log format
     * or contradict each other is an invalid history, not an error.
     *
     * @param dir      the delivery-log directory.
     * @param complete whether the run ended quiescent (enables agreement and validity).
     * @return the verdict.
     * @throws IOException if a file cannot be read.
     */
    public static HistoryCheck run(final Path dir, final boolean complete) throws IOException
    {
        final MulticastHistory history;
        try
        {
            history = MulticastHistory.load(dir);
        }
        catch (final HistoryFormatException ex)
        {
            return new HistoryCheck(false, "malformed history: " + ex.getMessage());
        }
        final var result = new MulticastChecker().check(history, complete);
        return new HistoryCheck(result.isValid(), "history " + dir + "\n" + result.summary().stripTrailing());
    }
}
