package io.ramcast.multicast.deliverylog;

/**
 * The delivery-log format as the writer side sees it: file names and the line grammar
 * {@link DeliveryLogWriter} produces. The reader is {@code io.ramcast.check.multicast.MulticastHistory}
 * in the {@code ramcast-check} module (which keeps its own copy of these constants: the multicast
 * module does not depend on it at run time); {@code DeliveryLogRoundTripTest} reads this writer's
 * output back with that reader, so the two cannot drift apart.
 *
 * <pre>
 *   DIR/&lt;pid&gt;.log     one line per delivery by server process pid, in delivery order
 *   DIR/&lt;pid&gt;.sent    one line per multicast issued by client process pid
 *   DIR/topology.txt   "group &lt;gid&gt; &lt;pid&gt;,&lt;pid&gt;,..." and "crashed &lt;pid&gt;" lines
 *
 *   line := senderId ':' seq ' ' gid (',' gid)* [' @' micros] '\n'
 *           decimal, no sign, gids strictly ascending; micros (optional, delivery logs written
 *           with a clock) is the wall-clock time of the delivery in microseconds since the epoch
 * </pre>
 */
final class DeliveryLogFormat
{
    static final String DELIVERY_SUFFIX = ".log";
    static final String MULTICAST_SUFFIX = ".sent";
    static final String TOPOLOGY_FILE = "topology.txt";
    static final String GROUP_KEYWORD = "group";
    static final String CRASHED_KEYWORD = "crashed";
    /** The time of a line written without one. */
    static final long NO_TIME = -1;

    private DeliveryLogFormat()
    {
    }
}
