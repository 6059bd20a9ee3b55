package io.ramcast.bench.faults;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fault schedule syntax and the rule that a schedule never takes down a majority of a group. */
class FaultScheduleTest
{
    private static final int[] THREE_BY_THREE = {3, 3, 3};

    @Test
    void shouldParseTheDefaultScheduleInOrder()
    {
        final FaultSchedule schedule = FaultSchedule.parse(FaultSchedule.DEFAULT);

        assertThat(schedule.steps()).containsExactly(
            new FaultSchedule.Step(FaultSchedule.Kind.KILL_LEADER, 0),
            new FaultSchedule.Step(FaultSchedule.Kind.KILL_FOLLOWER, 1),
            new FaultSchedule.Step(FaultSchedule.Kind.KILL_CLIENT, 0),
            new FaultSchedule.Step(FaultSchedule.Kind.PAUSE_LEADER, 2));
        assertThat(schedule).hasToString(FaultSchedule.DEFAULT);
        schedule.validate(THREE_BY_THREE, 2);
    }

    @Test
    void shouldReadAMissingGroupAsGroupZeroAndAnEmptyScheduleAsNoFaults()
    {
        assertThat(FaultSchedule.parse(" kill-leader ").steps())
            .containsExactly(new FaultSchedule.Step(FaultSchedule.Kind.KILL_LEADER, 0));
        assertThat(FaultSchedule.parse("").steps()).isEmpty();
    }

    @Test
    void shouldRejectUnknownStepsAndMalformedGroups()
    {
        assertThatThrownBy(() -> FaultSchedule.parse("kill-leader:0,reboot"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step 'reboot'");
        assertThatThrownBy(() -> FaultSchedule.parse("kill-leader:x"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group 'x' is not a number");
        assertThatThrownBy(() -> FaultSchedule.parse("kill-client:1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes no group");
    }

    @Test
    void shouldRefuseToTakeDownMoreThanAMinorityOfAGroup()
    {
        assertThatThrownBy(() -> FaultSchedule.parse("kill-leader:0,kill-follower:0").validate(THREE_BY_THREE, 2))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("step kill-follower:0 would take down 2 of the 3 replicas of group 0");
        assertThatThrownBy(() -> FaultSchedule.parse("kill-follower:1,pause-leader:1").validate(THREE_BY_THREE, 2))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group 1");
        FaultSchedule.parse("kill-leader:0,kill-follower:0").validate(new int[] {5}, 2);
    }

    @Test
    void shouldRefuseToKillTheLastClientOrTargetAMissingGroup()
    {
        assertThatThrownBy(() -> FaultSchedule.parse("kill-client").validate(THREE_BY_THREE, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("last of the 1 bank clients");
        assertThatThrownBy(() -> FaultSchedule.parse("pause-leader:3").validate(THREE_BY_THREE, 2))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groups 0..2");
    }

    /**
     * A rolling restart of every group, or of one: it names the group it was given and restarts as
     * many replicas as that scope holds; a group the cluster lacks is refused, and so is a rolling
     * restart of a group that already lost its minority.
     */
    @Test
    void shouldParseRollingRestartsOfTheWholeClusterOrOfOneGroup()
    {
        final FaultSchedule schedule = FaultSchedule.parse("rolling-restart,rolling-restart:1");
        assertThat(schedule.steps()).containsExactly(
            new FaultSchedule.Step(FaultSchedule.Kind.ROLLING_RESTART, FaultSchedule.ALL_GROUPS),
            new FaultSchedule.Step(FaultSchedule.Kind.ROLLING_RESTART, 1));
        assertThat(schedule).hasToString("rolling-restart,rolling-restart:1");
        assertThat(schedule.rollingRestartReplicas(new int[] {3, 5, 3})).isEqualTo(11 + 5);
        schedule.validate(THREE_BY_THREE, 2);

        assertThatThrownBy(() -> FaultSchedule.parse("rolling-restart:3").validate(THREE_BY_THREE, 2))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groups 0..2");
        assertThatThrownBy(() -> FaultSchedule.parse("rolling-restart:x"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group 'x' is not a number");
        assertThatThrownBy(() -> FaultSchedule.parse("kill-follower:2,rolling-restart:2").validate(THREE_BY_THREE, 2))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("step rolling-restart:2 would take down 2 of the 3 replicas of group 2");
        FaultSchedule.parse("kill-follower:2,rolling-restart:1").validate(THREE_BY_THREE, 2);
    }

    @Test
    void shouldParseTheIsolationAndRestartSteps()
    {
        final FaultSchedule schedule = FaultSchedule.parse(
            "isolate:2:10, isolate-one-way:0:5,isolate-from-clients:3:1,restart-all");

        assertThat(schedule.steps()).containsExactly(
            new FaultSchedule.Step(FaultSchedule.Kind.ISOLATE, 0, 2, Duration.ofSeconds(10)),
            new FaultSchedule.Step(FaultSchedule.Kind.ISOLATE_ONE_WAY, 0, 0, Duration.ofSeconds(5)),
            new FaultSchedule.Step(FaultSchedule.Kind.ISOLATE_FROM_CLIENTS, 0, 3, Duration.ofSeconds(1)),
            new FaultSchedule.Step(FaultSchedule.Kind.RESTART_ALL, 0));
        assertThat(schedule).hasToString("isolate:2:10,isolate-one-way:0:5,isolate-from-clients:3:1,restart-all");
        assertThat(schedule.needsLinkCutter()).isTrue();
        assertThat(schedule.isolatedReplicaIds()).containsExactly(0, 2, 3);
        assertThat(schedule.isolationTime()).isEqualTo(Duration.ofSeconds(16));
        assertThat(schedule.restarts()).isEqualTo(1);
        schedule.validate(THREE_BY_THREE, 2);
        assertThat(FaultSchedule.parse("restart-all,kill-leader:1").needsLinkCutter()).isFalse();
    }

    @Test
    void shouldRejectMalformedIsolationAndRestartSteps()
    {
        assertThatThrownBy(() -> FaultSchedule.parse("isolate:2"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'isolate:2': isolate needs a replica and a duration: isolate:N:SECONDS " +
                "(N: a replica id, leader-G or follower-G)");
        assertThatThrownBy(() -> FaultSchedule.parse("isolate-one-way"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'isolate-one-way': isolate-one-way needs a replica and a duration: " +
                "isolate-one-way:N:SECONDS (N: a replica id, leader-G or follower-G)");
        assertThatThrownBy(() -> FaultSchedule.parse("isolate:2:10:4"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a replica and a duration");
        assertThatThrownBy(() -> FaultSchedule.parse("isolate-from-clients:x:10"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'isolate-from-clients:x:10': replica 'x' is not a number, leader-G or follower-G");
        assertThatThrownBy(() -> FaultSchedule.parse("isolate:2:1.5"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'isolate:2:1.5': seconds '1.5' is not a whole number");
        assertThatThrownBy(() -> FaultSchedule.parse("isolate:2:0"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'isolate:2:0': seconds must be in 1..3600, got 0");
        assertThatThrownBy(() -> FaultSchedule.parse("restart-all:1"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'restart-all:1': restart-all takes no argument");
        assertThatThrownBy(() -> FaultSchedule.parse("isolate-both:1:2"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("isolate:N:SECONDS")
            .hasMessageContaining("restart-all");
    }

    @Test
    void shouldRefuseIsolatingAMissingReplicaOrAMajorityOfAGroup()
    {
        final Map<Integer, Integer> groupByReplicaId = Map.of(10, 0, 11, 0, 12, 0);

        assertThatThrownBy(() -> FaultSchedule.parse("isolate:9:5").validate(new int[] {3}, groupByReplicaId, 2))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step isolate:9:5: the cluster has no replica 9 (replicas [10, 11, 12])");
        assertThatThrownBy(() -> FaultSchedule.parse("kill-follower:0,isolate-one-way:11:5")
                .validate(new int[] {3}, groupByReplicaId, 2))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step isolate-one-way:11:5 would take down 2 of the 3 replicas of group 0, more than the " +
                "minority (1) it survives");
        assertThatThrownBy(() -> FaultSchedule.parse("kill-leader:1,isolate:4:5").validate(THREE_BY_THREE, 2))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replicas of group 1");
        // cuts heal before the next step: one replica of a group down at a time
        FaultSchedule.parse("isolate:10:5,isolate-one-way:11:5,restart-all,isolate-from-clients:12:2,kill-leader:0")
            .validate(new int[] {3}, groupByReplicaId, 2);
        assertThat(FaultSchedule.parse("isolate:10:5,isolate:10:5").isolatedReplicaIds()).isEqualTo(Set.of(10));
    }

    @Test
    void shouldParseFlapsKillAllAndIsolationsOfALeaderOrFollowerChosenAtRunTime()
    {
        final FaultSchedule schedule = FaultSchedule.parse(
            "isolate:leader-0:3,isolate-one-way:leader-1:4,isolate-from-clients:leader-2:5,isolate:follower-2:2," +
                "flap:5:4,flap:follower-1:6:500ms,flap:leader-0:4:2,kill-all,restart-all");

        assertThat(schedule.steps()).containsExactly(
            new FaultSchedule.Step(FaultSchedule.Kind.ISOLATE, 0, -1, Duration.ofSeconds(3), FaultSchedule.Target.LEADER,
                Duration.ZERO),
            new FaultSchedule.Step(FaultSchedule.Kind.ISOLATE_ONE_WAY, 1, -1, Duration.ofSeconds(4),
                FaultSchedule.Target.LEADER, Duration.ZERO),
            new FaultSchedule.Step(FaultSchedule.Kind.ISOLATE_FROM_CLIENTS, 2, -1, Duration.ofSeconds(5),
                FaultSchedule.Target.LEADER, Duration.ZERO),
            new FaultSchedule.Step(FaultSchedule.Kind.ISOLATE, 2, -1, Duration.ofSeconds(2), FaultSchedule.Target.FOLLOWER,
                Duration.ZERO),
            new FaultSchedule.Step(FaultSchedule.Kind.FLAP, 0, 5, Duration.ofSeconds(4)),
            new FaultSchedule.Step(FaultSchedule.Kind.FLAP, 1, -1, Duration.ofSeconds(6), FaultSchedule.Target.FOLLOWER,
                Duration.ofMillis(500)),
            new FaultSchedule.Step(FaultSchedule.Kind.FLAP, 0, -1, Duration.ofSeconds(4), FaultSchedule.Target.LEADER,
                Duration.ofSeconds(2)),
            new FaultSchedule.Step(FaultSchedule.Kind.KILL_ALL, 0),
            new FaultSchedule.Step(FaultSchedule.Kind.RESTART_ALL, 0));
        assertThat(schedule).hasToString("isolate:leader-0:3,isolate-one-way:leader-1:4,isolate-from-clients:leader-2:5," +
            "isolate:follower-2:2,flap:5:4,flap:follower-1:6:500ms,flap:leader-0:4:2,kill-all,restart-all");
        assertThat(schedule.steps().get(4).period()).isEqualTo(FaultSchedule.DEFAULT_FLAP_PERIOD);
        assertThat(schedule.needsLinkCutter()).isTrue();
        assertThat(schedule.isolatedReplicaIds()).as("only the ones named by id").containsExactly(5);
        assertThat(schedule.isolationTime()).isEqualTo(Duration.ofSeconds(28));
        assertThat(schedule.restarts()).isEqualTo(2);
        assertThat(schedule.cuts()).as("4 isolations, flaps of 2, 6 and 1 cuts").isEqualTo(13);
        schedule.validate(THREE_BY_THREE, 2);
        assertThat(FaultSchedule.parse("kill-all").needsLinkCutter()).isFalse();
    }

    @Test
    void shouldParseReplicaRestartsThatNeedNoLinkCutterAndCountAsDownWhileTheyLast()
    {
        final FaultSchedule schedule = FaultSchedule.parse("restart-replica:follower-1:4,restart-replica:leader-2,restart-replica:5:2");

        assertThat(schedule.steps()).containsExactly(
            new FaultSchedule.Step(FaultSchedule.Kind.RESTART_REPLICA, 1, -1, Duration.ofSeconds(4), FaultSchedule.Target.FOLLOWER,
                Duration.ZERO),
            new FaultSchedule.Step(FaultSchedule.Kind.RESTART_REPLICA, 2, -1, Duration.ofSeconds(3), FaultSchedule.Target.LEADER,
                Duration.ZERO),
            new FaultSchedule.Step(FaultSchedule.Kind.RESTART_REPLICA, 0, 5, Duration.ofSeconds(2)));
        assertThat(schedule).hasToString("restart-replica:follower-1:4,restart-replica:leader-2:3,restart-replica:5:2");
        assertThat(schedule.needsLinkCutter()).isFalse();
        assertThat(schedule.isolationTime()).as("the downtime is planned into the clients' run").isEqualTo(Duration.ofSeconds(9));
        assertThat(schedule.replicaRestarts()).isEqualTo(3);
        schedule.validate(THREE_BY_THREE, 2);
        assertThatThrownBy(() -> FaultSchedule.parse("kill-follower:1,restart-replica:leader-1:3").validate(THREE_BY_THREE, 2))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than the minority");
        assertThatThrownBy(() -> FaultSchedule.parse("restart-replica"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("restart-replica needs a replica");
    }

    @Test
    void shouldRejectMalformedFlapsAndRoleTargets()
    {
        assertThatThrownBy(() -> FaultSchedule.parse("flap:2"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'flap:2': flap needs a replica and a duration: flap:N:SECONDS[:PERIOD] " +
                "(N: a replica id, leader-G or follower-G)");
        assertThatThrownBy(() -> FaultSchedule.parse("flap:2:4:1:1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a replica and a duration");
        assertThatThrownBy(() -> FaultSchedule.parse("flap:2:4:5"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'flap:2:4:5': the period must be in 100ms..4s (the flap's length), got 5");
        assertThatThrownBy(() -> FaultSchedule.parse("flap:2:4:10ms"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 10ms");
        assertThatThrownBy(() -> FaultSchedule.parse("flap:2:4:fast"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'flap:2:4:fast': period 'fast' is not a duration (whole seconds, or e.g. 500ms or 2s)");
        assertThatThrownBy(() -> FaultSchedule.parse("isolate:leader-x:3"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step 'isolate:leader-x:3': replica 'leader-x' is not a number, leader-G or follower-G");
        assertThatThrownBy(() -> FaultSchedule.parse("kill-all:1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("step 'kill-all:1': kill-all takes no argument");
        assertThatThrownBy(() -> FaultSchedule.parse("isolate:leader-3:3").validate(THREE_BY_THREE, 2))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("step isolate:leader-3:3: the cluster has groups 0..2");
        assertThatThrownBy(() -> FaultSchedule.parse("kill-follower:1,flap:leader-1:3").validate(THREE_BY_THREE, 2))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("would take down 2 of the 3 replicas of group 1");
    }
}
