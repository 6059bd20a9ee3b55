package io.ramcast.bench.process;

import io.ramcast.bench.cli.ConfigFiles;
import io.ramcast.bench.cli.RamcastCli;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.Secrets;
import io.ramcast.txn.config.TlsSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ramcast secrets --config FILE}: makes the cluster's secret files of the config's
 * {@code security} section that do not exist yet (32 random bytes, mode 600) and, with
 * {@code security.tls}, a missing password file and a missing pair of stores (one self-signed key
 * pair the cluster's hosts share, {@link TlsSettings#createMissing}), checks every one
 * (readable, private, long enough) and says what goes where: on a deployment of several hosts,
 * run it once, then copy both files to every replica host and the client secret to every client
 * host before starting them. Variables {@value Secrets#REPLICA_SECRET_ENV} and
 * {@value Secrets#CLIENT_SECRET_ENV} take the place of their files, as for replicas and clients.
 *
 * <p>Exit codes: 0 both secrets usable; 2 bad arguments or config; 3 a secret cannot be made or is
 * unfit (the message names it and the fix).
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
    description = {"Create the cluster's missing secret files (mode 600) and check them all: the replica secret",
        "(replicas and backups) and the client secret (clients), and with security.tls the key store, trust store",
        "and password; copy them to the other hosts before starting them."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:both secrets are usable",
        "2:usage error (bad arguments or config)",
        "3:a secret or tls store cannot be created or is unfit (not private, too short, not base64, unreadable)"
    })
public final class SecretsCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster config (YAML).")
    private Path configFile;

    @Override
    public Integer call()
    {
        final ClusterConfig config = ConfigFiles.load(spec, configFile);
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Secrets secrets = config.secrets();
        final List<Path> created = new java.util.ArrayList<>();
        final TlsSettings tls = config.tls();
        try
        {
            created.addAll(secrets.createMissing());
            config.replicaCredentials(FabricCredentials.newIncarnation()); // reads and checks both
            if (null != tls)
            {
                created.addAll(tls.createMissing(config.clusterName()));
                config.tlsContext(); // reads and checks the stores
            }
        }
        catch (final IllegalStateException ex)
        {
            err.println("secrets FAILED: " + ex.getMessage());
            return RamcastCli.EXIT_RUN_FAILED;
        }
        out.println("cluster " + config.clusterName() + ": secrets usable");
        line(out, "replica secret", secrets.replicaSecretFile(), created, Secrets.REPLICA_SECRET_ENV,
            "copy to every replica host (and where backups run)");
        line(out, "client secret", secrets.clientSecretFile(), created, Secrets.CLIENT_SECRET_ENV,
            "copy to every replica host and every client host");
        if (null != tls)
        {
            line(out, "tls key store", tls.keyStore(), created, null,
                "copy to every host (or give each host its own key, signed by a CA in the trust store)");
            line(out, "tls trust store", tls.trustStore(), created, null, "copy to every host");
            line(out, "tls password", tls.passwordFile(), created, TlsSettings.PASSWORD_ENV, "copy to every host");
        }
        out.println("keep secrets, key store and password private (mode 600) on every host; a host holding other " +
            "secrets is refused (\"authentication failed\" in the logs), one whose certificate is not trusted too " +
            "(\"TLS failed\")");
        return RamcastCli.EXIT_OK;
    }

    private static void line(final PrintWriter out, final String name, final Path file, final List<Path> created,
        final String variable, final String where)
    {
        final String source = variable != null && System.getenv(variable) != null ? "from $" + variable + " (the file is not used)" :
            file + (created.contains(file) ? " (created now)" : "");
        out.println(String.format("  %-15s  %s  -> %s", name, source, where));
    }
}
