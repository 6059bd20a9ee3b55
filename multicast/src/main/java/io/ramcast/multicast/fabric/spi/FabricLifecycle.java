package io.ramcast.multicast.fabric.spi;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;

import io.ramcast.multicast.fabric.Fabric;

/**
 * The lifecycle of a {@link Fabric} endpoint, {@link State#NEW} → {@link State#STARTED} →
 * {@link State#CLOSED}, with the transitions allowed by {@link #isAllowed} and one transition
 * method, {@link #transition}.
 *
 * <p>Threading: {@link #state()} may be read from any thread; transitions are serialised on this
 * object, because {@link Fabric#close()} may come from another thread than the agent's (once the
 * agent stopped) and a hub may start or close endpoints of other processes.
 */
public final class FabricLifecycle
{
    /** State of a fabric endpoint. */
    public enum State
    {
        /** Regions may be registered; peers cannot reach it yet. */
        NEW,
        /** Reachable by peers: listening, connecting, carrying writes. */
        STARTED,
        /** Closed: sockets and regions released; nothing more happens. */
        CLOSED
    }

    /** Allowed transitions, by current state. */
    private static final Map<State, EnumSet<State>> ALLOWED = new EnumMap<>(Map.of(
        State.NEW, EnumSet.of(State.STARTED, State.CLOSED),
        State.STARTED, EnumSet.of(State.CLOSED),
        State.CLOSED, EnumSet.noneOf(State.class)));

    private final String owner;
    private volatile State state = State.NEW;

    /**
     * Creates a lifecycle in {@link State#NEW}.
     *
     * @param owner names the endpoint in exception messages, e.g. {@code "process 3"}.
     */
    public FabricLifecycle(final String owner)
    {
        this.owner = owner;
    }

    /**
     * @param from the current state.
     * @param to   the requested state.
     * @return whether the table allows moving from {@code from} to {@code to}.
     */
    public static boolean isAllowed(final State from, final State to)
    {
        return ALLOWED.get(from).contains(to);
    }

    /**
     * @return the current state.
     */
    public State state()
    {
        return state;
    }

    /**
     * The single transition point.
     *
     * @param next the new state.
     * @throws IllegalStateException if the table does not allow moving from the current state to
     *                               {@code next}; the state is then unchanged.
     */
    public synchronized void transition(final State next)
    {
        if (!isAllowed(state, next))
        {
            throw new IllegalStateException(owner + ": " + state + " -> " + next + " not allowed");
        }
        state = next;
    }

    /**
     * Moves to {@link State#CLOSED} unless already there: the idempotence {@link Fabric#close()}
     * promises. Of concurrent callers exactly one gets true.
     *
     * @return true if this call closed the endpoint, false if it was already closed.
     */
    public synchronized boolean closeOnce()
    {
        if (State.CLOSED == state)
        {
            return false;
        }
        transition(State.CLOSED);
        return true;
    }

    /**
     * Guards an operation allowed only before start, such as {@link Fabric#register}.
     *
     * @param operation names the operation in the message.
     * @throws IllegalStateException if the state is not {@link State#NEW}.
     */
    public void ensureNew(final String operation)
    {
        final State current = state;
        if (State.NEW != current)
        {
            throw new IllegalStateException(operation + ": " + owner + " is " + current + ", not NEW");
        }
    }

    /**
     * Guards an operation allowed until close, such as {@link Fabric#remote}.
     *
     * @param operation names the operation in the message.
     * @throws IllegalStateException if the state is {@link State#CLOSED}.
     */
    public void ensureNotClosed(final String operation)
    {
        if (State.CLOSED == state)
        {
            throw new IllegalStateException(operation + ": " + owner + " is closed");
        }
    }

    @Override
    public String toString()
    {
        return state.toString();
    }
}
