package io.ramcast.multicast.fabric.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;

import io.ramcast.multicast.fabric.RemoteRegion.Status;
import io.ramcast.multicast.fabric.WriteResult;
import org.junit.jupiter.api.Test;

class WriteResultsTest
{
    @Test
    void shouldTellTheWriterWhyAHandleThatIsNotReadyRefusedTheWrite()
    {
        final Map<Status, WriteResult> refusals = new EnumMap<>(Status.class);
        for (final Status status : Status.values())
        {
            if (Status.READY != status)
            {
                refusals.put(status, WriteResults.refusal(status));
            }
        }

        assertThat(refusals).containsExactlyInAnyOrderEntriesOf(Map.of(
            Status.CONNECTING, WriteResult.NOT_CONNECTED,
            Status.PEER_DOWN, WriteResult.PEER_DOWN,
            Status.FAILED, WriteResult.REJECTED));
    }

    @Test
    void shouldRefuseToInventARefusalForAReadyHandle()
    {
        assertThatThrownBy(() -> WriteResults.refusal(Status.READY)).isInstanceOf(IllegalArgumentException.class);
    }
}
