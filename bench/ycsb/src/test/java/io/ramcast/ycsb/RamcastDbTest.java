package io.ramcast.ycsb;

import io.ramcast.client.KvClient;
import io.ramcast.multicast.JvmSupport;
import io.ramcast.storage.ReplicaServer;
import io.ramcast.txn.config.ClusterConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standard YCSB client ({@code site.ycsb.Client}, in a JVM of its own with the binding's class
 * path, as {@code bin/ycsb} runs it) against two range-partitioned partitions of replicas over tcp:
 * load, then workloads A (read/update), B (read mostly), C (read only), E (scan/insert, scans crossing
 * the split key) and F (read-modify-write) from {@code bench/ycsb/workloads}, every operation OK; the
 * loaded records hold YCSB's ten fields.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RamcastDbTest
{
    private static final Pattern RETURN = Pattern.compile("\\[([\\w-]+)], Return=(\\w+), (\\d+)");

    @TempDir
    Path dir;

    private final List<ReplicaServer> replicas = new ArrayList<>();

    @AfterEach
    void stop()
    {
        replicas.forEach(ReplicaServer::close);
    }

    @Test
    void shouldRunTheStandardYcsbClientOverTheBinding() throws Exception
    {
        final Path configFile = Files.writeString(dir.resolve("ycsb.yaml"), config(freePorts(2)));
        final ClusterConfig config = ClusterConfig.load(configFile);
        for (int id = 0; id < 2; id++)
        {
            replicas.add(ReplicaServer.builder().config(config).replicaId(id).build().start());
        }

        final Map<String, Long> load = ycsb(configFile, "-load", "workloada", "-p", "recordcount=300");
        assertThat(load).containsEntry("INSERT/OK", 300L);

        try (KvClient client = KvClient.connect(config))
        {
            final List<byte[]> onEach = new ArrayList<>();
            for (final String start : new String[] {"usertable/user", "usertable/user5"})
            {
                final byte[] from = start.getBytes(StandardCharsets.UTF_8);
                final byte[] to = start.equals("usertable/user") ? "usertable/user5".getBytes(StandardCharsets.UTF_8) :
                    "usertable0".getBytes(StandardCharsets.UTF_8);
                client.scan(from, to, 1).forEach(kv -> onEach.add(kv.value()));
            }
            assertThat(onEach).as("records on both sides of the split key").hasSize(2);
            assertThat(Fields.decode(onEach.get(0))).hasSize(10).containsKeys("field0", "field9");
        }

        final Map<String, Long> a = ycsb(configFile, "-t", "workloada", "-p", "recordcount=300", "-p",
            "operationcount=400");
        assertThat(a.get("READ/OK") + a.get("UPDATE/OK")).isEqualTo(400L);
        final Map<String, Long> b = ycsb(configFile, "-t", "workloadb", "-p", "recordcount=300", "-p",
            "operationcount=300");
        assertThat(b.get("READ/OK") + b.getOrDefault("UPDATE/OK", 0L)).isEqualTo(300L);
        final Map<String, Long> c = ycsb(configFile, "-t", "workloadc", "-p", "recordcount=300", "-p",
            "operationcount=300");
        assertThat(c).as("reads only").containsOnlyKeys("READ/OK").containsEntry("READ/OK", 300L);
        final Map<String, Long> e = ycsb(configFile, "-t", "workloade", "-p", "recordcount=300", "-p",
            "operationcount=150", "-p", "maxscanlength=40");
        assertThat(e.get("SCAN/OK") + e.getOrDefault("INSERT/OK", 0L)).isEqualTo(150L);
        final Map<String, Long> f = ycsb(configFile, "-t", "workloadf", "-p", "recordcount=300", "-p",
            "operationcount=300");
        assertThat(f.get("READ/OK")).as("reads, and the reads of read-modify-writes").isEqualTo(300L);
        assertThat(f.get("UPDATE/OK")).as("the updates of read-modify-writes").isPositive();
    }

    /** Runs YCSB's client and returns its per-operation return counts ("READ/OK" → n); fails on any other return. */
    private Map<String, Long> ycsb(final Path configFile, final String phase, final String workload,
        final String... properties) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            JvmSupport.REQUIRED_OPTION.split(" ")[0], JvmSupport.REQUIRED_OPTION.split(" ")[1],
            "-cp", Path.of("target", "classes") + File.pathSeparator + classPath("ycsb-classpath.txt") +
                File.pathSeparator + classPath("runtime-classpath.txt"),
            "site.ycsb.Client", phase, "-db", RamcastDb.class.getName(),
            "-P", Path.of("workloads", workload).toString(), "-threads", "4",
            "-p", RamcastDb.CONFIG + "=" + configFile));
        command.addAll(List.of(properties));
        final Path out = dir.resolve(workload + phase + ".out");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
            .redirectError(dir.resolve(workload + phase + ".err").toFile()).start();
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("YCSB finished").isTrue();
        final String output = Files.readString(out);
        final String transcript = output + Files.readString(dir.resolve(workload + phase + ".err"));
        assertThat(process.exitValue()).as(transcript).isZero();
        assertThat(output).as(transcript).contains("[OVERALL], Throughput(ops/sec)");
        final Map<String, Long> counts = new java.util.TreeMap<>();
        final Matcher m = RETURN.matcher(output);
        while (m.find())
        {
            counts.merge(m.group(1) + "/" + m.group(2), Long.parseLong(m.group(3)), Long::sum);
        }
        assertThat(counts.keySet()).as(transcript).allMatch(k -> k.endsWith("/OK"));
        return counts;
    }

    private static String classPath(final String file) throws IOException
    {
        return Files.readString(Path.of("target", file)).trim();
    }

    private String config(final int[] ports)
    {
        final StringBuilder yaml = new StringBuilder("cluster: ycsb\nfabric: tcp\n" +
            "partitioner:\n  type: range\n  splitKeys: [\"usertable/user5\"]\n" +
            "storage:\n  dataRoot: " + dir.resolve("data") + "\npartitions:\n");
        for (int i = 0; i < ports.length; i++)
        {
            yaml.append("  - id: ").append(i).append("\n    replicas:\n      - {id: ").append(i)
                .append(", host: 127.0.0.1, port: ").append(ports[i]).append("}\n");
        }
        return yaml.append("clients: {firstId: 10, count: 4}\nsecurity:\n  replicaSecretFile: ")
            .append(dir.resolve("replica.key")).append("\n  clientSecretFile: ").append(dir.resolve("client.key"))
            .append('\n').toString();
    }

    private static int[] freePorts(final int n) throws IOException
    {
        final int[] ports = new int[n];
        final ServerSocket[] sockets = new ServerSocket[n];
        for (int i = 0; i < n; i++)
        {
            sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            ports[i] = sockets[i].getLocalPort();
        }
        for (final ServerSocket s : sockets)
        {
            s.close();
        }
        return ports;
    }
}
