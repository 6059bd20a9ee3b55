package io.ramcast.multicast;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UnifiedDiffTest
{
    @Test
    void shouldBeEmptyForEqualTexts()
    {
        assertThat(UnifiedDiff.diff("a", "b", List.of("x", "y"), List.of("x", "y"))).isEmpty();
    }

    @Test
    void shouldShowAChangedLineWithItsContextAndLineNumbers()
    {
        final List<String> expected = List.of("1", "2", "3", "4", "5", "6", "7", "8");
        final List<String> actual = List.of("1", "2", "3", "4", "five", "6", "7", "8");

        assertThat(UnifiedDiff.diff("expected", "actual", expected, actual)).isEqualTo("""
            --- expected
            +++ actual
            @@ -2,7 +2,7 @@
             2
             3
             4
            -5
            +five
             6
             7
             8
            """);
    }

    @Test
    void shouldShowInsertionsAndDeletionsAtTheEnds()
    {
        assertThat(UnifiedDiff.diff("e", "a", List.of("a", "b"), List.of("b", "c"))).isEqualTo("""
            --- e
            +++ a
            @@ -1,2 +1,2 @@
            -a
             b
            +c
            """);
        assertThat(UnifiedDiff.diff("e", "a", List.of(), List.of("x"))).isEqualTo("""
            --- e
            +++ a
            @@ -0,0 +1,1 @@
            +x
            """);
    }

    @Test
    void shouldSplitDistantChangesIntoSeparateHunks()
    {
        final List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++)
        {
            expected.add("line " + i);
        }
        final List<String> actual = new ArrayList<>(expected);
        actual.set(1, "changed 2");
        actual.set(17, "changed 18");

        final String diff = UnifiedDiff.diff("e", "a", expected, actual);

        assertThat(diff).contains("@@ -1,5 +1,5 @@\n line 1\n-line 2\n+changed 2\n")
            .contains("@@ -15,6 +15,6 @@\n line 15\n line 16\n line 17\n-line 18\n+changed 18\n line 19\n line 20\n");
        assertThat(diff.lines().filter(l -> l.startsWith("@@")).count()).isEqualTo(2);
    }
}
