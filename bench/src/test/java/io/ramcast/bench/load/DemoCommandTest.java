package io.ramcast.bench.load;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.process.LocalConfigFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's main command, on the default deployment (config/local.yaml with its ports moved):
 * nine replica processes, bank transfers, checks, clean shutdown.
 */
class DemoCommandTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldRunTheDefaultClusterVerifyAndLeaveNothingRunning() throws Exception
    {
        final Path config = LocalConfigFixture.write(dir);

        final BenchTestSupport.Execution run = BenchTestSupport.execute("demo", "--config", config.toString(),
            "--duration", "3s", "--threads", "2");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("[ok]   every read saw the total 12000")
            .contains("[ok]   final total 12000")
            .contains("[ok]   the replicas of each partition hold identical data")
            .contains("demo passed");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
            .as("no replica process left running").isZero();
    }
}
