package io.ramcast.multicast;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Runs every protocol scenario under {@code src/test/resources/scenarios/} (one dynamic test per
 * {@code *.txt} file) through {@link ScenarioInterpreter} and compares the transcript with the
 * one checked in; a difference fails with a unified diff of expected against actual.
 *
 * <p>After an intended change of behaviour, {@code -Dscenario.rewrite=true} writes the actual
 * transcripts over the files (review the change with {@code git diff}); {@code -Dscenario=NAME}
 * runs only the file {@code NAME.txt}. Each file must start with comment lines that cite the
 * section of ramcast-protocol.md it comes from, and run {@code check}: a scenario shows the
 * protocol behaving correctly, so every check must print VALID, also when rewriting.
 */
class ScenarioTest
{
    /** The checked-in scenarios, relative to the module directory (surefire's working directory). */
    static final Path SCENARIOS = Path.of("src", "test", "resources", "scenarios");
    private static final Duration TIMEOUT_PER_SCENARIO = Duration.ofSeconds(120);

    @TestFactory
    Stream<DynamicTest> shouldReproduceEveryCheckedInTranscript() throws IOException
    {
        assertThat(SCENARIOS).as("scenario directory (run from the multicast module)").isDirectory();
        final String only = System.getProperty("scenario");
        final List<Path> files;
        try (Stream<Path> listing = Files.list(SCENARIOS))
        {
            files = listing
                .filter(f -> f.getFileName().toString().endsWith(".txt"))
                .filter(f -> only == null || f.getFileName().toString().equals(only + ".txt"))
                .sorted()
                .toList();
        }
        assertThat(files).as("scenario files in %s%s", SCENARIOS, only == null ? "" : " named " + only + ".txt")
            .isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(),
            () -> assertTimeoutPreemptively(TIMEOUT_PER_SCENARIO, () -> runScenario(f))));
    }

    private static void runScenario(final Path file) throws IOException
    {
        final String name = file.getFileName().toString();
        final String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text).as("%s starts with comment lines stating what it shows", name).startsWith("#");
        assertThat(header(text)).as("%s's header cites ramcast-protocol.md", name).contains("ramcast-protocol.md §");
        final ScenarioScript script = ScenarioScript.parse(name, text);
        final String actual = ScenarioInterpreter.run(script);
        final List<ScenarioScript.Command> checks = ScenarioScript.parse(name, actual).commands().stream()
            .filter(c -> c.text().equals("check") || c.text().startsWith("check ")).toList();
        assertThat(checks).as("%s runs the multicast checker", name).isNotEmpty();
        for (final ScenarioScript.Command check : checks)
        {
            assertThat(check.expected()).as("%s:%d: the checker's verdict, whatever the transcript says", name,
                check.lineNumber()).containsExactly("VALID");
        }
        if (Boolean.getBoolean("scenario.rewrite"))
        {
            if (!actual.equals(text))
            {
                Files.writeString(file, actual, StandardCharsets.UTF_8);
            }
            return;
        }
        final String expected = script.text();
        if (!expected.equals(actual))
        {
            fail("scenario " + name + ": the transcript differs from the checked-in one" +
                " (after an intended change, rerun with -Dscenario.rewrite=true and review the diff)\n" +
                UnifiedDiff.diff(name + " (expected)", name + " (actual)", expected.lines().toList(), actual.lines().toList()));
        }
    }

    /** @return the leading comment lines, joined. */
    private static String header(final String text)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String line : text.lines().toList())
        {
            if (!line.startsWith("#"))
            {
                break;
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}
