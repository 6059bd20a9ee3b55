package io.ramcast.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.process.LocalConfigFixture;
import io.ramcast.bench.process.LocalDeployment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code ramcast faults} for the process tests: nine replica processes of config/local.yaml
 * (ports moved), two bank client processes of two threads each, a step every 6 s, small JVMs; in
 * {@code target/faults-<name>-<time>/}, deleted when the run passes and kept when it fails.
 */
final class FaultsTestSupport
{
    private FaultsTestSupport()
    {
    }

    /**
     * Runs the command, requires exit 0, every check passed and no child process left, and returns
     * the JSON report.
     *
     * @param name      names the work directory (the test method).
     * @param schedule  the {@code --schedule}.
     * @param pause     the {@code --pause}.
     * @param extraArgs more options.
     * @return the report.
     * @throws Exception if the report cannot be read.
     */
    static JsonNode runFaults(final String name, final String schedule, final String pause, final String... extraArgs)
        throws Exception
    {
        final Path dir = Files.createDirectories(Path.of("target", "faults-" + name + "-" +
            System.currentTimeMillis()).toAbsolutePath());
        final Path config = LocalConfigFixture.write(dir);
        final Path json = dir.resolve("report.json");
        final List<String> args = new ArrayList<>(List.of("faults", "--config", config.toString(),
            "--schedule", schedule, "--step-interval", "6s", "--pause", pause, "--clients", "2", "--threads", "2",
            "--work-dir", dir.resolve("work").toString(), "--json", json.toString(),
            "--replica-jvm-options", "-Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
            "--client-jvm-options", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"));
        args.addAll(List.of(extraArgs));

        final BenchTestSupport.Execution run = BenchTestSupport.execute(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("passed").asBoolean()).isTrue();
        assertThat(report.path("checks")).allSatisfy(c -> assertThat(c.path("passed").asBoolean())
            .as(c.path("name").asText() + ": " + c.path("detail").asText()).isTrue());
        assertThat(report.path("checks").findValuesAsText("name")).contains("bank checker over the merged histories",
            "final total", "no committed transfer lost", "surviving replicas identical (SHA-256 of a full scan)",
            "throughput recovered after every step");
        assertThat(report.path("checks").findValuesAsText("name")).anyMatch(n -> n.startsWith("multicast checker"));
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
            .as("no replica or client process left running").isZero();
        LocalDeployment.deleteTree(dir);
        return report;
    }
}
