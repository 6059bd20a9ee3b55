package io.ramcast.bench.cli;

import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import picocli.CommandLine;

import java.nio.file.Path;

/** Loads the cluster config a command names, as a usage error when the file is refused. */
public final class ConfigFiles
{
    private ConfigFiles()
    {
    }

    /**
     * @param spec the command, for the usage error.
     * @param file the config file.
     * @return the config.
     * @throws CommandLine.ParameterException naming the file, field and rule if it is refused (exit 2).
     */
    public static ClusterConfig load(final CommandLine.Model.CommandSpec spec, final Path file)
    {
        try
        {
            return ClusterConfig.load(file);
        }
        catch (final ConfigException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }
}
