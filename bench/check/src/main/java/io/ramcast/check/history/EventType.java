package io.ramcast.check.history;

/**
 * What one line of a history records: the invocation of an operation or how it completed.
 *
 * <p>Every operation is invoked once and then completes at most once, as {@link #OK},
 * {@link #FAIL} or {@link #INFO}; an operation that never completes counts as {@link #INFO}.
 */
public enum EventType
{
    /** The client is about to issue the operation. */
    INVOKE("invoke"),
    /** The operation took effect and its result is known. */
    OK("ok"),
    /** The operation definitely did not take effect. */
    FAIL("fail"),
    /** The outcome is unknown (timeout, lost connection): the operation may or may not have taken effect. */
    INFO("info");

    private final String jsonName;

    EventType(final String jsonName)
    {
        this.jsonName = jsonName;
    }

    /** @return the name used for the {@code "type"} field of a history line. */
    public String jsonName()
    {
        return jsonName;
    }

    /** @return whether this is a completion ({@link #OK}, {@link #FAIL} or {@link #INFO}). */
    public boolean isCompletion()
    {
        return this != INVOKE;
    }

    /**
     * @param name a {@code "type"} field value.
     * @return the event type with that {@link #jsonName()}.
     * @throws IllegalArgumentException if no type has that name.
     */
    public static EventType fromJsonName(final String name)
    {
        for (final EventType type : values())
        {
            if (type.jsonName.equals(name))
            {
                return type;
            }
        }
        throw new IllegalArgumentException("\"type\" must be one of invoke, ok, fail, info, got \"" + name + "\"");
    }
}
