package io.ramcast.multicast;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BallotsTest
{
    @Test
    void shouldRenderRoundDotLeaderAndParseItBack()
    {
        final long ballot = Ballots.of(3, 7);

        assertThat(Ballots.format(ballot)).isEqualTo("3.7");
        assertThat(Ballots.parse("3.7")).isEqualTo(ballot);
        assertThat(Ballots.round(ballot)).isEqualTo(3);
        assertThat(Ballots.leader(ballot)).isEqualTo(7);
        assertThat(Ballots.format(Ballots.NONE)).isEqualTo("0.0");
    }

    @Test
    void shouldRoundTripTheExtremesOfBothFields()
    {
        final long largest = Ballots.of((1L << 48) - 1, 65535);

        assertThat(Ballots.format(largest)).isEqualTo(((1L << 48) - 1) + ".65535");
        assertThat(Ballots.parse(Ballots.format(largest))).isEqualTo(largest);
    }

    @Test
    void shouldOrderParsedBallotsByRoundThenLeader()
    {
        assertThat(Ballots.parse("2.0")).isGreaterThan(Ballots.parse("1.65535"));
        assertThat(Ballots.parse("2.5")).isGreaterThan(Ballots.parse("2.4"));
    }

    @Test
    void shouldRejectTextThatIsNotRoundDotLeader()
    {
        for (final String bad : new String[] {"", "3", "3.", ".7", "3.7.1", "-3.7", "3.x", " 3.7", "3,7"})
        {
            assertThatThrownBy(() -> Ballots.parse(bad))
                .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<round>.<leader>");
        }
    }

    @Test
    void shouldRejectFieldsTooLargeForTheLayout()
    {
        assertThatThrownBy(() -> Ballots.parse("1.65536"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Ballots.parse((1L << 48) + ".1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Ballots.parse("99999999999999999999.1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    }
}
