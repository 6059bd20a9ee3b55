package io.ramcast.check.history;

/**
 * One operation of a {@link History}: an invocation paired with its completion.
 *
 * <p>Immutable. Two operations are equal when all their fields are, so within one history an
 * operation is identified by its {@link #index()}.
 *
 * @param index          position of the invocation among all invocations of the history, from 0.
 * @param process        the client thread that issued it.
 * @param f              the operation.
 * @param outcome        {@link EventType#OK}, {@link EventType#FAIL} or {@link EventType#INFO};
 *                       {@link EventType#INFO} also when the history ends before it completes.
 * @param value          the completion's value (the invocation's when it never completed); see
 *                       {@link OpValue} for the shape.
 * @param invokeTimeNs   time of the invocation, nanoseconds.
 * @param completeTimeNs time of the completion, nanoseconds, or {@link #NOT_COMPLETED}.
 */
public record Operation(
    int index, int process, OpFunction f, EventType outcome, OpValue value, long invokeTimeNs, long completeTimeNs)
{
    /** {@link #completeTimeNs()} of an operation the history ends before it completes. */
    public static final long NOT_COMPLETED = Long.MAX_VALUE;

    /** @return whether the history records a completion. */
    public boolean isCompleted()
    {
        return completeTimeNs != NOT_COMPLETED;
    }

    /** @return a short name for reports: {@code T<index>}. */
    public String name()
    {
        return "T" + index;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return name() + " (process " + process + ", " + f.jsonName() + " " +
            (isCompleted() ? outcome.jsonName() : "never completed") + ", invoked at " + invokeTimeNs + " ns" +
            (isCompleted() ? ", completed at " + completeTimeNs + " ns" : "") + ")" +
            (value == null ? "" : " " + value);
    }
}
