package io.ramcast.multicast;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The moves between roles (ServerProtocol.Mode) the protocol makes, and which of them keep the ballot. */
class ModeTest
{
    @ParameterizedTest(name = "{0} -> {1}: allowed {2}, same ballot {3}")
    @CsvSource({
        "FOLLOWER,  FOLLOWER,  true,  false",
        "FOLLOWER,  CANDIDATE, true,  false",
        "FOLLOWER,  LEADER,    false, false",
        "CANDIDATE, FOLLOWER,  true,  false",
        "CANDIDATE, CANDIDATE, true,  false",
        "CANDIDATE, LEADER,    true,  true",
        "LEADER,    FOLLOWER,  true,  false",
        "LEADER,    CANDIDATE, false, false",
        "LEADER,    LEADER,    false, false"})
    void shouldAllowExactlyTheProtocolsMoves(
        final ServerProtocol.Mode from, final ServerProtocol.Mode to, final boolean allowed, final boolean keepsBallot)
    {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
        assertThat(from.keepsBallotMovingTo(to)).isEqualTo(keepsBallot);
        assertThat(from.mayKeepBallotMovingTo(to)).isEqualTo(from == ServerProtocol.Mode.LEADER &&
            to == ServerProtocol.Mode.FOLLOWER);
    }
}
