package io.ramcast.multicast;

/**
 * Receives point-to-point messages sent with {@link RamcastServer#send(int, byte[])}, in each
 * sender's order.
 *
 * <p>Threading: called on the receiving process's agent thread; must not block.
 */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * @param senderId process id of the sending server.
     * @param message  the message bytes, owned by the receiver.
     */
    void onMessage(int senderId, byte[] message);
}
