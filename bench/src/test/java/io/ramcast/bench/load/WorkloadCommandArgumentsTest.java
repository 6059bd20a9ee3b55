package io.ramcast.bench.load;

import io.ramcast.bench.cli.BenchTestSupport;
import io.ramcast.bench.cli.RamcastCli;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad arguments of {@code load} and {@code bench}: exit code 2 and a message naming the option,
 * before anything connects (the config's fabric is {@code local}, so a command that got as far as
 * connecting would fail differently).
 */
class WorkloadCommandArgumentsTest
{
    @TempDir
    Path dir;

    static Stream<Arguments> badArguments()
    {
        return Stream.of(
            Arguments.of("bench", List.of("--workload", "nope"), "--workload=nope is unknown"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--clients", "5"), "--clients=5 must be in [1, 4]"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--first-client-id", "7"), "--first-client-id=7"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--threads-per-client", "0"), "--threads-per-client=0"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--multi-partition", "1.5"), "--multi-partition=1.5"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--multi-partition", "0.5", "--max-partitions", "4"),
                "--max-partitions=4"),
            Arguments.of("bench", List.of("--workload", "ycsb-b", "--distribution", "pareto"), "--distribution=pareto"),
            Arguments.of("bench", List.of("--workload", "ycsb-c", "--value-size", "5000"), "--value-size=5000"),
            Arguments.of("bench", List.of("--workload", "ycsb-f", "--records", "0"), "--records=0"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--duration", "0"), "--duration=0s"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--duration", "ten"), "--duration"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--chart", "out.jpg"), "--chart=out.jpg"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--history", "h.jsonl"), "--history"),
            Arguments.of("bench", List.of("--workload", "ycsb-a", "--param", "x=1"), "--param x"),
            Arguments.of("bench", List.of("--workload", "bank", "--records", "500"), "--records=500"),
            Arguments.of("bench", List.of("--workload", "bank", "--param", "readFraction=-1"), "--param readFraction=-1"),
            Arguments.of("bench", List.of("--clients", "1"), "--workload"),
            Arguments.of("load", List.of("--workload", "ycsb-a", "--window", "1000"), "--window=1000"),
            Arguments.of("load", List.of("--workload", "ycsb-a", "--batch", "0"), "--batch=0"),
            Arguments.of("load", List.of("--workload", "ycsb-a", "--max-attempts", "0"), "--max-attempts=0"),
            Arguments.of("load", List.of("--workload", "ycsb-a"), "--config="));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badArguments")
    void shouldExitWithUsageErrorNamingTheOption(final String command, final List<String> args, final String message)
        throws IOException
    {
        final Path config = WorkloadCommandSupport.writeConfig(dir);
        final List<String> all = new ArrayList<>(Arrays.asList(command, "--config", config.toString()));
        all.addAll(args);
        final BenchTestSupport.Execution execution = BenchTestSupport.execute(all.toArray(new String[0]));
        assertThat(execution.exitCode()).as(execution.transcript()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(execution.err()).as(execution.transcript()).contains(message);
    }
}
