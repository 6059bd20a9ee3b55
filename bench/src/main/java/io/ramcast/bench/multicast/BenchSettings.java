package io.ramcast.bench.multicast;

import io.ramcast.multicast.GroupTopology;
import io.ramcast.multicast.MulticastOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated parameters of one {@code multicast-bench} run. Built by {@link MulticastBenchCommand}
 * after every rule has been checked; immutable.
 *
 * @param fabric             where the processes run and how they talk.
 * @param topology           groups, servers and clients.
 * @param options            RamCast sizes, identical at every process.
 * @param childArgs          the topology and option arguments that reproduce {@code topology} and
 *                           {@code options} on a server process's command line.
 * @param maxDestinations    destinations per message (fixed), or the largest number (random).
 * @param randomDestinations whether each message picks 1..maxDestinations random groups.
 * @param payloadBytes       bytes of each payload.
 * @param duration           measured interval, or null when {@code messages} bounds the run.
 * @param messages           total measured multicasts over all clients, or 0 when {@code duration}
 *                           bounds the run.
 * @param warmup             time before measuring starts.
 * @param seed               seed of the destination choices and payload bytes.
 * @param idle               how agent threads wait.
 * @param basePort           tcp: server {@code id} listens on {@code basePort + id}.
 * @param deliveryLog        directory for delivery logs and the check, or null.
 * @param jsonReport         file for the JSON report, or null.
 * @param stallTimeout       how long the run may go without a single completion while multicasts
 *                           are in flight before it is declared stalled.
 * @param quietPeriod        wait after the last completion before processes stop.
 * @param serverJvmOptions   JVM options of tcp server processes.
 * @param serverClasspath    class path of tcp server processes.
 */
record BenchSettings(
    MulticastBenchDeployment fabric,
    GroupTopology topology,
    MulticastOptions options,
    List<String> childArgs,
    int maxDestinations,
    boolean randomDestinations,
    int payloadBytes,
    Duration duration,
    long messages,
    Duration warmup,
    long seed,
    IdleKind idle,
    int basePort,
    Path deliveryLog,
    Path jsonReport,
    Duration stallTimeout,
    Duration quietPeriod,
    List<String> serverJvmOptions,
    String serverClasspath)
{
    /** @return whether the run is bounded by a message count rather than a duration. */
    boolean countBounded()
    {
        return duration == null;
    }
}
