package io.ramcast.multicast;

import io.ramcast.multicast.ControlMessages.CatchUpEnd;
import io.ramcast.multicast.ControlMessages.EntryInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Collecting promises for one candidacy: counting towards a majority, completeness, expiry, plan input. */
class CandidacyTest
{
    private static final long BALLOT = Ballots.of(4, 12);

    @Test
    void shouldWinWithAMajorityCountingItsOwnPromise()
    {
        final Candidacy c = new Candidacy(BALLOT, 0, 5, 2, 3);
        assertThat(c.promiseCount()).isEqualTo(1);

        c.onEntries(0, List.of(info(1)));
        assertThat(c.promiseCount()).as("parts without their end do not count").isEqualTo(1);
        assertThat(c.onEnd(0, end(1))).isFalse();
        assertThat(c.promiseCount()).isEqualTo(2);
        assertThat(c.onEnd(4, end(0))).isTrue();
        assertThat(c.promiseCount()).isEqualTo(3);
    }

    @Test
    void shouldCountADuplicatedEndOnce()
    {
        final Candidacy c = new Candidacy(BALLOT, 0, 3, 0, 2);
        assertThat(c.onEnd(1, end(0))).isTrue();
        assertThat(c.onEnd(1, end(0))).isTrue();
        assertThat(c.promiseCount()).isEqualTo(2);
    }

    @Test
    void shouldRefuseAPromiseWhoseEndAnnouncesOtherEntriesThanItCarried()
    {
        final Candidacy c = new Candidacy(BALLOT, 0, 3, 0, 2);
        c.onEntries(2, List.of(info(1), info(2)));
        assertThatThrownBy(() -> c.onEnd(2, end(3))).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("announced 3 entries but carried 2");
        assertThat(c.promiseCount()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAPromiseAttributedToTheCandidateItself()
    {
        final Candidacy c = new Candidacy(BALLOT, 0, 3, 1, 2);
        assertThatThrownBy(() -> c.onEnd(1, end(0))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.onEntries(1, List.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldHandThePlanEveryEndedPromiseInMemberOrderWithItsOwnInItsPlace()
    {
        final Candidacy c = new Candidacy(BALLOT, 0, 4, 2, 3);
        c.onEntries(3, List.of(info(7)));
        c.onEnd(3, end(1));
        c.onEntries(1, List.of(info(5), info(6)));
        c.onEnd(1, end(2));
        c.onEntries(0, List.of(info(9))); // no end yet: not a promise

        final RecoveryPlan.Promise own = new RecoveryPlan.Promise(List.of(), end(0));
        final List<RecoveryPlan.Promise> promises = c.promises(own);

        assertThat(promises).hasSize(3);
        assertThat(promises.get(0).entries()).extracting(EntryInfo::messageId).containsExactly(5L, 6L);
        assertThat(promises.get(1)).isSameAs(own);
        assertThat(promises.get(2).entries()).extracting(EntryInfo::messageId).containsExactly(7L);
    }

    @Test
    void shouldExpireOnlyAfterMoreThanTheTimeout()
    {
        final Candidacy c = new Candidacy(BALLOT, 1_000, 3, 0, 2);
        assertThat(c.ballot()).isEqualTo(BALLOT);
        assertThat(c.expired(1_500, 500)).isFalse();
        assertThat(c.expired(1_501, 500)).isTrue();
    }

    @Test
    void shouldRefuseImpossibleGroupShapes()
    {
        assertThatThrownBy(() -> new Candidacy(BALLOT, 0, 3, 3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Candidacy(BALLOT, 0, 3, 0, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    private static EntryInfo info(final long id)
    {
        return new EntryInfo(id, 0, new int[] {0}, new long[] {id}, true, false, List.of());
    }

    private static CatchUpEnd end(final int entryCount)
    {
        return new CatchUpEnd(BALLOT, Ballots.of(3, 11), 9, Long.MAX_VALUE, 100, entryCount, new long[] {1});
    }
}
