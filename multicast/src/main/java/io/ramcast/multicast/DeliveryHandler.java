package io.ramcast.multicast;

/**
 * Receives a server's deliveries, one at a time, in delivery order.
 *
 * <p>Threading: called on the server's protocol agent thread. It must not block: hand work to
 * another thread (bounded queue) if it is slow. An exception thrown here stops the server
 * (fail-stop), since a delivery the application did not take cannot be taken back.
 */
@FunctionalInterface
public interface DeliveryHandler
{
    /**
     * @param delivery the next delivery.
     */
    void onDelivery(Delivery delivery);

    /**
     * A delivery handed over again by a restarted server: it was delivered before the restart, but
     * the {@link AppliedDeliveries} the server was given say the application had not applied it.
     * Comes before any new delivery, in delivery order. By default the same as {@link #onDelivery}.
     *
     * @param delivery the delivery handed over again.
     */
    default void onRedelivery(final Delivery delivery)
    {
        onDelivery(delivery);
    }
}
