package io.ramcast.check;

/**
 * A kind of anomaly a checker reports, implemented by each checker's anomaly-type enum
 * ({@link io.ramcast.check.multicast.MulticastAnomalyType},
 * {@link io.ramcast.check.history.BankAnomalyType}, {@link io.ramcast.check.history.ListAppendAnomalyType}).
 * It only says how {@link CheckResult#summary()} names the kind.
 */
public interface AnomalyKind
{
    /** @return the name a report prints for this kind; by default the enum constant's name. */
    default String label()
    {
        return toString();
    }

    /**
     * @return text the report adds after the count of this kind, for example
     *         {@code " (strict serializability violation)"}; empty by default.
     */
    default String countNote()
    {
        return "";
    }
}
