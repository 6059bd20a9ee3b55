package io.ramcast.check.history;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * T1 self-tests of the ledger check: final balances explained by the committed transfers plus
 * some unknown ones pass; a committed transfer that is missing, or applied twice, is caught.
 * Three accounts of 100 each.
 */
class BankLedgerTest
{
    private final BankLedger ledger = new BankLedger(Map.of(0, 100L, 1, 100L, 2, 100L));
    private final List<HistoryEvent> events = new ArrayList<>();
    private long time;

    @Test
    void shouldExplainBalancesFromCommittedTransfersAlone()
    {
        transfer(0, EventType.OK, 0, 1, 30);
        transfer(1, EventType.FAIL, 1, 2, 500);
        transfer(0, EventType.OK, 2, 0, 5);

        final BankLedger.Result result = ledger.check(History.of(events), balances(75, 130, 95));

        assertThat(result.explained()).as(result.summary()).isTrue();
        assertThat(result.okTransfers()).isEqualTo(2);
        assertThat(result.appliedUnknown()).isZero();
    }

    @Test
    void shouldExplainBalancesWithTheUnknownTransfersThatHappened()
    {
        transfer(0, EventType.OK, 0, 1, 30);
        transfer(1, EventType.INFO, 1, 2, 7);
        transfer(2, EventType.INFO, 2, 0, 11);
        transfer(3, EventType.INFO, 0, 2, 13);
        invokeOnly(4, 1, 0, 17);

        // applied: 1->2 7 and the never-completed 1->0 17; not applied: 2->0 11 and 0->2 13
        final BankLedger.Result result = ledger.check(History.of(events), balances(87, 100 + 30 - 7 - 17, 107));

        assertThat(result.explained()).as(result.summary()).isTrue();
        assertThat(result.unknownTransfers()).isEqualTo(4);
        assertThat(result.appliedUnknown()).isEqualTo(2);
    }

    @Test
    void shouldCatchACommittedTransferThatWasLost()
    {
        transfer(0, EventType.OK, 0, 1, 30);
        transfer(1, EventType.OK, 1, 2, 10);
        transfer(2, EventType.INFO, 2, 0, 3);

        // the total is still 300, but 1->2 10 is missing
        final BankLedger.Result result = ledger.check(History.of(events), balances(70, 130, 100));

        assertThat(result.decided()).isTrue();
        assertThat(result.explained()).isFalse();
        assertThat(result.summary()).contains("{1=10, 2=-10}");
    }

    @Test
    void shouldCatchACommittedTransferAppliedTwice()
    {
        transfer(0, EventType.OK, 0, 1, 30);

        final BankLedger.Result result = ledger.check(History.of(events), balances(40, 160, 100));

        assertThat(result.explained()).isFalse();
    }

    @Test
    void shouldCatchAFailedTransferThatTookEffect()
    {
        transfer(0, EventType.FAIL, 0, 1, 30);

        assertThat(ledger.check(History.of(events), balances(70, 130, 100)).explained()).isFalse();
    }

    @Test
    void shouldSayUndecidedWithMoreUnknownTransfersThanItSearches()
    {
        for (int i = 0; i <= BankLedger.MAX_SEARCHED_UNKNOWN; i++)
        {
            transfer(i, EventType.INFO, 0, 1, 1);
        }

        final BankLedger.Result result = ledger.check(History.of(events), balances(99, 101, 100));

        assertThat(result.decided()).isFalse();
        assertThat(result.explained()).isFalse();
        assertThat(result.summary()).startsWith("undecided");
    }

    @Test
    void shouldRefuseFinalBalancesOfAnotherBank()
    {
        assertThatThrownBy(() -> ledger.check(History.of(events), Map.of(0, 300L)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1, 2]");
    }

    private void transfer(final int process, final EventType outcome, final int from, final int to, final long amount)
    {
        invokeOnly(process, from, to, amount);
        events.add(HistoryEvent.complete(process, outcome, OpFunction.TRANSFER, new OpValue.Transfer(from, to, amount),
            ++time));
    }

    private void invokeOnly(final int process, final int from, final int to, final long amount)
    {
        events.add(HistoryEvent.invoke(process, OpFunction.TRANSFER, new OpValue.Transfer(from, to, amount), ++time));
    }

    private static Map<Integer, Long> balances(final long a0, final long a1, final long a2)
    {
        final Map<Integer, Long> m = new TreeMap<>();
        m.put(0, a0);
        m.put(1, a1);
        m.put(2, a2);
        return m;
    }
}
