package io.ramcast.multicast.fabric.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import io.ramcast.multicast.fabric.FabricListener;
import org.junit.jupiter.api.Test;

class FabricEventQueueTest
{
    private final FabricEventQueue queue = new FabricEventQueue();
    private final List<String> heard = new ArrayList<>();
    private final FabricListener recorder = new FabricListener()
    {
        @Override
        public void onPeerDown(final int peerId)
        {
            heard.add("down " + peerId);
        }

        @Override
        public void onWriteRejected(final int peerId, final int regionId)
        {
            heard.add("rejected " + peerId + "/" + regionId);
        }
    };

    @Test
    void shouldReportEventsOnlyOnDispatchAndInDetectionOrder()
    {
        queue.listener(recorder);
        queue.writeRejected(2, 5);
        queue.peerDown(3);
        queue.writeRejected(3, 1);

        assertThat(heard).isEmpty();
        assertThat(queue.dispatch()).isEqualTo(3);
        assertThat(heard).containsExactly("rejected 2/5", "down 3", "rejected 3/1");
        assertThat(queue.dispatch()).isZero();
        assertThat(heard).hasSize(3);
    }

    @Test
    void shouldLeaveEventsTheListenerCausesForTheNextDispatch()
    {
        queue.listener(new FabricListener()
        {
            @Override
            public void onPeerDown(final int peerId)
            {
                heard.add("down " + peerId);
                queue.writeRejected(peerId, 9);
            }

            @Override
            public void onWriteRejected(final int peerId, final int regionId)
            {
                heard.add("rejected " + peerId + "/" + regionId);
            }
        });
        queue.peerDown(4);

        assertThat(queue.dispatch()).isEqualTo(1);
        assertThat(heard).containsExactly("down 4");
        assertThat(queue.dispatch()).isEqualTo(1);
        assertThat(heard).containsExactly("down 4", "rejected 4/9");
    }

    @Test
    void shouldCountButDropEventsDispatchedBeforeAListenerIsSet()
    {
        queue.peerDown(1);

        assertThat(queue.dispatch()).isEqualTo(1);
        queue.listener(recorder);
        assertThat(queue.dispatch()).isZero();
        assertThat(heard).isEmpty();
    }

    @Test
    void shouldRefuseANullListener()
    {
        assertThatThrownBy(() -> queue.listener(null)).isInstanceOf(NullPointerException.class);
    }
}
