package io.ramcast.multicast.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ramcast.multicast.Await;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TcpFabric#awaitActivity}: an idle agent waits in the selector, and the wait ends on every
 * event the agent must act on — bytes arriving, a {@link TcpFabric#wakeup() wake-up} from another
 * thread (before or during the wait), and writability while output is queued. Each wait here is
 * far longer than the test's deadline, so a wait that missed its event fails the test instead of
 * merely slowing it down.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpFabricAwaitTest
{
    /** Longer than every deadline below: a wait that does not end on its event is a failure. */
    private static final long LONG_WAIT_NS = TimeUnit.SECONDS.toNanos(40);
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final int OWNER_ID = 1;
    private static final int WRITER_ID = 100;
    private static final int REGION_ID = 3;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void shouldEndTheWaitWhenBytesArrive() throws Exception
    {
        final InetSocketAddress address = TcpFabricContractTest.freeLoopbackAddress();
        final TcpFabric owner = track(new TcpFabric(OWNER_ID, Map.of(OWNER_ID, address), TcpFabricContractTest.OPTIONS));
        final LocalRegion region = owner.register(REGION_ID, 64, true);
        owner.start();

        final Thread sender = new Thread(() ->
        {
            try (Socket socket = new Socket())
            {
                socket.connect(address, 5_000);
                Thread.sleep(200); // the owner is waiting by now
                final OutputStream out = socket.getOutputStream();
                out.write(TcpFabricTest.hello(WRITER_ID));
                out.write(TcpFabricTest.write(REGION_ID, 8, 42L));
                out.flush();
                Thread.sleep(DEADLINE.toMillis() + 5_000); // keep the connection until the owner read it
            }
            catch (final Exception ex)
            {
                // the test's assertion reports what did not arrive
            }
        }, "raw-sender");
        sender.setDaemon(true);
        sender.start();

        final long startNs = System.nanoTime();
        while (region.buffer().getLongVolatile(8) != 42L && System.nanoTime() - startNs < DEADLINE.toNanos())
        {
            if (owner.doWork() == 0)
            {
                owner.awaitActivity(LONG_WAIT_NS);
            }
        }
        sender.interrupt();
        assertThat(region.buffer().getLongVolatile(8)).as("the write landed while the owner waited in its fabric")
            .isEqualTo(42L);
    }

    @Test
    void shouldEndTheWaitOnAWakeupFromAnotherThread() throws Exception
    {
        final TcpFabric fabric = startedAlone();
        final Thread waker = new Thread(() ->
        {
            try
            {
                Thread.sleep(200);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            fabric.wakeup();
        }, "waker");
        waker.start();

        final long startNs = System.nanoTime();
        fabric.awaitActivity(LONG_WAIT_NS);
        waker.join();
        assertThat(Duration.ofNanos(System.nanoTime() - startNs)).isLessThan(DEADLINE);
    }

    @Test
    void shouldReturnAtOnceAfterAWakeupThatCameBeforeTheWait()
    {
        final TcpFabric fabric = startedAlone();
        fabric.wakeup();

        final long startNs = System.nanoTime();
        fabric.awaitActivity(LONG_WAIT_NS);
        assertThat(Duration.ofNanos(System.nanoTime() - startNs)).isLessThan(DEADLINE);
    }

    /**
     * The socket buffers are a few KiB, so the writer's output backs up in its queue; the writer
     * only ever waits in its fabric when it has nothing to do, so every backlog must end its wait
     * through the socket becoming writable.
     */
    @Test
    void shouldDrainQueuedOutputWhileWaiting()
    {
        final int payloadBytes = 1024;
        final int writes = 2_000;
        final TcpFabricOptions options = TcpFabricOptions.builder()
            .maxFrameBytes(4096)
            .sendBufferBytes(4096 + TcpFabricOptions.CONTROL_RESERVE_BYTES)
            .socketSendBufferBytes(4096)
            .socketReceiveBufferBytes(4096)
            .build();
        final Map<Integer, InetSocketAddress> addresses = Map.of(OWNER_ID, TcpFabricContractTest.freeLoopbackAddress());
        final TcpFabric owner = new TcpFabric(OWNER_ID, addresses, options);
        final LocalRegion region = owner.register(REGION_ID, 8 * payloadBytes, true);
        owner.start();
        resources.add(owner);
        resources.add(new FabricTestAgent("owner", owner, () -> 0));
        final TcpFabric writer = track(new TcpFabric(WRITER_ID, addresses, options));
        writer.start();
        final RemoteRegion handle = writer.remote(OWNER_ID, REGION_ID);

        final long startNs = System.nanoTime();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadBytes]);
        int issued = 0;
        int waitsWithOutputQueued = 0;
        while (System.nanoTime() - startNs < DEADLINE.toNanos())
        {
            int work = writer.doWork();
            if (issued < writes && handle.status() == RemoteRegion.Status.READY)
            {
                payload.putLong(payloadBytes - 8, issued + 1L);
                if (WriteResult.ISSUED == handle.write((issued % 8) * payloadBytes, payload, 0, payloadBytes))
                {
                    issued++;
                    work++;
                }
            }
            if (issued == writes && region.buffer().getLongVolatile(((writes - 1) % 8) * payloadBytes + payloadBytes - 8) ==
                writes)
            {
                break;
            }
            if (work == 0)
            {
                if (issued < writes)
                {
                    waitsWithOutputQueued += issued > 0 ? 1 : 0;
                    writer.awaitActivity(LONG_WAIT_NS);
                }
                else
                {
                    writer.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1)); // all queued: nothing will wake it
                }
            }
        }
        assertThat(issued).as("writes issued").isEqualTo(writes);
        assertThat(region.buffer().getLongVolatile(((writes - 1) % 8) * payloadBytes + payloadBytes - 8))
            .as("the last write landed").isEqualTo(writes);
        assertThat(waitsWithOutputQueued).as("the writer waited with its output backed up").isPositive();
    }

    private TcpFabric startedAlone()
    {
        final TcpFabric fabric = track(new TcpFabric(OWNER_ID,
            Map.of(OWNER_ID, TcpFabricContractTest.freeLoopbackAddress()), TcpFabricContractTest.OPTIONS));
        fabric.start();
        fabric.doWork();
        return fabric;
    }

    private <T extends AutoCloseable> T track(final T resource)
    {
        resources.add(resource);
        return resource;
    }
}
