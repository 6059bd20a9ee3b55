/**
 * Transactional history checkers: what clients of the key-value store did, recorded as a history,
 * and the checkers that judge it. Both return an {@link io.ramcast.check.CheckResult}.
 *
 * <p>A history uses one vocabulary: each operation is invoked and then completes as {@code ok},
 * {@code fail} (definitely did not happen) or {@code info} (unknown: may or may not have
 * happened); times are nanoseconds on one monotonic clock of the recording process. Client threads
 * record events with a {@link io.ramcast.check.history.HistoryWriter} (JSON Lines, format on
 * {@link io.ramcast.check.history.HistoryReader}); a {@link io.ramcast.check.history.History} is read
 * back or built in memory and handed to a checker:
 * <ul>
 *   <li>{@link io.ramcast.check.history.BankChecker}: transfers and whole-bank reads; every ok read
 *       sees the full, unchanged total and no negative balance;</li>
 *   <li>{@link io.ramcast.check.history.ListAppendChecker}: list-append transactions; Elle-style
 *       dependency inference and cycle search for G0, G1a/b/c, G-single, G2, and their real-time
 *       counterparts for strict serializability.</li>
 * </ul>
 *
 * <p>Usage:
 * <pre>{@code
 * try (HistoryWriter writer = HistoryWriter.open(file))
 * {
 *     writer.append(HistoryEvent.invoke(process, OpFunction.TXN, txn, System.nanoTime() - startNs));
 *     // ... run the operation, then append its completion
 * }
 * var result = new ListAppendChecker().check(HistoryReader.read(file));
 * if (!result.isValid()) { System.err.println(result.summary()); }
 * }</pre>
 */
package io.ramcast.check.history;
