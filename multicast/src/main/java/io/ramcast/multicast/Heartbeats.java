package io.ramcast.multicast;

import io.ramcast.multicast.fabric.RemoteRegion;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Failure detection through memory (ramcast-protocol.md §A.3, §C.8): every process advances a
 * counter every heartbeat interval and writes it into the HEARTBEAT region of the processes that
 * watch it; a watcher suspects a process whose counter has not moved for that process's timeout,
 * or at once when the fabric reports the connection to it lost.
 *
 * <p>Suspicion is only a hint: the protocol stays safe whatever this detector says (a slow process
 * that is suspected is replaced or relayed for, never trusted less), and it is live once the
 * detector eventually stops suspecting a correct process, which a timeout above the worst pause
 * gives (the appendix's eventual leader oracle, Lemma 1). A process never heard from is given
 * {@link #NEVER_HEARD_FACTOR} times its timeout from the first duty cycle, and at least
 * {@link #NEVER_CONNECTED_GRACE_NS} while the fabric has not connected to it yet, so processes
 * started a little apart (a connection attempt backs off while its peer is not listening yet) do
 * not depose each other at start.
 *
 * <p>Threading: the process's agent thread only. A plain object driven by {@link #doWork(long)}.
 */
final class Heartbeats
{
    /** Grace factor on the timeout for a process this one has never heard from. */
    static final int NEVER_HEARD_FACTOR = 4;
    /** Least grace for a process the fabric has never connected to. */
    static final long NEVER_CONNECTED_GRACE_NS = 10_000_000_000L;

    private final GroupTopology topology;
    private final AtomicBuffer words;
    private final Outbox outbox;
    private final int selfOrdinal;
    private final int[] targets;
    private final long intervalNs;
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(Layout.WORD_BYTES));

    private final long[] timeoutNs;
    private final long[] lastValue;
    private final long[] lastChangeNs;
    private final boolean[] heard;
    private long counter;
    private long lastBeatNs;
    private long startNs = Long.MIN_VALUE;

    /**
     * @param words      this process's HEARTBEAT region.
     * @param targets    process ids this process writes its counter to.
     * @param timeoutNs  per process ordinal (servers, then clients): silence before suspicion, or 0
     *                   for a process this one does not watch.
     * @param intervalNs time between two heartbeats.
     */
    Heartbeats(
        final GroupTopology topology, final AtomicBuffer words, final Outbox outbox, final int selfId,
        final int[] targets, final long[] timeoutNs, final long intervalNs)
    {
        this.topology = topology;
        this.words = words;
        this.outbox = outbox;
        this.selfOrdinal = Mailboxes.processOrdinal(topology, selfId);
        this.targets = targets.clone();
        this.timeoutNs = timeoutNs.clone();
        this.intervalNs = intervalNs;
        lastValue = new long[timeoutNs.length];
        lastChangeNs = new long[timeoutNs.length];
        heard = new boolean[timeoutNs.length];
    }

    /** Writes this process's counter when the interval has passed, and reads the counters it watches. */
    int doWork(final long nowNs)
    {
        int work = 0;
        if (startNs == Long.MIN_VALUE)
        {
            startNs = nowNs;
            java.util.Arrays.fill(lastChangeNs, nowNs);
        }
        if (nowNs - lastBeatNs >= intervalNs || counter == 0)
        {
            lastBeatNs = nowNs;
            counter++;
            scratch.putLong(0, counter);
            for (final int t : targets)
            {
                outbox.write(t, Layout.HEARTBEAT_REGION, selfOrdinal * Layout.WORD_BYTES, scratch, Layout.WORD_BYTES);
            }
            work++;
        }
        for (int i = 0; i < timeoutNs.length; i++)
        {
            if (timeoutNs[i] == 0)
            {
                continue;
            }
            final long v = words.getLongVolatile(i * Layout.WORD_BYTES);
            if (v != lastValue[i])
            {
                lastValue[i] = v;
                lastChangeNs[i] = nowNs;
                heard[i] = true;
            }
        }
        return work;
    }

    /**
     * @param processId a watched process.
     * @param nowNs     the current time.
     * @return whether the process is suspected to have crashed.
     */
    boolean suspected(final int processId, final long nowNs)
    {
        final int ordinal = Mailboxes.processOrdinal(topology, processId);
        if (ordinal == selfOrdinal || startNs == Long.MIN_VALUE)
        {
            return false;
        }
        final RemoteRegion.Status status = outbox.handle(processId, Layout.HEARTBEAT_REGION).status();
        if (status == RemoteRegion.Status.PEER_DOWN)
        {
            return true;
        }
        long timeout = timeoutNs[ordinal];
        if (!heard[ordinal])
        {
            timeout *= NEVER_HEARD_FACTOR;
            if (status == RemoteRegion.Status.CONNECTING)
            {
                timeout = Math.max(timeout, NEVER_CONNECTED_GRACE_NS);
            }
        }
        return nowNs - lastChangeNs[ordinal] > timeout;
    }
}
