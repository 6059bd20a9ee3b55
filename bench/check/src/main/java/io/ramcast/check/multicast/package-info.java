/**
 * The atomic multicast history checker: delivery logs written by every process during a run
 * ({@code io.ramcast.multicast.deliverylog.DeliveryLogWriter} in the multicast module, which this
 * module does not depend on), loaded or built in memory
 * ({@link io.ramcast.check.multicast.MulticastHistory}) and checked against the guarantees of
 * RamCast (integrity, validity and agreement, uniform prefix order, uniform acyclic order) by
 * {@link io.ramcast.check.multicast.MulticastChecker}.
 *
 * <p>Usage:
 * <pre>{@code
 * MulticastHistory history = MulticastHistory.load(dir);
 * var result = new MulticastChecker().check(history, true);
 * if (!result.isValid()) { System.err.println(result.summary()); }
 * }</pre>
 *
 * <p>The on-disk format (directory layout, line syntax, topology file, tolerance of a truncated
 * final line) is specified on {@link io.ramcast.check.multicast.MulticastHistory#load}. Message ids
 * are the checker's own value type ({@link io.ramcast.check.multicast.MessageId}), not the
 * multicast module's packed ids.
 */
package io.ramcast.check.multicast;
