package io.ramcast.check.history;

import java.util.Objects;

/**
 * One line of a history: a client thread invoked an operation, or the operation completed.
 *
 * <p>The value must have the shape {@link OpValue} prescribes for the function and event type;
 * the constructor rejects anything else, so a malformed event never reaches a file or a checker.
 * Immutable.
 *
 * @param process the client thread that issued the operation, non-negative; it has at most one
 *                operation outstanding at a time.
 * @param type    invocation or kind of completion.
 * @param f       the operation.
 * @param value   the operation's argument or result, or {@code null} where {@link OpValue} says
 *                there is none (a read's invocation and fail or info completion).
 * @param timeNs  nanoseconds on the one monotonic clock of the process that recorded the history.
 */
public record HistoryEvent(int process, EventType type, OpFunction f, OpValue value, long timeNs)
{
    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if the process is negative or the value has the wrong shape.
     * @throws NullPointerException     if the type or function is null.
     */
    public HistoryEvent
    {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(f, "f");
        if (process < 0)
        {
            throw new IllegalArgumentException("process must be non-negative, got " + process);
        }
        checkValue(type, f, value);
    }

    /**
     * @param process the client thread.
     * @param f       the operation.
     * @param value   its argument ({@code null} for a read).
     * @param timeNs  the time of the invocation.
     * @return an invocation event.
     */
    public static HistoryEvent invoke(final int process, final OpFunction f, final OpValue value, final long timeNs)
    {
        return new HistoryEvent(process, EventType.INVOKE, f, value, timeNs);
    }

    /**
     * @param process the client thread.
     * @param type    {@link EventType#OK}, {@link EventType#FAIL} or {@link EventType#INFO}.
     * @param f       the operation.
     * @param value   its result (see {@link OpValue}).
     * @param timeNs  the time of the completion.
     * @return a completion event.
     * @throws IllegalArgumentException if {@code type} is {@link EventType#INVOKE}.
     */
    public static HistoryEvent complete(
        final int process, final EventType type, final OpFunction f, final OpValue value, final long timeNs)
    {
        if (!type.isCompletion())
        {
            throw new IllegalArgumentException("a completion cannot have type invoke");
        }
        return new HistoryEvent(process, type, f, value, timeNs);
    }

    private static void checkValue(final EventType type, final OpFunction f, final OpValue value)
    {
        final String where = "a " + f.jsonName() + " " + type.jsonName();
        switch (f)
        {
            case TRANSFER ->
            {
                if (!(value instanceof OpValue.Transfer))
                {
                    throw new IllegalArgumentException(where + " needs a transfer value {from, to, amount}, got " + value);
                }
            }
            case READ ->
            {
                if (type == EventType.OK && !(value instanceof OpValue.Balances))
                {
                    throw new IllegalArgumentException(where + " needs balances by account, got " + value);
                }
                if (type != EventType.OK && value != null)
                {
                    throw new IllegalArgumentException(where + " must have a null value, got " + value);
                }
            }
            case TXN ->
            {
                if (!(value instanceof OpValue.Txn txn))
                {
                    throw new IllegalArgumentException(where + " needs a list of micro-ops, got " + value);
                }
                if (type == EventType.OK && !txn.hasAllReadResults())
                {
                    throw new IllegalArgumentException(where + " needs the result of every read, got " + txn);
                }
                if (type != EventType.OK && !txn.hasNoReadResults())
                {
                    throw new IllegalArgumentException(where + " must not carry read results (null), got " + txn);
                }
            }
            default -> throw new IllegalStateException("unknown function " + f);
        }
    }
}
