package io.ramcast.multicast.fabric.rdma;

/**
 * A handshake message that cannot be used: truncated, of another protocol or version, or with
 * inconsistent fields. The connection it came on is closed and the problem logged.
 */
final class HandshakeException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the field and the value.
     */
    HandshakeException(final String message)
    {
        super(message);
    }
}
