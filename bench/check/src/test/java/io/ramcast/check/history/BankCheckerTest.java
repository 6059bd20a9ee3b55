package io.ramcast.check.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.ramcast.check.history.BankAnomalyType.MISSING_ACCOUNT;
import static io.ramcast.check.history.BankAnomalyType.NEGATIVE_BALANCE;
import static io.ramcast.check.history.BankAnomalyType.UNKNOWN_ACCOUNT;
import static io.ramcast.check.history.BankAnomalyType.WRONG_TOTAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * T1 self-tests of the bank checker: generated valid histories pass, and each deliberately broken
 * history is caught with the right anomaly, naming the read. Hand-written histories use two
 * accounts of 50 each (total 100).
 */
class BankCheckerTest
{
    private static final Set<Integer> TWO_ACCOUNTS = Set.of(0, 1);
    private static final long TOTAL = 100;

    private final BankChecker checker = new BankChecker(TWO_ACCOUNTS, TOTAL);
    private final List<HistoryEvent> events = new ArrayList<>();

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- valid histories

    @Test
    void shouldAcceptRandomValidConcurrentHistoriesAndTheirFinalState()
    {
        for (long seed = 1; seed <= 30; seed++)
        {
            final GeneratedHistories.Bank bank = GeneratedHistories.bank(seed, 400, 5, 4);
            final BankChecker bankChecker = new BankChecker(new HashSet<>(bank.accounts()), bank.initialTotal());

            final var result = bankChecker.check(bank.history(), bank.finalBalances());

            assertThat(result.isValid()).as("seed %d:%n%s", seed, result.summary()).isTrue();
            assertThat(result.stats().okReadCount()).as("seed %d", seed).isPositive();
            assertThat(result.stats().finalStateChecked()).isTrue();
        }
    }

    @Test
    void shouldAcceptIndeterminateTransfersWhetherOrNotTheyHappened()
    {
        transfer(1, 10, 20, EventType.INFO, 0, 1, 30);   // happened
        transfer(2, 12, 22, EventType.INFO, 1, 0, 5);    // did not happen
        transfer(3, 14, Operation.NOT_COMPLETED, null, 0, 1, 7); // never completed, did not happen
        read(4, 30, 40, Map.of(0, 20L, 1, 80L));
        read(5, 50, 60, Map.of(0, 20L, 1, 80L));

        final var result = checker.check(History.of(events), Map.of(0, 20L, 1, 80L));

        assertThat(result.isValid()).as(result.summary()).isTrue();
        assertThat(result.stats().indeterminateTransferCount()).isEqualTo(3);
        assertThat(result.stats().okReadCount()).isEqualTo(2);
    }

    @Test
    void shouldNotCheckReadsThatReturnedNothing()
    {
        events.add(HistoryEvent.invoke(1, OpFunction.READ, null, 1));
        events.add(HistoryEvent.complete(1, EventType.INFO, OpFunction.READ, null, 2));
        events.add(HistoryEvent.invoke(1, OpFunction.READ, null, 3));
        events.add(HistoryEvent.complete(1, EventType.FAIL, OpFunction.READ, null, 4));

        final var result = checker.check(History.of(events));

        assertThat(result.isValid()).isTrue();
        assertThat(result.stats().unfinishedReadCount()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- broken histories

    @Test
    void shouldReportAReadWithAWrongTotal()
    {
        transfer(1, 10, 20, EventType.OK, 0, 1, 10);
        read(2, 30, 40, Map.of(0, 40L, 1, 60L));
        read(3, 32, 45, Map.of(0, 40L, 1, 61L));

        final var result = checker.check(History.of(events));

        assertThat(result.isValid()).isFalse();
        assertThat(result.stats().violatingReadCount()).isEqualTo(1);
        assertThat(result.anomalies()).singleElement().satisfies((a) ->
        {
            assertThat(a.type()).isEqualTo(WRONG_TOTAL);
            assertThat(a.process()).isEqualTo(3);
            assertThat(a.invokeTimeNs()).isEqualTo(32);
            assertThat(a.completeTimeNs()).isEqualTo(45);
            assertThat(a.observedTotal()).isEqualTo(101);
            assertThat(a.isFinalState()).isFalse();
            assertThat(a.description()).contains("process 3").contains("sums to 101").contains("expected 100");
        });
        assertThat(result.summary()).contains("INVALID").contains("WRONG_TOTAL: 1");
    }

    @Test
    void shouldReportANegativeBalanceEvenWhenTheTotalIsRight()
    {
        transfer(1, 10, 20, EventType.OK, 0, 1, 60);
        read(2, 30, 40, Map.of(0, -10L, 1, 110L));

        final var result = checker.check(History.of(events));

        assertThat(result.anomalies()).singleElement().satisfies((a) ->
        {
            assertThat(a.type()).isEqualTo(NEGATIVE_BALANCE);
            assertThat(a.process()).isEqualTo(2);
            assertThat(a.observedTotal()).isEqualTo(TOTAL);
            assertThat(a.description()).contains("{0=-10}");
        });
    }

    @Test
    void shouldReportATornReadThatSawATransferHalfApplied()
    {
        // The read runs concurrently with the transfer and sees the debit of account 0 but not the credit of 1.
        transfer(1, 10, 50, EventType.OK, 0, 1, 30);
        read(2, 20, 40, Map.of(0, 20L, 1, 50L));
        read(3, 60, 70, Map.of(0, 20L, 1, 80L));

        final var result = checker.check(History.of(events));

        assertThat(result.count(WRONG_TOTAL)).isEqualTo(1);
        assertThat(result.anomalies(WRONG_TOTAL)).singleElement().satisfies((a) ->
        {
            assertThat(a.process()).isEqualTo(2);
            assertThat(a.observedTotal()).isEqualTo(70);
            assertThat(a.description()).contains("off by -30");
        });
    }

    @Test
    void shouldReportAReadMissingAnAccountOrSeeingAStrangerOne()
    {
        read(1, 10, 20, Map.of(0, 100L));
        read(2, 30, 40, Map.of(0, 50L, 1, 50L, 7, 0L));

        final var result = checker.check(History.of(events));

        assertThat(result.anomalies(MISSING_ACCOUNT)).singleElement()
            .satisfies((a) -> assertThat(a.process()).isEqualTo(1))
            .satisfies((a) -> assertThat(a.description()).contains("lacks accounts [1]"));
        assertThat(result.anomalies(UNKNOWN_ACCOUNT)).singleElement()
            .satisfies((a) -> assertThat(a.process()).isEqualTo(2))
            .satisfies((a) -> assertThat(a.description()).contains("[7]"));
        assertThat(result.count(WRONG_TOTAL)).isZero();
    }

    @Test
    void shouldReportAFinalStateWithAnotherTotal()
    {
        transfer(1, 10, 20, EventType.OK, 0, 1, 10);
        read(2, 30, 40, Map.of(0, 40L, 1, 60L));

        final var result = checker.check(History.of(events), Map.of(0, 40L, 1, 50L));

        assertThat(result.anomalies()).singleElement().satisfies((a) ->
        {
            assertThat(a.type()).isEqualTo(WRONG_TOTAL);
            assertThat(a.isFinalState()).isTrue();
            assertThat(a.process()).isEqualTo(BankAnomaly.FINAL_STATE);
            assertThat(a.observedTotal()).isEqualTo(90);
            assertThat(a.description()).startsWith("final state sums to 90");
        });
        assertThat(result.stats().violatingReadCount()).isZero();
    }

    @Test
    void shouldCatchAReadRewrittenInAGeneratedHistory()
    {
        final GeneratedHistories.Bank bank = GeneratedHistories.bank(11, 300, 4, 4);
        final List<HistoryEvent> rewritten = new ArrayList<>(bank.events());
        int victim = -1;
        for (int i = rewritten.size() - 1; i >= 0 && victim < 0; i--)
        {
            final HistoryEvent e = rewritten.get(i);
            if (e.f() == OpFunction.READ && e.type() == EventType.OK)
            {
                victim = i;
            }
        }
        final HistoryEvent original = rewritten.get(victim);
        final TreeMap<Integer, Long> balances = new TreeMap<>(((OpValue.Balances)original.value()).balances());
        balances.merge(2, 5L, Long::sum);
        rewritten.set(victim, new HistoryEvent(original.process(), EventType.OK, OpFunction.READ,
            new OpValue.Balances(balances), original.timeNs()));

        final var result = new BankChecker(new HashSet<>(bank.accounts()), bank.initialTotal())
            .check(History.of(rewritten));

        assertThat(result.anomalies()).singleElement().satisfies((a) ->
        {
            assertThat(a.type()).isEqualTo(WRONG_TOTAL);
            assertThat(a.process()).isEqualTo(original.process());
            assertThat(a.completeTimeNs()).isEqualTo(original.timeNs());
            assertThat(a.observedTotal()).isEqualTo(bank.initialTotal() + 5);
        });
    }

    @Test
    void shouldCheckAHistoryReadBackFromItsFile() throws IOException
    {
        transfer(1, 10, 20, EventType.OK, 0, 1, 10);
        read(2, 30, 40, Map.of(0, 40L, 1, 61L));
        final Path file = dir.resolve("bank.jsonl");
        try (HistoryWriter writer = HistoryWriter.open(file))
        {
            for (final HistoryEvent e : events)
            {
                writer.append(e);
            }
        }

        final var result = checker.check(HistoryReader.read(file));

        assertThat(result.anomalies()).singleElement()
            .satisfies((a) -> assertThat(a.type()).isEqualTo(WRONG_TOTAL))
            .satisfies((a) -> assertThat(a.observedTotal()).isEqualTo(101));
    }

    @Test
    void shouldRefuseAListAppendHistory()
    {
        final History txns = new TxnHistoryBuilder().ok(1, 1, 2, MicroOp.append("x", 1)).build();

        assertThatThrownBy(() -> checker.check(txns)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not a bank history");
    }

    private void transfer(
        final int process, final long invokeNs, final long completeNs, final EventType outcome,
        final int from, final int to, final long amount)
    {
        final OpValue.Transfer t = new OpValue.Transfer(from, to, amount);
        events.add(HistoryEvent.invoke(process, OpFunction.TRANSFER, t, invokeNs));
        if (outcome != null)
        {
            events.add(HistoryEvent.complete(process, outcome, OpFunction.TRANSFER, t, completeNs));
        }
    }

    private void read(final int process, final long invokeNs, final long completeNs, final Map<Integer, Long> balances)
    {
        events.add(HistoryEvent.invoke(process, OpFunction.READ, null, invokeNs));
        events.add(HistoryEvent.complete(process, EventType.OK, OpFunction.READ, OpValue.Balances.of(balances),
            completeNs));
    }
}
