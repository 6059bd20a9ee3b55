package io.ramcast.multicast.fabric.rdma;

/**
 * Layout of the 64-bit work-request ids the {@code rdma} fabric posts: the kind of request in the
 * high bits, so that a completion is routed by what it completes, never by an offset added to a
 * counter (ramcast-protocol.md §F.6 item 30, defect D-14).
 *
 * <pre>
 *  63      60 59                                                                  0
 * +----------+---------------------------------------------------------------------+
 * |   kind   |                  sequence (60 bits, unsigned)                        |
 * +----------+---------------------------------------------------------------------+
 * </pre>
 *
 * <p>For {@link #KIND_WRITE} and {@link #KIND_FENCE} the sequence is the lane's send-log sequence of
 * the record (a completion for sequence s proves every earlier request on that queue pair done,
 * since a reliable connection completes in order); for the handshake kinds it is 0. Kind 0 is
 * never used, so a zeroed id is recognisably not ours.
 *
 * <p>Stateless; thread-safe.
 */
final class WorkRequestIds
{
    /** A one-sided write of a send-log record: region data or a key-table update. */
    static final int KIND_WRITE = 1;
    /** A zero-length signalled write whose completion confirms the lane before another lane goes on. */
    static final int KIND_FENCE = 2;
    /** The handshake SEND. */
    static final int KIND_HANDSHAKE_SEND = 3;
    /** The handshake receive. */
    static final int KIND_HANDSHAKE_RECEIVE = 4;

    /** Largest kind value. */
    static final int MAX_KIND = 15;
    /** Largest sequence value. */
    static final long MAX_SEQUENCE = (1L << 60) - 1;

    private static final int KIND_SHIFT = 60;

    private WorkRequestIds()
    {
    }

    /**
     * @param kind     one of the {@code KIND_*} constants.
     * @param sequence 0 to {@link #MAX_SEQUENCE}.
     * @return the id.
     * @throws IllegalArgumentException if either is out of range.
     */
    static long encode(final int kind, final long sequence)
    {
        if (kind <= 0 || kind > MAX_KIND)
        {
            throw new IllegalArgumentException("kind=" + kind + " must be in [1, " + MAX_KIND + "]");
        }
        if (sequence < 0 || sequence > MAX_SEQUENCE)
        {
            throw new IllegalArgumentException("sequence=" + sequence + " must be in [0, " + MAX_SEQUENCE + "]");
        }
        return ((long)kind << KIND_SHIFT) | sequence;
    }

    /**
     * @param workRequestId an id from {@link #encode}.
     * @return its kind.
     */
    static int kind(final long workRequestId)
    {
        return (int)(workRequestId >>> KIND_SHIFT);
    }

    /**
     * @param workRequestId an id from {@link #encode}.
     * @return its sequence.
     */
    static long sequence(final long workRequestId)
    {
        return workRequestId & MAX_SEQUENCE;
    }

    /**
     * @param workRequestId any id.
     * @return a readable form for logs, e.g. {@code WRITE#42}.
     */
    static String toString(final long workRequestId)
    {
        final String name = switch (kind(workRequestId))
        {
            case KIND_WRITE -> "WRITE";
            case KIND_FENCE -> "FENCE";
            case KIND_HANDSHAKE_SEND -> "HANDSHAKE_SEND";
            case KIND_HANDSHAKE_RECEIVE -> "HANDSHAKE_RECEIVE";
            default -> "UNKNOWN(" + kind(workRequestId) + ")";
        };
        return name + "#" + sequence(workRequestId);
    }
}
