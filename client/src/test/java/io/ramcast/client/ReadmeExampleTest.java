package io.ramcast.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import io.ramcast.multicast.JvmSupport;
import io.ramcast.multicast.fabric.TcpFabric;
import io.ramcast.txn.config.ClusterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's client example, as a user meets it: the Java block marked {@code example: QuickStart}
 * is compiled against the client's runtime class path only (no test dependencies, no surefire
 * options) and run in a JVM of its own against a three-replica cluster over tcp. Without the JVM
 * option it needs it must stop with one line naming it; with it, it must print what README says.
 */
class ReadmeExampleTest
{
    private static final Pattern EXAMPLE = Pattern.compile("<!-- example: QuickStart -->\\s*```java\\n(.*?)```",
        Pattern.DOTALL);

    /** FakeCluster numbers its clients after its replicas. */
    private static final int CLIENT_ID = 3;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCompileAndRunTheReadmeExampleInAPlainJvm() throws Exception
    {
        final Matcher example = EXAMPLE.matcher(Files.readString(Path.of("..", "README.md")));
        assertThat(example.find()).as("README holds the QuickStart example").isTrue();
        final Path source = Files.writeString(dir.resolve("QuickStart.java"), example.group(1));
        final String classPath = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator +
            Files.readString(Path.of("target", "runtime-classpath.txt")).strip();
        assertThat(classPath).as("the client's runtime class path").doesNotContain("disni").doesNotContain("log4j")
            .doesNotContain("rocksdb").doesNotContain("junit");

        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertThat(compiler.run(null, null, null, "-d", dir.toString(), "-classpath", classPath, source.toString()))
            .as("README's example compiles").isZero();

        final int[] ports = KvClientConnectTest.freePorts(3);
        final ClusterConfig config = ClusterConfig.parse(config(ports), "quickstart.yaml");
        final Path configFile = Files.writeString(dir.resolve("quickstart.yaml"), config(ports));
        try (FakeCluster cluster = new FakeCluster(List.of(), 3, 1, config.toMulticastOptions(),
            id -> new TcpFabric(id, config.listenAddresses(), config.toTcpFabricOptions(config.replicaCredentials(1)))))
        {
            final Run plain = run(List.of(), classPath, configFile);
            assertThat(plain.exitCode()).as(plain.toString()).isNotZero();
            assertThat(plain.stderr()).as(plain.toString()).contains("RamCast needs the JVM option " +
                JvmSupport.REQUIRED_OPTION);

            final Run flagged = run(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"), classPath,
                configFile);
            assertThat(flagged.exitCode()).as(flagged.toString()).isZero();
            assertThat(flagged.stdout()).as(flagged.toString())
                .contains("committed: [None[], Counter[value=1], Value[null]]");
            assertThat(cluster.failures()).isEmpty();
        }
    }

    private String config(final int[] ports)
    {
        final StringBuilder yaml = new StringBuilder("cluster: quickstart\nfabric: tcp\npartitions:\n  - id: 0\n" +
            "    replicas:\n");
        for (int i = 0; i < ports.length; i++)
        {
            yaml.append("      - {id: ").append(i).append(", host: 127.0.0.1, port: ").append(ports[i]).append("}\n");
        }
        return yaml.append("clients: {firstId: ").append(CLIENT_ID).append(", count: 1}\nsecurity:\n  replicaSecretFile: ")
            .append(dir.resolve("replica.key")).append("\n  clientSecretFile: ").append(dir.resolve("client.key"))
            .append('\n').toString();
    }

    private Run run(final List<String> jvmOptions, final String classPath, final Path configFile)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(dir + File.pathSeparator + classPath);
        command.add("QuickStart");
        command.add(configFile.toString());
        final ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
            .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        final Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
            Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    /** What a run of the example printed. */
    private record Run(int exitCode, String stdout, String stderr)
    {
    }

}
