package io.ramcast.bench.load;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows how far a load got: a terminal progress bar ({@code me.tongfei.progressbar}, on stderr)
 * when the JVM has a console, otherwise a plain line every {@link #LINE_INTERVAL}. Both show
 * transactions done of all, records written, records per second (average since the start) and the
 * estimated time left.
 *
 * <p>Threading: {@link #update} and {@link #close} are called by the one thread that waits for the
 * load.
 */
abstract class LoadProgress implements AutoCloseable
{
    /** Time between plain progress lines. */
    static final Duration LINE_INTERVAL = Duration.ofSeconds(2);
    /** Time between progress bar refreshes. */
    static final Duration BAR_INTERVAL = Duration.ofMillis(250);

    /**
     * @param task              what is loaded, e.g. "load ycsb-a".
     * @param totalTransactions load transactions in all.
     * @param out               where plain lines go.
     * @param terminal          whether to draw a progress bar (typically {@code System.console() != null}).
     * @return the progress display.
     */
    static LoadProgress create(final String task, final long totalTransactions, final PrintWriter out,
        final boolean terminal)
    {
        return terminal ? new Bar(task, totalTransactions) : new Lines(task, totalTransactions, out);
    }

    /** @return how long the waiting thread may sleep between updates. */
    abstract Duration interval();

    /**
     * @param transactions load transactions committed so far.
     * @param records      records they wrote.
     * @param elapsedNs    time since the load started, nanoseconds.
     */
    abstract void update(long transactions, long records, long elapsedNs);

    /** Ends the display (the bar's last frame); idempotent. */
    @Override
    public abstract void close();

    static String rate(final long records, final long elapsedNs)
    {
        return String.format(Locale.ROOT, "%,.0f records/s", elapsedNs <= 0 ? 0.0 : records * 1e9 / elapsedNs);
    }

    /** A progress bar on the terminal. */
    private static final class Bar extends LoadProgress
    {
        private final ProgressBar bar;

        Bar(final String task, final long totalTransactions)
        {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalTransactions).setUnit(" txn", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis((int)BAR_INTERVAL.toMillis()).build();
        }

        @Override
        Duration interval()
        {
            return BAR_INTERVAL;
        }

        @Override
        void update(final long transactions, final long records, final long elapsedNs)
        {
            bar.stepTo(transactions);
            bar.setExtraMessage(String.format(Locale.ROOT, "%,d records, %s", records, rate(records, elapsedNs)));
        }

        @Override
        public void close()
        {
            bar.close();
        }
    }

    /** A plain line every {@link #LINE_INTERVAL}. */
    private static final class Lines extends LoadProgress
    {
        private final String task;
        private final long total;
        private final PrintWriter out;
        private long lastPrintNs = Long.MIN_VALUE;

        Lines(final String task, final long total, final PrintWriter out)
        {
            this.task = task;
            this.total = total;
            this.out = out;
        }

        @Override
        Duration interval()
        {
            return LINE_INTERVAL;
        }

        @Override
        void update(final long transactions, final long records, final long elapsedNs)
        {
            if (lastPrintNs != Long.MIN_VALUE && elapsedNs - lastPrintNs < LINE_INTERVAL.toNanos() * 9 / 10)
            {
                return;
            }
            lastPrintNs = elapsedNs;
            final String eta = transactions == 0 ? "?" :
                String.format(Locale.ROOT, "%.0f s", (total - transactions) * (elapsedNs / 1e9) / transactions);
            out.printf(Locale.ROOT, "%s: %,d/%,d transactions (%.1f%%), %,d records, %s, ETA %s%n", task, transactions,
                total, total == 0 ? 100.0 : 100.0 * transactions / total, records, rate(records, elapsedNs), eta);
            out.flush();
        }

        @Override
        public void close()
        {
            out.flush();
        }
    }
}
