package io.ramcast.storage;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.ramcast.txn.PartitionExecutor;

/**
 * The thread that syncs a replica's store when the executor defers its syncs
 * ({@link PartitionExecutor#deferStoreSync}; durability {@code fsync} with an acceptor journal):
 * at most one sync per {@code interval} (the first one interval after the start), only when a group
 * was written since the last one, and none while nothing is written (the thread then parks until
 * the executor's next write wakes it). Each sync moves the executor's durable mark, which the
 * ordering layer keeps every later delivery for.
 *
 * <p>A failed sync is a storage error: it is handed to {@code onError} (the replica stops,
 * fail-stop) and the thread ends.
 */
final class StoreSyncer implements AutoCloseable
{
    private final PartitionExecutor executor;
    private final long intervalNs;
    private final Consumer<Throwable> onError;
    private final Thread thread;
    private volatile boolean running = true;
    /** The syncing thread while it parks with nothing to sync, else null. */
    private volatile Thread idle;
    private volatile long syncs;

    /**
     * @param executor   whose store is synced.
     * @param intervalMs shortest time between the starts of two syncs; 0 for none.
     * @param name       the thread's name.
     * @param onError    told of a failed sync (from the syncing thread).
     */
    StoreSyncer(final PartitionExecutor executor, final long intervalMs, final String name,
        final Consumer<Throwable> onError)
    {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.onError = Objects.requireNonNull(onError, "onError");
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /** On the executor's thread, after each unsynced group write: wakes the thread if it idles. */
    void written()
    {
        final Thread t = idle;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    /** @return syncs done so far; any thread. */
    long syncs()
    {
        return syncs;
    }

    private boolean behind()
    {
        return executor.writtenMark().compareTo(executor.durableMark()) > 0;
    }

    private void run()
    {
        long lastStartNs = System.nanoTime(); // the first sync one interval after the start, as every later one
        while (running)
        {
            if (!behind())
            {
                idle = thread;
                if (running && !behind())
                {
                    LockSupport.park(this);
                }
                idle = null;
                continue;
            }
            final long waitNs = lastStartNs + intervalNs - System.nanoTime();
            if (waitNs > 0)
            {
                LockSupport.parkNanos(this, waitNs);
                continue;
            }
            lastStartNs = System.nanoTime();
            try
            {
                executor.syncStore();
                syncs++;
            }
            catch (final RuntimeException ex)
            {
                if (running)
                {
                    onError.accept(ex);
                }
                return;
            }
        }
    }

    /**
     * Stops the thread and waits for a sync in progress to end; does not sync what is left (the
     * caller does, once the executor stopped writing). Idempotent.
     */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException e)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
