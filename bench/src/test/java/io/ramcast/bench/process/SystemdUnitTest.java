package io.ramcast.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.ramcast.bench.cli.RamcastCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The repository's systemd unit template runs a command line the replica command accepts (every
 * option it passes exists and parses), and stops the replica the way the replica treats as graceful.
 */
class SystemdUnitTest
{
    @Test
    void shouldStartAReplicaWithOptionsTheReplicaCommandAccepts() throws Exception
    {
        final String unit = Files.readString(Path.of("..", "config", "systemd", "ramcast-replica@.service"),
            StandardCharsets.UTF_8).replace("\\\n", " ");
        final String execStart = unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow()
            .substring("ExecStart=".length());
        final List<String> words = Arrays.stream(execStart.trim().split("\\s+")).toList();
        assertThat(words.get(0)).isEqualTo("/opt/ramcast/bin/ramcast");
        final String[] args = words.subList(1, words.size()).stream().map(w -> w.replace("%i", "3"))
            .toArray(String[]::new);
        final CommandLine.ParseResult parsed = new CommandLine(new RamcastCli()).parseArgs(args);
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("replica");
        assertThat(parsed.subcommand().matchedOptionValue("--id", -1)).isEqualTo(3);
        assertThat(parsed.subcommand().hasMatchedOption("--rebuild")).as("a new replica's empty directory must not " +
            "make it fetch a snapshot").isFalse();
        assertThat(unit).contains("KillSignal=SIGTERM", "SuccessExitStatus=143", "Restart=on-failure");
    }
}
