package io.ramcast.multicast;

/**
 * How far the application has made a server's deliveries durable, so that the server keeps in its
 * {@link AcceptorJournal} what the application has not applied yet and hands it over again after a
 * restart (a replica applies deliveries on another thread, behind a queue, so the journal can be
 * ahead of its store when the process dies).
 *
 * <p>Deliveries are applied in delivery order, so the answer is monotonic along it. Called on the
 * server's agent thread; must not block.
 */
@FunctionalInterface
public interface AppliedDeliveries
{
    /** For handlers that apply each delivery before returning (a delivery log, a test). */
    AppliedDeliveries ALL = (finalValue, finalGroup, messageId) -> true;

    /**
     * @param finalValue the delivery's final timestamp value.
     * @param finalGroup the group that gave it.
     * @param messageId  the message.
     * @return whether the application has made this delivery (and so every earlier one) durable.
     */
    boolean applied(long finalValue, int finalGroup, long messageId);
}
