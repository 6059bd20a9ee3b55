package io.ramcast.check.multicast;

import io.ramcast.check.Anomaly;

import java.util.List;

/**
 * One violation found by {@link MulticastChecker}. Immutable.
 *
 * @param type        the kind of violation.
 * @param messages    the messages involved, most relevant first (for a cycle, in cycle order).
 * @param processes   the processes involved, most relevant first (for a cycle, the process that
 *                    delivered each message immediately before the next one).
 * @param description a readable account naming the messages and processes.
 */
public record MulticastAnomaly(
    MulticastAnomalyType type, List<MessageId> messages, List<Integer> processes, String description)
    implements Anomaly<MulticastAnomalyType>
{
    /**
     * Copies the lists.
     */
    public MulticastAnomaly
    {
        messages = List.copyOf(messages);
        processes = List.copyOf(processes);
    }

    /** @return {@code [TYPE] description}. */
    @Override
    public String toString()
    {
        return "[" + type + "] " + description;
    }
}
