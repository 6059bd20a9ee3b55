package io.ramcast.multicast;

import org.agrona.concurrent.NanoClock;

/** A clock the simulation advances by hand. Single-threaded. */
final class SimClock implements NanoClock
{
    private long nowNs;

    @Override
    public long nanoTime()
    {
        return nowNs;
    }

    void advance(final long ns)
    {
        nowNs += ns;
    }
}
