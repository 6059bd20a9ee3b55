package io.ramcast.txn.config;

import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checks shared by the config tests that load one bad fixture file per validation rule. */
final class BadConfigFixtures
{
    private BadConfigFixtures()
    {
    }

    /** The file is refused with exactly one problem, reported as {@code <file>: <path>: <value>; <rule>}. */
    static void assertRefused(final Path file, final String path, final String value, final String rule)
    {
        assertThatThrownBy(() -> ClusterConfig.load(file))
            .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(1))
            .hasMessageStartingWith(file + ": " + path + ": " + value)
            .hasMessageContaining(rule);
    }

    /** Every {@code bad-*} file in {@code dir} has a row in {@code table} (first argument: the file name), and no other. */
    static void assertEveryFixtureHasARow(final Path dir, final Stream<Arguments> table) throws IOException
    {
        final Set<String> covered = table.map(arguments -> (String)arguments.get()[0]).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(dir))
        {
            assertThat(files.map(file -> file.getFileName().toString()).filter(name -> name.startsWith("bad-")))
                .containsExactlyInAnyOrderElementsOf(covered);
        }
    }
}
