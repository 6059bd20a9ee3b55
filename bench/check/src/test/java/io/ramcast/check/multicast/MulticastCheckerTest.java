package io.ramcast.check.multicast;

import io.ramcast.check.CheckResult;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.ramcast.check.multicast.MulticastAnomalyType.CYCLE;
import static io.ramcast.check.multicast.MulticastAnomalyType.DESTINATION_MISMATCH;
import static io.ramcast.check.multicast.MulticastAnomalyType.DUPLICATE_DELIVERY;
import static io.ramcast.check.multicast.MulticastAnomalyType.MISSING_DELIVERY;
import static io.ramcast.check.multicast.MulticastAnomalyType.NOT_ADDRESSED;
import static io.ramcast.check.multicast.MulticastAnomalyType.NOT_MULTICAST;
import static io.ramcast.check.multicast.MulticastAnomalyType.PREFIX_ORDER_VIOLATION;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * T1 self-tests of the atomic multicast checker: valid histories pass, and each deliberately broken
 * history is caught with the right anomaly. Every ordering scenario uses three groups of three
 * replicas: group A = processes 0,1,2; group B = 3,4,5; group C = 6,7,8; client 100.
 */
class MulticastCheckerTest
{
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final int[] GROUP_A = {0, 1, 2};
    private static final int[] GROUP_B = {3, 4, 5};
    private static final int[] GROUP_C = {6, 7, 8};
    private static final int CLIENT = 100;
    private static final MessageId M1 = MessageId.of(CLIENT, 1);
    private static final MessageId M2 = MessageId.of(CLIENT, 2);
    private static final MessageId M3 = MessageId.of(CLIENT, 3);

    private final MulticastChecker checker = new MulticastChecker();

    // ---------------------------------------------------------------- valid histories

    @Test
    void shouldAcceptRandomValidHistoriesWithACrashedReplica()
    {
        for (long seed = 1; seed <= 50; seed++)
        {
            final Random random = new Random(seed);
            final GeneratedHistory generated = GeneratedHistory.valid(seed, 3, 2, 300);
            generated.crashRandomReplicaMidway(random);

            final var result = checker.check(generated.build(), true);

            assertThat(result.isValid()).as("seed %d:%n%s", seed, result.summary()).isTrue();
        }
    }

    @Test
    void shouldAcceptPrefixesOfAValidHistoryWhenItIsNotDeclaredComplete()
    {
        for (long seed = 1; seed <= 20; seed++)
        {
            final Random random = new Random(seed);
            final GeneratedHistory generated = GeneratedHistory.valid(seed, 3, 2, 200);
            generated.deliveries.forEach((pid, log) -> generated.truncate(pid, random.nextInt(log.size() + 1)));
            final MulticastHistory history = generated.build();

            final var result = checker.check(history, false);

            assertThat(result.isValid()).as("seed %d:%n%s", seed, result.summary()).isTrue();
        }
    }

    @Test
    void shouldAcceptEmptyHistory()
    {
        final MulticastHistory history = threeGroups().build();

        assertThat(checker.check(history, true).isValid()).isTrue();
    }

    @Test
    void shouldNotRequireACrashedReplicaToDeliver()
    {
        final MulticastHistory.Builder b = threeGroups().crashed(2);
        multicast(b, M1, A, B);
        deliverAt(b, new int[] {0, 1, 3, 4, 5}, M1, A, B);

        assertValid(checker.check(b.build(), true));
    }

    @Test
    void shouldNotRequireDeliveryOfAMessageFromACrashedClientThatNobodyDelivered()
    {
        final MulticastHistory.Builder b = threeGroups().crashed(CLIENT);
        multicast(b, M1, A, C);

        assertValid(checker.check(b.build(), true));
    }

    // ---------------------------------------------------------------- agreement and validity

    @Test
    void shouldReportADeliveryDroppedByACorrectReplica()
    {
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, A, B);
        deliverAt(b, GROUP_A, M1, A, B);
        deliverAt(b, new int[] {3, 5}, M1, A, B);

        final var result = checker.check(b.build(), true);

        assertOnly(result, MISSING_DELIVERY);
        final MulticastAnomaly anomaly = result.anomalies().get(0);
        assertThat(anomaly.messages()).containsExactly(M1);
        assertThat(anomaly.processes()).containsExactly(4);
        assertThat(anomaly.description()).contains("100:1", "[4]");
    }

    @Test
    void shouldNotReportADroppedLastDeliveryWhenTheHistoryIsNotComplete()
    {
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, A, B);
        deliverAt(b, GROUP_A, M1, A, B);
        deliverAt(b, new int[] {3, 5}, M1, A, B);

        assertValid(checker.check(b.build(), false));
    }

    @Test
    void shouldReportADeliveryDroppedInTheMiddleOfARandomHistory()
    {
        final long seed = 7;
        final GeneratedHistory generated = GeneratedHistory.valid(seed, 3, 2, 300);
        final List<GeneratedHistory.Line> log = generated.deliveries.get(4);
        final GeneratedHistory.Line dropped = log.remove(log.size() / 2);

        final var result = checker.check(generated.build(), true);

        assertThat(result.anomalies(MISSING_DELIVERY)).as(result.summary())
            .singleElement()
            .satisfies((a) -> assertThat(a.messages()).containsExactly(dropped.id()))
            .satisfies((a) -> assertThat(a.processes()).containsExactly(4));
        assertThat(result.count(PREFIX_ORDER_VIOLATION)).as(result.summary()).isPositive();
    }

    @Test
    void shouldReportAMessageThatACorrectClientMulticastButNobodyDelivered()
    {
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, B);

        final var result = checker.check(b.build(), true);

        assertOnly(result, MISSING_DELIVERY);
        assertThat(result.anomalies().get(0).processes()).containsExactly(3, 4, 5);
    }

    @Test
    void shouldRequireEveryCorrectDestinationToDeliverWhatACrashedReplicaDelivered()
    {
        final MulticastHistory.Builder b = threeGroups().crashed(0).crashed(CLIENT);
        multicast(b, M1, A, C);
        deliverAt(b, new int[] {0}, M1, A, C);

        final var result = checker.check(b.build(), true);

        assertOnly(result, MISSING_DELIVERY);
        assertThat(result.anomalies().get(0).processes()).containsExactly(1, 2, 6, 7, 8);
    }

    // ---------------------------------------------------------------- integrity

    @Test
    void shouldReportADuplicatedDelivery()
    {
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, A);
        multicast(b, M2, A);
        deliverAt(b, GROUP_A, M1, A);
        deliverAt(b, GROUP_A, M2, A);
        deliverAt(b, new int[] {1}, M1, A);

        final var result = checker.check(b.build(), true);

        assertOnly(result, DUPLICATE_DELIVERY);
        final MulticastAnomaly anomaly = result.anomalies().get(0);
        assertThat(anomaly.messages()).containsExactly(M1);
        assertThat(anomaly.processes()).containsExactly(1);
        assertThat(anomaly.description()).contains("position 2", "position 0");
    }

    @Test
    void shouldReportADuplicatedDeliveryInARandomHistory()
    {
        final GeneratedHistory generated = GeneratedHistory.valid(11, 3, 2, 300);
        final List<GeneratedHistory.Line> log = generated.deliveries.get(6);
        log.add(log.size() / 2, log.get(log.size() / 4));

        final var result = checker.check(generated.build(), true);

        assertOnly(result, DUPLICATE_DELIVERY);
    }

    @Test
    void shouldReportADeliveryByAProcessOutsideTheDestination()
    {
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, A);
        deliverAt(b, GROUP_A, M1, A);
        deliverAt(b, new int[] {7}, M1, A);

        final var result = checker.check(b.build(), true);

        assertOnly(result, NOT_ADDRESSED);
        assertThat(result.anomalies().get(0).processes()).containsExactly(7);
        assertThat(result.anomalies().get(0).description()).contains("process 7", "100:1", "{0}");
    }

    @Test
    void shouldReportADeliveryOfAMessageNeverMulticast()
    {
        final MulticastHistory.Builder b = threeGroups();
        final MessageId forged = MessageId.of(101, 9);
        deliverAt(b, GROUP_B, forged, B);

        final var result = checker.check(b.build(), true);

        assertOnly(result, NOT_MULTICAST);
        assertThat(result.anomalies().get(0).messages()).containsExactly(forged);
        assertThat(result.anomalies().get(0).processes()).containsExactly(3, 4, 5);
    }

    @Test
    void shouldExcuseUnloggedMulticastsOfACrashedSenderWhoseLogMayHaveLostItsTail()
    {
        final MulticastHistory.Builder b = threeGroups().crashed(101);
        deliverAt(b, GROUP_B, MessageId.of(101, 9), B);

        assertValid(checker.check(b.build(), true));
    }

    @Test
    void shouldReportADestinationSetMismatch()
    {
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, A, B);
        deliverAt(b, GROUP_A, M1, A, B);
        deliverAt(b, new int[] {3, 4}, M1, A, B);
        deliverAt(b, new int[] {5}, M1, B, C);

        final var result = checker.check(b.build(), true);

        assertOnly(result, DESTINATION_MISMATCH);
        assertThat(result.anomalies().get(0).processes()).containsExactly(5);
        assertThat(result.anomalies().get(0).description()).contains("{1,2}", "{0,1}", "client 100");
    }

    // ---------------------------------------------------------------- order

    @Test
    void shouldReportTwoDeliveriesSwappedAtOneReplica()
    {
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, A, B);
        multicast(b, M2, A, B);
        deliverAt(b, new int[] {0, 2, 3, 4, 5}, M1, A, B);
        deliverAt(b, new int[] {0, 2, 3, 4, 5}, M2, A, B);
        deliverAt(b, new int[] {1}, M2, A, B);
        deliverAt(b, new int[] {1}, M1, A, B);

        final var result = checker.check(b.build(), true);

        assertThat(result.anomalies(PREFIX_ORDER_VIOLATION)).as(result.summary()).hasSize(5)
            .allSatisfy((a) -> assertThat(a.processes()).contains(1))
            .allSatisfy((a) -> assertThat(a.messages()).containsExactlyInAnyOrder(M1, M2))
            .allSatisfy((a) -> assertThat(a.description()).contains("opposite orders"));
        assertThat(result.count(MISSING_DELIVERY) + result.count(DUPLICATE_DELIVERY)).isZero();
    }

    @Test
    void shouldReportTwoDeliveriesSwappedAtOneReplicaOfARandomHistory()
    {
        final GeneratedHistory generated = GeneratedHistory.valid(23, 3, 2, 300);
        final List<GeneratedHistory.Line> log = generated.deliveries.get(4);
        Collections.swap(log, 100, 101);

        final var result = checker.check(generated.build(), true);

        assertThat(result.count(PREFIX_ORDER_VIOLATION)).as(result.summary()).isPositive();
        assertThat(result.count(CYCLE)).as(result.summary()).isEqualTo(1);
        assertThat(result.anomalies(CYCLE).get(0).messages())
            .containsExactlyInAnyOrder(log.get(100).id(), log.get(101).id());
    }

    @Test
    void shouldReportAReplicaThatSkipsAMessageItsPeerDeliveredEarlierEvenBeforeQuiescence()
    {
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, A, B);
        multicast(b, M2, B);
        deliverAt(b, new int[] {3}, M1, A, B);
        deliverAt(b, new int[] {3, 4}, M2, B);

        final var result = checker.check(b.build(), false);

        assertOnly(result, PREFIX_ORDER_VIOLATION);
        assertThat(result.anomalies().get(0).processes()).containsExactly(3, 4);
        assertThat(result.anomalies().get(0).description())
            .contains("process 4 (group 1) delivered 100:2 without delivering 100:1 before it");
    }

    @Test
    void shouldReportACrashedReplicaThatDeliveredInTheOppositeOrderOfTheOthers()
    {
        final MulticastHistory.Builder b = threeGroups().crashed(8);
        multicast(b, M1, B, C);
        multicast(b, M2, B, C);
        deliverAt(b, new int[] {3, 4, 5, 6, 7}, M1, B, C);
        deliverAt(b, new int[] {3, 4, 5, 6, 7}, M2, B, C);
        deliverAt(b, new int[] {8}, M2, B, C);
        deliverAt(b, new int[] {8}, M1, B, C);

        final var result = checker.check(b.build(), true);

        assertThat(result.anomalies(PREFIX_ORDER_VIOLATION)).as(result.summary()).hasSize(5)
            .allSatisfy((a) -> assertThat(a.processes()).contains(8))
            .allSatisfy((a) -> assertThat(a.description()).contains("opposite orders",
                "process 8 (group 2, crashed) delivered 100:2 before 100:1"));
        assertThat(result.count(CYCLE)).isEqualTo(1);
        assertThat(result.totalAnomalies()).as(result.summary()).isEqualTo(6);
    }

    @Test
    void shouldReportACrashedReplicaThatSkippedAMessageTheOthersDeliveredFirst()
    {
        final MulticastHistory.Builder b = threeGroups().crashed(8);
        multicast(b, M1, B, C);
        multicast(b, M2, B, C);
        deliverAt(b, new int[] {3, 4, 5, 6, 7}, M1, B, C);
        deliverAt(b, new int[] {3, 4, 5, 6, 7}, M2, B, C);
        deliverAt(b, new int[] {8}, M2, B, C);

        final var result = checker.check(b.build(), true);

        assertThat(result.anomalies()).as(result.summary()).hasSize(5)
            .allSatisfy((a) -> assertThat(a.type()).isEqualTo(PREFIX_ORDER_VIOLATION))
            .allSatisfy((a) -> assertThat(a.processes()).contains(8))
            .allSatisfy((a) -> assertThat(a.description()).contains("process 8 (group 2, crashed) delivered 100:2 " +
                "without delivering 100:1 before it"));
    }

    @Test
    void shouldReportAThreeGroupCycleThatPrefixOrderAloneMisses()
    {
        // Each pair of messages shares exactly one group, so no two processes have two messages in
        // common and pairwise prefix order holds; only the union of the orders has a cycle.
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, A, C);
        multicast(b, M2, A, B);
        multicast(b, M3, B, C);
        deliverAt(b, GROUP_A, M1, A, C);
        deliverAt(b, GROUP_A, M2, A, B);
        deliverAt(b, GROUP_B, M2, A, B);
        deliverAt(b, GROUP_B, M3, B, C);
        deliverAt(b, GROUP_C, M3, B, C);
        deliverAt(b, GROUP_C, M1, A, C);

        final var result = checker.check(b.build(), true);

        assertOnly(result, CYCLE);
        final MulticastAnomaly cycle = result.anomalies().get(0);
        assertThat(cycle.messages()).containsExactlyInAnyOrder(M1, M2, M3);
        assertThat(rotateToStartWith(cycle.messages(), M1)).containsExactly(M1, M2, M3);
        assertThat(cycle.description()).contains("cycle of 3 messages");
    }

    @Test
    void shouldFindACycleHiddenInALargeRandomHistory()
    {
        // Appended at the end of every member's log, so each pair of groups still agrees on the
        // order of the messages they share; only the union of the orders has the cycle x < y < z < x.
        final GeneratedHistory generated = GeneratedHistory.valid(5, 3, 2, 2000);
        final MessageId x = MessageId.of(200, 1);
        final MessageId y = MessageId.of(200, 2);
        final MessageId z = MessageId.of(200, 3);
        final GeneratedHistory.Line toAC = new GeneratedHistory.Line(x, new int[] {A, C});
        final GeneratedHistory.Line toAB = new GeneratedHistory.Line(y, new int[] {A, B});
        final GeneratedHistory.Line toBC = new GeneratedHistory.Line(z, new int[] {B, C});
        generated.multicasts.put(200, new ArrayList<>(List.of(toAC, toAB, toBC)));
        appendAtEveryMember(generated, GROUP_A, toAC, toAB);
        appendAtEveryMember(generated, GROUP_B, toAB, toBC);
        appendAtEveryMember(generated, GROUP_C, toBC, toAC);

        final var result = checker.check(generated.build(), true);

        assertOnly(result, CYCLE);
        assertThat(rotateToStartWith(result.anomalies().get(0).messages(), x)).containsExactly(x, y, z);
    }

    // ---------------------------------------------------------------- report

    @Test
    void shouldPrintAReadableSummaryCappedAtTwentyAnomalies()
    {
        final MulticastHistory.Builder b = threeGroups();
        multicast(b, M1, A);
        for (int i = 0; i < 31; i++)
        {
            b.recordDelivery(0, M1, A);
        }
        deliverAt(b, new int[] {1, 2}, M1, A);

        final var result = checker.check(b.build(), true);
        final String summary = result.summary();

        assertThat(result.count(DUPLICATE_DELIVERY)).isEqualTo(30);
        assertThat(summary)
            .contains("INVALID", "1 messages", "33 deliveries", "9 server processes", "DUPLICATE_DELIVERY: 30",
                "showing 20 of 30 anomalies")
            .doesNotContain("again at position 21 ");
        assertThat(summary.lines().filter((l) -> l.contains("[DUPLICATE_DELIVERY]"))).hasSize(20);
    }

    @Test
    void shouldSayValidAndNameTheCheckedPropertiesInTheSummary()
    {
        final GeneratedHistory generated = GeneratedHistory.valid(3, 3, 2, 10);

        assertThat(checker.check(generated.build(), false).summary())
            .contains("VALID", "not declared complete", "no anomalies");
    }

    @Test
    @Timeout(60)
    void shouldCheckA300kDeliveryHistoryOverFifteenProcesses()
    {
        // 5 groups: a random non-empty subset has 80/31 groups on average, so ~7.7 deliveries per message.
        final GeneratedHistory generated = GeneratedHistory.valid(42, 5, 4, 45_000);
        final Random random = new Random(42);
        generated.crashRandomReplicaMidway(random);
        final MulticastHistory history = generated.build();
        assertThat(history.deliveryCount()).isGreaterThanOrEqualTo(300_000);

        final var result = checker.check(history, true);

        assertThat(result.isValid()).as(result.summary()).isTrue();
        assertThat(result.stats().serverCount()).isEqualTo(15);
    }

    // ---------------------------------------------------------------- helpers

    private static MulticastHistory.Builder threeGroups()
    {
        return MulticastHistory.builder().group(A, GROUP_A).group(B, GROUP_B).group(C, GROUP_C);
    }

    private static void multicast(final MulticastHistory.Builder b, final MessageId id, final int... dst)
    {
        b.recordMulticast(CLIENT, id, dst);
    }

    /** Each listed process delivers the message next. */
    private static void deliverAt(
        final MulticastHistory.Builder b, final int[] processes, final MessageId id, final int... dst)
    {
        for (final int pid : processes)
        {
            b.recordDelivery(pid, id, dst);
        }
    }

    private static void appendAtEveryMember(
        final GeneratedHistory generated, final int[] members, final GeneratedHistory.Line... lines)
    {
        for (final int pid : members)
        {
            generated.deliveries.get(pid).addAll(List.of(lines));
        }
    }

    private static List<MessageId> rotateToStartWith(final List<MessageId> cycle, final MessageId start)
    {
        final List<MessageId> rotated = new ArrayList<>(cycle);
        Collections.rotate(rotated, -rotated.indexOf(start));
        return rotated;
    }

    private static void assertValid(final CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> result)
    {
        assertThat(result.isValid()).as(result.summary()).isTrue();
    }

    /** Exactly one anomaly, of the given type. */
    private static void assertOnly(final CheckResult<MulticastAnomalyType, MulticastAnomaly, MulticastHistoryStats> result, final MulticastAnomalyType type)
    {
        assertThat(result.anomalies()).as(result.summary()).hasSize(1);
        assertThat(result.anomalies().get(0).type()).as(result.summary()).isEqualTo(type);
        assertThat(result.totalAnomalies()).isEqualTo(1);
    }
}
