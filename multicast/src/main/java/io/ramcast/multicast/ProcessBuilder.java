package io.ramcast.multicast;

import io.ramcast.multicast.fabric.Fabric;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The settings every RamCast process takes, shared by {@link RamcastServer.Builder} and
 * {@link RamcastClient.Builder}. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter.
 */
abstract class ProcessBuilder<B extends ProcessBuilder<B>>
{
    GroupTopology topology;
    MulticastOptions options = MulticastOptions.defaults();
    Fabric fabric;
    /** Null: a {@link FabricIdleStrategy} over the process's fabric. */
    IdleStrategy idleStrategy;
    NanoClock clock = SystemNanoClock.INSTANCE;
    Path deliveryLogDir;
    EpochNanoClock deliveryLogClock;
    MessageHandler messageHandler = (senderId, message) -> { };

    abstract B self();

    /**
     * @param topology the deployment's groups and clients.
     * @return this.
     */
    public B topology(final GroupTopology topology)
    {
        this.topology = topology;
        return self();
    }

    /**
     * @param options sizes and limits, identical at every process of the deployment.
     * @return this.
     */
    public B options(final MulticastOptions options)
    {
        this.options = Objects.requireNonNull(options);
        return self();
    }

    /**
     * @param fabric this process's fabric endpoint, not yet started; its self id is the process id.
     * @return this.
     */
    public B fabric(final Fabric fabric)
    {
        this.fabric = fabric;
        return self();
    }

    /**
     * @param idleStrategy how the agent waits when idle (default: {@link FabricIdleStrategy}, a
     *                     back-off that waits in the fabric; busy-spin only on dedicated cores).
     * @return this.
     */
    public B idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = Objects.requireNonNull(idleStrategy);
        return self();
    }

    /**
     * @param clock the agent's clock.
     * @return this.
     */
    public B clock(final NanoClock clock)
    {
        this.clock = Objects.requireNonNull(clock);
        return self();
    }

    /**
     * @param handler receives point-to-point messages from servers, on the agent thread (by default
     *                they are dropped).
     * @return this.
     */
    public B messageHandler(final MessageHandler handler)
    {
        this.messageHandler = Objects.requireNonNull(handler);
        return self();
    }

    /**
     * @param dir if not null, append one line per delivery (server: {@code dir/<process-id>.log}) or
     *            per multicast (client: {@code dir/<process-id>.sent}).
     * @return this.
     */
    public B deliveryLog(final Path dir)
    {
        this.deliveryLogDir = dir;
        return self();
    }

    /**
     * @param clock if not null, a server writes the wall-clock time of every delivery into its
     *              delivery log ({@code " @<micros>"}, see
     *              {@code io.ramcast.check.multicast.DeliveryLogTimes}), read from this clock on the
     *              agent thread; ignored by clients and without {@link #deliveryLog}.
     * @return this.
     */
    public B deliveryLogClock(final EpochNanoClock clock)
    {
        this.deliveryLogClock = clock;
        return self();
    }
}
