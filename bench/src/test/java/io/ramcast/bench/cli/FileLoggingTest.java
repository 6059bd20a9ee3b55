package io.ramcast.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's log file as an operator keeps it: appended across restarts (a second configuration
 * of the same file keeps the first run's lines), capped (rolled by size into a fixed number of
 * files, the oldest dropped), and as JSON lines when asked.
 */
class FileLoggingTest
{
    private static final Logger LOG = LoggerFactory.getLogger(FileLoggingTest.class);

    @TempDir
    Path dir;

    @Test
    void shouldAppendAcrossRestartsAndRollAtTheCap() throws Exception
    {
        final Path file = dir.resolve("replica-4.log");
        Runnable undo = FileLogging.configure(file, 4096, 2, FileLogging.Format.TEXT, 5);
        LOG.info("first run");
        undo.run();
        undo = FileLogging.configure(file, 4096, 2, FileLogging.Format.TEXT, 5);
        try
        {
            LOG.info("second run");
            assertThat(Files.readString(file, StandardCharsets.UTF_8)).as("appended, not truncated")
                .contains("INFO ", "first run", "second run");
            final String line = "x".repeat(100);
            for (int i = 0; i < 400; i++) // about 60 KiB: many times the 4 KiB cap
            {
                LOG.info("filler {} {}", i, line);
                if (i % 10 == 0)
                {
                    Thread.sleep(10); // the size is checked at most every 5 ms here
                }
            }
        }
        finally
        {
            undo.run();
        }
        try (var files = Files.list(dir))
        {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                .containsExactly("replica-4.log", "replica-4.log.1", "replica-4.log.2");
        }
        assertThat(Files.readString(dir.resolve("replica-4.log.1"), StandardCharsets.UTF_8)).contains("filler");
        long total = 0;
        for (final String name : List.of("replica-4.log", "replica-4.log.1", "replica-4.log.2"))
        {
            total += Files.size(dir.resolve(name));
        }
        assertThat(total).as("three files of about the cap each, not 60 KiB").isLessThan(3 * 4096 + 3 * 2048);
    }

    @Test
    void shouldWriteOneJsonObjectPerLine() throws Exception
    {
        final Path file = dir.resolve("replica-json.log");
        final Runnable undo = FileLogging.configure(file, 1 << 20, 1, FileLogging.Format.JSON);
        try
        {
            LOG.warn("disk {} is {} full", "/data", "95%");
        }
        finally
        {
            undo.run();
        }
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
            .filter(l -> l.contains("is 95% full")).toList();
        assertThat(lines).hasSize(1);
        final JsonNode event = new ObjectMapper().readTree(lines.get(0));
        assertThat(event.get("level").asText()).isEqualTo("WARN");
        assertThat(event.get("loggerName").asText()).isEqualTo(FileLoggingTest.class.getName());
        assertThat(event.get("formattedMessage").asText()).isEqualTo("disk /data is 95% full");
    }

    @Test
    void shouldRefuseCapsOutOfRange()
    {
        assertThatThrownBy(() -> FileLogging.configure(dir.resolve("a.log"), 100, 2, FileLogging.Format.TEXT))
            .hasMessageContaining("at least 1 KiB");
        assertThatThrownBy(() -> FileLogging.configure(dir.resolve("a.log"), 4096, 21, FileLogging.Format.TEXT))
            .hasMessageContaining("[1, 20]");
    }
}
