package io.ramcast.multicast;

import io.ramcast.check.multicast.MessageId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScenarioInterpreterTest
{
    private static final String SMALL = """
        # test scenario
        topology groups=1 replicas=3 clients=1
        ----
        g0: s0 s1 s2
        clients: c0

        """;

    private static final String THREE_GROUPS = """
        # two clients, overlapping destinations, delayed links
        topology groups=3 replicas=3 clients=2 seed=SEED
        ----

        delay from=c0 to=s1,g1 us=40
        ----

        submit client=c0 dest=0,1
        ----

        submit client=c1 dest=1,2
        ----

        submit client=c0 dest=0,2
        ----

        submit client=1 dest=0,1,2
        ----

        run-until-quiet
        ----

        deliveries ts=true
        ----

        clients
        ----

        check
        ----
        """;

    private static String run(final String text)
    {
        return ScenarioInterpreter.run(ScenarioScript.parse("x.txt", text));
    }

    @Test
    void shouldPrintTheTopologyAndOkForActions()
    {
        final String transcript = run(SMALL + """
            submit client=c0 dest=0 id=first
            ----

            run-until delivered=first
            ----

            deliveries process=s0,s2
            ----

            ballots
            ----

            run-until-quiet
            ----

            clients
            ----

            check
            ----
            """);

        assertThat(transcript).isEqualTo(SMALL + """
            submit client=c0 dest=0 id=first
            ----
            ok

            run-until delivered=first
            ----
            ok

            deliveries process=s0,s2
            ----
            s0: first
            s2: first

            ballots
            ----
            g0: s0=leader(1,0) s1=follower(1,0) s2=follower(1,0)

            run-until-quiet
            ----
            ok

            clients
            ----
            c0: submitted=1 completed=1 pending=0

            check
            ----
            VALID
            """);
    }

    @Test
    void shouldReportAConditionNotReachedAndMarkCrashedAndPausedProcesses()
    {
        final String transcript = run(SMALL + """
            pause process=s2
            ----

            crash process=s1 connection=kept
            ----

            run-until leader=s1 max=50
            ----

            ballots
            ----

            deliveries
            ----
            """);

        assertThat(transcript).endsWith("""
            run-until leader=s1 max=50
            ----
            NOT REACHED after 50 steps

            ballots
            ----
            g0: s0=leader(1,0) s1=crashed s2=follower(1,0),paused

            deliveries
            ----
            s0: -
            s1 (crashed): -
            s2 (paused): -
            """);
    }

    @Test
    void shouldProduceTheSameTranscriptOnEveryRunOfASeed()
    {
        final String first = run(THREE_GROUPS.replace("SEED", "11"));
        final String second = run(THREE_GROUPS.replace("SEED", "11"));

        assertThat(second).isEqualTo(first);
        assertThat(first).contains("c0: submitted=2 completed=2 pending=0\nc1: submitted=2 completed=2 pending=0")
            .endsWith("VALID\n");
        assertThat(run(THREE_GROUPS.replace("SEED", "12"))).endsWith("VALID\n");
    }

    @Test
    void shouldFailWithADiffWhenAnExpectationIsWrong()
    {
        final ScenarioScript script = ScenarioScript.parse("wrong.txt", SMALL + """
            submit client=c0 dest=0
            ----
            ok

            submit client=c0 dest=0
            ----
            ok

            run-until-quiet
            ----
            ok

            deliveries process=s0
            ----
            s0: m2 m1
            """);

        final String actual = ScenarioInterpreter.run(script);
        final String diff = UnifiedDiff.diff("expected", "actual", script.text().lines().toList(), actual.lines().toList());

        assertThat(actual).isNotEqualTo(script.text());
        assertThat(diff).contains("-s0: m2 m1\n+s0: m1 m2\n");
    }

    @Test
    void shouldPrintInvalidAndTheCheckersReportForABrokenHistory()
    {
        try (ScenarioInterpreter interpreter = new ScenarioInterpreter("broken.txt"))
        {
            interpreter.execute(ScenarioCommand.parse("broken.txt", 1, "topology groups=3 replicas=3 clients=1"));
            interpreter.execute(ScenarioCommand.parse("broken.txt", 2, "submit client=c0 dest=0"));
            interpreter.execute(ScenarioCommand.parse("broken.txt", 3, "run-until-quiet"));
            assertThat(interpreter.execute(ScenarioCommand.parse("broken.txt", 4, "check"))).containsExactly("VALID");

            interpreter.simulation().history.recordDelivery(0, MessageId.of(99, 1), 0); // never multicast

            final List<String> out = interpreter.execute(ScenarioCommand.parse("broken.txt", 5, "check"));
            assertThat(out.get(0)).isEqualTo("INVALID");
            assertThat(String.join("\n", out)).contains("99:1");
            assertThat(out).noneMatch(String::isBlank);
        }
    }

    @Test
    void shouldNameFileAndLineOfAnUnknownVerb()
    {
        assertThatThrownBy(() -> run(SMALL + "frobnicate a=1\n----\n"))
            .isInstanceOf(ScenarioException.class)
            .hasMessageStartingWith("x.txt:7: frobnicate: unknown verb; verbs are [topology, submit,");
    }

    @Test
    void shouldRequireTopologyFirstAndOnlyOnce()
    {
        assertThatThrownBy(() -> run("step\n----\n"))
            .isInstanceOf(ScenarioException.class)
            .hasMessage("x.txt:1: step: the first command must be 'topology'");
        assertThatThrownBy(() -> run(SMALL + "topology groups=1 replicas=1 clients=1\n----\n"))
            .hasMessage("x.txt:7: topology: the cluster exists already; one topology per scenario");
        assertThatThrownBy(() -> run("topology groups=1 replicas=2 clients=1\n----\n"))
            .isInstanceOf(ScenarioException.class).hasMessageStartingWith("x.txt:1: topology: ");
        assertThatThrownBy(() -> run("topology groups=1 replicas=3 clients=1 ring-slots=3\n----\n"))
            .hasMessage("x.txt:1: topology: ringSlots=3 must be a power of two");
    }

    @Test
    void shouldNameFileAndLineOfABadArgument()
    {
        assertBad("submit client=c1 dest=0", "x.txt:7: submit: no client c1; clients are c0..c0");
        assertBad("submit client=c0 dest=3", "x.txt:7: submit: 'dest' must be in [0, 0], got 3");
        assertBad("submit client=c0 dest=0,", "x.txt:7: submit: empty item in 'dest=0,'");
        assertBad("submit client=c0", "x.txt:7: submit: missing argument 'dest'");
        assertBad("submit client=c0 dest=0 id=9x", "x.txt:7: submit: id '9x' must be a letter followed by letters, " +
            "digits, '_', '.' or '-'");
        assertBad("step many", "x.txt:7: step: 'count' must be an integer, got 'many'");
        assertBad("step 1 2", "x.txt:7: step: unexpected word '2'");
        assertBad("deliveries who=s0", "x.txt:7: deliveries: unknown argument 'who'; allowed: [process, ts]");
        assertBad("deliveries process=c0", "x.txt:7: deliveries: c0 is not a server");
        assertBad("deliveries ts=yes", "x.txt:7: deliveries: 'ts' must be true or false, got 'yes'");
        assertBad("crash process=s9", "x.txt:7: crash: no server s9; servers are s0..s2");
        assertBad("crash process=x1", "x.txt:7: crash: 'x1' is not a process; write s<server id> or c<client number>");
        assertBad("crash process=s1 connection=maybe", "x.txt:7: crash: 'connection' must be lost or kept, got 'maybe'");
        assertBad("pause-link from=s0 to=g0", "x.txt:7: pause-link: s0 has no link to itself");
        assertBad("ballots all", "x.txt:7: ballots: unexpected word 'all'");
        assertBad("run-until max=5", "x.txt:7: run-until: give exactly one condition: delivered=LABEL or leader=P");
        assertBad("run-until delivered=nope", "x.txt:7: run-until: no message 'nope' was submitted");
        assertBad("step a=1 a=2", "x.txt:7: step: argument 'a' given twice");
    }

    private static void assertBad(final String command, final String message)
    {
        assertThatThrownBy(() -> run(SMALL + command + "\n----\n"))
            .isInstanceOf(ScenarioException.class)
            .hasMessage(message);
    }
}
