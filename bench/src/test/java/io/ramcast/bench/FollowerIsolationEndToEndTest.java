package io.ramcast.bench;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.faults.LinkCutter;
import io.ramcast.bench.process.LocalConfigFixture;
import io.ramcast.bench.process.ReplicaOwners;
import io.ramcast.bench.process.ReplicaProcesses;
import io.ramcast.bench.process.ServerProcess;
import io.ramcast.client.KvClient;
import io.ramcast.client.NotCommittedException;
import io.ramcast.client.UnknownOutcomeException;
import io.ramcast.txn.config.ClusterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A network partition between processes: one partition of three replicas as OS processes, each
 * under a uid of its own, and a follower cut off from the other two and from the client by
 * {@link LinkCutter}. The two that remain must keep committing puts through {@link KvClient} (it
 * runs in this JVM as root, marked as the clients' uid 0), and after the heal the replicas must
 * still commit. The healed follower is only required to still run: catching it up is not built.
 * Skipped, with the reason, when not root or iptables does not work.
 */
class FollowerIsolationEndToEndTest
{
    private static final List<String> JVM_OPTIONS = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final int MAX_PUTS_PER_PHASE = 200;
    private static final Duration PHASE = Duration.ofSeconds(4);
    private static final Duration ISOLATION = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldKeepCommittingWhileAFollowerIsIsolatedAndAfterTheHeal() throws Exception
    {
        final Optional<String> unavailable = LinkCutter.unavailableReason();
        assumeTrue(unavailable.isEmpty(), () -> "link cutting unavailable: " + unavailable.orElse(""));
        // the replicas' uids must reach the config and their data directories
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        final int basePort = BenchTestSupport.freeBasePort(3);
        final Path configFile = LocalConfigFixture.writeOnePartition(dir, "follower-isolation", basePort);
        final ClusterConfig config = ClusterConfig.load(configFile);
        final ReplicaOwners owners = ReplicaOwners.allocate(List.of(0, 1, 2));

        try (ReplicaProcesses cluster = ReplicaProcesses.start(configFile, config, dir.resolve("logs"), JVM_OPTIONS,
                 null, owners);
             LinkCutter cutter = LinkCutter.install(basePort, basePort + 2, owners.uidByReplicaId(), 0);
             KvClient client = KvClient.connect(config, config.clientIds().firstId()))
        {
            assertThat(putsCommitted(client, "before")).as("puts before the cut").isPositive();
            final int leader = awaitLeader(cluster);
            final int follower = leader == 2 ? 1 : 2;
            System.out.println("leader " + leader + ", isolating follower " + follower + " (" + cutter.backend() + ")");

            cutter.isolate(follower);
            final long isolatedSinceNs = System.nanoTime();
            final int duringCut = putsCommitted(client, "cut");
            // keep the cut for the whole isolation even if the puts went fast
            Thread.sleep(Math.max(0, ISOLATION.toMillis() - (System.nanoTime() - isolatedSinceNs) / 1_000_000));
            final long dropped = cutter.droppedPackets();
            cutter.healAll();
            final int afterHeal = putsCommitted(client, "healed");

            System.out.println("committed during the cut " + duringCut + " (" + dropped + " packets dropped), after the heal " +
                afterHeal);
            assertThat(dropped).as("packets of the follower's links dropped").isPositive();
            assertThat(duringCut).as("puts committed by the two remaining replicas").isGreaterThanOrEqualTo(3);
            assertThat(afterHeal).as("puts committed after the heal").isGreaterThanOrEqualTo(3);
            assertThat(cluster.isAlive(follower)).as("the healed follower still runs").isTrue();
            assertThat(cluster.firstDead()).isNull();
        }
    }

    /** Puts distinct keys one after another for {@link #PHASE} or {@link #MAX_PUTS_PER_PHASE} puts. */
    private static int putsCommitted(final KvClient client, final String phase)
    {
        final long deadlineNs = System.nanoTime() + PHASE.toNanos();
        int committed = 0;
        for (int i = 0; i < MAX_PUTS_PER_PHASE && System.nanoTime() - deadlineNs < 0; i++)
        {
            try
            {
                client.put((phase + "-" + i).getBytes(StandardCharsets.UTF_8), Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                committed++;
            }
            catch (final UnknownOutcomeException | NotCommittedException ex)
            {
                System.out.println(phase + " put " + i + ": " + ex);
            }
        }
        return committed;
    }

    private static int awaitLeader(final ReplicaProcesses cluster) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() - deadlineNs < 0)
        {
            final int leader = cluster.leaderOf(0);
            if (leader != ServerProcess.NO_LEADER)
            {
                return leader;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no replica named a leader of partition 0 within 30 s; see " + cluster.logDir());
    }

}
