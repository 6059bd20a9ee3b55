package io.ramcast.multicast.fabric;

/**
 * Receives fabric events. Called on the agent thread from {@link Fabric#doWork()}; must not block.
 */
public interface FabricListener
{
    /**
     * The connection to a peer was lost (it closed, crashed or timed out). Reported once per loss.
     *
     * @param peerId process id of the peer.
     */
    default void onPeerDown(final int peerId)
    {
    }

    /**
     * A write this process issued to a peer's region was rejected by the owner because the
     * permission had been revoked. The write did not land; the handle is now FAILED.
     *
     * @param peerId   owner of the region.
     * @param regionId the region.
     */
    default void onWriteRejected(final int peerId, final int regionId)
    {
    }
}
