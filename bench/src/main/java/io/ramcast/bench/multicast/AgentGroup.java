package io.ramcast.bench.multicast;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several RamCast process agents run round-robin on one thread (Agrona {@link CompositeAgent} on an
 * {@link AgentRunner}), so that a benchmark of thirteen in-JVM processes needs two threads, not
 * thirteen spinning ones.
 *
 * <p>Errors: the RamCast agents are fail-stop; the first error out of any of them ends the whole
 * group's thread and is kept in {@link #error()} for the harness to report. Threading: start and
 * close from one controlling thread; {@link #error()} from any thread.
 */
final class AgentGroup implements AutoCloseable
{
    private final String threadName;
    private final AgentRunner runner;
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private boolean started;

    /**
     * @param threadName   name of the thread that will run the agents.
     * @param agents       the agents, at least one; their {@code onClose} runs when the group closes.
     * @param idleStrategy how the thread waits when no agent did work; not shared with another runner.
     */
    AgentGroup(final String threadName, final List<? extends Agent> agents, final IdleStrategy idleStrategy)
    {
        this.threadName = threadName;
        this.runner = new AgentRunner(idleStrategy, this::onError, (AtomicCounter)null, new CompositeAgent(agents));
    }

    private void onError(final Throwable ex)
    {
        error.compareAndSet(null, ex);
    }

    /** Starts the thread. */
    void start()
    {
        started = true;
        AgentRunner.startOnThread(runner, r -> new Thread(r, threadName));
    }

    /** @return the thread's name. */
    String threadName()
    {
        return threadName;
    }

    /** @return the error that stopped the agents' thread, or null while it runs. */
    Throwable error()
    {
        return error.get();
    }

    /** Stops the thread (after the current duty cycle) and runs the agents' {@code onClose}. Idempotent. */
    @Override
    public void close()
    {
        if (started)
        {
            runner.close();
        }
    }
}
