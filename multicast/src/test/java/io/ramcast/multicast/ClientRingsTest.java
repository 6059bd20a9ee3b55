package io.ramcast.multicast;

import io.ramcast.multicast.ClientRings.RelayTake;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientRingsTest
{
    private static final int CLIENT = 0;
    private static final int OTHER_CLIENT = 1;

    private final UnsafeBuffer cell = new UnsafeBuffer(new byte[Layout.FLOW_CELL_BYTES]);

    @Test
    void shouldDropARelayedCopyOfAPositionTheRingTookFirst()
    {
        final ClientRings rings = new ClientRings(2, 8, 16);

        rings.takeFromRing(CLIENT, 1);

        assertThat(rings.taken(CLIENT, 1)).isTrue();
        assertThat(rings.takeFromRelay(CLIENT, 1)).isEqualTo(RelayTake.DUPLICATE);
        assertThat(rings.nextRingSeq(CLIENT)).isEqualTo(2);
        assertThat(rings.taken(OTHER_CLIENT, 1)).isFalse();
    }

    @Test
    void shouldStepTheRingOverAPositionARelayTookFirst()
    {
        final ClientRings rings = new ClientRings(1, 8, 16);

        assertThat(rings.takeFromRelay(CLIENT, 2)).isEqualTo(RelayTake.TAKEN);
        assertThat(rings.taken(CLIENT, 2)).isTrue();
        assertThat(rings.takenAheadCount(CLIENT)).isEqualTo(1);

        assertThat(rings.passTakenAhead(CLIENT)).isFalse(); // position 1 is not taken: read it from the ring
        rings.takeFromRing(CLIENT, 1);
        assertThat(rings.passTakenAhead(CLIENT)).isTrue();
        assertThat(rings.nextRingSeq(CLIENT)).isEqualTo(3);
        assertThat(rings.takenAheadCount(CLIENT)).isZero();
        assertThat(rings.taken(CLIENT, 2)).isTrue();
        assertThat(rings.passTakenAhead(CLIENT)).isFalse();
        assertThatThrownBy(() -> rings.takeFromRing(CLIENT, 2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldTakeADuplicatedRelayOnlyOnceBeforeAndAfterTheRingPassesAndAfterDelivery()
    {
        final ClientRings rings = new ClientRings(1, 8, 16);

        assertThat(rings.takeFromRelay(CLIENT, 1)).isEqualTo(RelayTake.TAKEN);
        assertThat(rings.takeFromRelay(CLIENT, 1)).isEqualTo(RelayTake.DUPLICATE);
        assertThat(rings.passTakenAhead(CLIENT)).isTrue();
        assertThat(rings.takeFromRelay(CLIENT, 1)).isEqualTo(RelayTake.DUPLICATE);
        rings.free(CLIENT, 1); // delivered and forgotten
        assertThat(rings.takeFromRelay(CLIENT, 1)).isEqualTo(RelayTake.DUPLICATE);
        assertThat(rings.freedUpTo(CLIENT)).isEqualTo(2);
    }

    @Test
    void shouldLeaveASkippedPositionOpenToExactlyOneRelay()
    {
        final ClientRings rings = new ClientRings(1, 8, 16);

        rings.skip(CLIENT, 1);

        assertThat(rings.nextRingSeq(CLIENT)).isEqualTo(2);
        assertThat(rings.taken(CLIENT, 1)).isFalse();
        assertThat(rings.freedUpTo(CLIENT)).isEqualTo(2);
        assertThat(rings.takeFromRelay(CLIENT, 1)).isEqualTo(RelayTake.TAKEN);
        assertThat(rings.taken(CLIENT, 1)).isTrue();
        assertThat(rings.takeFromRelay(CLIENT, 1)).isEqualTo(RelayTake.DUPLICATE);
        assertThat(rings.takenAheadCount(CLIENT)).isZero();
        assertThatThrownBy(() -> rings.skip(CLIENT, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldDropRelaysAheadOfTheRingBeyondTheBoundUntilTheRingCatchesUp()
    {
        final ClientRings rings = new ClientRings(1, 8, 2);

        assertThat(rings.takeFromRelay(CLIENT, 1)).isEqualTo(RelayTake.TAKEN);
        assertThat(rings.takeFromRelay(CLIENT, 2)).isEqualTo(RelayTake.TAKEN);
        assertThat(rings.takeFromRelay(CLIENT, 3)).isEqualTo(RelayTake.AHEAD_FULL);
        assertThat(rings.taken(CLIENT, 3)).isFalse();

        assertThat(rings.passTakenAhead(CLIENT)).isTrue();
        assertThat(rings.takeFromRelay(CLIENT, 3)).isEqualTo(RelayTake.TAKEN);
    }

    @Test
    void shouldRefuseAPositionThatIsNotPositive()
    {
        final ClientRings rings = new ClientRings(1, 8, 2);

        assertThatThrownBy(() -> rings.takeFromRelay(CLIENT, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientRings(1, 0, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldStopTheRingReadWhenEverySlotHoldsAMessageNotFreedAcrossWrapAround()
    {
        final int slots = 4;
        final ClientRings rings = new ClientRings(1, slots, 16);
        long next = 1;
        for (int lap = 0; lap < 5; lap++)
        {
            while (!rings.ringFull(CLIENT))
            {
                rings.takeFromRing(CLIENT, next++);
            }
            assertThat(rings.nextRingSeq(CLIENT) - rings.freedUpTo(CLIENT)).isEqualTo(slots);

            final long head = rings.freedUpTo(CLIENT);
            rings.free(CLIENT, head + 1); // out of order: the head stays
            assertThat(rings.freedUpTo(CLIENT)).isEqualTo(head);
            assertThat(rings.ringFull(CLIENT)).isTrue();
            rings.free(CLIENT, head);
            assertThat(rings.freedUpTo(CLIENT)).isEqualTo(head + 2);
            assertThat(rings.ringFull(CLIENT)).isFalse();
            rings.free(CLIENT, head + 2);
            rings.free(CLIENT, head + 3);
            assertThat(rings.freedUpTo(CLIENT)).isEqualTo(head + slots);
        }
        assertThat(rings.nextRingSeq(CLIENT)).isEqualTo(next);
        assertThat(next).isGreaterThan(4L * slots); // the slots were reused several times over
    }

    @Test
    void shouldPublishTheFlowCellOnlyWhenTheFreedWordAdvances()
    {
        final ClientRings rings = new ClientRings(1, 8, 16);
        assertThat(rings.pollFlowCell(CLIENT, cell)).isFalse();

        rings.takeFromRing(CLIENT, 1);
        rings.takeFromRing(CLIENT, 2);
        rings.tookMessage(CLIENT, 7);
        assertThat(rings.takeFromRelay(CLIENT, 4)).isEqualTo(RelayTake.TAKEN);
        assertThat(rings.pollFlowCell(CLIENT, cell)).isFalse(); // taking frees nothing

        rings.free(CLIENT, 2);
        assertThat(rings.pollFlowCell(CLIENT, cell)).isFalse(); // freed ahead of the head
        rings.free(CLIENT, 1);
        assertThat(rings.pollFlowCell(CLIENT, cell)).isTrue();
        assertFlowCell(3, 3, 7, 0); // the read position, not past position 4 that a relay took ahead
        assertThat(rings.pollFlowCell(CLIENT, cell)).isFalse();

        rings.free(CLIENT, 1); // freed already
        assertThat(rings.pollFlowCell(CLIENT, cell)).isFalse();
    }

    @Test
    void shouldKeepTheHighestMessageSequenceTaken()
    {
        final ClientRings rings = new ClientRings(1, 8, 16);
        rings.tookMessage(CLIENT, 9);
        rings.tookMessage(CLIENT, 4);
        rings.onHello(CLIENT, 1);

        assertThat(rings.pollFlowCell(CLIENT, cell)).isTrue();
        assertFlowCell(1, 1, 9, 1);
    }

    @Test
    void shouldRecordANewIncarnationAndAnswerItWithoutResettingWhatWasTaken()
    {
        final ClientRings rings = new ClientRings(2, 8, 16);
        rings.takeFromRing(CLIENT, 1);
        rings.skip(CLIENT, 2);
        rings.takeFromRing(CLIENT, 3);
        assertThat(rings.takeFromRelay(CLIENT, 5)).isEqualTo(RelayTake.TAKEN);
        rings.tookMessage(CLIENT, 11);
        rings.free(CLIENT, 1);
        assertThat(rings.suspect(CLIENT, true)).isTrue();
        assertThat(rings.pollFlowCell(CLIENT, cell)).isTrue();
        assertFlowCell(3, 4, 11, 0);

        assertThat(rings.onHello(CLIENT, 42)).isTrue();

        assertThat(rings.incarnation(CLIENT)).isEqualTo(42);
        assertThat(rings.pollFlowCell(CLIENT, cell)).isTrue();
        assertFlowCell(3, 4, 11, 42);
        // the same rings go on: nothing the earlier incarnation sent can be taken twice
        assertThat(rings.nextRingSeq(CLIENT)).isEqualTo(4);
        assertThat(rings.takeFromRelay(CLIENT, 1)).isEqualTo(RelayTake.DUPLICATE);
        assertThat(rings.takeFromRelay(CLIENT, 3)).isEqualTo(RelayTake.DUPLICATE);
        assertThat(rings.takeFromRelay(CLIENT, 5)).isEqualTo(RelayTake.DUPLICATE);
        assertThat(rings.suspected(CLIENT)).isTrue();
        // and a skipped position is still open to the relay of what the earlier one left there
        assertThat(rings.takeFromRelay(CLIENT, 2)).isEqualTo(RelayTake.TAKEN);
        assertThat(rings.passTakenAhead(CLIENT)).isFalse();
        rings.takeFromRing(CLIENT, 4);
        assertThat(rings.passTakenAhead(CLIENT)).isTrue();

        assertThat(rings.onHello(CLIENT, 42)).isFalse();
        assertThat(rings.pollFlowCell(CLIENT, cell)).isFalse();
        assertThat(rings.incarnation(OTHER_CLIENT)).isZero();
        assertThat(rings.pollFlowCell(OTHER_CLIENT, cell)).isFalse();
        assertThat(rings.nextRingSeq(OTHER_CLIENT)).isEqualTo(1);
    }

    @Test
    void shouldReportOnlyTheStartOfASuspicion()
    {
        final ClientRings rings = new ClientRings(2, 8, 16);

        assertThat(rings.suspect(CLIENT, false)).isFalse();
        assertThat(rings.suspect(CLIENT, true)).isTrue();
        assertThat(rings.suspect(CLIENT, true)).isFalse();
        assertThat(rings.suspected(CLIENT)).isTrue();
        assertThat(rings.suspected(OTHER_CLIENT)).isFalse();
        assertThat(rings.suspect(CLIENT, false)).isFalse();
        assertThat(rings.suspected(CLIENT)).isFalse();
        assertThat(rings.suspect(CLIENT, true)).isTrue();
    }

    @Test
    void shouldTakeEveryPositionExactlyOnceWhateverTheOrderOfRingReadsRelaysSkipsAndFrees()
    {
        for (long seed = 1; seed <= 100; seed++)
        {
            runRandomArrivals(seed);
        }
    }

    /**
     * Positions 1..N of one client arrive from the ring (a message or a SKIP record) and from any
     * number of relays, in a random interleaving, with deliveries freeing taken positions; checks
     * after every step that no position is taken twice, that {@link ClientRings#taken} agrees, that
     * the ring never reads past its slots, and that the published FLOW cell never goes back.
     */
    private void runRandomArrivals(final long seed)
    {
        final int positions = 120;
        final int slots = 1 + (int)(seed % 7);
        final Random random = new Random(seed);
        final ClientRings rings = new ClientRings(1, slots, 8);
        final boolean[] skipRecord = new boolean[positions + 1];
        for (int p = 1; p <= positions; p++)
        {
            skipRecord[p] = random.nextInt(10) == 0;
        }
        final int[] takenCount = new int[positions + 1];
        final boolean[] freed = new boolean[positions + 1];
        long lastFreed = 1;
        long lastNext = 1;
        for (int step = 0; step < 20 * positions; step++)
        {
            final long next = rings.nextRingSeq(CLIENT);
            final int action = random.nextInt(3);
            if (action == 0 && next <= positions)
            {
                if (!rings.passTakenAhead(CLIENT) && !rings.ringFull(CLIENT))
                {
                    if (skipRecord[(int)next])
                    {
                        rings.skip(CLIENT, next);
                        freed[(int)next] = true;
                    }
                    else
                    {
                        rings.takeFromRing(CLIENT, next);
                        takenCount[(int)next]++;
                    }
                }
            }
            else if (action == 1)
            {
                final long p = random.nextInt(4) == 0
                    ? 1 + random.nextInt((int)Math.min(positions, next + slots)) // delivered long ago, maybe
                    : Math.max(1, Math.min(positions, next - slots + random.nextInt(2 * slots + 2)));
                if (rings.takeFromRelay(CLIENT, p) == RelayTake.TAKEN)
                {
                    takenCount[(int)p]++;
                }
            }
            else
            {
                final int p = 1 + random.nextInt(positions);
                if (takenCount[p] == 1 && !freed[p])
                {
                    rings.free(CLIENT, p);
                    freed[p] = true;
                }
            }
            assertThat(firstMismatch(rings, takenCount)).as("seed %d step %d: first position taken twice, or " +
                "taken() disagreeing", seed, step).isEqualTo(-1);
            assertThat(rings.freedUpTo(CLIENT)).as("seed %d step %d", seed, step).isEqualTo(lowestNotFreed(freed));
            if (rings.pollFlowCell(CLIENT, cell))
            {
                final long cellFreed = cell.getLong(Layout.FLOW_FREED_OFFSET);
                final long cellNext = cell.getLong(Layout.FLOW_NEXT_RING_SEQ_OFFSET);
                assertThat(cellFreed).as("seed %d", seed).isGreaterThan(lastFreed).isEqualTo(lowestNotFreed(freed));
                assertThat(cellNext).as("seed %d", seed).isGreaterThanOrEqualTo(lastNext);
                lastFreed = cellFreed;
                lastNext = cellNext;
            }
        }
        for (int p = 1; p < rings.nextRingSeq(CLIENT) && p <= positions; p++)
        {
            assertThat(takenCount[p] == 1 || skipRecord[p]).as("seed %d position %d", seed, p).isTrue();
        }
    }

    private static int firstMismatch(final ClientRings rings, final int[] takenCount)
    {
        for (int p = 1; p < takenCount.length; p++)
        {
            if (takenCount[p] > 1 || rings.taken(CLIENT, p) != (takenCount[p] == 1))
            {
                return p;
            }
        }
        return -1;
    }

    private static long lowestNotFreed(final boolean[] freed)
    {
        int p = 1;
        while (p < freed.length && freed[p])
        {
            p++;
        }
        return p;
    }

    private void assertFlowCell(final long freedUpTo, final long next, final long lastSequence, final long incarnation)
    {
        assertThat(cell.getLong(Layout.FLOW_FREED_OFFSET)).as("freed up to").isEqualTo(freedUpTo);
        assertThat(cell.getLong(Layout.FLOW_NEXT_RING_SEQ_OFFSET)).as("next ring position").isEqualTo(next);
        assertThat(cell.getLong(Layout.FLOW_LAST_SEQUENCE_OFFSET)).as("last sequence").isEqualTo(lastSequence);
        assertThat(cell.getLong(Layout.FLOW_INCARNATION_OFFSET)).as("incarnation").isEqualTo(incarnation);
        assertThat(cell.getLong(Layout.FLOW_SEAL_OFFSET)).as("seal")
            .isEqualTo(FlowCellFlyweight.sealOf(freedUpTo, next, lastSequence, incarnation));
    }
}
