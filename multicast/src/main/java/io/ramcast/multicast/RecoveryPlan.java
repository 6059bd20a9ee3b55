package io.ramcast.multicast;

import io.ramcast.multicast.ControlMessages.CatchUpEnd;
import io.ramcast.multicast.ControlMessages.EntryInfo;
import io.ramcast.multicast.ControlMessages.KnownProposal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a candidate that holds a majority of promises does to its stream (Task 9, ramcast-protocol.md
 * §C.7.2 steps 1–4): a pure function of the promises, computed by {@link #from(List, int, long)}
 * and applied by {@code ServerProtocol}.
 *
 * <p>The rules, each with its reason:
 * <ol>
 *   <li><b>Chosen stream</b>: the promise with the highest (accepted ballot, last sequence); on a tie
 *       the first in member order (the VR/Raft log rule, step 1). Its ring heads bound the fresh
 *       candidates (rule 6).</li>
 *   <li><b>Adoption</b>: per message, the own-group proposal of the highest ballot any promise
 *       reports (Paxos phase-1 adoption, one instance per message). Not "the OWN records of the
 *       chosen stream": a recovery stream restarts at sequence 1 and re-issues in value order, so a
 *       member that read only part of it (its leader failed mid-recovery) has the highest accepted
 *       ballot but not the re-issues above the point it reached; the decided proposals of earlier
 *       ballots up there are still held, in their own ballot, by it or another promise. Two
 *       exclusions. A proposal that some promise passed over in the re-issues of a later ballot
 *       (it read that ballot's records up to a value above the proposal's, or its RECOVERED marker:
 *       {@code reissuedUpTo}) was not re-issued there, so it was never decided; adopting it could put
 *       it below a message that a member which dropped it has delivered since. And an OWN record
 *       whose body no promise holds and no promise delivered: deciding it needed acks from a
 *       majority, each sent only with the body in hand, and every majority of promises contains one
 *       of them — so it was never decided, and re-issuing it would block delivery for ever once its
 *       body died with the leader.</li>
 *   <li><b>Re-issues</b>: the adopted OWN records, in the new ballot, and for every message and every
 *       other group the forwarded proposal of the highest ballot any promise reports, all in value
 *       order (OWN before FWD on a tie, then group, then unsigned message id), so a FWD never
 *       precedes an OWN record of lower value (step 3).</li>
 *   <li><b>RECOVERED marker</b>: one record after the re-issues, carrying the recovered clock; a
 *       member that reads it drops the own proposals of earlier ballots that were not re-issued
 *       (never decided, so nobody delivers with them).</li>
 *   <li><b>Recovered clock</b>: the maximum of every reported clock and every reported proposal value
 *       (step 2); fresh proposals go above it.</li>
 *   <li><b>Fresh candidates</b>: every other message destined to the group that some promise holds
 *       with its body, that no promise delivered, and that the chosen member has not delivered
 *       (its ring position is below the chosen member's ring head for that client), in unsigned
 *       message-id order (step 4). The caller proposes those not already delivered locally.</li>
 * </ol>
 *
 * <p>Where later rules go: whether a set of promises lets the candidate win (e.g. "it holds
 * everything a majority has delivered", compared against the ring heads and delivered flags of the
 * promises) is decided by {@link Candidacy#onEnd}; what is recovered from a winning set, here.
 *
 * <p>Threading: immutable once built; {@link #from} is a pure function. Errors: no promise, or a
 * promise without its end, is an {@link IllegalArgumentException}.
 */
final class RecoveryPlan
{
    /**
     * One member's promise as the candidate received it (its own included).
     *
     * @param entries every entry the member reported (live or retained after delivery).
     * @param end     the promise's last message: accepted ballot, last sequence, clock, ring heads.
     */
    record Promise(List<EntryInfo> entries, CatchUpEnd end)
    {
    }

    /**
     * One message as merged from the promises.
     *
     * @param messageId     the message.
     * @param clientOrdinal the sending client's ordinal, -1 if no promise knew the destinations.
     * @param destinations  destination groups (ascending), or {@code null} if no promise knew them.
     * @param ringSeqs      ring position in each destination group, parallel to destinations; or null.
     * @param bodySeen      some promise holds the body.
     * @param delivered     some promise delivered the message.
     */
    record RecoveredMessage(
        long messageId, int clientOrdinal, int[] destinations, long[] ringSeqs, boolean bodySeen, boolean delivered)
    {
        boolean destinedTo(final int group)
        {
            if (destinations != null)
            {
                for (final int h : destinations)
                {
                    if (h == group)
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        /** @return the ring position in {@code group}, 0 if not a destination or not known. */
        long ringSeqIn(final int group)
        {
            if (destinations != null)
            {
                for (int d = 0; d < destinations.length; d++)
                {
                    if (destinations[d] == group)
                    {
                        return ringSeqs[d];
                    }
                }
            }
            return 0;
        }
    }

    /**
     * One record the new leader appends to its stream, in order.
     *
     * @param kind           {@link Layout#KIND_OWN}, {@link Layout#KIND_FWD} or {@link Layout#KIND_RECOVERED}.
     * @param proposingGroup the group whose proposal it carries (the own group for OWN and RECOVERED).
     * @param messageId      the message; 0 for RECOVERED.
     * @param proposalBallot the new ballot for OWN and RECOVERED; the reported ballot for FWD.
     * @param value          the timestamp; the recovered clock for RECOVERED.
     * @param message        the merged message it applies to; {@code null} for RECOVERED.
     */
    record StreamRecord(
        int kind, int proposingGroup, long messageId, long proposalBallot, long value, RecoveredMessage message)
    {
    }

    private static final Comparator<StreamRecord> VALUE_ORDER = Comparator.comparingLong(StreamRecord::value)
        .thenComparingInt(StreamRecord::kind).thenComparingInt(StreamRecord::proposingGroup)
        .thenComparing(StreamRecord::messageId, Long::compareUnsigned);

    private final int chosenIndex;
    private final long recoveredClock;
    private final List<StreamRecord> records;
    private final int adoptedCount;
    private final List<RecoveredMessage> freshCandidates;

    private RecoveryPlan(
        final int chosenIndex, final long recoveredClock, final List<StreamRecord> records, final int adoptedCount,
        final List<RecoveredMessage> freshCandidates)
    {
        this.chosenIndex = chosenIndex;
        this.recoveredClock = recoveredClock;
        this.records = records;
        this.adoptedCount = adoptedCount;
        this.freshCandidates = freshCandidates;
    }

    /**
     * Computes the plan.
     *
     * @param promises a majority of promises, the candidate's own included, in member order.
     * @param group    the group being recovered.
     * @param ballot   the candidate's ballot, in which OWN records are re-issued.
     * @return the plan; the promises are not modified.
     */
    static RecoveryPlan from(final List<Promise> promises, final int group, final long ballot)
    {
        if (promises.isEmpty())
        {
            throw new IllegalArgumentException("a recovery needs at least the candidate's own promise");
        }
        int chosenIndex = -1;
        CatchUpEnd chosen = null;
        long recoveredClock = Long.MIN_VALUE;
        final Map<Long, Merged> merged = new LinkedHashMap<>();
        for (int i = 0; i < promises.size(); i++)
        {
            final CatchUpEnd end = promises.get(i).end();
            if (end == null)
            {
                throw new IllegalArgumentException("promise " + i + " has no end");
            }
            if (chosen == null || end.acceptedBallot() > chosen.acceptedBallot() ||
                end.acceptedBallot() == chosen.acceptedBallot() && end.acceptedSeq() > chosen.acceptedSeq())
            {
                chosen = end;
                chosenIndex = i;
            }
            recoveredClock = Math.max(recoveredClock, end.clock());
            for (final EntryInfo info : promises.get(i).entries())
            {
                final Merged m = merged.computeIfAbsent(info.messageId(), Merged::new);
                m.merge(info, group);
                for (final KnownProposal p : info.proposals())
                {
                    recoveredClock = Math.max(recoveredClock, p.value());
                }
            }
        }

        final Map<Long, RecoveredMessage> messages = new LinkedHashMap<>();
        merged.forEach((id, m) -> messages.put(id, m.freeze()));

        final Map<Long, KnownProposal> best = new LinkedHashMap<>();
        for (final Promise promise : promises)
        {
            for (final EntryInfo info : promise.entries())
            {
                final RecoveredMessage m = messages.get(info.messageId());
                if (!m.bodySeen() && !m.delivered())
                {
                    continue; // never decided: see rule 2
                }
                for (final KnownProposal p : info.proposals())
                {
                    if (p.group() == group && !undecidedByLaterRecovery(p, promises))
                    {
                        best.merge(info.messageId(), p, (a, b) -> b.ballot() > a.ballot() ? b : a);
                    }
                }
            }
        }
        final Map<Long, Long> adopted = new LinkedHashMap<>();
        best.forEach((id, p) -> adopted.put(id, p.value()));

        final List<StreamRecord> records = new ArrayList<>();
        adopted.forEach((id, value) -> records.add(
            new StreamRecord(Layout.KIND_OWN, group, id, ballot, value, messages.get(id))));
        merged.forEach((id, m) ->
        {
            for (final KnownProposal p : m.bestForwarded.values())
            {
                records.add(new StreamRecord(Layout.KIND_FWD, p.group(), id, p.ballot(), p.value(), messages.get(id)));
            }
        });
        records.sort(VALUE_ORDER);
        records.add(new StreamRecord(Layout.KIND_RECOVERED, group, 0, ballot, recoveredClock, null));

        final long[] chosenHeads = chosen.ringHeads();
        final List<RecoveredMessage> fresh = new ArrayList<>();
        for (final RecoveredMessage m : messages.values())
        {
            if (adopted.containsKey(m.messageId()) || m.destinations() == null || !m.bodySeen() || m.delivered() ||
                !m.destinedTo(group))
            {
                continue;
            }
            if (m.clientOrdinal() < chosenHeads.length && m.ringSeqIn(group) < chosenHeads[m.clientOrdinal()])
            {
                continue; // delivered by the chosen member, which no longer holds it: never re-propose
            }
            fresh.add(m);
        }
        fresh.sort(Comparator.comparing(RecoveredMessage::messageId, Long::compareUnsigned));
        return new RecoveryPlan(chosenIndex, recoveredClock, List.copyOf(records), adopted.size(), List.copyOf(fresh));
    }

    /**
     * @return whether some promise read, in the recovery re-issues of a ballot above {@code p}'s,
     *         past {@code p}'s value without finding it there: that recovery did not re-issue it, so
     *         it was never decided (re-issues come in value order; the OWN record that ties a value
     *         may still be unread, hence the strict comparison).
     */
    private static boolean undecidedByLaterRecovery(final KnownProposal p, final List<Promise> promises)
    {
        for (final Promise promise : promises)
        {
            if (promise.end().acceptedBallot() > p.ballot() && p.value() < promise.end().reissuedUpTo())
            {
                return true;
            }
        }
        return false;
    }

    /** @return the index, in the promises given, of the chosen stream's promise (rule 1). */
    int chosenIndex()
    {
        return chosenIndex;
    }

    /** @return the new leader's clock: every reported clock and proposal value, at least (rule 5). */
    long recoveredClock()
    {
        return recoveredClock;
    }

    /** @return the records to append, in stream order: re-issues by value, then the RECOVERED marker. */
    List<StreamRecord> records()
    {
        return records;
    }

    /** @return the number of re-issued records (the RECOVERED marker excluded). */
    int reissueCount()
    {
        return records.size() - 1;
    }

    /** @return the number of OWN records adopted from the chosen stream (rule 2). */
    int adoptedCount()
    {
        return adoptedCount;
    }

    /** @return the messages to propose afresh, in unsigned message-id order (rule 6). */
    List<RecoveredMessage> freshCandidates()
    {
        return freshCandidates;
    }

    /** A message while the promises are being merged. */
    private static final class Merged
    {
        final long messageId;
        int clientOrdinal = -1;
        int[] destinations;
        long[] ringSeqs;
        boolean bodySeen;
        boolean delivered;
        /** Per other group, the reported proposal of the highest ballot (the first on a tie). */
        final Map<Integer, KnownProposal> bestForwarded = new LinkedHashMap<>();

        Merged(final long messageId)
        {
            this.messageId = messageId;
        }

        void merge(final EntryInfo info, final int group)
        {
            if (destinations == null && info.destinations().length > 0)
            {
                destinations = info.destinations();
                ringSeqs = info.ringSeqs();
                clientOrdinal = info.clientOrdinal();
            }
            bodySeen |= info.hasBody();
            delivered |= info.delivered();
            for (final KnownProposal p : info.proposals())
            {
                if (p.group() != group)
                {
                    bestForwarded.merge(p.group(), p, (a, b) -> b.ballot() > a.ballot() ? b : a);
                }
            }
        }

        RecoveredMessage freeze()
        {
            return new RecoveredMessage(messageId, clientOrdinal, destinations, ringSeqs, bodySeen, delivered);
        }
    }
}
