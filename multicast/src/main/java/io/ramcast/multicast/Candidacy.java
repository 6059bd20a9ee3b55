package io.ramcast.multicast;

import io.ramcast.multicast.ControlMessages.CatchUpEnd;
import io.ramcast.multicast.ControlMessages.EntryInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * One attempt of a member to become its group's leader (Task 7, ramcast-protocol.md §C.7.2): the
 * ballot it campaigns in, when it started, and the promises collected so far (Task 8). Created
 * when the candidacy starts and dropped when it ends (leader, follower of a higher ballot, or a
 * retry in a higher round, which is a new candidacy).
 *
 * <p>A promise arrives as any number of CATCH_UP_ENTRIES parts followed by one CATCH_UP_END, which
 * announces how many entries were sent; only an ended promise counts. Counting promises is done
 * here and only here ({@link #onEnd}): a rule on which promises may count towards a win (e.g. "the
 * winner holds everything a majority has delivered", or promises made durable) is added there.
 *
 * <p>Threading: the protocol agent's thread only. Errors: a promise whose end announces another
 * entry count than it carried, or a promise attributed to the candidate itself, is an
 * {@link IllegalStateException} (a broken invariant of the control channel).
 */
final class Candidacy
{
    private final long ballot;
    private final long startedNs;
    private final int selfIndex;
    private final int quorum;
    private final List<List<EntryInfo>> entriesByMember;
    private final CatchUpEnd[] endByMember;

    /**
     * @param ballot      the ballot campaigned in.
     * @param startedNs   the agent's time when the candidacy started, in nanoseconds.
     * @param memberCount members of the group, the candidate included.
     * @param selfIndex   the candidate's index among the members.
     * @param quorum      promises needed to win, the candidate's own included.
     */
    Candidacy(final long ballot, final long startedNs, final int memberCount, final int selfIndex, final int quorum)
    {
        if (selfIndex < 0 || selfIndex >= memberCount || quorum < 1 || quorum > memberCount)
        {
            throw new IllegalArgumentException("member " + selfIndex + " of " + memberCount + ", quorum " + quorum);
        }
        this.ballot = ballot;
        this.startedNs = startedNs;
        this.selfIndex = selfIndex;
        this.quorum = quorum;
        this.entriesByMember = new ArrayList<>(memberCount);
        for (int j = 0; j < memberCount; j++)
        {
            entriesByMember.add(null);
        }
        this.endByMember = new CatchUpEnd[memberCount];
    }

    long ballot()
    {
        return ballot;
    }

    /**
     * @param nowNs     the agent's current time, in nanoseconds.
     * @param timeoutNs how long a candidacy may wait for a majority, in nanoseconds.
     * @return whether the candidacy has waited longer than {@code timeoutNs} (then it retries higher).
     */
    boolean expired(final long nowNs, final long timeoutNs)
    {
        return nowNs - startedNs > timeoutNs;
    }

    /** Records a part of member {@code memberIndex}'s promise. */
    void onEntries(final int memberIndex, final List<EntryInfo> part)
    {
        checkOther(memberIndex);
        entriesOf(memberIndex).addAll(part);
    }

    /**
     * Records the end of member {@code memberIndex}'s promise.
     *
     * @return whether a majority (the candidate's own promise included) has now promised.
     * @throws IllegalStateException if the end announces another entry count than the parts carried.
     */
    boolean onEnd(final int memberIndex, final CatchUpEnd end)
    {
        checkOther(memberIndex);
        final List<EntryInfo> entries = entriesOf(memberIndex);
        if (entries.size() != end.entryCount())
        {
            throw new IllegalStateException("promise of member " + memberIndex + " announced " + end.entryCount() +
                " entries but carried " + entries.size());
        }
        endByMember[memberIndex] = end;
        return promiseCount() >= quorum;
    }

    /** @return member {@code memberIndex}'s ended promise, or null (none yet, or the candidate itself). */
    CatchUpEnd end(final int memberIndex)
    {
        return endByMember[memberIndex];
    }

    /** @return members that promised, the candidate included. */
    int promiseCount()
    {
        int n = 1;
        for (int j = 0; j < endByMember.length; j++)
        {
            if (j != selfIndex && endByMember[j] != null)
            {
                n++;
            }
        }
        return n;
    }

    /**
     * @param own the candidate's own promise, taken when the majority is reached.
     * @return every ended promise with the candidate's own, in member order: the input of
     *         {@link RecoveryPlan#from}.
     */
    List<RecoveryPlan.Promise> promises(final RecoveryPlan.Promise own)
    {
        final List<RecoveryPlan.Promise> promises = new ArrayList<>(endByMember.length);
        for (int j = 0; j < endByMember.length; j++)
        {
            if (j == selfIndex)
            {
                promises.add(own);
            }
            else if (endByMember[j] != null)
            {
                promises.add(new RecoveryPlan.Promise(List.copyOf(entriesByMember.get(j)), endByMember[j]));
            }
        }
        return promises;
    }

    private List<EntryInfo> entriesOf(final int memberIndex)
    {
        List<EntryInfo> entries = entriesByMember.get(memberIndex);
        if (entries == null)
        {
            entries = new ArrayList<>();
            entriesByMember.set(memberIndex, entries);
        }
        return entries;
    }

    private void checkOther(final int memberIndex)
    {
        if (memberIndex == selfIndex)
        {
            throw new IllegalStateException("a promise from the candidate itself (member " + memberIndex + ")");
        }
    }
}
