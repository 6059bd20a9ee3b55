package io.ramcast.multicast;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupTopologyTest
{
    @Test
    void shouldNumberUniformTopologyGroupByGroup()
    {
        final GroupTopology t = GroupTopology.uniform(3, 3, 2);

        assertThat(t.groupCount()).isEqualTo(3);
        assertThat(t.members(1)).containsExactly(3, 4, 5);
        assertThat(t.clients()).containsExactly(9, 10);
        assertThat(t.groupOf(4)).isEqualTo(1);
        assertThat(t.memberIndexOf(5)).isEqualTo(2);
        assertThat(t.serverOrdinalOf(8)).isEqualTo(8);
        assertThat(t.clientOrdinalOf(10)).isEqualTo(1);
        assertThat(t.quorum(0)).isEqualTo(2);
        assertThat(t.isServer(9)).isFalse();
        assertThat(t.isClient(9)).isTrue();
        assertThat(t.groupOf(99)).isEqualTo(-1);
    }

    @Test
    void shouldRefuseEvenOrEmptyGroups()
    {
        assertThatThrownBy(() -> new GroupTopology(new int[][] {{0, 1}}, new int[] {5}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("odd number");
        assertThatThrownBy(() -> new GroupTopology(new int[][] {{}}, new int[] {5}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group 0 has 0 members");
    }

    @Test
    void shouldRefuseProcessInTwoGroupsOrClientReusingServerId()
    {
        assertThatThrownBy(() -> new GroupTopology(new int[][] {{0, 1, 2}, {2, 3, 4}}, new int[] {5}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("process 2 appears twice");
        assertThatThrownBy(() -> new GroupTopology(new int[][] {{0, 1, 2}}, new int[] {1}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client 1 reuses");
    }

    @Test
    void shouldRefuseIdsOutsideSixteenBits()
    {
        assertThatThrownBy(() -> new GroupTopology(new int[][] {{70000}}, new int[] {1}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
    }

    @Test
    void shouldPackMessageIdsAndBallots()
    {
        final long id = MessageIds.of(65535, MessageIds.MAX_SEQUENCE);
        assertThat(MessageIds.sender(id)).isEqualTo(65535);
        assertThat(MessageIds.sequence(id)).isEqualTo(MessageIds.MAX_SEQUENCE);
        assertThat(MessageIds.toString(MessageIds.of(12, 7))).isEqualTo("12:7");

        final long b = Ballots.of(3, 4);
        assertThat(Ballots.round(b)).isEqualTo(3);
        assertThat(Ballots.leader(b)).isEqualTo(4);
        assertThat(Ballots.of(2, 9)).isLessThan(Ballots.of(3, 0));
    }
}
