package io.ramcast.check.history;

import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What the clients of one run did: the events in recording order and the operations they form.
 *
 * <p>Events are paired per process: each process has at most one operation outstanding; an
 * invocation opens it and the next completion of that process closes it. A completion must repeat
 * the invocation's function and argument (for a transaction: the same steps with, when ok, the
 * read results filled in). Within one process times never go backwards. An operation still
 * outstanding at the end of the history is an {@link EventType#INFO} operation that never
 * completed. Events of different processes may appear in any order.
 *
 * <p>Build one with {@link #of(List)} or {@link #builder()}, or read one with
 * {@link HistoryReader#read(java.nio.file.Path)}. Immutable and thread-safe once built.
 */
public final class History
{
    private final List<HistoryEvent> events;
    private final List<Operation> operations;
    private final int ignoredTruncatedLines;

    private History(final List<HistoryEvent> events, final List<Operation> operations, final int ignoredTruncatedLines)
    {
        this.events = Collections.unmodifiableList(events);
        this.operations = Collections.unmodifiableList(operations);
        this.ignoredTruncatedLines = ignoredTruncatedLines;
    }

    /**
     * @param events the events, in recording order.
     * @return the history they form.
     * @throws IllegalArgumentException if an event breaks the pairing rules (see the class comment);
     *                                  the message names the event's position, from 0.
     */
    public static History of(final List<HistoryEvent> events)
    {
        final Builder builder = builder();
        for (int i = 0; i < events.size(); i++)
        {
            try
            {
                builder.add(events.get(i));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("event " + i + ": " + ex.getMessage(), ex);
            }
        }
        return builder.build();
    }

    /** @return an empty builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return the events, in recording order. */
    public List<HistoryEvent> events()
    {
        return events;
    }

    /** @return the operations in invocation order; {@link Operation#index()} is the position here. */
    public List<Operation> operations()
    {
        return operations;
    }

    /** @return how many truncated last lines the reader ignored (0 or 1), 0 for a history built in memory. */
    public int ignoredTruncatedLines()
    {
        return ignoredTruncatedLines;
    }

    /**
     * @param f       a function.
     * @param outcome an outcome.
     * @return how many operations of that function ended with that outcome.
     */
    public int count(final OpFunction f, final EventType outcome)
    {
        int count = 0;
        for (final Operation op : operations)
        {
            if (op.f() == f && op.outcome() == outcome)
            {
                count++;
            }
        }
        return count;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "History{" + events.size() + " events, " + operations.size() + " operations}";
    }

    /**
     * Pairs events into operations as they are added. Not thread-safe.
     */
    public static final class Builder
    {
        private static final int NONE = -1;

        private final List<HistoryEvent> events = new ArrayList<>();
        private final List<Operation> operations = new ArrayList<>();
        private final List<HistoryEvent> invocations = new ArrayList<>();
        /** Per process: index of its outstanding operation, or {@link #NONE}. */
        private final Int2IntHashMap outstanding = new Int2IntHashMap(NONE);
        /** Per process: time of its latest event. */
        private final Int2ObjectHashMap<Long> lastTimeNs = new Int2ObjectHashMap<>();
        private int ignoredTruncatedLines;

        private Builder()
        {
        }

        /**
         * Adds the next event. A rejected event leaves the builder unchanged.
         *
         * @param event the event.
         * @return this builder.
         * @throws IllegalArgumentException if the event breaks a pairing rule (see {@link History}).
         */
        public Builder add(final HistoryEvent event)
        {
            Objects.requireNonNull(event, "event");
            final int process = event.process();
            final Long last = lastTimeNs.get(process);
            if (last != null && event.timeNs() < last)
            {
                throw new IllegalArgumentException("process " + process + " went back in time: " + event.timeNs() +
                    " ns after an event at " + last + " ns");
            }
            final int open = outstanding.get(process);
            if (event.type() == EventType.INVOKE)
            {
                if (open != NONE)
                {
                    throw new IllegalArgumentException("process " + process + " invoked " + event.f().jsonName() +
                        " while operation " + open + " (" + invocations.get(open).f().jsonName() +
                        ") is still outstanding");
                }
                final int index = operations.size();
                operations.add(null);
                invocations.add(event);
                outstanding.put(process, index);
            }
            else
            {
                if (open == NONE)
                {
                    throw new IllegalArgumentException("process " + process + " completed " + event.f().jsonName() +
                        " (" + event.type().jsonName() + ") with no operation outstanding");
                }
                final HistoryEvent invocation = invocations.get(open);
                checkCompletionMatches(invocation, event);
                operations.set(open, new Operation(
                    open, process, event.f(), event.type(), event.value(), invocation.timeNs(), event.timeNs()));
                outstanding.remove(process);
            }
            lastTimeNs.put(process, Long.valueOf(event.timeNs()));
            events.add(event);
            return this;
        }

        /**
         * @param count how many truncated last lines were ignored while reading the events.
         * @return this builder.
         */
        public Builder ignoredTruncatedLines(final int count)
        {
            if (count < 0)
            {
                throw new IllegalArgumentException("ignoredTruncatedLines must be non-negative, got " + count);
            }
            ignoredTruncatedLines = count;
            return this;
        }

        /**
         * @return the history of the events added so far; outstanding operations become
         *         {@link EventType#INFO} operations that never completed.
         */
        public History build()
        {
            final List<Operation> ops = new ArrayList<>(operations);
            for (int i = 0; i < ops.size(); i++)
            {
                if (ops.get(i) == null)
                {
                    final HistoryEvent inv = invocations.get(i);
                    ops.set(i, new Operation(
                        i, inv.process(), inv.f(), EventType.INFO, inv.value(), inv.timeNs(), Operation.NOT_COMPLETED));
                }
            }
            return new History(new ArrayList<>(events), ops, ignoredTruncatedLines);
        }

        private static void checkCompletionMatches(final HistoryEvent invocation, final HistoryEvent completion)
        {
            if (invocation.f() != completion.f())
            {
                throw new IllegalArgumentException("process " + completion.process() + " completed " +
                    completion.f().jsonName() + " but invoked " + invocation.f().jsonName());
            }
            final boolean same = switch (completion.f())
            {
                case TRANSFER -> invocation.value().equals(completion.value());
                case READ -> true;
                case TXN -> ((OpValue.Txn)completion.value()).withoutReadResults().equals(invocation.value());
            };
            if (!same)
            {
                throw new IllegalArgumentException("process " + completion.process() + " completed " +
                    completion.value() + " but invoked " + invocation.value());
            }
        }
    }
}
