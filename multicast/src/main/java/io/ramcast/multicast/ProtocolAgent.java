package io.ramcast.multicast;

import io.ramcast.multicast.fabric.Fabric;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongToIntFunction;

/**
 * The one agent of a RamCast process: each duty cycle drives the fabric, then the protocol.
 *
 * <p>Fail-stop: the first exception out of the protocol or the fabric is recorded, logged once with
 * the process id and ends the agent ({@link AgentTerminationException}); the process must not go on
 * ordering after a broken invariant (STYLE.md, rule 9).
 */
final class ProtocolAgent implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolAgent.class);

    private final String roleName;
    private final Fabric fabric;
    private final NanoClock clock;
    private final LongToIntFunction protocol;
    private final Runnable onClose;
    private volatile Throwable failure;

    ProtocolAgent(
        final String roleName, final Fabric fabric, final NanoClock clock, final LongToIntFunction protocol,
        final Runnable onClose)
    {
        this.roleName = roleName;
        this.fabric = fabric;
        this.clock = clock;
        this.protocol = protocol;
        this.onClose = onClose;
    }

    @Override
    public int doWork()
    {
        try
        {
            return fabric.doWork() + protocol.applyAsInt(clock.nanoTime());
        }
        catch (final AgentTerminationException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            failure = ex;
            LOG.error("{} stopped by an error (fail-stop)", roleName, ex);
            throw new AgentTerminationException(ex);
        }
    }

    @Override
    public void onClose()
    {
        onClose.run();
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    Throwable failure()
    {
        return failure;
    }
}
