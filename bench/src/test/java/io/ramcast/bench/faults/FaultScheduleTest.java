package io.ramcast.bench.faults;

import org.junit.jupiter.api.Test;

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
}
