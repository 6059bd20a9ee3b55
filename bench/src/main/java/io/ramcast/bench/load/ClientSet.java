package io.ramcast.bench.load;

import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.client.ClusterUnreachableException;
import io.ramcast.client.KvClient;
import io.ramcast.txn.config.ClusterConfig;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@link KvClient}s of one {@code load} or {@code bench} run: {@code count} clients with the
 * consecutive ids {@code firstId ..}, connected one after the other, closed together.
 *
 * <p>Threading: connect and close from one thread; the clients themselves are thread-safe.
 */
final class ClientSet implements AutoCloseable
{
    /** Connects one client of a cluster; the default connects over the config's tcp fabric. */
    @FunctionalInterface
    interface Connector
    {
        /** Connects with {@link KvClient#connect}. */
        Connector TCP = KvClient::connect;

        /**
         * @param config   the cluster config.
         * @param clientId a client id of the config.
         * @return the connected client, owned by the caller.
         * @throws ClusterUnreachableException if replicas stay unreachable.
         */
        KvClient connect(ClusterConfig config, int clientId);
    }

    private final List<KvClient> clients;

    private ClientSet(final List<KvClient> clients)
    {
        this.clients = Collections.unmodifiableList(clients);
    }

    /**
     * Connects {@code count} clients; if one fails, closes those already connected and rethrows.
     * Blocks for up to the config's connect timeout per client.
     *
     * @param connector how to connect one.
     * @param config    the cluster config.
     * @param firstId   the first client id; {@code firstId .. firstId + count - 1} must be client ids.
     * @param count     how many, at least 1.
     * @return the connected clients.
     */
    static ClientSet connect(final Connector connector, final ClusterConfig config, final int firstId, final int count)
    {
        final List<KvClient> clients = new ArrayList<>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                clients.add(connector.connect(config, firstId + i));
            }
        }
        catch (final RuntimeException | Error ex)
        {
            closeAll(clients, ex);
            throw ex;
        }
        return new ClientSet(clients);
    }

    /**
     * Connects as {@link #connect(Connector, ClusterConfig, int, int)} for a command: a config the
     * client cannot use (fabric {@code local}) is a usage error naming {@code --config}; an
     * unreachable cluster is reported on {@code err} and yields null.
     *
     * @param spec       the command (for the usage error).
     * @param configFile the {@code --config} value.
     * @param connector  how to connect one client.
     * @param config     the cluster config.
     * @param firstId    the first client id.
     * @param count      how many clients.
     * @return the clients, or null if the cluster is unreachable (exit with {@link RamcastCli#EXIT_RUN_FAILED}).
     * @throws CommandLine.ParameterException if the config cannot be used by a client.
     */
    static ClientSet connectForCommand(final CommandLine.Model.CommandSpec spec, final Path configFile,
        final Connector connector, final ClusterConfig config, final int firstId, final int count)
    {
        try
        {
            return connect(connector, config, firstId, count);
        }
        catch (final ClusterUnreachableException ex)
        {
            spec.commandLine().getErr().println(spec.name() + " FAILED: " + ex.getMessage());
            spec.commandLine().getErr().flush();
            return null;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config=" + configFile + ": " +
                ex.getMessage(), ex);
        }
    }

    /** @return the clients, in id order. */
    List<KvClient> clients()
    {
        return clients;
    }

    /** @return the first client (the one that checks after a run). */
    KvClient first()
    {
        return clients.get(0);
    }

    /**
     * Closes every client, each even if another fails to close (waits up to a few seconds per
     * client for its callbacks); transactions still in flight complete as unknown.
     */
    @Override
    public void close()
    {
        final RuntimeException failure = closeAll(clients, null);
        if (failure != null)
        {
            throw failure;
        }
    }

    private static RuntimeException closeAll(final List<KvClient> clients, final Throwable primary)
    {
        RuntimeException failure = null;
        for (final KvClient client : clients)
        {
            try
            {
                client.close();
            }
            catch (final RuntimeException ex)
            {
                if (primary != null)
                {
                    primary.addSuppressed(ex);
                }
                else if (failure == null)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        return failure;
    }
}
