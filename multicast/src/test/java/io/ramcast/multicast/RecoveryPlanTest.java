package io.ramcast.multicast;

import io.ramcast.multicast.ControlMessages.CatchUpEnd;
import io.ramcast.multicast.ControlMessages.EntryInfo;
import io.ramcast.multicast.ControlMessages.KnownProposal;
import io.ramcast.multicast.RecoveryPlan.Promise;
import io.ramcast.multicast.RecoveryPlan.RecoveredMessage;
import io.ramcast.multicast.RecoveryPlan.StreamRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The rules of a recovery (ramcast-protocol.md §C.7.2 steps 1–4 and the hardenings of ARCHITECTURE.md
 * "Failures"), one table or scenario per rule. Group 1 recovers in ballot (5, 4); groups 0 and 2 are
 * the other groups; every message goes from client ordinal 0 to groups 1 and 2 unless said otherwise.
 */
class RecoveryPlanTest
{
    private static final int G = 1;
    private static final long OLD = Ballots.of(2, 3);
    private static final long OLDER = Ballots.of(1, 3);
    private static final long NEW = Ballots.of(5, 4);

    /* ---------------------------------------------------------------- rule 1: chosen stream */

    static Stream<Arguments> streams()
    {
        return Stream.of(
            arguments("higher accepted ballot beats a longer stream",
                new long[][] {{OLDER, 9}, {OLD, 2}, {OLDER, 7}}, 1),
            arguments("same ballot: the longer stream wins",
                new long[][] {{OLD, 3}, {OLD, 4}, {OLD, 1}}, 1),
            arguments("a tie goes to the first in member order",
                new long[][] {{OLD, 4}, {OLDER, 8}, {OLD, 4}}, 0),
            arguments("the last can win",
                new long[][] {{OLDER, 4}, {OLDER, 5}, {OLD, 0}}, 2),
            arguments("a single promise is chosen",
                new long[][] {{Ballots.NONE, 0}}, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streams")
    void shouldChooseTheStreamWithTheHighestAcceptedBallotThenLastSequence(
        final String rule, final long[][] acceptedBallotAndSeq, final int expectedIndex)
    {
        final List<Promise> promises = new ArrayList<>();
        for (final long[] a : acceptedBallotAndSeq)
        {
            promises.add(promise(a[0], a[1], 0));
        }
        assertThat(RecoveryPlan.from(promises, G, NEW).chosenIndex()).as(rule).isEqualTo(expectedIndex);
    }

    /* ---------------------------------------------------------------- rule 2: adoption */

    static Stream<Arguments> adoptions()
    {
        final long id = MessageIds.of(100, 1);
        return Stream.of(
            arguments("OWN in the chosen stream's ballot, body held by the chosen member",
                entry(id, true, false, own(OLD, 40)), List.of(), true),
            arguments("body-less at the chosen member, body held by another promise",
                entry(id, false, false, own(OLD, 40)), List.of(entry(id, true, false)), true),
            arguments("body-less everywhere but delivered by another promise",
                entry(id, false, false, own(OLD, 40)), List.of(entry(id, false, true)), true),
            arguments("body-less everywhere and delivered nowhere: never decided, not adopted",
                entry(id, false, false, own(OLD, 40)), List.of(entry(id, false, false)), false),
            arguments("an OWN proposal of an earlier ballot than the chosen stream's is not adopted",
                entry(id, true, false, own(OLDER, 40)), List.of(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adoptions")
    void shouldAdoptTheChosenStreamsOwnRecordsThatMayHaveBeenDecided(
        final String rule, final EntryInfo atChosen, final List<EntryInfo> atOther, final boolean adopted)
    {
        final Promise chosen = promise(OLD, 5, 0, atChosen);
        final Promise other = promise(OLDER, 9, 0, atOther.toArray(EntryInfo[]::new));
        final RecoveryPlan plan = RecoveryPlan.from(List.of(other, chosen), G, NEW);

        assertThat(plan.chosenIndex()).isEqualTo(1);
        assertThat(plan.adoptedCount()).as(rule).isEqualTo(adopted ? 1 : 0);
        assertThat(plan.records().stream().filter(r -> r.kind() == Layout.KIND_OWN).toList()).as(rule)
            .hasSize(adopted ? 1 : 0)
            .allSatisfy(r ->
            {
                assertThat(r.messageId()).isEqualTo(atChosen.messageId());
                assertThat(r.value()).isEqualTo(40);
                assertThat(r.proposalBallot()).as("re-issued in the new ballot").isEqualTo(NEW);
                assertThat(r.proposingGroup()).isEqualTo(G);
            });
    }

    @Test
    void shouldAdoptAnOwnRecordOfTheChosenBallotHeldOnlyByAShorterStream()
    {
        // the chosen member delivered it and no longer holds it; the record was in both streams
        final long id = MessageIds.of(100, 1);
        final Promise chosen = promise(OLD, 5, 0);
        final Promise other = promise(OLD, 4, 0, entry(id, true, false, own(OLD, 40)));

        final RecoveryPlan plan = RecoveryPlan.from(List.of(chosen, other), G, NEW);

        assertThat(plan.adoptedCount()).isOne();
        assertThat(plan.records()).extracting(StreamRecord::kind).containsExactly(Layout.KIND_OWN, Layout.KIND_RECOVERED);
        assertThat(plan.records().get(0).value()).isEqualTo(40);
        assertThat(plan.freshCandidates()).isEmpty();
    }

    /**
     * The failure found by the whole-cluster kill test: the leader of ballot OLD re-issued the
     * OLDER stream (values 10, 20, 30, 40) and failed after writing the first two records to one
     * member; the new candidate's promises are that member's (accepted OLD, re-issues read up to
     * 20) and one that never saw OLD. The decided proposals above 20 survive only in ballot OLDER,
     * and must be re-issued; the OLDER proposal at 15, which the OLD recovery passed over, was
     * never decided and must not be.
     */
    @Test
    void shouldAdoptDecidedProposalsOfAnEarlierBallotAboveWhereAPartialRecoveryStreamEnds()
    {
        final long a = MessageIds.of(100, 1);
        final long b = MessageIds.of(100, 2);
        final long c = MessageIds.of(100, 3);
        final long d = MessageIds.of(100, 4);
        final long skipped = MessageIds.of(100, 5);
        final Promise partial = promise(OLD, 2, 20, 0,
            entry(a, true, true, own(OLD, 10)), entry(b, true, false, own(OLD, 20)),
            entry(c, true, false, own(OLDER, 30)), entry(d, true, false, own(OLDER, 40)));
        final Promise older = promise(OLDER, 9, Long.MAX_VALUE, 0,
            entry(a, true, true, own(OLDER, 10)), entry(b, true, false, own(OLDER, 20)),
            entry(c, true, false, own(OLDER, 30)), entry(d, true, false, own(OLDER, 40)),
            entry(skipped, true, false, own(OLDER, 15)));

        final RecoveryPlan plan = RecoveryPlan.from(List.of(partial, older), G, NEW);

        assertThat(plan.chosenIndex()).isZero();
        assertThat(plan.records()).extracting(StreamRecord::messageId).containsExactly(a, b, c, d, 0L);
        assertThat(plan.records()).extracting(StreamRecord::value).containsExactly(10L, 20L, 30L, 40L, 40L);
        assertThat(plan.records().subList(0, 4)).allSatisfy(r -> assertThat(r.proposalBallot()).isEqualTo(NEW));
        assertThat(plan.freshCandidates()).as("passed over by the OLD recovery: proposed afresh, above 40")
            .extracting(RecoveredMessage::messageId).containsExactly(skipped);
    }

    @Test
    void shouldNotAdoptAProposalThatAPromiseWhichReadALaterRecoveryToItsEndDropped()
    {
        final long id = MessageIds.of(100, 1);
        final Promise complete = promise(OLD, 3, 0);
        final Promise behind = promise(OLDER, 9, Long.MAX_VALUE, 0, entry(id, true, false, own(OLDER, 1_000)));

        final RecoveryPlan plan = RecoveryPlan.from(List.of(complete, behind), G, NEW);

        assertThat(plan.adoptedCount()).isZero();
        assertThat(plan.freshCandidates()).extracting(RecoveredMessage::messageId).containsExactly(id);
    }

    /* ---------------------------------------------------------------- rule 3: re-issues in value order */

    @Test
    void shouldReissueAdoptedAndForwardedProposalsInValueOrderOwnBeforeForwardOnATie()
    {
        final long a = MessageIds.of(100, 1);
        final long b = MessageIds.of(100, 2);
        final long c = MessageIds.of(101, 1);
        final long negative = 0x8000_0000_0000_0001L; // sorts after every positive id, unsigned
        final Promise chosen = promise(OLD, 7, 0,
            entry(a, true, false, own(OLD, 30), fwd(2, Ballots.of(1, 7), 20)),
            entry(b, true, false, own(OLD, 20)),
            entry(c, true, false, fwd(2, Ballots.of(1, 7), 20), fwd(0, Ballots.of(1, 0), 20)),
            entry(negative, true, false, fwd(2, Ballots.of(1, 7), 20)));
        final Promise other = promise(OLDER, 3, 0,
            entry(c, true, false, fwd(2, Ballots.of(2, 8), 25)));

        final RecoveryPlan plan = RecoveryPlan.from(List.of(chosen, other), G, NEW);

        assertThat(plan.records()).extracting(r -> r.value() + " " + kind(r.kind()) + " g" + r.proposingGroup() + " " +
            Long.toHexString(r.messageId()) + " " + Ballots.toString(r.proposalBallot())).containsExactly(
            "20 OWN g1 " + Long.toHexString(b) + " " + Ballots.toString(NEW),
            "20 FWD g0 " + Long.toHexString(c) + " " + Ballots.toString(Ballots.of(1, 0)),
            "20 FWD g2 " + Long.toHexString(a) + " " + Ballots.toString(Ballots.of(1, 7)),
            "20 FWD g2 " + Long.toHexString(negative) + " " + Ballots.toString(Ballots.of(1, 7)),
            "25 FWD g2 " + Long.toHexString(c) + " " + Ballots.toString(Ballots.of(2, 8)),
            "30 OWN g1 " + Long.toHexString(a) + " " + Ballots.toString(NEW),
            "30 RECOVERED g1 0 " + Ballots.toString(NEW));
        assertThat(plan.reissueCount()).isEqualTo(6);
    }

    static Stream<Arguments> forwardedProposals()
    {
        return Stream.of(
            arguments("the highest ballot reported wins, whoever reports it",
                List.of(fwd(2, Ballots.of(1, 7), 10)), List.of(fwd(2, Ballots.of(3, 8), 15)), Ballots.of(3, 8), 15L),
            arguments("a lower ballot at a later promise does not replace it",
                List.of(fwd(2, Ballots.of(3, 8), 15)), List.of(fwd(2, Ballots.of(1, 7), 10)), Ballots.of(3, 8), 15L),
            arguments("a tie keeps the first promise's in member order",
                List.of(fwd(2, Ballots.of(3, 8), 15)), List.of(fwd(2, Ballots.of(3, 8), 16)), Ballots.of(3, 8), 15L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forwardedProposals")
    void shouldReissueTheHighestBallotForwardedProposalOfEveryMessage(
        final String rule, final List<KnownProposal> first, final List<KnownProposal> second, final long ballot,
        final long value)
    {
        final long id = MessageIds.of(100, 1);
        final RecoveryPlan plan = RecoveryPlan.from(List.of(
            promise(OLD, 2, 0, entry(id, true, false, first.toArray(KnownProposal[]::new))),
            promise(OLD, 1, 0, entry(id, true, false, second.toArray(KnownProposal[]::new)))), G, NEW);

        assertThat(plan.records().stream().filter(r -> r.kind() == Layout.KIND_FWD).toList()).as(rule)
            .singleElement().satisfies(r ->
            {
                assertThat(r.proposalBallot()).isEqualTo(ballot);
                assertThat(r.value()).isEqualTo(value);
                assertThat(r.proposingGroup()).isEqualTo(2);
                assertThat(r.message().messageId()).isEqualTo(id);
            });
    }

    @Test
    void shouldNeverForwardTheRecoveringGroupsOwnProposals()
    {
        final long id = MessageIds.of(100, 1);
        final RecoveryPlan plan = RecoveryPlan.from(List.of(
            promise(OLD, 2, 0), promise(OLDER, 9, 0, entry(id, true, false, own(OLDER, 40)))), G, NEW);

        assertThat(plan.records()).extracting(StreamRecord::kind).containsExactly(Layout.KIND_RECOVERED);
    }

    /* ---------------------------------------------------------------- rules 4 and 5: marker and clock */

    @Test
    void shouldEndWithTheRecoveredMarkerCarryingTheHighestClockOrValueReported()
    {
        final long id = MessageIds.of(100, 1);
        final RecoveryPlan plan = RecoveryPlan.from(List.of(
            promise(OLD, 2, 50, entry(id, true, false, own(OLD, 40))),
            promise(OLDER, 1, 60),
            promise(OLDER, 1, 10, entry(MessageIds.of(100, 2), false, false, fwd(2, Ballots.of(1, 7), 75)))),
            G, NEW);

        assertThat(plan.recoveredClock()).isEqualTo(75);
        final StreamRecord last = plan.records().get(plan.records().size() - 1);
        assertThat(last).isEqualTo(new StreamRecord(Layout.KIND_RECOVERED, G, 0, NEW, 75, null));
        assertThat(plan.records().stream().filter(r -> r.kind() == Layout.KIND_RECOVERED)).hasSize(1);
    }

    @Test
    void shouldRecoverAtLeastEveryReportedClock()
    {
        final RecoveryPlan plan = RecoveryPlan.from(List.of(promise(OLD, 2, 50), promise(OLDER, 1, 90)), G, NEW);

        assertThat(plan.recoveredClock()).isEqualTo(90);
        assertThat(plan.records()).containsExactly(new StreamRecord(Layout.KIND_RECOVERED, G, 0, NEW, 90, null));
    }

    /* ---------------------------------------------------------------- rule 6: fresh candidates */

    static Stream<Arguments> freshCandidates()
    {
        final long id = MessageIds.of(100, 1);
        return Stream.of(
            arguments("held with its body by the chosen member", entry(id, true, false), null, true),
            arguments("held with its body only by another member", entry(id, false, false),
                entry(id, true, false), true),
            arguments("known only from a forwarded proposal, destinations unknown",
                new EntryInfo(id, -1, new int[0], new long[0], true, false, List.of(fwd(2, OLD, 5))), null, false),
            arguments("no promise holds the body", entry(id, false, false), entry(id, false, false), false),
            arguments("some promise delivered it", entry(id, true, false), entry(id, true, true), false),
            arguments("not destined to the recovering group",
                new EntryInfo(id, 0, new int[] {0, 2}, new long[] {4, 4}, true, false, List.of()), null, false),
            arguments("below the chosen member's ring head: delivered there and forgotten", null,
                entry(id, true, false, 2), false),
            arguments("at the chosen member's ring head: not delivered there", null, entry(id, true, false, 3), true),
            arguments("adopted OWN records are re-issued, not proposed afresh",
                entry(id, true, false, own(OLD, 40)), null, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("freshCandidates")
    void shouldProposeAfreshOnlyMessagesHeldWithTheirBodyThatNobodyDelivered(
        final String rule, final EntryInfo atChosen, final EntryInfo atOther, final boolean fresh)
    {
        final Promise chosen = new Promise(atChosen == null ? List.of() : List.of(atChosen),
            new CatchUpEnd(NEW, OLD, 5, Long.MAX_VALUE, 0, atChosen == null ? 0 : 1, new long[] {3}));
        final Promise other = promise(OLDER, 9, 0, atOther == null ? new EntryInfo[0] : new EntryInfo[] {atOther});

        final RecoveryPlan plan = RecoveryPlan.from(List.of(chosen, other), G, NEW);

        assertThat(plan.chosenIndex()).isZero();
        assertThat(plan.freshCandidates()).as(rule).hasSize(fresh ? 1 : 0);
    }

    @Test
    void shouldListFreshCandidatesInUnsignedIdOrderWithTheFirstKnownDestinations()
    {
        final long high = 0x8000_0000_0000_0002L;
        final long low = MessageIds.of(100, 9);
        final long mid = MessageIds.of(200, 1);
        final RecoveryPlan plan = RecoveryPlan.from(List.of(
            promise(OLD, 2, 0, entry(high, true, false), entry(mid, false, false, 7)),
            promise(OLDER, 1, 0, entry(low, true, false),
                new EntryInfo(mid, 3, new int[] {1}, new long[] {8}, true, false, List.of()))), G, NEW);

        assertThat(plan.freshCandidates()).extracting(RecoveredMessage::messageId).containsExactly(low, mid, high);
        final RecoveredMessage m = plan.freshCandidates().get(1);
        assertThat(m.clientOrdinal()).as("the first promise in member order that knew the destinations").isZero();
        assertThat(m.destinations()).containsExactly(1, 2);
        assertThat(m.ringSeqIn(G)).isEqualTo(7);
        assertThat(m.ringSeqIn(0)).isZero();
        assertThat(m.bodySeen()).isTrue();
        assertThat(m.delivered()).isFalse();
    }

    /* ---------------------------------------------------------------- input errors */

    @Test
    void shouldRefuseARecoveryWithoutPromises()
    {
        assertThatThrownBy(() -> RecoveryPlan.from(List.of(), G, NEW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecoveryPlan.from(List.of(new Promise(List.of(), null)), G, NEW))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no end");
    }

    /* ---------------------------------------------------------------- helpers */

    /** A promise from a member that read its accepted ballot's RECOVERED marker. */
    private static Promise promise(final long acceptedBallot, final long acceptedSeq, final long clock,
        final EntryInfo... entries)
    {
        return promise(acceptedBallot, acceptedSeq, Long.MAX_VALUE, clock, entries);
    }

    private static Promise promise(final long acceptedBallot, final long acceptedSeq, final long reissuedUpTo,
        final long clock, final EntryInfo... entries)
    {
        return new Promise(Arrays.asList(entries),
            new CatchUpEnd(NEW, acceptedBallot, acceptedSeq, reissuedUpTo, clock, entries.length, new long[] {1}));
    }

    /** A message to groups 1 and 2 at ring position 4 in both. */
    private static EntryInfo entry(final long id, final boolean body, final boolean delivered,
        final KnownProposal... proposals)
    {
        return entry(id, body, delivered, 4, proposals);
    }

    private static EntryInfo entry(final long id, final boolean body, final boolean delivered, final long ringSeq,
        final KnownProposal... proposals)
    {
        return new EntryInfo(id, 0, new int[] {1, 2}, new long[] {ringSeq, ringSeq}, body, delivered,
            List.of(proposals));
    }

    private static KnownProposal own(final long ballot, final long value)
    {
        return new KnownProposal(G, ballot, value);
    }

    private static KnownProposal fwd(final int group, final long ballot, final long value)
    {
        return new KnownProposal(group, ballot, value);
    }

    private static String kind(final int kind)
    {
        return switch (kind)
        {
            case Layout.KIND_OWN -> "OWN";
            case Layout.KIND_FWD -> "FWD";
            case Layout.KIND_RECOVERED -> "RECOVERED";
            default -> "?" + kind;
        };
    }
}
