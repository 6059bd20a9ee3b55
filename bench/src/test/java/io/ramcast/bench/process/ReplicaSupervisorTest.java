package io.ramcast.bench.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The back-off, the reason and the wording of {@link ReplicaSupervisor}; restarts of real processes are in {@link ClusterCommandTest}. */
class ReplicaSupervisorTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDoubleTheDelayUpToItsMaximum()
    {
        final ReplicaSupervisor.Policy policy = new ReplicaSupervisor.Policy(Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofMinutes(1), 5);

        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 40).stream().map(policy::delay).map(Duration::toSeconds).toList())
            .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    }

    @Test
    void shouldRefuseAPolicyThatCannotWork()
    {
        assertThatThrownBy(() -> new ReplicaSupervisor.Policy(Duration.ofSeconds(2), Duration.ofSeconds(1),
            Duration.ofMinutes(1), 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max delay");
        assertThatThrownBy(() -> new ReplicaSupervisor.Policy(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofMinutes(1), 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }

    @Test
    void shouldQuoteTheReplicasLastReasonForStopping() throws Exception
    {
        final Path err = dir.resolve("replica-4.err");
        Files.writeString(err, "12:00:00 INFO starting\nreplica 4 cannot start: disk full\n" +
            "replica 14 cannot start: not this one\nreplica 4 stopped: storage error: no space left\n12:00:01 INFO bye\n");

        assertThat(ReplicaSupervisor.why(4, err)).isEqualTo("replica 4 stopped: storage error: no space left (see " + err + ")");
        Files.writeString(err, "12:00:00 INFO starting\n");
        assertThat(ReplicaSupervisor.why(4, err)).isEqualTo("it gave no reason; see " + err);
        assertThat(ReplicaSupervisor.why(4, dir.resolve("missing.err"))).startsWith("its log " + dir.resolve("missing.err") +
            " cannot be read");
    }

    @Test
    void shouldFormatDelaysAsAnOperatorReadsThem()
    {
        assertThat(ReplicaSupervisor.format(Duration.ofMillis(500))).isEqualTo("500 ms");
        assertThat(ReplicaSupervisor.format(Duration.ofSeconds(2))).isEqualTo("2 s");
        assertThat(ReplicaSupervisor.format(Duration.ofMinutes(1))).isEqualTo("1 min");
        assertThat(ReplicaSupervisor.format(Duration.ofSeconds(90))).isEqualTo("90 s");
    }
}
