package io.ramcast.multicast.check;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;

/**
 * The outcome of {@link MulticastChecker#check}: the anomalies found and the size of the history.
 *
 * <p>Counts per {@link AnomalyType} are exact. To keep a badly broken history from exhausting
 * memory, only the first {@link #MAX_RECORDED_PER_TYPE} anomalies of each type are kept in
 * {@link #anomalies()}; {@link #summary()} prints at most {@link #MAX_PRINTED} of them.
 *
 * <p>Immutable and thread-safe.
 */
public final class CheckResult
{
    /** How many anomalies of one type are kept; the rest are only counted. */
    public static final int MAX_RECORDED_PER_TYPE = 1000;
    /** How many anomalies {@link #summary()} prints. */
    public static final int MAX_PRINTED = 20;

    private final boolean complete;
    private final int messageCount;
    private final long deliveryCount;
    private final long multicastCount;
    private final int groupCount;
    private final int serverCount;
    private final int crashedServerCount;
    private final int clientCount;
    private final int ignoredTruncatedLines;
    private final AnomalyTally<AnomalyType, Anomaly> tally;

    private CheckResult(final MulticastHistory history, final boolean complete, final Collector collector)
    {
        this.complete = complete;
        messageCount = history.messageCount();
        deliveryCount = history.deliveryCount();
        multicastCount = history.multicastCount();
        groupCount = history.groupIds.length;
        serverCount = history.serverIds.length;
        crashedServerCount = history.crashedServerCount();
        clientCount = history.clientIds.length;
        ignoredTruncatedLines = history.ignoredTruncatedLines();
        tally = new AnomalyTally<>(AnomalyType.class, collector.counts, collector.anomalies, Anomaly::type);
    }

    /** @return whether no anomaly was found. */
    public boolean isValid()
    {
        return totalAnomalies() == 0;
    }

    /** @return whether the history was checked as complete (agreement and validity included). */
    public boolean isComplete()
    {
        return complete;
    }

    /** @return the kept anomalies, grouped by type in enum order, in detection order within a type. */
    public List<Anomaly> anomalies()
    {
        return tally.anomalies();
    }

    /**
     * @param type an anomaly type.
     * @return the kept anomalies of that type.
     */
    public List<Anomaly> anomalies(final AnomalyType type)
    {
        return tally.anomalies(type);
    }

    /**
     * @param type an anomaly type.
     * @return how many anomalies of that type were found (kept or not).
     */
    public long count(final AnomalyType type)
    {
        return tally.count(type);
    }

    /** @return how many anomalies were found in all (kept or not). */
    public long totalAnomalies()
    {
        return tally.total();
    }

    /** @return distinct messages in the history. */
    public int messageCount()
    {
        return messageCount;
    }

    /** @return deliveries in the history. */
    public long deliveryCount()
    {
        return deliveryCount;
    }

    /** @return server processes in the history. */
    public int processCount()
    {
        return serverCount;
    }

    /**
     * A readable report: verdict, history size, count per anomaly type, and the first
     * {@link #MAX_PRINTED} anomalies.
     *
     * @return the report, several lines.
     */
    public String summary()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("atomic multicast check: ").append(isValid() ? "VALID" : "INVALID")
            .append(complete ? " (history declared complete: agreement and validity checked)" :
                " (history not declared complete: agreement and validity not checked)")
            .append('\n');
        sb.append("  history: ").append(messageCount).append(" messages, ")
            .append(deliveryCount).append(" deliveries, ")
            .append(multicastCount).append(" multicasts; ")
            .append(serverCount).append(" server processes in ").append(groupCount).append(" groups (")
            .append(crashedServerCount).append(" crashed), ")
            .append(clientCount).append(" clients");
        if (ignoredTruncatedLines > 0)
        {
            sb.append("; ").append(ignoredTruncatedLines).append(" truncated last lines ignored");
        }
        sb.append('\n');
        if (isValid())
        {
            sb.append("  no anomalies\n");
            return sb.toString();
        }
        for (final AnomalyType type : AnomalyType.values())
        {
            final long c = count(type);
            if (c > 0)
            {
                sb.append("  ").append(type).append(": ").append(c).append('\n');
            }
        }
        final int printed = Math.min(MAX_PRINTED, tally.anomalies().size());
        sb.append("  showing ").append(printed).append(" of ").append(totalAnomalies()).append(" anomalies:\n");
        for (int i = 0; i < printed; i++)
        {
            sb.append("    ").append(tally.anomalies().get(i)).append('\n');
        }
        return sb.toString();
    }

    /** @return {@link #summary()}. */
    @Override
    public String toString()
    {
        return summary();
    }

    /** Accumulates anomalies during one check. Not thread-safe. */
    static final class Collector
    {
        private final EnumMap<AnomalyType, Long> counts = new EnumMap<>(AnomalyType.class);
        private final List<Anomaly> anomalies = new ArrayList<>();

        /**
         * Counts one anomaly of a type.
         *
         * @param type the type.
         * @return whether its details should be passed to {@link #add}; false once the type's cap is reached.
         */
        boolean count(final AnomalyType type)
        {
            final long c = counts.merge(type, 1L, Long::sum);
            return c <= MAX_RECORDED_PER_TYPE;
        }

        void add(
            final AnomalyType type,
            final List<MessageId> messages,
            final List<Integer> processes,
            final String description)
        {
            anomalies.add(new Anomaly(type, messages, processes, description));
        }

        CheckResult result(final MulticastHistory history, final boolean complete)
        {
            return new CheckResult(history, complete, this);
        }
    }
}
