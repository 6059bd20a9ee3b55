package io.ramcast.multicast.fabric;

/**
 * What the writer knows when it issues a one-sided write.
 */
public enum WriteResult
{
    /** Issued; it will land unless the owner revokes permission before it is applied. */
    ISSUED,
    /** Refused now: the writer knows it has no permission (or the handle is FAILED); nothing lands. */
    REJECTED,
    /** The connection is not established yet; nothing was sent. Retry later. */
    NOT_CONNECTED,
    /** The peer is known dead; nothing was sent. */
    PEER_DOWN,
    /** The outgoing queue to the peer is full (back-pressure); nothing was sent. Retry later. */
    BACK_PRESSURE
}
