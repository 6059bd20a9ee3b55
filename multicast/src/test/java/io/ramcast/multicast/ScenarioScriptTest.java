package io.ramcast.multicast;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScenarioScriptTest
{
    private static final String CANONICAL = """
        # what it shows
        # ramcast-protocol.md §X

        first a=1
        ----
        out 1
        out 2

        # between blocks
        second
        ----
        ok
        """;

    @Test
    void shouldParseCommandsWithLineNumbersAndExpectedOutput()
    {
        final ScenarioScript script = ScenarioScript.parse("s.txt", CANONICAL);

        assertThat(script.commands()).containsExactly(
            new ScenarioScript.Command(4, "first a=1", List.of("out 1", "out 2")),
            new ScenarioScript.Command(10, "second", List.of("ok")));
    }

    @Test
    void shouldRenderACanonicalFileUnchanged()
    {
        assertThat(ScenarioScript.parse("s.txt", CANONICAL).text()).isEqualTo(CANONICAL);
    }

    @Test
    void shouldRenderOtherOutputsInTheSameShape()
    {
        final String rendered = ScenarioScript.parse("s.txt", CANONICAL).render(List.of(List.of("new"), List.of()));

        assertThat(rendered).isEqualTo("""
            # what it shows
            # ramcast-protocol.md §X

            first a=1
            ----
            new

            # between blocks
            second
            ----
            """);
        assertThat(ScenarioScript.parse("s.txt", rendered).commands().get(1).expected()).isEmpty();
    }

    @Test
    void shouldNameTheFileAndLineOfACommandWithoutSeparator()
    {
        assertThatThrownBy(() -> ScenarioScript.parse("bad.txt", "# header\n\nstep 3\nok\n"))
            .isInstanceOf(ScenarioException.class)
            .hasMessage("bad.txt:3: expected a '----' line after the command 'step 3'");
    }

    @Test
    void shouldRefuseABlankOutputLine()
    {
        final ScenarioScript script = ScenarioScript.parse("s.txt", CANONICAL);

        assertThatThrownBy(() -> script.render(List.of(List.of(" "), List.of("ok"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank output line");
        assertThatThrownBy(() -> script.render(List.of(List.of("ok"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 outputs for 2 commands");
    }
}
