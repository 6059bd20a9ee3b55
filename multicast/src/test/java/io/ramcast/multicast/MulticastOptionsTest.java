package io.ramcast.multicast;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MulticastOptionsTest
{
    @Test
    void shouldNameFieldValueAndRuleWhenInvalid()
    {
        assertThatThrownBy(() -> MulticastOptions.builder().ringSlots(48).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessage("ringSlots=48 must be a power of two");
        assertThatThrownBy(() -> MulticastOptions.builder().slotSizeBytes(100).build())
            .hasMessage("slotSizeBytes=100 must be in [128, 16777216]");
        assertThatThrownBy(() -> MulticastOptions.builder().slotSizeBytes(1004).build())
            .hasMessage("slotSizeBytes=1004 must be a multiple of 8");
        assertThatThrownBy(() -> MulticastOptions.builder().clientWindow(0).build())
            .hasMessage("clientWindow=0 must be in [1, 65536]");
    }

    @Test
    void shouldLeaveRoomForOneKibibytePayloadToEightGroupsByDefault()
    {
        final MulticastOptions o = MulticastOptions.defaults();
        assertThat(o.maxPayloadBytes(8)).isGreaterThanOrEqualTo(1024);
        assertThat(o.maxPayloadBytes(1)).isEqualTo(1280 - 24 - 16 - 16);
    }

    @Test
    void shouldRefuseBadMulticastArgumentsBeforeSendingAnything()
    {
        final GroupTopology t = GroupTopology.uniform(3, 3, 1);
        final MulticastOptions o = MulticastOptions.defaults();

        assertThatThrownBy(() -> ClientProtocol.validate(t, o, new byte[1], new int[0]))
            .hasMessage("a multicast needs at least one destination group");
        assertThatThrownBy(() -> ClientProtocol.validate(t, o, new byte[1], new int[] {0, 3}))
            .hasMessage("unknown destination group 3; groups are 0..2");
        assertThatThrownBy(() -> ClientProtocol.validate(t, o, new byte[1], new int[] {-1}))
            .hasMessageContaining("unknown destination group -1");
        assertThatThrownBy(() -> ClientProtocol.validate(t, o, new byte[1], new int[] {2, 1, 2}))
            .hasMessage("destination group 2 given twice");
        assertThatThrownBy(() -> ClientProtocol.validate(t, o, new byte[o.maxPayloadBytes(2) + 1], new int[] {0, 1}))
            .hasMessageContaining("exceeds the limit of " + o.maxPayloadBytes(2) + " bytes for 2 destination group(s)");
        assertThat(ClientProtocol.validate(t, o, new byte[o.maxPayloadBytes(2)], new int[] {2, 0})).containsExactly(0, 2);
    }
}
