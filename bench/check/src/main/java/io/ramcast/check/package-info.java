/**
 * Verification of recorded histories, separate from the code that produces them: what all
 * checkers share. Every checker returns one {@link io.ramcast.check.CheckResult} (counts per
 * anomaly type, the first anomalies of each type, what the checker saw, a readable summary), and
 * a malformed history file is a {@link io.ramcast.check.HistoryFormatException}.
 *
 * <ul>
 *   <li>{@code io.ramcast.check.multicast}: delivery logs of RamCast servers and clients, checked
 *       against the guarantees of atomic multicast;</li>
 *   <li>{@code io.ramcast.check.history}: transactional histories of key-value store clients (the
 *       event model, its JSON Lines reader and writer), the bank checker and the Elle-style
 *       list-append checker with its dependency graph.</li>
 * </ul>
 *
 * <p>This module depends on no other RamCast module: the multicast module uses it in its tests,
 * the bench module at run time.
 */
package io.ramcast.check;
