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
}
