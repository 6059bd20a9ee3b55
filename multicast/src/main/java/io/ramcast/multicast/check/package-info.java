/**
 * The atomic multicast history checker: delivery logs written by every process during a run
 * ({@link io.ramcast.multicast.check.DeliveryLogWriter}), loaded or built in memory
 * ({@link io.ramcast.multicast.check.MulticastHistory}) and checked against the guarantees of
 * RamCast (integrity, validity and agreement, uniform prefix order, uniform acyclic order) by
 * {@link io.ramcast.multicast.check.MulticastChecker}.
 *
 * <p>Usage:
 * <pre>{@code
 * MulticastHistory history = MulticastHistory.load(dir);
 * CheckResult result = new MulticastChecker().check(history, true);
 * if (!result.isValid()) { System.err.println(result.summary()); }
 * }</pre>
 *
 * <p>The on-disk format (directory layout, line syntax, topology file, tolerance of a truncated
 * final line) is specified on {@link io.ramcast.multicast.check.MulticastHistory#load}.
 */
package io.ramcast.multicast.check;
