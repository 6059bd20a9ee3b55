package io.ramcast.bench.multicast;

import io.ramcast.bench.cli.LowerCaseEnumConverter;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where {@code multicast-bench} runs its servers and which fabric they talk over ({@code --fabric}):
 * a deployment mode of the benchmark, not a config's fabric. Unlike
 * {@link io.ramcast.txn.config.FabricKind} (the fabric named in a cluster config, {@code rdma}
 * included), each value fixes both the placement of the processes and the fabric, and there is no
 * RDMA mode.
 */
enum MulticastBenchDeployment
{
    /** Every server and client in the bench JVM, over the in-memory {@code local} fabric. */
    LOCAL,
    /** One OS process per server, clients in the bench JVM, over the {@code tcp} fabric on loopback. */
    TCP;

    /** @return the name used on the command line. */
    String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the lower-case names. */
    static final class Converter extends LowerCaseEnumConverter<MulticastBenchDeployment>
    {
        Converter()
        {
            super(MulticastBenchDeployment.class);
        }
    }

    /** The names, for the help text. */
    static final class Candidates implements Iterable<String>
    {
        static final List<String> NAMES = Arrays.stream(values()).map(MulticastBenchDeployment::cliName).toList();

        @Override
        public java.util.Iterator<String> iterator()
        {
            return NAMES.iterator();
        }
    }
}
