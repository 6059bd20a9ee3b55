package io.ramcast.bench.faults;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CutRulesTest
{
    private final CutRules rules = new CutRules(40_000, 40_002, Map.of(2, 61_002, 0, 61_000, 1, 61_001), 0);

    @Test
    void shouldGiveReplicasBitsInIdOrderAndTheClientsTheNext()
    {
        assertThat(rules.markBit(0)).isEqualTo(0x1);
        assertThat(rules.markBit(1)).isEqualTo(0x2);
        assertThat(rules.markBit(2)).isEqualTo(0x4);
        assertThat(rules.markBit(LinkCutter.CLIENTS)).isEqualTo(0x8);
        assertThat(rules.endpoints()).containsExactly(LinkCutter.CLIENTS, 0, 1, 2);
    }

    @Test
    void shouldMarkReplicaConnectionsEitherWayAndClientConnectionsTowardsTheClusterOnly()
    {
        assertThat(rules.markRules()).containsExactly(
            List.of("-o", "lo", "-p", "tcp", "-m", "multiport", "--dports", "40000:40002",
                "-m", "owner", "--uid-owner", "0", "-j", "CONNMARK", "--set-xmark", "0x8/0x8"),
            List.of("-o", "lo", "-p", "tcp", "-m", "multiport", "--ports", "40000:40002",
                "-m", "owner", "--uid-owner", "61000", "-j", "CONNMARK", "--set-xmark", "0x1/0x1"),
            List.of("-o", "lo", "-p", "tcp", "-m", "multiport", "--ports", "40000:40002",
                "-m", "owner", "--uid-owner", "61001", "-j", "CONNMARK", "--set-xmark", "0x2/0x2"),
            List.of("-o", "lo", "-p", "tcp", "-m", "multiport", "--ports", "40000:40002",
                "-m", "owner", "--uid-owner", "61002", "-j", "CONNMARK", "--set-xmark", "0x4/0x4"));
    }

    @Test
    void shouldDropBothWaysWithOneRuleThatMatchesAnySender()
    {
        assertThat(rules.dropRules(Set.of(new CutRules.Link(0, 2), new CutRules.Link(2, 0)))).containsExactly(
            List.of("-o", "lo", "-p", "tcp", "-m", "multiport", "--ports", "40000:40002",
                "-m", "connmark", "--mark", "0x5/0x5", "-j", "DROP"));
    }

    @Test
    void shouldDropOneWayByTheSendersUid()
    {
        assertThat(rules.dropRules(Set.of(new CutRules.Link(1, LinkCutter.CLIENTS)))).containsExactly(
            List.of("-o", "lo", "-p", "tcp", "-m", "multiport", "--ports", "40000:40002",
                "-m", "connmark", "--mark", "0xa/0xa", "-m", "owner", "--uid-owner", "61001", "-j", "DROP"));
        assertThat(rules.dropRules(Set.of(new CutRules.Link(LinkCutter.CLIENTS, 1)))).containsExactly(
            List.of("-o", "lo", "-p", "tcp", "-m", "multiport", "--ports", "40000:40002",
                "-m", "connmark", "--mark", "0xa/0xa", "-m", "owner", "--uid-owner", "0", "-j", "DROP"));
    }

    @Test
    void shouldWriteASinglePortWithoutARange()
    {
        final CutRules single = new CutRules(40_000, 40_000, Map.of(0, 61_000), 61_009);
        assertThat(single.markRules().get(1)).contains("40000").doesNotContain("40000:40000");
    }

    @Test
    void shouldRefuseUidsThatCannotTellEndpointsApart()
    {
        assertThatThrownBy(() -> new CutRules(40_000, 40_002, Map.of(0, 61_000, 1, 61_000), 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uid 61000");
        assertThatThrownBy(() -> new CutRules(40_000, 40_002, Map.of(0, 61_000), 61_000))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uid of their own");
        assertThatThrownBy(() -> new CutRules(40_000, 40_002, Map.of(0, 0), 61_000))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root");
    }

    @Test
    void shouldRefuseBadPortRangesAndUnknownEndpoints()
    {
        assertThatThrownBy(() -> new CutRules(40_002, 40_000, Map.of(0, 61_000), 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("40002:40000");
        assertThatThrownBy(() -> new CutRules(0, 40_000, Map.of(0, 61_000), 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rules.markBit(7)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("endpoint 7");
        assertThatThrownBy(() -> rules.dropRules(Set.of(new CutRules.Link(1, 1))))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
