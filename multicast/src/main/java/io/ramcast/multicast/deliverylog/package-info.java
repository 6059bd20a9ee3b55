/**
 * Delivery and multicast logs written at run time: {@link io.ramcast.multicast.deliverylog.DeliveryLogWriter}
 * appends one line per delivery (servers) or per multicast (clients), and the topology file that
 * names the groups and the crashed processes. The reader and the atomic multicast checker that
 * judge these files live in the {@code ramcast-check} module ({@code io.ramcast.check.multicast}),
 * which the multicast module uses only in its tests.
 */
package io.ramcast.multicast.deliverylog;
