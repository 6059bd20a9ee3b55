package io.ramcast.multicast;

import java.util.Arrays;

/**
 * A message as one server process knows it: the appendix's entry of the buffer M (§B.1).
 *
 * <p>Per-group fields are indexed by group id. A proposal is "known" once the process has read
 * the stream record that carried it (OWN for its own group, FWD for the others): that, not an
 * ack, is what places the value in the process's ordered view (§C.5).
 *
 * <p>Threading: agent thread only.
 */
final class Entry
{
    /** Lifecycle of an entry (§B.1). */
    enum State
    {
        /** Known only from stream or inbox records; the body has not arrived yet. */
        NO_BODY,
        /** The body is held; not yet ordered. */
        MCAST,
        /** Every destination group's proposal is decided and known; final timestamp fixed. */
        ORDERED,
        /** Delivered. */
        DONE
    }

    final long messageId;
    State state = State.NO_BODY;
    int clientOrdinal = -1;
    byte[] payload;
    int[] destinations;
    /** Ring sequence of the message in each group's rings, indexed by group id (0 if not a destination). */
    long[] ringSeqByGroup;

    final boolean[] proposalKnown;
    final long[] proposalBallot;
    final long[] proposalValue;
    /** Stream sequence of the record that made the proposal known (H1 commit check of FWD records). */
    final long[] proposalStreamSeq;
    /** Ballot of the stream in which that record was (the sequence is meaningful only in it). */
    final long[] proposalStreamBallot;
    /** H1: the forwarded proposal is known stored by a majority of the own group (stable once true). */
    final boolean[] committed;
    final boolean[] decided;

    /** Ballot in which this process acknowledged its group's proposal (0: not acknowledged). */
    long ackedBallot;

    /** When this process took the body (agent clock, ns; 0: held since before a restart). */
    long takenNs;
    /** Without a body: when this process started waiting for it, then when it last asked its group for it. */
    long bodyWaitNs;
    /** Without a body: how many times this process asked its group for it. */
    int bodyAsks;
    /** Relayed to the leader of its ballot because the leader had not proposed it in time. */
    long relayedToLeaderInBallot;
    /** With another group's proposal known but not decided: when this process started waiting, then last asked for acks. */
    long ackWaitNs;

    long finalValue;
    int finalGroup = -1;

    Entry(final long messageId, final int groupCount)
    {
        this.messageId = messageId;
        proposalKnown = new boolean[groupCount];
        proposalBallot = new long[groupCount];
        proposalValue = new long[groupCount];
        proposalStreamSeq = new long[groupCount];
        proposalStreamBallot = new long[groupCount];
        committed = new boolean[groupCount];
        decided = new boolean[groupCount];
    }

    /** @return the message's ring position in each destination group, parallel to {@link #destinations} (which must be known). */
    long[] ringSeqsOfDestinations()
    {
        final long[] seqs = new long[destinations.length];
        for (int d = 0; d < seqs.length; d++)
        {
            seqs[d] = ringSeqByGroup[destinations[d]];
        }
        return seqs;
    }

    boolean hasBody()
    {
        return payload != null;
    }

    /**
     * Records a proposal for a group, keeping the one with the highest ballot (§C.4).
     *
     * @return whether the entry changed.
     */
    boolean propose(final int group, final long ballot, final long value, final long streamBallot, final long streamSeq)
    {
        if (proposalKnown[group] && proposalBallot[group] > ballot)
        {
            return false;
        }
        if (proposalKnown[group] && proposalBallot[group] == ballot && proposalValue[group] != value)
        {
            throw new IllegalStateException("two values " + proposalValue[group] + " and " + value + " for " +
                MessageIds.toString(messageId) + " from group " + group + " in ballot " + Ballots.toString(ballot));
        }
        final boolean changed = !proposalKnown[group] || proposalBallot[group] != ballot;
        proposalKnown[group] = true;
        proposalBallot[group] = ballot;
        proposalValue[group] = value;
        if (changed || !committed[group])
        {
            proposalStreamSeq[group] = streamSeq;
            proposalStreamBallot[group] = streamBallot;
        }
        if (changed)
        {
            decided[group] = false;
            committed[group] = false;
        }
        return changed;
    }

    /**
     * Compares timestamps lexicographically by (value, group, message id) (§B.2, §F.6).
     */
    static int compare(final long valueA, final int groupA, final long idA, final long valueB, final int groupB, final long idB)
    {
        int c = Long.compare(valueA, valueB);
        if (c != 0)
        {
            return c;
        }
        c = Integer.compare(groupA, groupB);
        if (c != 0)
        {
            return c;
        }
        return Long.compareUnsigned(idA, idB);
    }

    @Override
    public String toString()
    {
        return "Entry{" + MessageIds.toString(messageId) + " " + state + " dst=" + Arrays.toString(destinations) +
            " final=" + finalValue + "/" + finalGroup + '}';
    }
}
