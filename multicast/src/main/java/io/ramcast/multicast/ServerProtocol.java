package io.ramcast.multicast;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.LocalRegion;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * RamCast at one server process, normal case: Tasks 2–6 of ramcast-protocol.md §C.2–C.6 with
 * hardenings H1 (forwarded values used only once stored by a majority, §C.7.3) and H2 (one
 * sequenced leader stream read strictly in order, §B.4.3).
 *
 * <p>A plain object in the style of Aeron's {@code Election}: it takes its fabric, topology and
 * options in the constructor and is driven by {@link #doWork(long)}; it never reads a clock, starts
 * a thread or blocks, so a test can step it and a seeded simulation can run a whole cluster in one
 * thread.
 *
 * <p>Each duty cycle: flush queued writes; take new messages from the client rings (copying them
 * out, §F.18); as leader, propose (Task 2) and forward other leaders' proposals (Task 4); as
 * follower, read the leader stream in sequence order and acknowledge own-group proposals (Task 3);
 * read the members' stored-up-to words (H1); mark decided messages ORDERED (Task 5) and deliver
 * (Task 6); publish stored-up-to, freed-up-to and inbox credit words.
 *
 * <p>Threading: one thread (the process's agent). Errors: a record from a client that fails
 * validation is reported to the error handler and dropped; a broken protocol invariant throws
 * {@link IllegalStateException} (fail-stop).
 */
final class ServerProtocol
{
    private final GroupTopology topology;
    private final MulticastOptions options;
    private final int selfId;
    private final int group;
    private final int memberIndex;
    private final int[] members;
    private final int quorum;
    private final int groupCount;
    private final int ringMask;
    private final DeliveryHandler handler;
    private final ErrorHandler errorHandler;

    private final AtomicBuffer rings;
    private final AtomicBuffer acks;
    private final AtomicBuffer stream;
    private final AtomicBuffer inbox;
    private final AtomicBuffer stored;
    private final AtomicBuffer inboxCredit;
    private final AtomicBuffer hello;
    private final Outbox outbox;
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    private final CRC32C crc = new CRC32C();
    private byte[] crcScratch = new byte[256];

    private final long ballot;
    private final int[] leaderOf;
    private long clock;

    private final long[] nextRingSeq;
    private final long[] ringHead;
    private final boolean[][] deliveredInRing;
    private final boolean[] flowDirty;
    private final long[] lastSequence;
    private final long[] incarnation;

    private final Long2ObjectHashMap<Entry> entries = new Long2ObjectHashMap<>();
    private final TreeSet<Entry> ordered = new TreeSet<>(Comparator.comparingLong((Entry e) -> e.finalValue)
        .thenComparingInt(e -> e.finalGroup).thenComparing(e -> e.messageId, Long::compareUnsigned));
    private final ArrayList<Entry> scan = new ArrayList<>();

    /* leader state */
    private long nextStreamWriteSeq = 1;
    private final ArrayDeque<Entry> toPropose = new ArrayDeque<>();
    private final long[] nextInboxReadSeq;
    private final boolean[] inboxCreditDirty;
    private final long[] nextInboxWriteSeq;

    /* follower state */
    private long nextStreamReadSeq = 1;
    private long storedPublished;
    private final long[] memberStored;

    private long deliveredCount;
    private java.util.function.IntConsumer newClientIncarnation = clientId -> { };
    private long clientRecordErrors;
    private volatile int leaderView;
    private volatile long ballotView;

    ServerProtocol(
        final GroupTopology topology,
        final MulticastOptions options,
        final Fabric fabric,
        final DeliveryHandler handler,
        final ErrorHandler errorHandler)
    {
        this.topology = topology;
        this.options = options;
        this.selfId = fabric.selfId();
        this.group = topology.groupOf(selfId);
        if (group < 0)
        {
            throw new IllegalArgumentException("process " + selfId + " is not a server of " + topology);
        }
        this.memberIndex = topology.memberIndexOf(selfId);
        this.members = topology.membersUnsafe(group);
        this.quorum = topology.quorum(group);
        this.groupCount = topology.groupCount();
        this.ringMask = options.ringSlots() - 1;
        this.handler = handler;
        this.errorHandler = errorHandler;

        final LocalRegion[] regions = new LocalRegion[Layout.REGION_COUNT];
        regions[Layout.RINGS_REGION] = fabric.register(Layout.RINGS_REGION, Layout.ringsBytes(topology, options), true);
        regions[Layout.ACKS_REGION] = fabric.register(Layout.ACKS_REGION, Layout.acksBytes(topology, options), true);
        regions[Layout.STREAM_REGION] = fabric.register(Layout.STREAM_REGION, Layout.streamBytes(options), false);
        regions[Layout.INBOX_REGION] = fabric.register(Layout.INBOX_REGION, Layout.inboxBytes(topology, options), true);
        regions[Layout.STORED_REGION] = fabric.register(Layout.STORED_REGION, Layout.storedBytes(topology), true);
        regions[Layout.INBOX_CREDIT_REGION] =
            fabric.register(Layout.INBOX_CREDIT_REGION, Layout.inboxCreditBytes(topology), true);
        regions[Layout.HELLO_REGION] = fabric.register(Layout.HELLO_REGION, Layout.helloBytes(topology), true);
        hello = regions[Layout.HELLO_REGION].buffer();
        rings = regions[Layout.RINGS_REGION].buffer();
        acks = regions[Layout.ACKS_REGION].buffer();
        stream = regions[Layout.STREAM_REGION].buffer();
        inbox = regions[Layout.INBOX_REGION].buffer();
        stored = regions[Layout.STORED_REGION].buffer();
        inboxCredit = regions[Layout.INBOX_CREDIT_REGION].buffer();

        leaderOf = new int[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            leaderOf[g] = topology.membersUnsafe(g)[0];
        }
        ballot = Ballots.of(1, leaderOf[group]);
        if (!isLeader())
        {
            regions[Layout.STREAM_REGION].grant(leaderOf[group]);
        }
        outbox = new Outbox(fabric, maxProcessId(topology), regions);
        leaderView = leaderOf[group];
        ballotView = ballot;

        final int clients = topology.clientCount();
        nextRingSeq = new long[clients];
        ringHead = new long[clients];
        deliveredInRing = new boolean[clients][options.ringSlots()];
        flowDirty = new boolean[clients];
        lastSequence = new long[clients];
        incarnation = new long[clients];
        java.util.Arrays.fill(nextRingSeq, 1);
        java.util.Arrays.fill(ringHead, 1);

        nextInboxReadSeq = new long[groupCount];
        nextInboxWriteSeq = new long[groupCount];
        inboxCreditDirty = new boolean[groupCount];
        java.util.Arrays.fill(nextInboxReadSeq, 1);
        java.util.Arrays.fill(nextInboxWriteSeq, 1);
        memberStored = new long[members.length];
    }

    static int maxProcessId(final GroupTopology topology)
    {
        int max = 0;
        for (final int s : topology.servers())
        {
            max = Math.max(max, s);
        }
        for (final int c : topology.clients())
        {
            max = Math.max(max, c);
        }
        return max;
    }

    /**
     * @param listener told (on the agent thread) when a client id starts a new incarnation, before
     *                 this server answers its handshake.
     */
    void onNewClientIncarnation(final java.util.function.IntConsumer listener)
    {
        newClientIncarnation = listener;
    }

    /** @return the leader of the own group as last seen by the agent (any thread). */
    int leaderView()
    {
        return leaderView;
    }

    /** @return the ballot the agent follows or leads in (any thread). */
    long ballotView()
    {
        return ballotView;
    }

    boolean isLeader()
    {
        return leaderOf[group] == selfId;
    }

    int selfId()
    {
        return selfId;
    }

    long deliveredCount()
    {
        return deliveredCount;
    }

    long clientRecordErrors()
    {
        return clientRecordErrors;
    }

    int pendingCount()
    {
        return entries.size();
    }

    long clock()
    {
        return clock;
    }

    /**
     * One duty cycle.
     *
     * @param nowNs the agent's current time, in nanoseconds (used for timeouts by later tasks).
     * @return the amount of work done; 0 when idle.
     */
    int doWork(final long nowNs)
    {
        int work = outbox.flush();
        work += pollRings();
        if (isLeader())
        {
            work += proposeQueued();
            work += pollInboxes();
        }
        else
        {
            work += pollStream();
        }
        work += pollStored();
        work += orderAndDeliver();
        work += publish();
        return work;
    }

    /* ---------------------------------------------------------------- Task 1 arrival (client rings) */

    private int pollRings()
    {
        int work = 0;
        final int slotSize = options.slotSizeBytes();
        for (int ci = 0; ci < nextRingSeq.length; ci++)
        {
            for (int i = 0; i < options.pollBatch(); i++)
            {
                final long ringSeq = nextRingSeq[ci];
                if (ringSeq - ringHead[ci] >= options.ringSlots())
                {
                    break; // every slot holds an undelivered message: the client cannot have written more
                }
                final int base = Layout.ringOffset(ci, ringSeq, options);
                if (rings.getLongVolatile(base + Layout.SLOT_RING_SEQ_OFFSET) != ringSeq)
                {
                    break;
                }
                final int payloadLength = rings.getInt(base + Layout.SLOT_PAYLOAD_LENGTH_OFFSET);
                final int k = rings.getInt(base + Layout.SLOT_DESTINATION_COUNT_OFFSET);
                if (k < 1 || k > groupCount || payloadLength < 0 ||
                    payloadLength > Layout.maxPayloadBytes(slotSize, k))
                {
                    break; // header not yet whole (torn); the seal check decides once it is
                }
                final int recordBytes = Layout.slotRecordBytes(payloadLength, k);
                if (rings.getLongVolatile(base + recordBytes - Layout.WORD_BYTES) != ringSeq)
                {
                    break;
                }
                nextRingSeq[ci] = ringSeq + 1;
                work++;
                takeMessage(ci, ringSeq, base, payloadLength, k, recordBytes);
            }
        }
        return work;
    }

    private void takeMessage(
        final int ci, final long ringSeq, final int base, final int payloadLength, final int k, final int recordBytes)
    {
        final int crcEnd = Layout.payloadOffset(k) + payloadLength;
        final int crcLength = crcEnd - Layout.SLOT_MESSAGE_ID_OFFSET;
        if (crcScratch.length < crcLength)
        {
            crcScratch = new byte[Math.max(crcLength, crcScratch.length * 2)];
        }
        rings.getBytes(base + Layout.SLOT_MESSAGE_ID_OFFSET, crcScratch, 0, crcLength);
        crc.reset();
        crc.update(crcScratch, 0, crcLength);
        final int expectedCrc = rings.getInt(base + recordBytes - Layout.SLOT_TRAILER_BYTES);
        final long messageId = rings.getLong(base + Layout.SLOT_MESSAGE_ID_OFFSET);
        final int[] destinations = new int[k];
        final long[] ringSeqByGroup = new long[groupCount];
        String problem = null;
        if ((int)crc.getValue() != expectedCrc)
        {
            problem = "checksum mismatch";
        }
        else if (MessageIds.sender(messageId) != topology.clients()[ci])
        {
            problem = "message id " + MessageIds.toString(messageId) + " not from the ring's client";
        }
        for (int d = 0; d < k && problem == null; d++)
        {
            final int off = base + Layout.SLOT_DESTINATIONS_OFFSET + d * Layout.SLOT_DESTINATION_ENTRY_BYTES;
            final int g = rings.getInt(off);
            final long seq = rings.getLong(off + 8);
            if (g < 0 || g >= groupCount || (d > 0 && g <= destinations[d - 1]) || seq <= 0)
            {
                problem = "bad destination list";
            }
            else
            {
                destinations[d] = g;
                ringSeqByGroup[g] = seq;
            }
        }
        if (problem == null && ringSeqByGroup[group] != ringSeq)
        {
            problem = "ring sequence " + ringSeqByGroup[group] + " for group " + group + " but found at " + ringSeq;
        }
        Entry e = problem == null ? entries.get(messageId) : null;
        if (e != null && e.hasBody())
        {
            problem = "duplicate message id " + MessageIds.toString(messageId);
        }
        if (problem != null)
        {
            clientRecordErrors++;
            errorHandler.onError(new IllegalArgumentException("dropping record from client ordinal " + ci +
                " at ring sequence " + ringSeq + " on process " + selfId + ": " + problem));
            markFreed(ci, ringSeq);
            return;
        }
        if (e == null)
        {
            e = new Entry(messageId, groupCount);
            entries.put(messageId, e);
        }
        e.clientOrdinal = ci;
        lastSequence[ci] = Math.max(lastSequence[ci], MessageIds.sequence(messageId));
        e.destinations = destinations;
        e.ringSeqByGroup = ringSeqByGroup;
        final byte[] payload = new byte[payloadLength];
        System.arraycopy(crcScratch, crcLength - payloadLength, payload, 0, payloadLength);
        e.payload = payload;
        e.state = Entry.State.MCAST;
        if (isLeader())
        {
            toPropose.addLast(e);
        }
    }

    /* ---------------------------------------------------------------- Task 2 (leader proposes) */

    private int proposeQueued()
    {
        int work = 0;
        Entry e;
        while ((e = toPropose.peekFirst()) != null)
        {
            if (!streamHasRoom() || !inboxesHaveRoom(e))
            {
                break;
            }
            toPropose.pollFirst();
            work++;
            clock++;
            final long seq = nextStreamWriteSeq++;
            e.propose(group, ballot, clock, seq);
            writeStreamRecord(seq, Layout.KIND_OWN, group, e.messageId, ballot, clock);
            for (final int h : e.destinations)
            {
                if (h != group)
                {
                    writeInboxRecord(h, e.messageId, clock);
                }
            }
        }
        return work;
    }

    private boolean streamHasRoom()
    {
        long minStored = Long.MAX_VALUE;
        for (int j = 0; j < members.length; j++)
        {
            if (j != memberIndex)
            {
                minStored = Math.min(minStored, memberStored[j]);
            }
        }
        return minStored == Long.MAX_VALUE || nextStreamWriteSeq - 1 - minStored < options.streamRecords();
    }

    private boolean inboxesHaveRoom(final Entry e)
    {
        for (final int h : e.destinations)
        {
            if (h != group &&
                nextInboxWriteSeq[h] - 1 - inboxCredit.getLongVolatile(h * Layout.WORD_BYTES) >= options.inboxRecords())
            {
                return false;
            }
        }
        return true;
    }

    private void writeStreamRecord(
        final long seq, final int kind, final int proposingGroup, final long messageId, final long proposalBallot,
        final long value)
    {
        scratch.putLong(Layout.STREAM_SEQ_OFFSET, seq);
        scratch.putLong(Layout.STREAM_BALLOT_OFFSET, ballot);
        scratch.putInt(Layout.STREAM_KIND_OFFSET, kind);
        scratch.putInt(Layout.STREAM_GROUP_OFFSET, proposingGroup);
        scratch.putLong(Layout.STREAM_MESSAGE_ID_OFFSET, messageId);
        scratch.putLong(Layout.STREAM_PROPOSAL_BALLOT_OFFSET, proposalBallot);
        scratch.putLong(Layout.STREAM_VALUE_OFFSET, value);
        scratch.putLong(48, 0);
        scratch.putLong(Layout.STREAM_SEAL_OFFSET, streamSeal(seq, ballot, kind, proposingGroup, messageId,
            proposalBallot, value));
        final int offset = Layout.streamOffset(seq, options);
        for (final int q : members)
        {
            if (q != selfId)
            {
                outbox.write(q, Layout.STREAM_REGION, offset, scratch, Layout.STREAM_RECORD_BYTES);
            }
        }
    }

    static long streamSeal(
        final long seq, final long ballot, final int kind, final int group, final long messageId,
        final long proposalBallot, final long value)
    {
        return Layout.seal(seq ^ (ballot * 31), ((long)kind << 32) | group, messageId ^ (proposalBallot * 17), value);
    }

    private void writeInboxRecord(final int targetGroup, final long messageId, final long value)
    {
        final long seq = nextInboxWriteSeq[targetGroup]++;
        scratch.putLong(Layout.INBOX_SEQ_OFFSET, seq);
        scratch.putLong(Layout.INBOX_BALLOT_OFFSET, ballot);
        scratch.putLong(Layout.INBOX_MESSAGE_ID_OFFSET, messageId);
        scratch.putLong(Layout.INBOX_VALUE_OFFSET, value);
        scratch.putInt(Layout.INBOX_GROUP_OFFSET, group);
        scratch.putInt(Layout.INBOX_GROUP_OFFSET + 4, 0);
        scratch.putLong(Layout.INBOX_SEAL_OFFSET, Layout.seal(seq, ballot, messageId, value ^ ((long)group << 56)));
        outbox.write(leaderOf[targetGroup], Layout.INBOX_REGION, Layout.inboxOffset(group, seq, options), scratch,
            Layout.INBOX_RECORD_BYTES);
    }

    /* ---------------------------------------------------------------- Task 4 (leader forwards) */

    private int pollInboxes()
    {
        int work = 0;
        for (int h = 0; h < groupCount; h++)
        {
            if (h == group)
            {
                continue;
            }
            for (int i = 0; i < options.pollBatch() && streamHasRoom(); i++)
            {
                final long seq = nextInboxReadSeq[h];
                final int off = Layout.inboxOffset(h, seq, options);
                final long seal = inbox.getLongVolatile(off + Layout.INBOX_SEAL_OFFSET);
                if (inbox.getLong(off + Layout.INBOX_SEQ_OFFSET) != seq)
                {
                    break;
                }
                final long proposalBallot = inbox.getLong(off + Layout.INBOX_BALLOT_OFFSET);
                final long messageId = inbox.getLong(off + Layout.INBOX_MESSAGE_ID_OFFSET);
                final long value = inbox.getLong(off + Layout.INBOX_VALUE_OFFSET);
                final int proposingGroup = inbox.getInt(off + Layout.INBOX_GROUP_OFFSET);
                if (seal != Layout.seal(seq, proposalBallot, messageId, value ^ ((long)proposingGroup << 56)) ||
                    proposingGroup != h)
                {
                    break;
                }
                nextInboxReadSeq[h] = seq + 1;
                inboxCreditDirty[h] = true;
                work++;
                clock = Math.max(clock, value);
                final long streamSeq = nextStreamWriteSeq++;
                entry(messageId).propose(h, proposalBallot, value, streamSeq);
                writeStreamRecord(streamSeq, Layout.KIND_FWD, h, messageId, proposalBallot, value);
            }
        }
        return work;
    }

    private Entry entry(final long messageId)
    {
        Entry e = entries.get(messageId);
        if (e == null)
        {
            e = new Entry(messageId, groupCount);
            entries.put(messageId, e);
        }
        return e;
    }

    /* ---------------------------------------------------------------- Task 3 (follower reads the stream, acks) */

    private int pollStream()
    {
        int work = 0;
        for (int i = 0; i < options.pollBatch(); i++)
        {
            final long seq = nextStreamReadSeq;
            final int off = Layout.streamOffset(seq, options);
            final long seal = stream.getLongVolatile(off + Layout.STREAM_SEAL_OFFSET);
            if (stream.getLong(off + Layout.STREAM_SEQ_OFFSET) != seq)
            {
                break;
            }
            final long recordBallot = stream.getLong(off + Layout.STREAM_BALLOT_OFFSET);
            final int kind = stream.getInt(off + Layout.STREAM_KIND_OFFSET);
            final int proposingGroup = stream.getInt(off + Layout.STREAM_GROUP_OFFSET);
            final long messageId = stream.getLong(off + Layout.STREAM_MESSAGE_ID_OFFSET);
            final long proposalBallot = stream.getLong(off + Layout.STREAM_PROPOSAL_BALLOT_OFFSET);
            final long value = stream.getLong(off + Layout.STREAM_VALUE_OFFSET);
            if (seal != streamSeal(seq, recordBallot, kind, proposingGroup, messageId, proposalBallot, value))
            {
                break; // not yet whole
            }
            if (recordBallot != ballot)
            {
                throw new IllegalStateException("stream record " + seq + " in ballot " + Ballots.toString(recordBallot) +
                    " but process " + selfId + " follows ballot " + Ballots.toString(ballot));
            }
            if (kind == Layout.KIND_OWN)
            {
                if (proposingGroup != group || proposalBallot != ballot)
                {
                    throw new IllegalStateException("OWN record " + seq + " names group " + proposingGroup);
                }
                final Entry e = entries.get(messageId);
                if (e == null || !e.hasBody())
                {
                    break; // body rule (§C.3): wait for the message before acknowledging its proposal
                }
                clock = Math.max(clock, value);
                e.propose(group, ballot, value, seq);
                acknowledge(e, value);
            }
            else if (kind == Layout.KIND_FWD)
            {
                if (proposingGroup < 0 || proposingGroup >= groupCount || proposingGroup == group)
                {
                    throw new IllegalStateException("FWD record " + seq + " names group " + proposingGroup);
                }
                clock = Math.max(clock, value);
                entry(messageId).propose(proposingGroup, proposalBallot, value, seq);
            }
            else
            {
                throw new IllegalStateException("stream record " + seq + " of unknown kind " + kind);
            }
            nextStreamReadSeq = seq + 1;
            work++;
        }
        return work;
    }

    private void acknowledge(final Entry e, final long value)
    {
        scratch.putLong(Layout.ACK_BALLOT_OFFSET, ballot);
        scratch.putLong(Layout.ACK_VALUE_OFFSET, value);
        scratch.putLong(Layout.ACK_MESSAGE_ID_OFFSET, e.messageId);
        scratch.putLong(Layout.ACK_SEAL_OFFSET, Layout.seal(ballot, value, e.messageId, Layout.ACK_CELL_BYTES));
        for (final int h : e.destinations)
        {
            final int offset = Layout.ackOffset(topology, options, e.clientOrdinal, e.ringSeqByGroup[h], group, memberIndex);
            for (final int p : topology.membersUnsafe(h))
            {
                outbox.write(p, Layout.ACKS_REGION, offset, scratch, Layout.ACK_CELL_BYTES);
            }
        }
    }

    /* ---------------------------------------------------------------- H1 stored-up-to words */

    private int pollStored()
    {
        int work = 0;
        for (int j = 0; j < members.length; j++)
        {
            if (j == memberIndex)
            {
                continue;
            }
            final int off = j * Layout.STORED_CELL_BYTES;
            final long seal = stored.getLongVolatile(off + Layout.STORED_SEAL_OFFSET);
            final long cellBallot = stored.getLong(off + Layout.STORED_BALLOT_OFFSET);
            final long seq = stored.getLong(off + Layout.STORED_SEQ_OFFSET);
            if (seal == Layout.seal(cellBallot, seq, 0, Layout.STORED_CELL_BYTES) && cellBallot == ballot &&
                seq > memberStored[j])
            {
                memberStored[j] = seq;
                work++;
            }
        }
        return work;
    }

    /** H1: a FWD record counts once a majority of the group stores it; the leader counts as storing. */
    private boolean committed(final long streamSeq)
    {
        int count = 1;
        for (int j = 0; j < members.length; j++)
        {
            if (members[j] == leaderOf[group])
            {
                continue;
            }
            final long storedSeq = j == memberIndex ? nextStreamReadSeq - 1 : memberStored[j];
            if (storedSeq >= streamSeq)
            {
                count++;
            }
        }
        return count >= quorum;
    }

    /* ---------------------------------------------------------------- Tasks 5 and 6 */

    private int orderAndDeliver()
    {
        int work = 0;
        long blockValue = Long.MAX_VALUE;
        int blockGroup = Integer.MAX_VALUE;
        long blockId = -1;
        boolean blocked = false;

        scan.clear();
        for (final Entry e : entries.values())
        {
            if (e.state == Entry.State.MCAST)
            {
                scan.add(e);
            }
        }
        for (int i = 0; i < scan.size(); i++)
        {
            final Entry e = scan.get(i);
            if (tryOrder(e))
            {
                work++;
                continue;
            }
            if (!e.proposalKnown[group])
            {
                continue; // LB = +infinity (§C.6 clause 1)
            }
            long lbValue = e.proposalValue[group];
            int lbGroup = group;
            for (final int h : e.destinations)
            {
                if (h != group && e.proposalKnown[h] && e.decided[h] &&
                    Entry.compare(e.proposalValue[h], h, 0, lbValue, lbGroup, 0) > 0)
                {
                    lbValue = e.proposalValue[h];
                    lbGroup = h;
                }
            }
            if (!blocked || Entry.compare(lbValue, lbGroup, e.messageId, blockValue, blockGroup, blockId) < 0)
            {
                blocked = true;
                blockValue = lbValue;
                blockGroup = lbGroup;
                blockId = e.messageId;
            }
        }

        Entry first;
        while ((first = ordered.isEmpty() ? null : ordered.first()) != null)
        {
            if (blocked && Entry.compare(first.finalValue, first.finalGroup, first.messageId,
                blockValue, blockGroup, blockId) > 0)
            {
                break;
            }
            ordered.pollFirst();
            deliver(first);
            work++;
        }
        return work;
    }

    /** Task 5: ORDERED once every destination group's proposal is known, decided and (if forwarded) committed. */
    private boolean tryOrder(final Entry e)
    {
        long finalValue = Long.MIN_VALUE;
        int finalGroup = -1;
        for (final int h : e.destinations)
        {
            if (!e.proposalKnown[h])
            {
                return false;
            }
            if (!e.decided[h])
            {
                e.decided[h] = countAcks(e, h) >= topology.quorum(h) - 1;
                if (!e.decided[h])
                {
                    return false;
                }
            }
            if (h != group && !committed(e.proposalStreamSeq[h]))
            {
                return false;
            }
            if (Entry.compare(e.proposalValue[h], h, 0, finalValue, finalGroup, 0) > 0)
            {
                finalValue = e.proposalValue[h];
                finalGroup = h;
            }
        }
        e.finalValue = finalValue;
        e.finalGroup = finalGroup;
        e.state = Entry.State.ORDERED;
        clock = Math.max(clock, finalValue);
        ordered.add(e);
        return true;
    }

    /** Counts followers of h whose ack cell holds exactly (ballot, value, id) of h's known proposal (§F.10). */
    private int countAcks(final Entry e, final int h)
    {
        final long b = e.proposalBallot[h];
        final long v = e.proposalValue[h];
        final int leader = Ballots.leader(b);
        final int[] hMembers = topology.membersUnsafe(h);
        final long ringSeq = e.ringSeqByGroup[group];
        int count = 0;
        for (int j = 0; j < hMembers.length; j++)
        {
            if (hMembers[j] == leader)
            {
                continue;
            }
            final int off = Layout.ackOffset(topology, options, e.clientOrdinal, ringSeq, h, j);
            final long seal = acks.getLongVolatile(off + Layout.ACK_SEAL_OFFSET);
            final long ackBallot = acks.getLong(off + Layout.ACK_BALLOT_OFFSET);
            final long ackValue = acks.getLong(off + Layout.ACK_VALUE_OFFSET);
            final long ackId = acks.getLong(off + Layout.ACK_MESSAGE_ID_OFFSET);
            if (ackBallot == b && ackValue == v && ackId == e.messageId &&
                seal == Layout.seal(ackBallot, ackValue, ackId, Layout.ACK_CELL_BYTES))
            {
                count++;
            }
        }
        return count;
    }

    private void deliver(final Entry e)
    {
        e.state = Entry.State.DONE;
        entries.remove(e.messageId);
        deliveredCount++;
        markFreed(e.clientOrdinal, e.ringSeqByGroup[group]);
        handler.onDelivery(new Delivery(e.messageId, e.payload, e.destinations, e.finalValue, e.finalGroup));
    }

    private void markFreed(final int ci, final long ringSeq)
    {
        final boolean[] delivered = deliveredInRing[ci];
        delivered[(int)(ringSeq & ringMask)] = true;
        while (ringHead[ci] < nextRingSeq[ci] && delivered[(int)(ringHead[ci] & ringMask)])
        {
            delivered[(int)(ringHead[ci] & ringMask)] = false;
            ringHead[ci]++;
            flowDirty[ci] = true;
        }
    }

    /* ---------------------------------------------------------------- publishing words */

    private int publish()
    {
        int work = 0;
        if (!isLeader() && nextStreamReadSeq - 1 > storedPublished)
        {
            storedPublished = nextStreamReadSeq - 1;
            scratch.putLong(Layout.STORED_BALLOT_OFFSET, ballot);
            scratch.putLong(Layout.STORED_SEQ_OFFSET, storedPublished);
            scratch.putLong(16, 0);
            scratch.putLong(Layout.STORED_SEAL_OFFSET, Layout.seal(ballot, storedPublished, 0, Layout.STORED_CELL_BYTES));
            final int offset = memberIndex * Layout.STORED_CELL_BYTES;
            for (final int q : members)
            {
                outbox.write(q, Layout.STORED_REGION, offset, scratch, Layout.STORED_CELL_BYTES);
            }
            work++;
        }
        final int[] clients = topology.clients();
        final int flowOffset = topology.serverOrdinalOf(selfId) * Layout.FLOW_CELL_BYTES;
        for (int ci = 0; ci < flowDirty.length; ci++)
        {
            final long helloIncarnation = hello.getLongVolatile(ci * Layout.WORD_BYTES);
            if (helloIncarnation != incarnation[ci])
            {
                incarnation[ci] = helloIncarnation;
                flowDirty[ci] = true;
                newClientIncarnation.accept(clients[ci]);
            }
            if (flowDirty[ci])
            {
                flowDirty[ci] = false;
                scratch.putLong(Layout.FLOW_FREED_OFFSET, ringHead[ci]);
                scratch.putLong(Layout.FLOW_NEXT_RING_SEQ_OFFSET, nextRingSeq[ci]);
                scratch.putLong(Layout.FLOW_LAST_SEQUENCE_OFFSET, lastSequence[ci]);
                scratch.putLong(Layout.FLOW_INCARNATION_OFFSET, incarnation[ci]);
                scratch.putLong(Layout.FLOW_SEAL_OFFSET,
                    Layout.flowSeal(ringHead[ci], nextRingSeq[ci], lastSequence[ci], incarnation[ci]));
                outbox.write(clients[ci], Layout.FLOW_REGION, flowOffset, scratch, Layout.FLOW_CELL_BYTES);
                work++;
            }
        }
        for (int h = 0; h < groupCount; h++)
        {
            if (inboxCreditDirty[h])
            {
                inboxCreditDirty[h] = false;
                scratch.putLong(0, nextInboxReadSeq[h] - 1);
                outbox.write(leaderOf[h], Layout.INBOX_CREDIT_REGION, group * Layout.WORD_BYTES, scratch,
                    Layout.WORD_BYTES);
                work++;
            }
        }
        return work;
    }

    /**
     * @return whether no byte of this process's regions was ever written: a process outside every
     *         destination set must stay untouched (genuineness, §A.5).
     */
    boolean regionsUntouched()
    {
        for (final AtomicBuffer b : new AtomicBuffer[] {rings, acks, stream, inbox, stored, inboxCredit})
        {
            for (int i = 0; i < b.capacity(); i += Layout.WORD_BYTES)
            {
                if (b.getLong(i) != 0)
                {
                    return false;
                }
            }
        }
        return clock == 0 && entries.isEmpty() && deliveredCount == 0;
    }

    /** @return a one-line description of the process's protocol state, for diagnostics. */
    String describe()
    {
        return "server " + selfId + " g" + group + (isLeader() ? " leader" : " follower") + " clock=" + clock +
            " delivered=" + deliveredCount + " pending=" + entries.size() + " ordered=" + ordered.size() +
            " toPropose=" + toPropose.size() + " streamWrite=" + nextStreamWriteSeq + " streamRead=" + nextStreamReadSeq +
            " queuedWrites=" + outbox.queuedWrites() + " firstOrdered=" + (ordered.isEmpty() ? "-" : ordered.first());
    }
}
