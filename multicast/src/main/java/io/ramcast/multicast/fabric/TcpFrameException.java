package io.ramcast.multicast.fabric;

/**
 * A frame received over a {@code tcp} fabric connection broke the wire rules of
 * {@link TcpFrameDescriptor} or the connection protocol; the connection is closed with an error.
 */
final class TcpFrameException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, with the offending values.
     */
    TcpFrameException(final String message)
    {
        super(message);
    }
}
