package io.ramcast.multicast.fabric.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.ramcast.multicast.fabric.spi.FabricLifecycle.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FabricLifecycleTest
{
    private final FabricLifecycle lifecycle = new FabricLifecycle("process 3");

    @Test
    void shouldAllowExactlyStartFromNewAndCloseFromNewOrStarted()
    {
        final Set<String> allowed = Set.of("NEW->STARTED", "NEW->CLOSED", "STARTED->CLOSED");
        for (final State from : State.values())
        {
            for (final State to : State.values())
            {
                assertThat(FabricLifecycle.isAllowed(from, to)).as(from + "->" + to)
                    .isEqualTo(allowed.contains(from + "->" + to));
            }
        }
    }

    @Test
    void shouldGoThroughNewStartedClosed()
    {
        assertThat(lifecycle.state()).isEqualTo(State.NEW);
        lifecycle.transition(State.STARTED);
        assertThat(lifecycle.state()).isEqualTo(State.STARTED);
        lifecycle.transition(State.CLOSED);
        assertThat(lifecycle.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void shouldThrowOnAnIllegalMoveAndKeepTheState()
    {
        lifecycle.transition(State.STARTED);

        assertThatThrownBy(() -> lifecycle.transition(State.STARTED))
            .isInstanceOf(IllegalStateException.class).hasMessage("process 3: STARTED -> STARTED not allowed");
        assertThatThrownBy(() -> lifecycle.transition(State.NEW)).isInstanceOf(IllegalStateException.class);
        assertThat(lifecycle.state()).isEqualTo(State.STARTED);

        lifecycle.transition(State.CLOSED);
        assertThatThrownBy(() -> lifecycle.transition(State.STARTED))
            .isInstanceOf(IllegalStateException.class).hasMessage("process 3: CLOSED -> STARTED not allowed");
        assertThat(lifecycle.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void shouldCloseOnceFromAnyStateAndReportLaterClosesAsNoOps()
    {
        assertThat(lifecycle.closeOnce()).isTrue();
        assertThat(lifecycle.state()).isEqualTo(State.CLOSED);
        assertThat(lifecycle.closeOnce()).isFalse();

        final FabricLifecycle started = new FabricLifecycle("process 4");
        started.transition(State.STARTED);
        assertThat(started.closeOnce()).isTrue();
        assertThat(started.closeOnce()).isFalse();
    }

    @Test
    void shouldGuardOperationsByState()
    {
        assertThatCode(() -> lifecycle.ensureNew("register")).doesNotThrowAnyException();
        lifecycle.transition(State.STARTED);
        assertThatThrownBy(() -> lifecycle.ensureNew("register"))
            .isInstanceOf(IllegalStateException.class).hasMessage("register: process 3 is STARTED, not NEW");
        assertThatCode(() -> lifecycle.ensureNotClosed("remote")).doesNotThrowAnyException();
        lifecycle.transition(State.CLOSED);
        assertThatThrownBy(() -> lifecycle.ensureNotClosed("remote"))
            .isInstanceOf(IllegalStateException.class).hasMessage("remote: process 3 is closed");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldLetExactlyOneOfConcurrentClosersClose() throws Exception
    {
        final int closers = 4;
        for (int round = 0; round < 50; round++)
        {
            final FabricLifecycle contested = new FabricLifecycle("process " + round);
            contested.transition(State.STARTED);
            final CountDownLatch go = new CountDownLatch(1);
            final ExecutorService executor = Executors.newFixedThreadPool(closers);
            try
            {
                final List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < closers; i++)
                {
                    results.add(executor.submit(() ->
                    {
                        go.await();
                        return contested.closeOnce();
                    }));
                }
                go.countDown();
                int closedCount = 0;
                for (final Future<Boolean> result : results)
                {
                    closedCount += result.get(10, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(closedCount).as("round %d", round).isEqualTo(1);
            }
            finally
            {
                executor.shutdownNow();
            }
        }
    }
}
