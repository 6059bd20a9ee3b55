package io.ramcast.bench.multicast;

import java.util.function.Supplier;

/**
 * Reads the protocol-state description of an in-JVM RamCast process for a stall report.
 *
 * <p>Threading: the state is read from the calling thread while the process's agent may still
 * run, so it is a racy snapshot (possibly stale or failing, which the text then says). It is read
 * this way on purpose: stopping a client's agent first abandons its pending requests, erasing
 * exactly the state a stall report needs.
 */
final class ProtocolStateReader
{
    private ProtocolStateReader()
    {
    }

    /**
     * @param describe a process's {@code describe()} method.
     * @return its text, or why it could not be read.
     */
    static String describe(final Supplier<String> describe)
    {
        try
        {
            return describe.get();
        }
        catch (final RuntimeException ex)
        {
            return "(state unavailable: " + ex + ")";
        }
    }
}
