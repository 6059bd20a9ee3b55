package io.ramcast.check.history;

import io.ramcast.check.CheckResult;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static io.ramcast.check.history.MicroOp.append;
import static io.ramcast.check.history.MicroOp.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * T1 self-tests of the list-append checker: generated valid histories pass, and each deliberately
 * broken history is caught with the right anomaly and a witness naming the right transactions.
 * In hand-written histories each transaction runs as its own process, which names it in the
 * assertions (reports name transactions by their position in the history: T0, T1, ...);
 * concurrent transactions share the interval [0, 10], later ones start at 20 or after.
 */
class ListAppendCheckerTest
{
    private final ListAppendChecker checker = new ListAppendChecker();

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- valid histories

    @Test
    void shouldAcceptGeneratedSerialHistoriesWithOverlappingTransactions()
    {
        for (long seed = 1; seed <= 40; seed++)
        {
            final History history = History.of(
                GeneratedHistories.listAppend(seed, GeneratedHistories.TxnWorkload.small(400)));

            final var result = checker.check(history);

            assertThat(result.isValid()).as("seed %d:%n%s", seed, result.summary()).isTrue();
            assertThat(result.stats().edgeCount(DependencyKind.WW)).as("seed %d", seed).isPositive();
            assertThat(result.stats().edgeCount(DependencyKind.WR)).as("seed %d", seed).isPositive();
            assertThat(result.stats().edgeCount(DependencyKind.RW)).as("seed %d", seed).isPositive();
            assertThat(result.stats().edgeCount(DependencyKind.REALTIME)).as("seed %d", seed).isPositive();
            assertThat(result.stats().failCount()).as("seed %d", seed).isPositive();
            assertThat(result.stats().infoCount()).as("seed %d", seed).isPositive();
        }
    }

    @Test
    void shouldAcceptReadsOfIndeterminateTransactionsThatHappened()
    {
        final History history = new TxnHistoryBuilder()
            .info(1, 0, 10, append("x", 1))
            .pending(2, 0, append("x", 2), append("y", 1))
            .ok(3, 20, 30, read("x", 1, 2), read("y", 1))
            .info(4, 40, 50, append("x", 3))
            .build();

        final var result = checker.check(history);

        assertThat(result.isValid()).as(result.summary()).isTrue();
        assertThat(result.stats().graphTransactionCount()).isEqualTo(3);
        assertThat(result.summary()).contains("VALID (strict serializable)");
    }

    // ---------------------------------------------------------------- cycles

    @Test
    void shouldReportG0WhenTwoTransactionsAppendToTwoKeysInOppositeOrders()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1), append("y", 2))
            .ok(2, 0, 10, append("x", 2), append("y", 1))
            .ok(3, 20, 30, read("x", 1, 2), read("y", 1, 2))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G0);
        assertCycle(result, ListAppendAnomalyType.G0, List.of(1, 2), DependencyKind.WW, DependencyKind.WW);
    }

    @Test
    void shouldReportG1cForACycleOfWriteReadDependencies()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1), read("y", 1))
            .ok(2, 0, 10, append("y", 1), read("x", 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G1C);
        assertCycle(result, ListAppendAnomalyType.G1C, List.of(1, 2), DependencyKind.WR, DependencyKind.WR);
    }

    @Test
    void shouldReportGSingleForALostUpdate()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, read("x"), append("x", 1))
            .ok(2, 0, 10, read("x"), append("x", 2))
            .ok(3, 20, 30, read("x", 1, 2))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G_SINGLE);
        assertCycle(result, ListAppendAnomalyType.G_SINGLE, List.of(1, 2), DependencyKind.WW, DependencyKind.RW);
        assertThat(result.anomalies(ListAppendAnomalyType.G_SINGLE).get(0).cycle())
            .anySatisfy((d) -> assertThat(d.toString()).isEqualTo(
                "T0 -ww-> T1 (T0 appended 1 to x, T1 appended the next version 2)"))
            .anySatisfy((d) -> assertThat(d.toString()).isEqualTo(
                "T1 -rw-> T0 (T1 read x = [], T0 appended the next version 1)"));
    }

    @Test
    void shouldReportGSingleForReadSkew()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1), append("y", 1))
            .ok(2, 0, 10, read("x"), read("y", 1))
            .ok(3, 20, 30, read("x", 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G_SINGLE);
        assertCycle(result, ListAppendAnomalyType.G_SINGLE, List.of(1, 2), DependencyKind.WR, DependencyKind.RW);
    }

    @Test
    void shouldReportG2ForWriteSkew()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, read("x"), read("y"), append("x", 1))
            .ok(2, 0, 10, read("x"), read("y"), append("y", 1))
            .ok(3, 20, 30, read("x", 1), read("y", 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G2);
        assertCycle(result, ListAppendAnomalyType.G2, List.of(1, 2), DependencyKind.RW, DependencyKind.RW);
    }

    @Test
    void shouldReportAStaleReadOnlyWithRealTimeEdges()
    {
        // T1's append completed before T2 was invoked, yet T2 did not see it: serializable (T2, T1, T3),
        // but not strictly serializable.
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1))
            .ok(2, 20, 30, read("x"))
            .ok(3, 40, 50, read("x", 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G_SINGLE_REALTIME);
        assertThat(ListAppendAnomalyType.allRealtime(result.anomalyTypes())).isTrue();
        assertThat(result.isValid()).isFalse();
        assertCycle(result, ListAppendAnomalyType.G_SINGLE_REALTIME, List.of(1, 2),
            DependencyKind.REALTIME, DependencyKind.RW);
        assertThat(result.summary()).contains("serializable, but not strict serializable")
            .contains("G-single-realtime: 1 (strict serializability violation)")
            .contains("T0 -realtime-> T1 (T0 completed at 10 ns, before T1 was invoked at 20 ns)");
    }

    @Test
    void shouldReportG0RealtimeWhenAppendsLandInTheOppositeOfRealTimeOrder()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1))
            .ok(2, 20, 30, append("x", 2))
            .ok(3, 40, 50, read("x", 2, 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G0_REALTIME);
        assertCycle(result, ListAppendAnomalyType.G0_REALTIME, List.of(1, 2),
            DependencyKind.REALTIME, DependencyKind.WW);
    }

    @Test
    void shouldReportG1cRealtimeWhenAReadSeesAFutureAppend()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, read("x", 1))
            .ok(2, 20, 30, append("x", 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G1C_REALTIME);
        assertCycle(result, ListAppendAnomalyType.G1C_REALTIME, List.of(1, 2),
            DependencyKind.REALTIME, DependencyKind.WR);
    }

    @Test
    void shouldFindTheWitnessInsideALargerComponent()
    {
        // A chain T1 -> T2 -> ... -> T6 of ww edges through distinct keys, closed by a stale read of T6's
        // predecessor: the only cycle with one rw edge is T5 -ww-> T6 -rw-> T5.
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("a", 1))
            .ok(2, 0, 10, append("a", 2), append("b", 1))
            .ok(3, 0, 10, append("b", 2), append("c", 1))
            .ok(4, 0, 10, append("c", 2), append("d", 1))
            .ok(5, 0, 10, append("d", 2), read("e"), append("e", 1))
            .ok(6, 0, 10, read("e"), append("e", 2))
            .ok(7, 20, 30, read("a", 1, 2), read("b", 1, 2), read("c", 1, 2), read("d", 1, 2), read("e", 1, 2))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G_SINGLE);
        assertCycle(result, ListAppendAnomalyType.G_SINGLE, List.of(5, 6), DependencyKind.WW, DependencyKind.RW);
    }

    // ---------------------------------------------------------------- per-read anomalies

    @Test
    void shouldReportG1aWhenAFailedAppendIsRead()
    {
        final History history = new TxnHistoryBuilder()
            .fail(1, 0, 10, append("x", 1))
            .ok(2, 20, 30, read("x", 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G1A);
        assertWitness(result, ListAppendAnomalyType.G1A, 2, 1);
    }

    @Test
    void shouldReportG1bWhenAReadEndsInAnIntermediateAppend()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1), append("x", 2))
            .ok(2, 0, 10, read("x", 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G1B);
        assertWitness(result, ListAppendAnomalyType.G1B, 2, 1);
    }

    @Test
    void shouldReportIncompatibleOrdersOfOneKey()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1))
            .ok(2, 0, 10, append("x", 2))
            .ok(3, 0, 10, append("x", 3))
            .ok(4, 20, 30, read("x", 1, 2))
            .ok(5, 20, 30, read("x", 1, 3))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.INCOMPATIBLE_ORDER);
        assertWitness(result, ListAppendAnomalyType.INCOMPATIBLE_ORDER, 4, 5);
        assertThat(result.anomalies().get(0).description()).contains("[1, 2]").contains("[1, 3]");
    }

    @Test
    void shouldReportAReadThatReordersOneTransactionsAppends()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1), append("x", 2))
            .ok(2, 0, 10, append("x", 3))
            .ok(3, 20, 30, read("x", 2, 1, 3))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.INCOMPATIBLE_ORDER);
        assertWitness(result, ListAppendAnomalyType.INCOMPATIBLE_ORDER, 3, 1);
        assertThat(result.anomalies().get(0).description()).contains("appended [1, 2] to x in that order");
    }

    @Test
    void shouldReportAnAppendSlippedBetweenTwoAppendsOfOneTransaction()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1), append("x", 2))
            .ok(2, 0, 10, append("x", 3))
            .ok(3, 20, 30, read("x", 1, 3, 2))
            .build();

        final var result = checker.check(history);

        assertWitness(result, ListAppendAnomalyType.INCOMPATIBLE_ORDER, 3, 1);
        assertCycle(result, ListAppendAnomalyType.G0, List.of(1, 2), DependencyKind.WW, DependencyKind.WW);
    }

    @Test
    void shouldReportATransactionThatReadsAValueItAppendsOnlyLater()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, read("x", 1), append("x", 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.INTERNAL);
        assertWitness(result, ListAppendAnomalyType.INTERNAL, 1);
    }

    @Test
    void shouldReportATransactionThatDoesNotSeeItsOwnAppend()
    {
        final History history = new TxnHistoryBuilder()
            .ok(2, 0, 10, append("x", 1))
            .ok(1, 20, 30, append("x", 5), read("x", 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.INTERNAL);
        assertWitness(result, ListAppendAnomalyType.INTERNAL, 1);
    }

    @Test
    void shouldReportATransactionWhoseTwoReadsOfAKeyDisagree()
    {
        final History history = new TxnHistoryBuilder()
            .ok(2, 0, 10, append("x", 1))
            .ok(3, 0, 10, append("x", 2))
            .ok(1, 0, 10, read("x", 1), read("x", 1, 2))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).contains(ListAppendAnomalyType.INTERNAL);
        assertWitness(result, ListAppendAnomalyType.INTERNAL, 1);
    }

    @Test
    void shouldReportDuplicateElementsInARead()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1))
            .ok(2, 20, 30, read("x", 1, 1))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.DUPLICATE_ELEMENTS);
        assertWitness(result, ListAppendAnomalyType.DUPLICATE_ELEMENTS, 2);
    }

    @Test
    void shouldReportAReadOfAValueNobodyAppended()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1))
            .ok(2, 20, 30, read("x", 1, 9))
            .build();

        final var result = checker.check(history);

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.GARBAGE_READ);
        assertWitness(result, ListAppendAnomalyType.GARBAGE_READ, 2);
    }

    // ---------------------------------------------------------------- inputs

    @Test
    void shouldRefuseAHistoryThatAppendsAValueTwiceToOneKey()
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, append("x", 1))
            .ok(2, 20, 30, append("x", 1))
            .build();

        assertThatThrownBy(() -> checker.check(history))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("value 1 is appended to key x by both T0 and T1");
    }

    @Test
    void shouldCheckAHistoryReadBackFromItsFile() throws IOException
    {
        final History history = new TxnHistoryBuilder()
            .ok(1, 0, 10, read("x"), read("y"), append("x", 1))
            .ok(2, 0, 10, read("x"), read("y"), append("y", 1))
            .ok(3, 20, 30, read("x", 1), read("y", 1))
            .build();
        final Path file = dir.resolve("txn.jsonl");
        try (HistoryWriter writer = HistoryWriter.open(file))
        {
            for (final HistoryEvent e : history.events())
            {
                writer.append(e);
            }
        }

        final var result = checker.check(HistoryReader.read(file));

        assertThat(result.anomalyTypes()).containsExactly(ListAppendAnomalyType.G2);
    }

    @Test
    @Timeout(60)
    void shouldCheckTwentyThousandTransactionsWrittenToAndReadFromAFile() throws IOException
    {
        final List<HistoryEvent> events = GeneratedHistories.listAppend(42,
            new GeneratedHistories.TxnWorkload(20_000, 10, 8, 25, 4, 0.02, 0.02));
        final Path file = dir.resolve("big.jsonl");
        try (HistoryWriter writer = HistoryWriter.open(file))
        {
            for (final HistoryEvent e : events)
            {
                writer.append(e);
            }
        }

        final long startNs = System.nanoTime();
        final History history = HistoryReader.read(file);
        final long readNs = System.nanoTime();
        final var result = checker.check(history);
        final long checkNs = System.nanoTime();

        System.out.printf("20k-txn history: read in %d ms, checked in %d ms%n%s",
            (readNs - startNs) / 1_000_000, (checkNs - readNs) / 1_000_000, result.summary());
        assertThat(history.operations()).hasSize(20_000);
        assertThat(result.isValid()).as(result.summary()).isTrue();
    }

    // ---------------------------------------------------------------- helpers

    /** The first anomaly of the type is a cycle through exactly these processes with these edge kinds. */
    private static void assertCycle(
        final CheckResult<ListAppendAnomalyType, ListAppendAnomaly, ListAppendHistoryStats> result,
        final ListAppendAnomalyType type,
        final List<Integer> processes,
        final DependencyKind... kinds)
    {
        assertThat(result.count(type)).as(result.summary()).isEqualTo(1);
        final ListAppendAnomaly anomaly = result.anomalies(type).get(0);
        assertThat(anomaly.transactions()).extracting(Operation::process)
            .as(result.summary()).containsExactlyInAnyOrderElementsOf(processes);
        assertThat(anomaly.cycle()).extracting(Dependency::kind).as(result.summary()).containsExactlyInAnyOrder(kinds);
        for (int i = 0; i < anomaly.cycle().size(); i++)
        {
            final Dependency edge = anomaly.cycle().get(i);
            assertThat(edge.from()).isEqualTo(anomaly.transactions().get(i));
            assertThat(edge.to()).isEqualTo(anomaly.transactions().get((i + 1) % anomaly.transactions().size()));
        }
    }

    /** The only anomaly of the type names exactly these processes, in this order. */
    private static void assertWitness(final CheckResult<ListAppendAnomalyType, ListAppendAnomaly, ListAppendHistoryStats> result, final ListAppendAnomalyType type, final Integer... processes)
    {
        assertThat(result.anomalies(type)).as(result.summary()).singleElement().satisfies((a) ->
        {
            assertThat(a.transactions()).extracting(Operation::process).containsExactly(processes);
            assertThat(a.cycle()).isEmpty();
        });
    }
}
