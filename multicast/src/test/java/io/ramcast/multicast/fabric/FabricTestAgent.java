package io.ramcast.multicast.fabric;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A test agent thread that owns one fabric: it runs {@code fabric.doWork()} plus an optional duty
 * (issuing writes) in a loop with a back-off idle strategy, the way a process's agent would. The
 * fabric must not be touched by other threads until {@link #close()} returned.
 */
final class FabricTestAgent implements AutoCloseable
{
    private static final long JOIN_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);

    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /**
     * Starts the thread.
     *
     * @param name   thread name.
     * @param fabric the fabric the thread owns from now on.
     * @param duty   extra work per duty cycle, returns the work done; its exceptions fail the agent.
     */
    FabricTestAgent(final String name, final Fabric fabric, final IntSupplier duty)
    {
        thread = new Thread(() -> run(fabric, duty), name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return whether the agent stopped on an exception.
     */
    boolean hasFailed()
    {
        return null != failure;
    }

    /**
     * Stops the thread and waits for it.
     *
     * @throws AssertionError if the agent failed or does not stop.
     */
    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(JOIN_TIMEOUT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping " + thread.getName(), ex);
        }
        if (thread.isAlive())
        {
            throw new AssertionError(thread.getName() + " did not stop");
        }
        if (null != failure)
        {
            throw new AssertionError(thread.getName() + " failed", failure);
        }
    }

    private void run(final Fabric fabric, final IntSupplier duty)
    {
        final IdleStrategy idleStrategy = new BackoffIdleStrategy(10, 10, 1_000, 200_000);
        try
        {
            while (running)
            {
                idleStrategy.idle(fabric.doWork() + duty.getAsInt());
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
    }
}
