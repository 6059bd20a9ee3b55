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
 * connecting would fail differently; the etcd target's cases are refused before any endpoint is
 * asked).
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
            Arguments.of("bench", List.of("--workload", "kv-cas", "--records", "2"), "--records=2 must be in [3, "),
            Arguments.of("bench", List.of("--workload", "kv-read", "--multi-partition", "0.5"),
                "--multi-partition=0.5: kv-read draws its keys from all records"),
            Arguments.of("bench", List.of("--workload", "kv-write3", "--endpoints", "http://127.0.0.1:2379"),
                "--endpoints is for --target etcd"),
            Arguments.of("bench", List.of("--workload", "kv-write3", "--request-timeout", "1s"),
                "--request-timeout is for --target etcd"),
            Arguments.of("bench", List.of("--workload", "kv-read", "--target", "etcd", "--endpoints",
                "http://127.0.0.1:2379"), "--config is for --target ramcast"),
            Arguments.of("bench", List.of("--workload", "kv-read", "--target", "mongo"),
                "--target=mongo must be ramcast or etcd"),
            Arguments.of("load", List.of("--workload", "ycsb-a", "--window", "1000"), "--window=1000"),
            Arguments.of("load", List.of("--workload", "ycsb-a", "--batch", "0"), "--batch=0"),
            Arguments.of("load", List.of("--workload", "ycsb-a", "--max-attempts", "0"), "--max-attempts=0"),
            Arguments.of("load", List.of("--workload", "ycsb-a"), "--config="));
    }

    static Stream<Arguments> badEtcdArguments()
    {
        final String endpoint = "http://127.0.0.1:2379";
        return Stream.of(
            Arguments.of(List.of("--workload", "kv-read"), "--target ramcast needs --config FILE"),
            Arguments.of(List.of("--target", "etcd", "--workload", "kv-read"), "--target etcd needs --endpoints"),
            Arguments.of(List.of("--target", "etcd", "--endpoints", endpoint, "--workload", "ycsb-a"),
                "--workload=ycsb-a does not run on --target etcd; it runs kv-read, kv-write3, kv-cas"),
            Arguments.of(List.of("--target", "etcd", "--endpoints", "https://127.0.0.1:2379", "--workload", "kv-read"),
                "must be http://host:port (the etcd target speaks plain HTTP"),
            Arguments.of(List.of("--target", "etcd", "--endpoints", "http://127.0.0.1", "--workload", "kv-read"),
                "must be http://host:port, with a port"),
            Arguments.of(List.of("--target", "etcd", "--endpoints", endpoint + "/v3", "--workload", "kv-read"),
                "with a port and nothing after it"),
            Arguments.of(List.of("--target", "etcd", "--endpoints", endpoint, "--workload", "kv-read", "--clients",
                "300"), "--clients=300 must be in [1, 256] with --target etcd"),
            Arguments.of(List.of("--target", "etcd", "--endpoints", endpoint, "--workload", "kv-read",
                "--first-client-id", "100"), "--first-client-id is for --target ramcast"),
            Arguments.of(List.of("--target", "etcd", "--endpoints", endpoint, "--workload", "kv-read",
                "--request-timeout", "0"), "--request-timeout=0s must be positive"),
            Arguments.of(List.of("--target", "etcd", "--endpoints", endpoint, "--workload", "kv-write3",
                "--value-size", "2000000"), "--value-size=2000000 must be in [1, 1048576]"),
            Arguments.of(List.of("--target", "etcd", "--endpoints", endpoint, "--workload", "kv-write3",
                "--batch", "129"), "--batch=129 must be in [1, 128] (etcd's default --max-txn-ops)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEtcdArguments")
    void shouldRefuseTargetArgumentsBeforeConnecting(final List<String> args, final String message)
    {
        final List<String> all = new ArrayList<>(List.of("bench"));
        all.addAll(args);
        final BenchTestSupport.Execution execution = BenchTestSupport.execute(all.toArray(new String[0]));
        assertThat(execution.exitCode()).as(execution.transcript()).isEqualTo(RamcastCli.EXIT_USAGE);
        assertThat(execution.err()).as(execution.transcript()).contains(message);
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
