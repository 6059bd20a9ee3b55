package io.ramcast.check.multicast;

import io.ramcast.check.AnomalyKind;

/**
 * The kinds of violation of atomic multicast that {@link MulticastChecker} reports, after the
 * guarantees of RamCast (protocol notes §A.4).
 */
public enum MulticastAnomalyType implements AnomalyKind
{
    /** Integrity: a process delivered the same message more than once. */
    DUPLICATE_DELIVERY,
    /** Integrity: a process delivered a message not addressed to its group. */
    NOT_ADDRESSED,
    /**
     * Integrity: a message was delivered that no client logged as multicast. Not reported for a
     * message whose sender id names a crashed process: that client's log may have lost its tail.
     */
    NOT_MULTICAST,
    /**
     * Integrity: a delivery carried another destination set than the multicast (or, for a message
     * no client logged, than the first delivery of it).
     */
    DESTINATION_MISMATCH,
    /**
     * Agreement or validity, only for histories declared complete: a correct member of a
     * destination group did not deliver a message that some process delivered or that a correct
     * client multicast.
     */
    MISSING_DELIVERY,
    /**
     * Uniform prefix order: two processes, crashed ones included, delivered the messages addressed
     * to both of them in orders where neither is a prefix of the other (opposite order, or one
     * skipped a message the other delivered earlier).
     */
    PREFIX_ORDER_VIOLATION,
    /** Uniform acyclic order: the union of all processes' delivery orders has a cycle. */
    CYCLE
}
