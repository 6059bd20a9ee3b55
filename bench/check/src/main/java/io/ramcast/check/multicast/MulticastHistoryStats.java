package io.ramcast.check.multicast;

import io.ramcast.check.HistoryStats;

import java.util.Set;

/**
 * What {@link MulticastChecker} saw of a {@link MulticastHistory}: its size and whether it was
 * checked as complete. Immutable.
 *
 * @param complete              whether the history was checked as complete (agreement and validity included).
 * @param messageCount          distinct messages in the history.
 * @param deliveryCount         deliveries over all server processes, duplicates included.
 * @param multicastCount        multicasts over all clients.
 * @param groupCount            declared groups.
 * @param serverCount           server processes (group members).
 * @param crashedServerCount    server processes declared crashed.
 * @param clientCount           clients that multicast at least one message.
 * @param ignoredTruncatedLines truncated last lines the loader ignored.
 */
public record MulticastHistoryStats(
    boolean complete,
    int messageCount,
    long deliveryCount,
    long multicastCount,
    int groupCount,
    int serverCount,
    int crashedServerCount,
    int clientCount,
    int ignoredTruncatedLines) implements HistoryStats<MulticastAnomalyType>
{
    static MulticastHistoryStats of(final MulticastHistory history, final boolean complete)
    {
        return new MulticastHistoryStats(
            complete,
            history.messageCount(),
            history.deliveryCount(),
            history.multicastCount(),
            history.groupIds.length,
            history.serverIds.length,
            history.crashedServerCount(),
            history.clientIds.length,
            history.ignoredTruncatedLines());
    }

    /** @return {@code "atomic multicast check"}. */
    @Override
    public String checkName()
    {
        return "atomic multicast check";
    }

    /** @return {@code VALID} or {@code INVALID}, and whether agreement and validity were checked. */
    @Override
    public String verdict(final Set<MulticastAnomalyType> found)
    {
        return (found.isEmpty() ? "VALID" : "INVALID") +
            (complete ? " (history declared complete: agreement and validity checked)" :
                " (history not declared complete: agreement and validity not checked)");
    }

    /** Appends the history line: messages, deliveries, multicasts, processes and groups. */
    @Override
    public void describe(final StringBuilder report)
    {
        report.append("  history: ").append(messageCount).append(" messages, ")
            .append(deliveryCount).append(" deliveries, ")
            .append(multicastCount).append(" multicasts; ")
            .append(serverCount).append(" server processes in ").append(groupCount).append(" groups (")
            .append(crashedServerCount).append(" crashed), ")
            .append(clientCount).append(" clients");
        if (ignoredTruncatedLines > 0)
        {
            report.append("; ").append(ignoredTruncatedLines).append(" truncated last lines ignored");
        }
        report.append('\n');
    }
}
