package io.ramcast.multicast;

import io.ramcast.multicast.ControlMessages.CatchUpEnd;
import io.ramcast.multicast.ControlMessages.EntryInfo;
import io.ramcast.multicast.ControlMessages.KnownProposal;
import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.LocalRegion;
import io.ramcast.multicast.fabric.RemoteRegion;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * RamCast at one server process: Tasks 2–6 of ramcast-protocol.md §C.2–C.6 with hardenings H1
 * (forwarded values used only once stored by a majority, §C.7.3) and H2 (one sequenced leader
 * stream read strictly in order, §B.4.3), leader change (Tasks 7–9, §C.7.2) and client relay
 * (Task 10, §C.8).
 *
 * <p>A plain object in the style of Aeron's {@code Election}: it takes its fabric, topology and
 * options in the constructor and is driven by {@link #doWork(long)}; it never reads a clock, starts
 * a thread or blocks, so a test can step it and a seeded simulation can run a whole cluster, with
 * crashes and pauses, in one thread.
 *
 * <p>Each duty cycle: flush queued writes; heartbeats; control messages (proposals of other
 * groups' leaders, catch-up, announcements, relays); new messages from the client rings (copied
 * out, §F.18); the election check; as leader, propose (Task 2), forward (Task 4) and write each
 * follower its stream; as follower, read the leader stream in sequence order and acknowledge
 * own-group proposals (Task 3); the members' stored-up-to words (H1); mark decided messages
 * ORDERED (Task 5) and deliver (Task 6); relay the messages of suspected clients and of clients
 * that started a new incarnation (Task 10); publish stored-up-to and freed-up-to words. What the
 * server knows of each client's ring lives in {@link ClientRings}.
 *
 * <h2>Leader change (§C.7.2)</h2>
 * A follower that suspects its leader and is the first unsuspected member after it becomes a
 * candidate in ballot (round + 1, itself) and sends CATCH_UP. A member promises a higher ballot by
 * revoking every other member's right to write its stream region <em>before</em> it answers
 * (§F.5 item 22), then reports every entry it holds (live or retained after delivery), its stream
 * position, clock and delivered watermarks. With a majority of promises the candidate adopts the
 * OWN records of the stream with the highest (ballot, last sequence) — Paxos phase 1 with the
 * VR/Raft log rule —, re-issues them with every forwarded proposal reported, in value order,
 * proposes fresh timestamps above everything recovered for the other entries, and announces
 * itself to every server; the other groups' leaders re-send their proposals to it (§F.5 item 26).
 * The promises of one attempt live in a {@link Candidacy}; what the new leader writes is computed
 * by {@link RecoveryPlan#from} and only applied here. Every role change goes through
 * {@link #enterBallot} ({@link Mode} holds the allowed moves).
 * Bodies a member lacks reach it from the client or, once the client is suspected, by relay.
 *
 * <h2>Relay (§C.8)</h2>
 * A server that suspects a client (or sees it start a new incarnation) relays every message of
 * that client it holds, in any state, to every other destination member. A relayed copy is taken
 * exactly like the client's own write at the same ring position: each (client, ring sequence) is
 * taken once, from whichever source comes first, so duplicates are dropped against live entries
 * and against delivered ones long gone (§F.4).
 *
 * <p>Threading: one thread (the process's agent). Errors: a record from a client that fails
 * validation is reported to the error handler and dropped; a broken protocol invariant throws
 * {@link IllegalStateException} (fail-stop).
 */
final class ServerProtocol
{
    /**
     * Role of the process in its group, with the moves between roles the protocol makes;
     * {@link #enterBallot} is the one transition method and throws on any other move.
     *
     * <pre>
     *                 promise a higher ballot (CATCH_UP or NEW_LEADER),
     *                 or check-quorum: hears no majority (same ballot)
     *        +-----------------------------------------------------------+
     *        v                                                           |
     *    FOLLOWER --suspects leader--> CANDIDATE --majority of promises--> LEADER
     *     |  ^  ^                       |  ^  |
     *     +--+  +---promise higher------+  +--+ no majority in time: next round
     *   promise higher
     * </pre>
     *
     * Every move enters a strictly higher ballot except CANDIDATE → LEADER, which keeps the
     * candidacy's ballot, and a leader stepping down for check-quorum, which follows its own ballot
     * (and campaigns in a higher one once it hears a majority again).
     */
    enum Mode
    {
        /** Reads the stream of the leader of {@link #ballot}. */
        FOLLOWER,
        /** Collecting promises for its own ballot (Task 7). */
        CANDIDATE,
        /** Leads its group in {@link #ballot}. */
        LEADER;

        /** @return whether the protocol moves from this role to {@code to}. */
        boolean canMoveTo(final Mode to)
        {
            return switch (this)
            {
                case FOLLOWER -> to == FOLLOWER || to == CANDIDATE;
                case CANDIDATE -> true;
                case LEADER -> to == FOLLOWER;
            };
        }

        /** @return whether a move to {@code to} keeps the ballot (only a candidate winning its own ballot). */
        boolean keepsBallotMovingTo(final Mode to)
        {
            return this == CANDIDATE && to == LEADER;
        }

        /**
         * @return whether a move to {@code to} may keep the ballot: a leader stepping down because it
         *         cannot hear a majority (check-quorum) follows its own ballot until it campaigns again.
         */
        boolean mayKeepBallotMovingTo(final Mode to)
        {
            return this == LEADER && to == FOLLOWER;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ServerProtocol.class);
    private static final int STREAM_SEND_BATCH = 256;
    private static final long NS_PER_MS = 1_000_000L;
    private static final int[] NO_GROUPS = new int[0];

    private final GroupTopology topology;
    private final MulticastOptions options;
    private final int selfId;
    private final int group;
    private final int memberIndex;
    private final int[] members;
    private final int quorum;
    private final int groupCount;
    private final DeliveryHandler handler;
    private final ErrorHandler errorHandler;

    private final AtomicBuffer rings;
    private final AtomicBuffer acks;
    private final AtomicBuffer stream;
    private final AtomicBuffer stored;
    private final AtomicBuffer hello;
    private final LocalRegion streamRegion;
    private final Outbox outbox;
    private final Mailboxes control;
    private final Heartbeats heartbeats;
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    private final CRC32C crc = new CRC32C();
    private byte[] crcScratch = new byte[256];
    /* record views, re-wrapped per record: no allocation on the hot path */
    private final SlotFlyweight slot = new SlotFlyweight();
    private final StreamRecordFlyweight streamRecord = new StreamRecordFlyweight();
    private final AckCellFlyweight ackCell = new AckCellFlyweight();
    private final StoredCellFlyweight storedCell = new StoredCellFlyweight();

    /* ballots and roles: set only by enterBallot (after the constructor's initial state) */
    private Mode mode;
    /** The ballot this process follows, campaigns in or leads. */
    private long ballot;
    /** The highest round this process has seen; a candidacy campaigns one round higher. */
    private long maxRoundSeen;
    /** Per group: the leader of {@link #knownBallot}; for the own group, of the last ballot followed or led. */
    private final int[] leaderOf;
    /** Per group: the highest ballot known with its leader (a candidacy's ballot is not known yet). */
    private final long[] knownBallot;
    /** Ballot of the last stream this process applied (or wrote, as leader) and its last sequence. */
    private long acceptedBallot;
    private long acceptedSeq;
    /**
     * How far this process has read the recovery re-issues of {@code acceptedBallot}: the highest
     * value of a record of that ballot, or {@link Long#MAX_VALUE} once its RECOVERED marker was read
     * (or written). Re-issues come in value order, so an own proposal of an earlier ballot below it
     * that was not re-issued is known undecided (see {@link RecoveryPlan}, rule 2).
     */
    private long reissuedUpTo;
    /** The highest ballot whose RECOVERED marker this process read or wrote. */
    private long recoveredBallot;
    private long clock;
    /** No timestamp above this was used; saved before the clock passes it (see {@link VoteStore}). */
    private long clockCeiling;
    private final VoteStore voteStore;
    /** The acceptor state that must survive a restart (bodies, proposals, stream position, deliveries, rings). */
    private final AcceptorJournal journal;
    private final AcceptorJournal.Records journalRecords;
    private final AppliedDeliveries appliedDeliveries;
    /** Delivered before a restart but not applied by the application: handed over again at the first duty cycle. */
    private List<Entry> redeliveries = List.of();
    /** Delivered in this duty cycle: handed to the handler once the journal holds them (and, with fsync, forced). */
    private final ArrayList<Entry> handoff = new ArrayList<>();

    /* client rings: per client, positions taken, skipped and freed, incarnation, suspicion */
    private final ClientRings clientRings;

    private final Long2ObjectHashMap<Entry> entries = new Long2ObjectHashMap<>();
    private final LinkedHashMap<Long, Entry> retained = new LinkedHashMap<>();
    private final TreeSet<Entry> ordered = new TreeSet<>(Comparator.comparingLong((Entry e) -> e.finalValue)
        .thenComparingInt(e -> e.finalGroup).thenComparing(e -> e.messageId, Long::compareUnsigned));
    private final ArrayList<Entry> scan = new ArrayList<>();
    private final LongArrayList bodyAsk = new LongArrayList();
    /** {@code behind} of an incomplete DELIVERED: the asker's last delivery is not in the sender's sequence. */
    private static final int FOREIGN_MARK = -1;
    /** Deliveries sent for one {@link ControlMessages#DELIVERED_REQUEST}; the asker asks again for more. */
    private static final int MAX_CATCH_UP_ITEMS = 1024;
    /** {@link #catchUpBehindView()} of a restarted process before it knows how far behind it is. */
    static final long UNKNOWN_BEHIND = Long.MAX_VALUE;

    /* leader state */
    private final StreamLog log;
    private final long logLimit;
    private final long[] sendCursor;
    private final boolean[] lost;
    /** Per member: it promised the current ballot (its stream may be written, from its stored position). */
    private final boolean[] promised;
    /** Per member: when this leader last asked it to report its state again ({@link #askToRejoin}). */
    private final long[] rejoinAskedNs;
    /**
     * Delivered entries dropped from {@link #retained}, oldest first, kept (with their bodies) to
     * serve {@link ControlMessages#DELIVERED_REQUEST}s of members that fell behind: at most
     * {@link #historyLimit}.
     */
    private final ArrayDeque<Entry> history = new ArrayDeque<>();
    private final int historyLimit;
    /** Some delivery was dropped from {@link #history}: it no longer reaches back to the start. */
    private boolean historyDropped;
    /** The final timestamp and id of the last delivery (Long.MIN_VALUE / -1 / 0 before the first). */
    private long lastDeliveredValue = Long.MIN_VALUE;
    private int lastDeliveredGroup = -1;
    private long lastDeliveredId;
    /**
     * The last delivery this process no longer holds (dropped from {@link #retained}; journaled in
     * each checkpoint, so a restarted process knows it too): a candidate that has not delivered up
     * to it is refused ({@link #onCatchUp}), and a member behind it is not streamed by this leader.
     */
    private ControlMessages.Mark forgotten = ControlMessages.Mark.NONE;
    /** Per member: until when it counts as stale (refused as a candidate), skipped in the line of succession. */
    private final long[] staleUntilNs;
    /** A candidate refused as stale retries no candidacy before this time (agent clock, ns). */
    private long campaignHoldOffNs;
    /** When this leader last started a new ballot so that a member could read its stream again. */
    private long rejoinBallotNs = Long.MIN_VALUE / 2;
    /**
     * Everything of the group up to here is in the application's state though not in the journal (a
     * store rebuilt from a snapshot); a message ordered at or below it is not delivered again.
     */
    private ControlMessages.Mark baseline;
    /** A rebuilt server took over a member's ring positions ({@link #settleRings}); always true without a baseline. */
    private boolean ringsSettled;
    /** When this process last asked for the deliveries it missed. */
    private long catchUpAskedNs;
    /** When an answer to a request for deliveries last arrived. */
    private long catchUpAnsweredNs;
    /**
     * How many deliveries the member that last answered a catch-up request held beyond what this
     * process delivered from its answer; 0 once it answered that there was nothing more (any thread).
     */
    private volatile long catchUpBehind;
    /** The first duty cycle's time. */
    private long startedNs;
    /** A member answered that it no longer holds what this one missed (reported once). */
    private boolean catchUpGapReported;
    /** When this process last delivered, or started: a stall is measured from it. */
    private long lastDeliveryNs;
    /** When a stall was last reported. */
    private long stallReportedNs;
    /** Per server ordinal: the connection epoch last seen ({@link #checkReconnections}). */
    private final long[] serverEpoch;
    private final ArrayDeque<Entry> toPropose = new ArrayDeque<>();
    private final LongArrayList[] outgoingProposals;

    /* candidate state: non-null exactly while the role is CANDIDATE */
    private Candidacy candidacy;

    /* follower state */
    private long nextStreamReadSeq = 1;
    private long storedPublished;
    /** When the stored cell was last written. */
    private long storedPublishedNs;
    /** Until when the stored cell is written again every heartbeat interval (after a report to the leader). */
    private long republishStoredUntilNs;
    private final long[] memberStored;

    private long deliveredCount;
    private long leaderChanges;
    private long relayedCount;
    /** Streams written again from a member's stored position after its region refused a write. */
    private long streamResends;
    private long streamRejoins;
    private long proposedCount;
    private long forwardedCount;
    private java.util.function.IntConsumer newClientIncarnation = clientId -> { };
    private long clientRecordErrors;
    /** Client records seen sealed before their body was whole, read again later. */
    private long tornSlotReads;
    private long slotChecksumFailuresInARow;
    /** A sealed client record failing its checksum this many polls in a row is reported (once). */
    private static final long STUCK_CHECKSUM_FAILURES = 1_000_000;
    private long nowNs;
    /** When this process started following its current ballot (agent clock, ns). */
    private long followingSinceNs;
    private boolean running;
    /** A message held here has waited for the leader's proposal for over 3 failure timeouts. */
    private boolean leaderStalls;
    private volatile int leaderView;
    private volatile long ballotView;
    /** Ballots adopted as follower or leader (leader changes this member saw); written by the agent only. */
    private volatile long ballotChangesView;
    /** Told, per delivery, how long the message took from its body's arrival here to its delivery (metrics). */
    private volatile java.util.function.LongConsumer orderingObserver = ns -> { };
    /** {@link #catchUpWindowView()}: written by the agent when it trims what it retains. */
    private volatile long catchUpWindowView;
    /** Set from any thread by {@link #requestHandOver()}; acted on by the agent. */
    private volatile boolean handOverRequested;
    /** This process handed its leadership over (or was asked to while not leading): it never campaigns again. */
    private boolean handedOver;

    ServerProtocol(
        final GroupTopology topology,
        final MulticastOptions options,
        final Fabric fabric,
        final DeliveryHandler handler,
        final ErrorHandler errorHandler)
    {
        this(topology, options, fabric, handler, errorHandler, VoteStore.inMemory(), 0);
    }

    ServerProtocol(
        final GroupTopology topology,
        final MulticastOptions options,
        final Fabric fabric,
        final DeliveryHandler handler,
        final ErrorHandler errorHandler,
        final VoteStore voteStore,
        final long minimumClock)
    {
        this(topology, options, fabric, handler, errorHandler, voteStore, minimumClock, AcceptorJournal.none(),
            AppliedDeliveries.ALL, ControlMessages.Mark.NONE);
    }

    /**
     * @param topology     the groups and clients.
     * @param options      protocol options.
     * @param fabric       this process's fabric, not yet started.
     * @param handler      receives deliveries.
     * @param errorHandler receives errors caused by clients' records.
     * @param voteStore    where ballots and the clock ceiling survive a restart; votes it already
     *                     holds mean this process restarts (see {@link VoteStore}).
     * @param minimumClock the clock starts at least here (e.g. the last timestamp the replica's store
     *                     applied, for a store older than its votes file).
     * @param journal      the acceptor state kept across a restart; what it holds is replayed here.
     * @param applied      how far the handler has made deliveries durable (see {@link AppliedDeliveries}).
     * @param baseline     what the application already holds without the journal (a store rebuilt
     *                     from a snapshot): with an empty journal, deliveries start after it; NONE
     *                     otherwise.
     */
    ServerProtocol(
        final GroupTopology topology,
        final MulticastOptions options,
        final Fabric fabric,
        final DeliveryHandler handler,
        final ErrorHandler errorHandler,
        final VoteStore voteStore,
        final long minimumClock,
        final AcceptorJournal journal,
        final AppliedDeliveries applied,
        final ControlMessages.Mark baseline)
    {
        this.baseline = baseline;
        this.ringsSettled = baseline.equals(ControlMessages.Mark.NONE);
        this.voteStore = voteStore;
        this.journal = journal;
        this.journalRecords = journal.write();
        this.appliedDeliveries = applied;
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
        this.handler = handler;
        this.errorHandler = errorHandler;

        final LocalRegion[] regions = new LocalRegion[Layout.REGION_COUNT];
        regions[Layout.RINGS_REGION] = fabric.register(Layout.RINGS_REGION, Layout.ringsBytes(topology, options), true);
        regions[Layout.ACKS_REGION] = fabric.register(Layout.ACKS_REGION, Layout.acksBytes(topology, options), true);
        regions[Layout.STREAM_REGION] = fabric.register(Layout.STREAM_REGION, Layout.streamBytes(options), false);
        regions[Layout.STORED_REGION] = fabric.register(Layout.STORED_REGION, Layout.storedBytes(topology), true);
        regions[Layout.HELLO_REGION] = fabric.register(Layout.HELLO_REGION, Layout.helloBytes(topology), true);
        regions[Layout.HEARTBEAT_REGION] =
            fabric.register(Layout.HEARTBEAT_REGION, Layout.heartbeatBytes(topology), true);
        hello = regions[Layout.HELLO_REGION].buffer();
        rings = regions[Layout.RINGS_REGION].buffer();
        acks = regions[Layout.ACKS_REGION].buffer();
        stream = regions[Layout.STREAM_REGION].buffer();
        stored = regions[Layout.STORED_REGION].buffer();
        streamRegion = regions[Layout.STREAM_REGION];

        leaderOf = new int[groupCount];
        knownBallot = new long[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            leaderOf[g] = topology.membersUnsafe(g)[0];
            knownBallot[g] = Ballots.of(1, leaderOf[g]);
        }
        ballot = knownBallot[group];
        maxRoundSeen = 1;
        acceptedBallot = ballot;
        mode = leaderOf[group] == selfId ? Mode.LEADER : Mode.FOLLOWER; // the initial state, ballot (1, first member)
        final VoteStore.Votes saved = voteStore.load();
        clock = Math.max(0, Math.max(saved.clockCeiling(), minimumClock));
        clockCeiling = saved.clockCeiling();
        if (!saved.equals(VoteStore.Votes.NONE))
        {
            // A restart never resumes a ballot as its leader (the stream it wrote is gone) and never
            // goes below a ballot it took part in: follow the saved ballot; if this process led it,
            // campaign above it at the first duty cycle (checkLeader).
            maxRoundSeen = Math.max(maxRoundSeen, saved.maxRound());
            if (saved.ballot() > ballot)
            {
                ballot = saved.ballot();
                knownBallot[group] = ballot;
                leaderOf[group] = Ballots.leader(ballot);
                acceptedBallot = ballot;
            }
            mode = Mode.FOLLOWER;
            LOG.info("group {} at process {}: restarted with saved ballot {}, highest round {}, clock from {}; " +
                "follows {} (messages acknowledged before the restart are not kept)", group, selfId,
                Ballots.toString(ballot), maxRoundSeen, clock,
                leaderOf[group] == selfId ? "nobody until it campaigns" : "process " + leaderOf[group]);
        }
        if (mode == Mode.FOLLOWER && leaderOf[group] != selfId)
        {
            streamRegion.grant(leaderOf[group]);
        }
        outbox = new Outbox(fabric, maxProcessId(topology), regions, journal.syncsBeforeSending());
        control = new Mailboxes(topology, options, fabric, this::onControl, Layout.CONTROL_REGION,
            Layout.CONTROL_CREDIT_REGION);

        final long[] timeouts = new long[topology.serverCount() + topology.clientCount()];
        for (final int m : members)
        {
            if (m != selfId)
            {
                timeouts[topology.serverOrdinalOf(m)] = options.failureTimeoutMillis() * NS_PER_MS;
            }
        }
        for (int c = 0; c < topology.clientCount(); c++)
        {
            timeouts[topology.serverCount() + c] = options.clientFailureTimeoutMillis() * NS_PER_MS;
        }
        final int[] targets = Arrays.stream(members).filter(m -> m != selfId).toArray();
        heartbeats = new Heartbeats(topology, regions[Layout.HEARTBEAT_REGION].buffer(), outbox, selfId, targets,
            timeouts, options.heartbeatIntervalMillis() * NS_PER_MS);
        leaderView = leaderOf[group];
        ballotView = ballot;

        historyLimit = Math.max(16_384, 4 * options.retainedDeliveries());
        // relays may take ahead of the ring as much as a member catches up from its group
        clientRings = new ClientRings(topology.clientCount(), options.ringSlots(), historyLimit);

        memberStored = new long[members.length];
        sendCursor = new long[members.length];
        lost = new boolean[members.length];
        promised = new boolean[members.length];
        rejoinAskedNs = new long[members.length];
        staleUntilNs = new long[members.length];
        serverEpoch = new long[topology.serverCount()];
        Arrays.fill(sendCursor, 1);
        log = new StreamLog(options.streamRecords());
        logLimit = Math.max(8L * options.streamRecords(), 4L * options.retainedDeliveries());
        outgoingProposals = new LongArrayList[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            outgoingProposals[g] = new LongArrayList();
        }
        restore();
        clientRings.journal(journalRecords);
    }

    /* ---------------------------------------------------------------- the acceptor journal */

    /**
     * Replays the acceptor journal (a restarted process): the entries it held with their bodies and
     * proposals, its stream position, its deliveries and its client rings, as they were when it
     * stopped. What it delivered but the handler had not applied is handed over again at the first
     * duty cycle, in delivery order. Nothing is decided or ordered after a replay: decisions need
     * the acknowledgements of the current ballot, which a leader change gathers again.
     */
    private void restore()
    {
        final Restorer restorer = new Restorer();
        final long records = journal.replay(restorer);
        if (records == 0 || retained.isEmpty())
        {
            if (!baseline.equals(ControlMessages.Mark.NONE))
            {
                // a store rebuilt from a snapshot: its deliveries continue after the snapshot's mark,
                // caught up from the group (nothing before it is held here, nor in any history)
                lastDeliveredValue = baseline.value();
                lastDeliveredGroup = baseline.group();
                lastDeliveredId = baseline.messageId();
                forgotten = baseline;
                historyDropped = true;
                catchUpBehind = UNKNOWN_BEHIND;
                LOG.info("group {} at process {}: no delivery in its journal; the application holds every " +
                    "delivery up to {} (a rebuilt store): delivering from there, caught up from the group", group, selfId,
                    baseline);
            }
            if (records == 0)
            {
                return;
            }
        }
        else
        {
            baseline = ControlMessages.Mark.NONE; // the journal says where it stands
            ringsSettled = true;
        }
        final ArrayList<Entry> unapplied = new ArrayList<>();
        for (final Entry e : retained.values())
        {
            if (!unapplied.isEmpty() || !appliedDeliveries.applied(e.finalValue, e.finalGroup, e.messageId))
            {
                unapplied.add(e);
            }
        }
        redeliveries = unapplied;
        for (final Entry e : retained.values())
        {
            noteDelivered(e);
        }
        // what it delivered and forgot before the last checkpoint is in no history any more
        historyDropped = !forgotten.equals(ControlMessages.Mark.NONE);
        trimRetained();
        if (acceptedBallot == ballot)
        {
            nextStreamReadSeq = acceptedSeq + 1;
        }
        clientRings.flowDueForAll();
        catchUpBehind = UNKNOWN_BEHIND; // restarted: it may have missed deliveries, how many is not known yet
        LOG.info("group {} at process {}: replayed {} journal records: {} pending entries, {} delivered kept, stream at " +
            "{}:{}, {} delivered but not applied (handed over again)", group, selfId, records, entries.size(),
            retained.size(), Ballots.toString(acceptedBallot), acceptedSeq, unapplied.size());
    }

    /** Applies journal records to this process's state (only while {@link #restore()} runs). */
    private final class Restorer implements AcceptorJournal.Records
    {
        private Entry entry(final long messageId)
        {
            return heldOrNew(messageId);
        }

        @Override
        public void body(
            final long messageId, final int clientOrdinal, final int[] destinations, final long[] ringSeqs,
            final byte[] payload)
        {
            final Entry e = entry(messageId);
            e.clientOrdinal = clientOrdinal;
            e.destinations = destinations;
            e.ringSeqByGroup = new long[groupCount];
            for (int d = 0; d < destinations.length; d++)
            {
                e.ringSeqByGroup[destinations[d]] = ringSeqs[d];
            }
            if (payload != null)
            {
                e.payload = payload;
                if (e.state == Entry.State.NO_BODY)
                {
                    e.state = Entry.State.MCAST;
                }
            }
        }

        @Override
        public void proposal(
            final long messageId, final int h, final long proposalBallot, final long value, final long streamBallot,
            final long streamSeq)
        {
            entry(messageId).propose(h, proposalBallot, value, streamBallot, streamSeq);
        }

        @Override
        public void streamPosition(final long b, final long seq, final long upTo)
        {
            acceptedBallot = b;
            acceptedSeq = seq;
            reissuedUpTo = upTo;
        }

        @Override
        public void forget(final long b)
        {
            forgetProposalsBelow(b);
            recoveredBallot = Math.max(recoveredBallot, b);
        }

        @Override
        public void delivered(final long messageId, final long finalValue, final int finalGroup)
        {
            final Entry e = entries.remove(messageId);
            if (e == null || !e.hasBody())
            {
                throw new IllegalStateException("acceptor journal of process " + selfId + ": delivery of " +
                    MessageIds.toString(messageId) + " without its body before it; the journal is damaged");
            }
            e.state = Entry.State.DONE;
            e.finalValue = finalValue;
            e.finalGroup = finalGroup;
            retained.put(messageId, e);
        }

        @Override
        public void forgotten(final long messageId, final long finalValue, final int finalGroup)
        {
            forgotten = new ControlMessages.Mark(finalValue, finalGroup, messageId);
        }

        @Override
        public void ringOp(final int op, final int clientOrdinal, final long argument)
        {
            clientRings.replay(op, clientOrdinal, argument);
        }

        @Override
        public void ringRow(final int clientOrdinal, final ClientRings.RowState row)
        {
            clientRings.restoreRow(clientOrdinal, row);
        }
    }

    /** Writes this process's whole acceptor state into a journal checkpoint. */
    private void writeCheckpoint(final AcceptorJournal.Records w)
    {
        for (int ci = 0; ci < clientRings.clientCount(); ci++)
        {
            w.ringRow(ci, clientRings.rowState(ci));
        }
        w.streamPosition(acceptedBallot, acceptedSeq, reissuedUpTo());
        if (!forgotten.equals(ControlMessages.Mark.NONE))
        {
            w.forgotten(forgotten.messageId(), forgotten.value(), forgotten.group());
        }
        for (final Entry e : retained.values())
        {
            writeEntry(w, e);
            w.delivered(e.messageId, e.finalValue, e.finalGroup);
        }
        entries.forEachLong((id, e) -> writeEntry(w, e));
    }

    private void writeEntry(final AcceptorJournal.Records w, final Entry e)
    {
        if (e.destinations != null)
        {
            journalBody(w, e);
        }
        for (int h = 0; h < groupCount; h++)
        {
            if (e.proposalKnown[h])
            {
                w.proposal(e.messageId, h, e.proposalBallot[h], e.proposalValue[h], e.proposalStreamBallot[h],
                    e.proposalStreamSeq[h]);
            }
        }
    }

    private void journalBody(final AcceptorJournal.Records w, final Entry e)
    {
        w.body(e.messageId, e.clientOrdinal, e.destinations, e.ringSeqsOfDestinations(), e.payload);
    }

    /** Records a proposal in the entry and the journal (every place a proposal is learned or made). */
    private void propose(
        final Entry e, final int h, final long proposalBallot, final long value, final long streamBallot,
        final long streamSeq)
    {
        journalRecords.proposal(e.messageId, h, proposalBallot, value, streamBallot, streamSeq);
        e.propose(h, proposalBallot, value, streamBallot, streamSeq);
    }

    /** Drops delivered entries beyond the retention once the application has applied them. */
    private void trimRetained()
    {
        trimRetainedEntries();
        catchUpWindowView = retained.size() + history.size();
    }

    private void trimRetainedEntries()
    {
        while (retained.size() > options.retainedDeliveries())
        {
            final var it = retained.values().iterator();
            final Entry oldest = it.next();
            if (!appliedDeliveries.applied(oldest.finalValue, oldest.finalGroup, oldest.messageId))
            {
                return; // kept (and journaled) until the application has it
            }
            it.remove();
            forgotten = markOf(oldest);
            history.addLast(oldest);
            if (history.size() > historyLimit)
            {
                history.pollFirst();
                historyDropped = true;
            }
        }
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

    /**
     * @param observer told on the agent thread, for every delivery of a message whose body this
     *                 process took since it started, the agent-clock time from taking the body to
     *                 handing the delivery over (ns); must be cheap. Any thread.
     */
    void orderingObserver(final java.util.function.LongConsumer observer)
    {
        orderingObserver = java.util.Objects.requireNonNull(observer, "observer");
    }

    /**
     * @return the deliveries this process still holds to catch a lagging member of its group up
     *         (retained and history, as of its last delivery): a member further behind than that
     *         can only be rebuilt from a snapshot (any thread).
     */
    long catchUpWindowView()
    {
        return catchUpWindowView;
    }

    /** @return the leader of the own group as last seen by the agent (any thread). */
    int leaderView()
    {
        return leaderView;
    }

    /**
     * @return how far behind its group this process knows itself to be, in deliveries, from the
     *         last answer to its catch-up requests (0: caught up, or never behind; -1: behind what
     *         its group still holds, so it needs a state transfer; {@link #UNKNOWN_BEHIND}: restarted,
     *         not known yet; any thread).
     */
    long catchUpBehindView()
    {
        return catchUpBehind;
    }

    /** @return the ballot the agent follows or leads in (any thread). */
    long ballotView()
    {
        return ballotView;
    }

    /** @return ballots adopted as follower or leader since start; safe from any thread. */
    long ballotChangesView()
    {
        return ballotChangesView;
    }

    boolean isLeader()
    {
        return mode == Mode.LEADER;
    }

    Mode mode()
    {
        return mode;
    }

    long ballot()
    {
        return ballot;
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

    /** @return own proposals made as leader (Task 2), fresh ones of a recovery included. */
    long proposedCount()
    {
        return proposedCount;
    }

    /** @return other groups' proposals forwarded as leader (Task 4). */
    long forwardedCount()
    {
        return forwardedCount;
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
     * @param nowNs the agent's current time, in nanoseconds (heartbeats and timeouts).
     * @return the amount of work done; 0 when idle.
     */
    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        if (!running)
        {
            running = true;
            followingSinceNs = nowNs; // ages of messages held (restored ones too) count from the first cycle
            startedNs = nowNs;
            lastDeliveryNs = nowNs; // a stall is measured from the start at most
        }
        int work = outbox.flush();
        final int beats = heartbeats.doWork(nowNs);
        work += beats;
        work += control.doWork();
        work += pollRings();
        work += handOverIfAsked();
        work += checkLeader();
        if (mode == Mode.LEADER)
        {
            work += proposeQueued();
            work += sendStream();
        }
        else if (mode == Mode.FOLLOWER)
        {
            work += pollStream();
        }
        work += pollStored();
        work += orderAndDeliver();
        handOver();
        if (beats > 0)
        {
            work += checkClients(); // suspicion moves with heartbeats: once per interval is enough
            work += checkLeaderProgress();
            checkStalled();
            work += checkReconnections();
            work += askToRejoin();
            work += askForBodies();
            work += askForAcks();
            work += askToCatchUp();
        }
        work += flushProposals();
        // before publish: a new incarnation's mailbox is reset before its FLOW cell answers the handshake
        work += checkIncarnations();
        work += publish();
        if (journal.wantsCheckpoint())
        {
            journal.checkpoint(this::writeCheckpoint);
        }
        if (journal.syncsBeforeSending())
        {
            journal.sync(); // every write of this cycle waited in the outbox for this
            work += outbox.release();
        }
        return work;
    }

    /* ---------------------------------------------------------------- Task 1 arrival (client rings) */

    private int pollRings()
    {
        int work = 0;
        final int slotSize = options.slotSizeBytes();
        for (int ci = 0; ci < clientRings.clientCount(); ci++)
        {
            for (int i = 0; i < options.pollBatch(); i++)
            {
                if (clientRings.passTakenAhead(ci))
                {
                    work++; // taken from a relay already; the ring's copy is not read
                    continue;
                }
                final long ringSeq = clientRings.nextRingSeq(ci);
                if (clientRings.ringFull(ci))
                {
                    break; // every slot holds an undelivered message: the client cannot have written more
                }
                slot.wrap(rings, Layout.ringOffset(ci, ringSeq, options));
                if (slot.ringSeqVolatile() != ringSeq)
                {
                    break;
                }
                final int payloadLength = slot.payloadLength();
                final int k = slot.destinationCount();
                if (k == 0 && payloadLength == 0 && slot.messageId() == 0 &&
                    slot.sealVolatile(Layout.slotRecordBytes(0, 0)) == SlotFlyweight.skipSealOf(ringSeq))
                {
                    // a SKIP record: a new incarnation of the client starts further on; the position
                    // stays open to a relayed copy of whatever an earlier incarnation sent there
                    clientRings.skip(ci, ringSeq);
                    work++;
                    continue;
                }
                if (k < 1 || k > groupCount || payloadLength < 0 ||
                    payloadLength > Layout.maxPayloadBytes(slotSize, k))
                {
                    break; // header not yet whole (torn); the seal check decides once it is
                }
                final int recordBytes = Layout.slotRecordBytes(payloadLength, k);
                if (slot.sealVolatile(recordBytes) != ringSeq)
                {
                    break;
                }
                if (!copyChecked(ci, ringSeq, payloadLength, k, recordBytes))
                {
                    break; // sealed, but its body not yet whole (placed in another order): read it again later
                }
                work++;
                clientRings.takeFromRing(ci, ringSeq);
                copyOutOfRing(ci, ringSeq, payloadLength, k);
            }
        }
        return work;
    }

    /**
     * Copies the sealed record at ring position {@code ringSeq} of client {@code ci} out of the ring
     * (§F.18) into {@link #crcScratch} and checks its checksum and its own position. A NIC may place
     * a write's bytes in any order, so a record whose head and seal are visible may not be whole yet:
     * it is read again later, never taken (or dropped) half placed (issue 16, item 5). A record that
     * keeps failing is reported once.
     *
     * @return whether the copy is whole.
     */
    private boolean copyChecked(final int ci, final long ringSeq, final int payloadLength, final int k,
        final int recordBytes)
    {
        final int crcLength = SlotFlyweight.checksummedBytes(payloadLength, k);
        if (crcScratch.length < crcLength)
        {
            crcScratch = new byte[Math.max(crcLength, crcScratch.length * 2)];
        }
        if (slot.computeChecksum(crc, crcScratch, crcLength) == slot.checksum(recordBytes) &&
            ownRingSeqHolds(ringSeq, k))
        {
            slotChecksumFailuresInARow = 0;
            return true;
        }
        tornSlotReads++;
        if (++slotChecksumFailuresInARow == STUCK_CHECKSUM_FAILURES)
        {
            errorHandler.onError(new IllegalStateException("the record of client ordinal " + ci + " at ring sequence " +
                ringSeq + " on process " + selfId + " is sealed but has failed its checksum " + STUCK_CHECKSUM_FAILURES +
                " times in a row: a client bug or corrupted memory; that ring waits"));
        }
        return false;
    }

    /**
     * The checksum covers the header, destinations and payload but not the position: the previous
     * occupant of the slot, with its own checksum, still validates under this position's head and
     * seal words while they are placed and the rest is not. Its destination entry for this group names
     * its own position, which tells it apart.
     */
    private boolean ownRingSeqHolds(final long ringSeq, final int k)
    {
        for (int d = 0; d < k; d++)
        {
            if (slot.destinationGroup(d) == group)
            {
                return slot.destinationRingSeq(d) == ringSeq;
            }
        }
        return false;
    }

    /**
     * Takes the record at ring position {@code ringSeq} of client {@code ci}, copied and checked by
     * {@link #copyChecked}; {@link #slot} is wrapped at it.
     */
    private void copyOutOfRing(final int ci, final long ringSeq, final int payloadLength, final int k)
    {
        final int crcLength = SlotFlyweight.checksummedBytes(payloadLength, k);
        final long messageId = slot.messageId();
        final int[] destinations = new int[k];
        final long[] ringSeqByGroup = new long[groupCount];
        String problem = null;
        for (int d = 0; d < k && problem == null; d++)
        {
            final int g = slot.destinationGroup(d);
            final long seq = slot.destinationRingSeq(d);
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
        final byte[] payload = problem == null ? Arrays.copyOfRange(crcScratch, crcLength - payloadLength, crcLength) : null;
        take(ci, ringSeq, messageId, destinations, ringSeqByGroup, payload, problem);
    }

    /**
     * Takes the message at ring sequence {@code ringSeq} of client {@code ci}, read from the ring
     * or from a relay; the position is taken already in {@link #clientRings}, which sees to it that
     * exactly one message is taken per ring position. A message that fails validation is dropped
     * and its position freed.
     */
    private void take(
        final int ci, final long ringSeq, final long messageId, final int[] destinations, final long[] ringSeqByGroup,
        final byte[] payload, final String knownProblem)
    {
        String problem = knownProblem;
        if (problem == null && MessageIds.sender(messageId) != topology.clients()[ci])
        {
            problem = "message id " + MessageIds.toString(messageId) + " not from the ring's client";
        }
        if (problem == null && ringSeqByGroup[group] != ringSeq)
        {
            problem = "ring sequence " + ringSeqByGroup[group] + " for group " + group + " but found at " + ringSeq;
        }
        Entry e = problem == null ? entries.get(messageId) : null;
        if (problem == null && (e != null && e.hasBody() || retained.containsKey(messageId)))
        {
            problem = "duplicate message id " + MessageIds.toString(messageId);
        }
        if (problem != null)
        {
            clientRecordErrors++;
            errorHandler.onError(new IllegalArgumentException("dropping record from client ordinal " + ci +
                " at ring sequence " + ringSeq + " on process " + selfId + ": " + problem));
            clientRings.free(ci, ringSeq);
            return;
        }
        if (e == null)
        {
            e = new Entry(messageId, groupCount);
            entries.put(messageId, e);
        }
        e.clientOrdinal = ci;
        clientRings.tookMessage(ci, MessageIds.sequence(messageId));
        e.destinations = destinations;
        e.ringSeqByGroup = ringSeqByGroup;
        e.payload = payload;
        e.state = Entry.State.MCAST;
        e.takenNs = Math.max(1, nowNs);
        journalBody(journalRecords, e);
        if (mode == Mode.FOLLOWER && proposedInCurrentBallot(e) && e.ackedBallot != ballot)
        {
            acknowledge(e, e.proposalValue[group]); // its proposal was read before the body arrived
        }
        if (mode == Mode.LEADER && !proposedInCurrentBallot(e))
        {
            toPropose.addLast(e);
        }
        if (clientRings.suspected(ci))
        {
            relay(e);
        }
    }

    private boolean proposedInCurrentBallot(final Entry e)
    {
        return e.proposalKnown[group] && e.proposalBallot[group] == ballot;
    }

    /* ---------------------------------------------------------------- Task 10: relay */

    private int checkClients()
    {
        int work = 0;
        final int[] clients = topology.clients();
        for (int ci = 0; ci < clients.length; ci++)
        {
            if (clientRings.suspect(ci, heartbeats.suspected(clients[ci], nowNs)))
            {
                work += relayAll(ci);
            }
        }
        return work;
    }

    /**
     * Reads every client's HELLO word; on a new incarnation tells the listener (the mailbox to the
     * client is reset) and relays every message of the client held: the earlier incarnation is
     * gone, and what it sent must reach every destination. The FLOW cell that answers the new
     * incarnation's handshake is then due ({@link ClientRings#onHello}).
     *
     * @return the number of new incarnations seen.
     */
    private int checkIncarnations()
    {
        int work = 0;
        final int[] clients = topology.clients();
        for (int ci = 0; ci < clients.length; ci++)
        {
            if (clientRings.onHello(ci, hello.getLongVolatile(ci * Layout.WORD_BYTES)))
            {
                newClientIncarnation.accept(clients[ci]);
                relayAll(ci);
                work++;
            }
        }
        return work;
    }

    /**
     * A leader that its peers hear but the clients cannot reach (its links to them cut) proposes
     * nothing: the bodies never reach it. A follower that holds a message the leader of its ballot
     * has not proposed after a failure timeout relays it to the leader (so transactions still
     * commit, a timeout later); after three, it takes the leader as failed (the first member after
     * it then campaigns, and the group moves to a leader the clients reach). Ages count from the
     * first record of the ballot's stream, so a new leader gets its time once its recovery is done.
     *
     * @return the number of messages relayed.
     */
    private int checkLeaderProgress()
    {
        final int leader = leaderOf[group];
        if (mode != Mode.FOLLOWER || leader == selfId || nextStreamReadSeq == 1)
        {
            leaderStalls = false; // no leader, or it has not finished its recovery: it gets the heartbeat rule only
            return 0;
        }
        final long relayAfterNs = options.failureTimeoutMillis() * NS_PER_MS;
        final long relayed = relayedCount;
        final boolean[] stalled = {false};
        entries.forEachLong((id, e) ->
        {
            if (e.state != Entry.State.MCAST || !e.hasBody() || proposedInCurrentBallot(e) || e.takenNs == 0)
            {
                return; // takenNs 0: held since before a restart, when the ballot may have moved on
            }
            final long age = nowNs - Math.max(e.takenNs, followingSinceNs);
            if (age > relayAfterNs && e.relayedToLeaderInBallot != ballot)
            {
                e.relayedToLeaderInBallot = ballot;
                relayTo(e, leader);
            }
            stalled[0] |= age > 3 * relayAfterNs;
        });
        if (stalled[0] && !leaderStalls)
        {
            LOG.warn("group {} at process {}: leader {} has proposed none of the messages held here for {} ms, though " +
                "it answers heartbeats (cut off from the clients?): taking it as failed", group, selfId, leader,
                3 * options.failureTimeoutMillis());
        }
        leaderStalls = stalled[0];
        return (int)(relayedCount - relayed);
    }

    /**
     * A message this process knows from its stream (a proposal of its own group) but whose body
     * never reached it — it was down, restarted or cut off while the client wrote it, and the client
     * may have moved on — blocks its deliveries for ever unless a member that holds the body sends
     * it. After a failure timeout without it, this process asks the other members of its group
     * ({@link ControlMessages#BODY_REQUEST}), again after each further timeout; they answer with a
     * relay. After ten asks in vain it says so once: no member holds it any more (delivered and
     * dropped beyond the retention), and this replica needs a state transfer.
     *
     * @return the number of bodies asked for.
     */
    private int askForBodies()
    {
        final long everyNs = options.failureTimeoutMillis() * NS_PER_MS;
        bodyAsk.clear();
        entries.forEachLong((id, e) ->
        {
            if (e.hasBody() || !e.proposalKnown[group])
            {
                return;
            }
            if (e.bodyWaitNs == 0)
            {
                e.bodyWaitNs = nowNs;
            }
            else if (nowNs - e.bodyWaitNs >= everyNs)
            {
                e.bodyWaitNs = nowNs;
                if (++e.bodyAsks == 10)
                {
                    LOG.warn("group {} at process {}: no member of the group has sent the body of {} after {} asks; " +
                        "if every member delivered it and dropped it beyond the retention, this replica cannot " +
                        "catch up from its group: rebuild it (stop it, empty its data directory, start it with " +
                        "--rebuild)", group, selfId,
                        MessageIds.toString(e.messageId), e.bodyAsks);
                }
                bodyAsk.addLong(e.messageId);
            }
        });
        if (bodyAsk.isEmpty())
        {
            return 0;
        }
        final long[] ids = bodyAsk.toLongArray();
        final int max = ControlMessages.maxBodyRequests(options.maxMailboxMessageBytes());
        for (int from = 0; from < ids.length; from += max)
        {
            final byte[] request = ControlMessages.bodyRequest(ids, from, Math.min(max, ids.length - from));
            for (final int q : members)
            {
                if (q != selfId && !heartbeats.suspected(q, nowNs))
                {
                    control.send(q, request);
                }
            }
        }
        return ids.length;
    }

    private static ControlMessages.Mark markOf(final Entry e)
    {
        return new ControlMessages.Mark(e.finalValue, e.finalGroup, e.messageId);
    }

    /** @return this process's last delivery. */
    private ControlMessages.Mark lastDelivered()
    {
        return new ControlMessages.Mark(lastDeliveredValue, lastDeliveredGroup, lastDeliveredId);
    }

    private void noteDelivered(final Entry e)
    {
        lastDeliveredValue = e.finalValue;
        lastDeliveredGroup = e.finalGroup;
        lastDeliveredId = e.messageId;
    }

    /**
     * A member that delivered nothing for a failure timeout while holding messages may have missed
     * what its group decided while it was down or cut off: the acks other groups wrote to it then
     * are lost, so it cannot decide those messages itself. It asks its leader for the deliveries
     * after its last one, at most once per failure timeout ({@link #onDelivered}).
     *
     * @return 1 if it asked.
     */
    private int askToCatchUp()
    {
        final long timeoutNs = options.failureTimeoutMillis() * NS_PER_MS;
        final int leader = leaderOf[group];
        if (catchUpBehind != 0 && nowNs - Math.max(catchUpAskedNs, startedNs) > 4 * timeoutNs &&
            (entries.isEmpty() || nowNs - lastDeliveryNs < timeoutNs))
        {
            catchUpBehind = 0; // delivering on its own again, or holding nothing it could be missing
        }
        if (mode != Mode.FOLLOWER || leader < 0 || leader == selfId)
        {
            return 0;
        }
        // known to be behind and the last answer is in: ask on at once (a member not streamed
        // catches up only this way); otherwise after a failure timeout without a delivery
        final boolean askOn =
            catchUpBehind > 0 && catchUpBehind != UNKNOWN_BEHIND && catchUpAnsweredNs > catchUpAskedNs;
        if (!askOn && ((entries.isEmpty() && catchUpBehind == 0) || nowNs - lastDeliveryNs < timeoutNs ||
            nowNs - catchUpAskedNs < timeoutNs))
        {
            return 0;
        }
        askForDeliveries(leader);
        return 1;
    }

    /** Asks {@code member} of the group for the deliveries after this process's last one ({@link #onDelivered}). */
    private void askForDeliveries(final int member)
    {
        catchUpAskedNs = nowNs;
        control.send(member, ControlMessages.deliveredRequest(lastDelivered()));
    }

    /** Sends a member the deliveries after the one it names, from {@link #history} and {@link #retained}. */
    private void onDeliveredRequest(final int sender, final ControlMessages.Mark r)
    {
        final List<ControlMessages.DeliveredItem> items = new ArrayList<>();
        final boolean[] reaches = {!historyDropped};
        final boolean[] found = {false};
        final boolean[] passed = {false};
        final int[] behind = {0};
        final java.util.function.Consumer<Entry> add = e ->
        {
            final int c = Entry.compare(e.finalValue, e.finalGroup, e.messageId, r.value(), r.group(), r.messageId());
            found[0] |= c == 0;
            passed[0] |= c > 0;
            if (c <= 0)
            {
                reaches[0] = true; // it holds the asker's last delivery or one before it
            }
            else if (e.hasBody() && e.destinations != null && behind[0]++ < MAX_CATCH_UP_ITEMS)
            {
                items.add(new ControlMessages.DeliveredItem(e.messageId, e.finalValue, e.finalGroup, e.clientOrdinal,
                    e.destinations, e.ringSeqsOfDestinations(), e.payload));
            }
        };
        history.forEach(add);
        retained.values().forEach(add);
        if (reaches[0] && passed[0] && !found[0] && r.group() >= 0)
        {
            // it delivered before and after the asker's last delivery without delivering that one:
            // by uniform prefix order no member of the group delivered it
            LOG.error("group {} at process {}: member {} says its last delivery was {}/{}/{}, which this process, " +
                "holding deliveries before and after it, never made", group, selfId, sender, r.value(), r.group(),
                MessageIds.toString(r.messageId()));
            control.send(sender, ControlMessages.delivered(false, FOREIGN_MARK, List.of(),
                options.maxMailboxMessageBytes()).get(0));
            return;
        }
        final boolean complete = reaches[0] || r.group() < 0 && !historyDropped;
        final List<ControlMessages.SettledRing> rings = new ArrayList<>();
        if (complete && behind[0] <= MAX_CATCH_UP_ITEMS)
        {
            // nothing left out: what this process took and freed, for a member rebuilt from a snapshot
            for (int ci = 0; ci < clientRings.clientCount(); ci++)
            {
                rings.add(new ControlMessages.SettledRing(clientRings.freedUpTo(ci), clientRings.openBelowFreed(ci)));
            }
        }
        for (final byte[] m : ControlMessages.delivered(complete, behind[0], complete ? items : List.of(), rings,
            options.maxMailboxMessageBytes()))
        {
            control.send(sender, m);
        }
    }

    /**
     * Delivers what a member of the group delivered after this process's last delivery, in its
     * order and with its final timestamps: by uniform prefix order its delivery sequence continues
     * this one's, so every message with a final timestamp below one of these that this process has
     * not delivered is among them, before it. Bodies come with them (taken like relays).
     */
    private void onDelivered(final int sender, final ControlMessages.Delivered d)
    {
        catchUpAnsweredNs = nowNs;
        if (!d.complete() && d.behind() == FOREIGN_MARK)
        {
            throw new IllegalStateException("group " + group + " at process " + selfId + ": member " + sender +
                " delivered messages before and after this replica's last delivery " + lastDelivered() + " but never " +
                "that one, so no member of the group delivered it: this replica's state (its store, or its journal) " +
                "is not of this cluster's history (a data directory of another cluster or an older incarnation of " +
                "it?). Stopping (fail-stop); rebuild the replica (empty its data directory, start it with --rebuild)");
        }
        if (!d.complete())
        {
            catchUpBehind = -1;
            if (!catchUpGapReported)
            {
                catchUpGapReported = true;
                LOG.warn("group {} at process {}: member {} no longer holds the deliveries after this replica's last " +
                    "one ({}/{}/{}); it cannot catch up from its group: rebuild it (stop it, empty its data " +
                    "directory, start it with --rebuild)", group, selfId, sender,
                    lastDeliveredValue, lastDeliveredGroup, MessageIds.toString(lastDeliveredId));
            }
            return;
        }
        int caughtUp = 0;
        for (final ControlMessages.DeliveredItem it : d.items())
        {
            if (Entry.compare(it.finalValue(), it.finalGroup(), it.messageId(), lastDeliveredValue, lastDeliveredGroup,
                lastDeliveredId) <= 0 || retained.containsKey(it.messageId()))
            {
                continue;
            }
            Entry e = entries.get(it.messageId());
            if (e == null || !e.hasBody())
            {
                onRelay(sender, new ControlMessages.Relay(it.clientOrdinal(), it.messageId(), it.destinations(),
                    it.ringSeqs(), it.payload()));
                e = entries.get(it.messageId());
            }
            if (e == null || !e.hasBody())
            {
                catchUpBehind = Math.max(1, d.behind() - caughtUp);
                return; // its body could not be taken (see the relay's warning): nothing after it either
            }
            if (e.state == Entry.State.ORDERED)
            {
                ordered.remove(e);
            }
            e.finalValue = it.finalValue();
            e.finalGroup = it.finalGroup();
            deliver(e);
            caughtUp++;
        }
        catchUpBehind = Math.max(0, d.behind() - caughtUp);
        if (!d.rings().isEmpty() && !ringsSettled && !baseline.equals(ControlMessages.Mark.NONE))
        {
            settleRings(sender, d.rings());
        }
        if (caughtUp > 0)
        {
            LOG.info("group {} at process {}: caught up {} deliveries from member {}, up to {}/{}/{}; {} to go", group,
                selfId, caughtUp, sender, lastDeliveredValue, lastDeliveredGroup, MessageIds.toString(lastDeliveredId),
                catchUpBehind);
        }
    }

    /**
     * A server whose store was rebuilt from a snapshot never took the ring positions of what the
     * snapshot holds; once a member answered its catch-up with nothing left out (and every delivery
     * of the answer is made here), the positions that member took and freed are taken and freed
     * here too, so that a stream record or a relay of a message the snapshot holds is known as
     * delivered. Until then such a server does not read its stream ({@link #pollStream}).
     */
    private void settleRings(final int sender, final List<ControlMessages.SettledRing> rings)
    {
        // During a rolling raise of the client bound members lay out different numbers of client
        // rings; the rows one lays out and the other does not belong to clients no server has let
        // in yet (a server serves a client only once every server lays it out), so they hold nothing
        if (rings.size() > clientRings.clientCount())
        {
            for (int ci = clientRings.clientCount(); ci < rings.size(); ci++)
            {
                if (rings.get(ci).head() > 1 || rings.get(ci).openBelow().length > 0)
                {
                    throw new IllegalStateException("catch-up answer of " + sender + " holds positions of client " +
                        "ordinal " + ci + ", beyond the " + clientRings.clientCount() + " client rings this process " +
                        "lays out: the cluster serves more client ids than this server's configuration (clients.count)");
                }
            }
        }
        final int settledRows = Math.min(rings.size(), clientRings.clientCount());
        final ArrayList<Entry> drop = new ArrayList<>();
        for (final Entry e : entries.values())
        {
            if (e.ringSeqByGroup == null || e.state == Entry.State.ORDERED || e.clientOrdinal >= settledRows)
            {
                continue;
            }
            final ControlMessages.SettledRing r = rings.get(e.clientOrdinal);
            final long pos = e.ringSeqByGroup[group];
            if (pos > 0 && pos < r.head() && Arrays.binarySearch(r.openBelow(), pos) < 0)
            {
                drop.add(e); // delivered there, so before the snapshot's mark or among the answer's deliveries
            }
        }
        for (final Entry e : drop)
        {
            entries.remove(e.messageId);
        }
        int settled = 0;
        for (int ci = 0; ci < settledRows; ci++)
        {
            if (clientRings.settle(ci, rings.get(ci).head(), rings.get(ci).openBelow()))
            {
                settled++;
            }
        }
        ringsSettled = true;
        LOG.info("group {} at process {}: took over the ring positions member {} delivered ({} clients, {} held " +
            "messages dropped as delivered); reading the stream from now on", group, selfId, sender, settled, drop.size());
    }

    /**
     * The acknowledgements another group's followers wrote to this process before it restarted are
     * lost, and they write each one once: a message whose proposal of another group is known here
     * but not decided after a failure timeout (and after each further one) is named to the members
     * of that group ({@link ControlMessages#ACK_REQUEST}), which write their ack cells again. Without
     * it a restarted process that becomes leader could never decide what was in flight when it
     * went down (a follower would also catch up by deliveries).
     *
     * @return the number of (message, group) asks sent.
     */
    private int askForAcks()
    {
        final long everyNs = options.failureTimeoutMillis() * NS_PER_MS;
        final LongArrayList[] asks = new LongArrayList[groupCount];
        entries.forEachLong((id, e) ->
        {
            if (e.state != Entry.State.MCAST || e.destinations == null)
            {
                return;
            }
            boolean waiting = false;
            for (final int h : e.destinations)
            {
                waiting |= awaitsAcksOf(e, h);
            }
            if (!waiting)
            {
                e.ackWaitNs = 0;
                return;
            }
            if (e.ackWaitNs == 0)
            {
                e.ackWaitNs = nowNs;
                return;
            }
            if (nowNs - e.ackWaitNs < everyNs)
            {
                return;
            }
            e.ackWaitNs = nowNs;
            for (final int h : e.destinations)
            {
                if (awaitsAcksOf(e, h))
                {
                    if (asks[h] == null)
                    {
                        asks[h] = new LongArrayList();
                    }
                    asks[h].addLong(e.messageId);
                }
            }
        });
        int sent = 0;
        final int max = ControlMessages.maxBodyRequests(options.maxMailboxMessageBytes());
        for (int h = 0; h < groupCount; h++)
        {
            if (asks[h] == null)
            {
                continue;
            }
            final long[] ids = asks[h].toLongArray();
            sent += ids.length;
            for (int from = 0; from < ids.length; from += max)
            {
                final byte[] request = ControlMessages.ackRequest(ids, from, Math.min(max, ids.length - from));
                for (final int q : topology.membersUnsafe(h))
                {
                    control.send(q, request);
                }
            }
        }
        return sent;
    }

    /** @return whether group {@code h}'s proposal for {@code e} is known here but not (yet) decided. */
    private boolean awaitsAcksOf(final Entry e, final int h)
    {
        return h != group && e.proposalKnown[h] && !e.decided[h];
    }

    /** Writes again, to the asker only, this process's acknowledgements of the messages named. */
    private void onAckRequest(final int sender, final long[] messageIds)
    {
        final int senderGroup = topology.groupOf(sender);
        for (final long id : messageIds)
        {
            final Entry e = held(id);
            if (e == null || e.destinations == null || e.ackedBallot == 0 || !e.proposalKnown[group] ||
                e.proposalBallot[group] != e.ackedBallot || Arrays.binarySearch(e.destinations, senderGroup) < 0)
            {
                continue;
            }
            ackCell.wrap(scratch, 0).ballot(e.ackedBallot).value(e.proposalValue[group]).messageId(e.messageId).seal();
            outbox.write(sender, Layout.ACKS_REGION, Layout.ackOffset(topology, options, e.clientOrdinal,
                e.ringSeqByGroup[senderGroup], group, memberIndex), scratch, Layout.ACK_CELL_BYTES);
        }
    }

    /** Sends the bodies asked for that this process holds, live or retained after delivery, as relays. */
    private void onBodyRequest(final int sender, final long[] messageIds)
    {
        for (final long id : messageIds)
        {
            final Entry e = held(id);
            if (e != null && e.hasBody() && e.destinations != null)
            {
                relayTo(e, sender);
            }
        }
    }

    /** Relays every message of client {@code ci} this process holds, in any state (§F.4 item 20). */
    private int relayAll(final int ci)
    {
        final long before = relayedCount;
        forEachHeld(e ->
        {
            if (e.clientOrdinal == ci && e.hasBody())
            {
                relay(e);
            }
        });
        return (int)Math.min(Integer.MAX_VALUE, relayedCount - before);
    }

    /**
     * Calls {@code action} for every message this process holds: live entries, then the delivered
     * ones it retains. The action must not add or remove entries.
     */
    private void forEachHeld(final java.util.function.Consumer<Entry> action)
    {
        entries.forEachLong((id, e) -> action.accept(e));
        retained.values().forEach(action);
    }

    private void relay(final Entry e)
    {
        final byte[] message = relayMessage(e);
        for (final int h : e.destinations)
        {
            for (final int p : topology.membersUnsafe(h))
            {
                if (p != selfId)
                {
                    control.send(p, message);
                    relayedCount++;
                }
            }
        }
    }

    private byte[] relayMessage(final Entry e)
    {
        return ControlMessages.relay(new ControlMessages.Relay(e.clientOrdinal, e.messageId, e.destinations,
            e.ringSeqsOfDestinations(), e.payload));
    }

    private void relayTo(final Entry e, final int process)
    {
        control.send(process, relayMessage(e));
        relayedCount++;
    }

    private void onRelay(final int sender, final ControlMessages.Relay r)
    {
        final int ci = r.clientOrdinal();
        if (ci >= clientRings.clientCount() && r.destinations().length > 0)
        {
            throw new IllegalStateException("relay from " + sender + " carries a message of client ordinal " + ci +
                ", beyond the " + clientRings.clientCount() + " client rings this server lays out: the cluster " +
                "serves more client ids than this server's configuration (clients.count); restart it with the " +
                "cluster's configuration");
        }
        if (ci < 0 || r.destinations().length == 0)
        {
            throw new IllegalArgumentException("relay from " + sender + " names client ordinal " + ci);
        }
        long own = 0;
        for (int d = 0; d < r.destinations().length; d++)
        {
            if (r.destinations()[d] == group)
            {
                own = r.ringSeqs()[d];
            }
        }
        if (own <= 0)
        {
            return; // not destined to this group
        }
        final ClientRings.RelayTake took = clientRings.takeFromRelay(ci, own);
        if (took == ClientRings.RelayTake.DUPLICATE)
        {
            return; // taken already, from the ring or an earlier relay, and maybe delivered long ago
        }
        if (took == ClientRings.RelayTake.AHEAD_FULL)
        {
            LOG.warn("process {}: dropping a relayed message of client ordinal {} at ring position {}: {} " +
                "positions ahead of the ring are taken already", selfId, ci, own, clientRings.takenAheadCount(ci));
            return;
        }
        final int k = r.destinations().length;
        final long[] ringSeqByGroup = new long[groupCount];
        String problem = null;
        for (int d = 0; d < k; d++)
        {
            final int g = r.destinations()[d];
            if (g < 0 || g >= groupCount || (d > 0 && g <= r.destinations()[d - 1]) || r.ringSeqs()[d] <= 0)
            {
                problem = "bad destination list in a relay";
                break;
            }
            ringSeqByGroup[g] = r.ringSeqs()[d];
        }
        if (problem == null && r.payload().length > Layout.maxPayloadBytes(options.slotSizeBytes(), k))
        {
            problem = "relayed payload over the slot limit";
        }
        take(ci, own, r.messageId(), r.destinations(), ringSeqByGroup, r.payload(), problem);
    }

    /* ---------------------------------------------------------------- control messages */

    private void onControl(final int sender, final byte[] message)
    {
        if (topology.groupOf(sender) < 0)
        {
            throw new IllegalStateException("control message from process " + sender + ", not a server");
        }
        switch (ControlMessages.type(message))
        {
            case ControlMessages.PROPOSALS -> onProposals(ControlMessages.decodeProposals(message));
            case ControlMessages.CATCH_UP -> onCatchUp(sender, ControlMessages.decodeCatchUp(message));
            case ControlMessages.CATCH_UP_STALE -> onStale(sender, ControlMessages.decodeStale(message));
            case ControlMessages.CATCH_UP_NACK -> onNack(ControlMessages.decodeBallotMessage(message,
                ControlMessages.CATCH_UP_NACK));
            case ControlMessages.CATCH_UP_ENTRIES -> onCatchUpEntries(sender,
                ControlMessages.decodeCatchUpEntries(message));
            case ControlMessages.CATCH_UP_END -> onCatchUpEnd(sender, ControlMessages.decodeCatchUpEnd(message));
            case ControlMessages.NEW_LEADER -> onNewLeader(ControlMessages.decodeBallotMessage(message,
                ControlMessages.NEW_LEADER));
            case ControlMessages.RELAY -> onRelay(sender, ControlMessages.decodeRelay(message));
            case ControlMessages.BODY_REQUEST -> onBodyRequest(sender, ControlMessages.decodeBodyRequest(message));
            case ControlMessages.ACK_REQUEST -> onAckRequest(sender, ControlMessages.decodeAckRequest(message));
            case ControlMessages.DELIVERED_REQUEST -> onDeliveredRequest(sender,
                ControlMessages.decodeDeliveredRequest(message));
            case ControlMessages.DELIVERED -> onDelivered(sender, ControlMessages.decodeDelivered(message));
            case ControlMessages.HAND_OVER -> onHandOver(sender, ControlMessages.decodeBallotMessage(message,
                ControlMessages.HAND_OVER));
            default -> throw new IllegalStateException("control message of unknown type " + message[0] + " from " + sender);
        }
    }

    /** Task 4: another group's leader proposes; the leader forwards the proposal into its stream. */
    private void onProposals(final ControlMessages.Proposals p)
    {
        final int h = p.group();
        if (h < 0 || h >= groupCount || h == group)
        {
            throw new IllegalStateException("proposals for group " + h + " at process " + selfId);
        }
        learnBallot(h, p.ballot()); // only a leader that finished its recovery sends proposals
        if (mode != Mode.LEADER || p.ballot() < knownBallot[h])
        {
            return; // a deposed leader's, or sent to a leader that is no more: re-sent on NEW_LEADER
        }
        for (final ControlMessages.Proposal proposal : p.proposals())
        {
            forward(h, p.ballot(), proposal.messageId(), proposal.value());
        }
    }

    private void learnBallot(final int h, final long b)
    {
        if (b > knownBallot[h])
        {
            knownBallot[h] = b;
            leaderOf[h] = Ballots.leader(b);
        }
    }

    private void forward(final int h, final long proposalBallot, final long messageId, final long value)
    {
        raiseClock(value);
        forwardedCount++;
        Entry e = held(messageId);
        final long ownRingSeq = e != null && e.ringSeqByGroup != null ? e.ringSeqByGroup[group] : 0;
        final long seq = append(Layout.KIND_FWD, h, messageId, proposalBallot, value, ownRingSeq);
        if (e == null)
        {
            e = new Entry(messageId, groupCount);
            entries.put(messageId, e);
        }
        propose(e, h, proposalBallot, value, ballot, seq);
    }

    private long append(
        final int kind, final int proposingGroup, final long messageId, final long proposalBallot, final long value,
        final long ownRingSeq)
    {
        final long seq = log.append(kind, proposingGroup, messageId, proposalBallot, value, ownRingSeq);
        accepted(seq, value);
        return seq;
    }

    /** The stream record {@code seq} of the current ballot, of value {@code value}, was applied or appended. */
    private void accepted(final long seq, final long value)
    {
        if (acceptedBallot != ballot)
        {
            reissuedUpTo = value;
        }
        else if (reissuedUpTo != Long.MAX_VALUE)
        {
            reissuedUpTo = Math.max(reissuedUpTo, value);
        }
        acceptedBallot = ballot;
        acceptedSeq = seq;
        journalRecords.streamPosition(ballot, seq, reissuedUpTo());
    }

    /** @return how far the re-issues of {@code acceptedBallot} have been read (see {@link #reissuedUpTo}). */
    private long reissuedUpTo()
    {
        return recoveredBallot == acceptedBallot ? Long.MAX_VALUE : reissuedUpTo;
    }

    /* ---------------------------------------------------------------- Tasks 7–9: leader change */

    /**
     * The eventual leader oracle (§A.3): the first member after a suspected leader that is not
     * suspected campaigns. A pre-vote (campaign only if a majority is heard, so that a member cut
     * off from its group does not raise the ballot) belongs here, before {@link #becomeCandidate}.
     */
    /**
     * Election checks, each duty cycle (§C.7.2, with the pre-vote and check-quorum rules of etcd
     * raft): a leader that cannot hear a majority of its group steps down (it stops proposing,
     * keeping its ballot); a member campaigns only while it hears a majority, so an isolated member
     * never raises its ballot and cannot depose a healthy leader when its links heal; a candidate
     * without a majority of promises in time tries one round higher, again only while it hears a
     * majority.
     */
    private int checkLeader()
    {
        if (handedOver)
        {
            return 0; // stopping: another member leads, or the group elects one without this process
        }
        if (mode == Mode.LEADER)
        {
            if (!hearsMajority())
            {
                stepDown();
                enterBallot(Mode.FOLLOWER, ballot, "check-quorum: hears fewer than " + quorum + " members");
                return 1;
            }
            return 0;
        }
        if (mode == Mode.CANDIDATE)
        {
            final long timeoutNs = 2L * options.failureTimeoutMillis() * NS_PER_MS;
            if (candidacy.expired(nowNs, timeoutNs) && hearsMajority() && nowNs >= campaignHoldOffNs)
            {
                becomeCandidate("no majority of promises within " + timeoutNs / NS_PER_MS + " ms: next round");
                return 1;
            }
            return 0;
        }
        final int leader = leaderOf[group];
        if (leader == selfId)
        {
            // after a restart, or after stepping down: this process cannot continue its own stream.
            // After a restart it first listens for three failure timeouts: a member that led on
            // meanwhile asks it to rejoin (CATCH_UP) within one, and deposing that leader for a
            // process that lost the acks written to it while it was down would stall its group
            if (hearsMajority() && nowNs >= campaignHoldOffNs &&
                nowNs - startedNs > 3L * options.failureTimeoutMillis() * NS_PER_MS)
            {
                becomeCandidate("led " + Ballots.toString(ballot) + " before a restart or a step-down");
                return 1;
            }
            return 0;
        }
        if (!(heartbeats.suspected(leader, nowNs) || leaderStalls) || !hearsMajority())
        {
            return 0;
        }
        final int leaderIndex = topology.memberIndexOf(leader);
        for (int i = 1; i < members.length; i++)
        {
            final int candidate = members[(leaderIndex + i) % members.length];
            if (candidate == selfId)
            {
                becomeCandidate("suspects leader " + leader);
                return 1;
            }
            if (!heartbeats.suspected(candidate, nowNs) && staleUntilNs[(leaderIndex + i) % members.length] <= nowNs)
            {
                return 0; // that member will take over; this one promises when asked
            }
        }
        return 0;
    }

    /**
     * Asks the agent to hand its group's leadership over before this process stops (any thread):
     * if it leads and hears a majority, it stops proposing (stepping down in its ballot, as
     * check-quorum does) and asks the next member in ring order that it does not suspect and that
     * is not known to be stale to campaign at once ({@link ControlMessages#HAND_OVER}), so the
     * group elects a leader in a round trip or two instead of after a failure timeout. Whether it
     * led or not, this process campaigns no more. Safety does not depend on it: the successor's
     * election is an ordinary one (task 7), which recovers everything a majority accepted.
     */
    void requestHandOver()
    {
        handOverRequested = true;
    }

    private int handOverIfAsked()
    {
        if (!handOverRequested || handedOver)
        {
            return 0;
        }
        handedOver = true;
        if (mode != Mode.LEADER || !hearsMajority())
        {
            LOG.info("process {}: stopping; {} (nothing to hand over)", selfId,
                mode == Mode.LEADER ? "hears no majority of its group" : "does not lead its group");
            return 0;
        }
        final int selfIndex = topology.memberIndexOf(selfId);
        int successor = -1;
        for (int i = 1; i < members.length && successor < 0; i++)
        {
            final int index = (selfIndex + i) % members.length;
            if (!heartbeats.suspected(members[index], nowNs) && staleUntilNs[index] <= nowNs)
            {
                successor = members[index];
            }
        }
        stepDown();
        enterBallot(Mode.FOLLOWER, ballot, successor < 0 ? "stopping: no member to hand over to" :
            "stopping: hands leadership over to " + successor);
        if (successor >= 0)
        {
            control.send(successor, ControlMessages.ballotMessage(ControlMessages.HAND_OVER, group, ballot));
        }
        return 1;
    }

    /** {@link ControlMessages#HAND_OVER}: the leader of this member's ballot stops and asks it to campaign now. */
    private void onHandOver(final int sender, final ControlMessages.GroupBallot h)
    {
        if (h.group() != group || h.ballot() != ballot || Ballots.leader(h.ballot()) != sender || mode != Mode.FOLLOWER)
        {
            return; // an old ballot's, or already campaigning or leading: nothing to do
        }
        if (handedOver || !hearsMajority() || nowNs < campaignHoldOffNs)
        {
            LOG.info("process {}: leader {} hands over, but this process cannot campaign now; the group elects after " +
                "its failure timeout", selfId, sender);
            return;
        }
        becomeCandidate("leader " + sender + " handed over (it is stopping)");
    }

    /** @return whether this process and the members it does not suspect make a majority of its group. */
    private boolean hearsMajority()
    {
        int heard = 1;
        for (final int m : members)
        {
            if (m != selfId && !heartbeats.suspected(m, nowNs))
            {
                heard++;
            }
        }
        return heard >= quorum;
    }

    /**
     * Task 7: campaigns in (one round above every round seen, itself). Every other member's write
     * access to this process's stream region is revoked first, and CATCH_UP goes to the group.
     */
    private void becomeCandidate(final String reason)
    {
        final long b = Ballots.of(Math.max(maxRoundSeen, Ballots.round(ballot)) + 1, selfId);
        revokeStreamExcept(selfId);
        stepDown();
        enterBallot(Mode.CANDIDATE, b, reason);
        final byte[] message = ControlMessages.catchUp(new ControlMessages.CatchUp(group, b, lastDelivered()));
        for (final int q : members)
        {
            if (q != selfId)
            {
                control.send(q, message);
            }
        }
    }

    /**
     * Follows ballot {@code b}, led by {@code Ballots.leader(b)}: revokes every other member's write
     * access to the stream region and grants the new leader (§F.5 items 22 and 24), then steps down
     * if it led. The caller answers only afterwards.
     */
    private void becomeFollower(final long b, final String reason)
    {
        revokeStreamExcept(Ballots.leader(b));
        stepDown();
        enterBallot(Mode.FOLLOWER, b, reason);
    }

    /**
     * Leads the group in the candidacy's ballot: the stream starts again from sequence 1, and every
     * follower's stream handle is reset so that it is written from the start.
     */
    private void becomeLeader(final String reason)
    {
        enterBallot(Mode.LEADER, ballot, reason);
        leaderChanges++;
        log.reset();
        for (final int q : members)
        {
            if (q != selfId)
            {
                outbox.handle(q, Layout.STREAM_REGION).reset();
            }
        }
    }

    /**
     * The one role transition: the only place (after the constructor's initial state) that sets the
     * role, the ballot, the own group's known ballot and leader, the highest round seen, the views
     * other threads read, the candidacy and the per-member arrays. Logged once at INFO.
     *
     * <p>Entering a new ballot forgets which members promised or stored anything (nothing of the new
     * ballot is promised or stored yet) and starts reading its stream at sequence 1; a candidate keeps
     * the previous leader as known leader until it wins. Becoming leader keeps the promises collected
     * as candidate (same ballot) and starts writing every member's stream from its start. A
     * check-quorum (a leader that cannot hear a majority steps down) would move LEADER → FOLLOWER
     * through here; durable ballots would be stored here before the move takes effect.
     *
     * @param to        the role to enter.
     * @param newBallot the ballot of that role: strictly higher, except CANDIDATE → LEADER (the same).
     * @param reason    why, for the log line.
     * @throws IllegalStateException if the protocol never makes that move (names from and to).
     */
    private void enterBallot(final Mode to, final long newBallot, final String reason)
    {
        final Mode from = mode;
        final long fromBallot = ballot;
        final boolean ballotOk = from.keepsBallotMovingTo(to) ? newBallot == fromBallot :
            from.mayKeepBallotMovingTo(to) ? newBallot >= fromBallot : newBallot > fromBallot;
        if (!from.canMoveTo(to) || !ballotOk)
        {
            throw new IllegalStateException("process " + selfId + " group " + group + ": illegal role change " +
                from + " " + Ballots.toString(fromBallot) + " -> " + to + " " + Ballots.toString(newBallot) +
                " (" + reason + ")");
        }
        if (newBallot != fromBallot)
        {
            saveVotes(newBallot, Math.max(maxRoundSeen, Ballots.round(newBallot)), clockCeiling);
        }
        mode = to;
        ballot = newBallot;
        ballotView = newBallot;
        maxRoundSeen = Math.max(maxRoundSeen, Ballots.round(newBallot));
        if (to != Mode.CANDIDATE)
        {
            if (newBallot != knownBallot[group])
            {
                ballotChangesView = ballotChangesView + 1; // single writer
            }
            knownBallot[group] = newBallot;
            leaderOf[group] = Ballots.leader(newBallot);
            leaderView = leaderOf[group];
        }
        candidacy = to == Mode.CANDIDATE ? new Candidacy(newBallot, nowNs, members.length, memberIndex, quorum) : null;
        followingSinceNs = nowNs;
        leaderStalls = false;
        if (newBallot != fromBallot)
        {
            Arrays.fill(promised, false);
            Arrays.fill(memberStored, 0);
            nextStreamReadSeq = 1;
            storedPublished = 0;
        }
        if (to == Mode.LEADER)
        {
            promised[memberIndex] = true;
            Arrays.fill(memberStored, 0);
            Arrays.fill(sendCursor, 1);
            Arrays.fill(lost, false);
        }
        LOG.info("group {} at process {}: {} {} -> {} {} ({})", group, selfId, from, Ballots.toString(fromBallot), to,
            Ballots.toString(newBallot), reason);
    }

    /**
     * Raises the clock to {@code value} if it is higher; before the clock passes the saved ceiling,
     * a new ceiling {@link VoteStore#CLOCK_LEASE} above it is saved, so a restarted process never
     * proposes a timestamp it may have used or seen before.
     */
    private void raiseClock(final long value)
    {
        if (value > clock)
        {
            if (value > clockCeiling)
            {
                saveVotes(ballot, maxRoundSeen, value + VoteStore.CLOCK_LEASE);
            }
            clock = value;
        }
    }

    /** Saves the votes durably (blocks on I/O; rare: ballot changes and clock leases). */
    private void saveVotes(final long newBallot, final long maxRound, final long ceiling)
    {
        voteStore.save(new VoteStore.Votes(newBallot, maxRound, ceiling));
        clockCeiling = ceiling;
    }

    private void revokeStreamExcept(final int newLeader)
    {
        for (final int q : members)
        {
            if (q != newLeader && q != selfId)
            {
                streamRegion.revoke(q);
            }
        }
        if (newLeader != selfId)
        {
            streamRegion.grant(newLeader);
        }
    }

    private void stepDown()
    {
        toPropose.clear();
        for (final LongArrayList l : outgoingProposals)
        {
            l.clear();
        }
    }

    /**
     * Leader: every member that has not promised this ballot, or whose stream was given up (its
     * connection was lost), is asked again with CATCH_UP once it is connected, at most once per
     * failure timeout. It answers with its report (a promise, or the same report if it already
     * follows this ballot) and {@link #onCatchUpEnd} resumes its stream. Without this, a member
     * that started after the recovery, restarted, or was cut off for a moment was never written
     * again while this leader lasted.
     *
     * @return the number of members asked.
     */
    private int askToRejoin()
    {
        if (mode != Mode.LEADER)
        {
            return 0;
        }
        int asked = 0;
        final long everyNs = options.failureTimeoutMillis() * NS_PER_MS;
        for (int j = 0; j < members.length; j++)
        {
            if (j == memberIndex || promised[j] && !lost[j] || nowNs - rejoinAskedNs[j] < everyNs ||
                outbox.handle(members[j], Layout.STREAM_REGION).status() == RemoteRegion.Status.PEER_DOWN ||
                heartbeats.suspected(members[j], nowNs))
            {
                continue;
            }
            rejoinAskedNs[j] = nowNs;
            control.send(members[j], ControlMessages.catchUp(new ControlMessages.CatchUp(group, ballot, lastDelivered())));
            asked++;
        }
        return asked;
    }

    /**
     * Says, at most every ten seconds, that this process holds messages but has delivered nothing for
     * ten seconds, with its protocol state and the message that holds delivery back: what an operator
     * (or a test) needs to see why a replica does not move.
     */
    private void checkStalled()
    {
        final long tenSecondsNs = 10_000L * NS_PER_MS;
        if (!entries.isEmpty() && nowNs - lastDeliveryNs > tenSecondsNs && nowNs - stallReportedNs > tenSecondsNs)
        {
            stallReportedNs = nowNs;
            LOG.warn("group {} at process {}: nothing delivered for {} s while holding {} messages: {}", group, selfId,
                (nowNs - lastDeliveryNs) / (1000L * NS_PER_MS), entries.size(), describe());
        }
    }

    /**
     * A new connection to a server (it restarted, or the link healed): CONTROL messages in flight on
     * the old one may be lost ({@link Mailboxes} starts each ring over). A leader announces itself
     * again, and re-sends its proposals for every message held with that server's group among its
     * destinations if the server leads that group (what a lost PROPOSALS message carried; the
     * receiver's forward of a proposal it had is a duplicate record with the same value).
     *
     * @return the number of servers seen reconnected.
     */
    private int checkReconnections()
    {
        int work = 0;
        final int[] servers = topology.servers();
        for (int so = 0; so < servers.length; so++)
        {
            final int s = servers[so];
            if (s == selfId)
            {
                continue;
            }
            final long epoch = outbox.handle(s, Layout.ACKS_REGION).connectionEpoch();
            final long before = serverEpoch[so];
            serverEpoch[so] = epoch;
            if (before == 0 || epoch == before || mode != Mode.LEADER)
            {
                continue;
            }
            work++;
            control.send(s, ControlMessages.ballotMessage(ControlMessages.NEW_LEADER, group, ballot));
            final int h = topology.groupOf(s);
            if (h != group && leaderOf[h] == s)
            {
                queueProposalsTo(h);
            }
        }
        return work;
    }

    /** Task 8. */
    private void onCatchUp(final int sender, final ControlMessages.CatchUp cu)
    {
        if (cu.group() != group || Ballots.leader(cu.ballot()) != sender)
        {
            throw new IllegalStateException("CATCH_UP " + cu + " from " + sender + " at process " + selfId);
        }
        if (cu.ballot() > ballot && cu.delivered().isBelow(forgotten))
        {
            // a stale candidate never leads: its recovery would re-issue only what the promises
            // hold, and what this member delivered and forgot would never be delivered there
            maxRoundSeen = Math.max(maxRoundSeen, Ballots.round(cu.ballot()));
            final int j = topology.memberIndexOf(sender);
            if (staleUntilNs[j] <= nowNs)
            {
                LOG.info("group {} at process {}: refuses the candidacy of {} in {}: it delivered up to {}, this member " +
                    "delivered and forgot up to {}; it must catch up first", group, selfId, sender,
                    Ballots.toString(cu.ballot()), cu.delivered(), forgotten);
            }
            staleUntilNs[j] = nowNs + 4L * options.failureTimeoutMillis() * NS_PER_MS;
            control.send(sender, ControlMessages.stale(new ControlMessages.Stale(group, ballot, forgotten)));
        }
        else if (cu.ballot() > ballot)
        {
            promise(cu.ballot(), "CATCH_UP from " + sender);
        }
        else if (cu.ballot() == ballot && mode == Mode.FOLLOWER)
        {
            // the leader of this ballot lost this process's stream (it restarted, or its links were
            // cut) and asks where to resume: the same report as a promise
            LOG.info("group {} at process {}: leader {} asks where to resume its stream; at {}:{}", group, selfId, sender,
                Ballots.toString(acceptedBallot), acceptedSeq);
            sendReply(sender, ballot);
        }
        else if (cu.ballot() < ballot)
        {
            control.send(sender, ControlMessages.ballotMessage(ControlMessages.CATCH_UP_NACK, group, ballot));
        }
    }

    /**
     * Promises ballot {@code b}: follows it (write access to the stream region switched before
     * anything is answered, §F.5 items 22 and 24; its stream read from the start), then reports this
     * process's state to the candidate.
     */
    private void promise(final long b, final String reason)
    {
        becomeFollower(b, reason);
        sendReply(Ballots.leader(b), b);
    }

    private void sendReply(final int candidate, final long b)
    {
        republishStoredUntilNs = nowNs + 2L * options.failureTimeoutMillis() * NS_PER_MS;
        journal.sync(); // a promise reports the journal: it must hold what it reports
        final List<EntryInfo> infos = snapshot();
        for (final byte[] m : ControlMessages.catchUpEntries(b, infos, options.maxMailboxMessageBytes()))
        {
            control.send(candidate, m);
        }
        control.send(candidate, ControlMessages.catchUpEnd(new CatchUpEnd(b, acceptedBallot, acceptedSeq, reissuedUpTo(),
            clock, infos.size(), clientRings.freedUpToAll(), lastDelivered(), forgotten)));
    }

    private List<EntryInfo> snapshot()
    {
        final List<EntryInfo> infos = new ArrayList<>(entries.size() + retained.size());
        forEachHeld(e -> infos.add(info(e)));
        return infos;
    }

    private EntryInfo info(final Entry e)
    {
        final int[] dst = e.destinations != null ? e.destinations : new int[0];
        final long[] seqs = e.destinations != null ? e.ringSeqsOfDestinations() : new long[0];
        final List<KnownProposal> proposals = new ArrayList<>(2);
        for (int h = 0; h < groupCount; h++)
        {
            if (e.proposalKnown[h])
            {
                proposals.add(new KnownProposal(h, e.proposalBallot[h], e.proposalValue[h]));
            }
        }
        return new EntryInfo(e.messageId, e.destinations != null ? e.clientOrdinal : -1, dst, seqs, e.hasBody(),
            e.state == Entry.State.DONE, proposals);
    }

    /**
     * A member refused this candidacy and follows {@code nack.ballot()}: remember its round; if that
     * ballot is above this process's own, a newer leadership exists that this process missed (it was
     * cut off or restarted), so it promises that ballot, which makes its leader write it the stream.
     */
    private void onNack(final ControlMessages.GroupBallot nack)
    {
        maxRoundSeen = Math.max(maxRoundSeen, Ballots.round(nack.ballot()));
        if (mode == Mode.CANDIDATE && nack.group() == group && nack.ballot() > ballot &&
            Ballots.leader(nack.ballot()) != selfId)
        {
            promise(nack.ballot(), "refused: the group follows " + Ballots.toString(nack.ballot()));
        }
    }

    /**
     * A member refused this candidacy: this process has not delivered what that member delivered
     * and forgot. It retries no candidacy for a while (another member, up to date, takes over) and
     * asks that member for the deliveries it missed.
     */
    private void onStale(final int sender, final ControlMessages.Stale st)
    {
        maxRoundSeen = Math.max(maxRoundSeen, Ballots.round(st.ballot()));
        if (mode != Mode.CANDIDATE || st.group() != group)
        {
            return;
        }
        if (campaignHoldOffNs <= nowNs)
        {
            LOG.warn("group {} at process {}: member {} refused this candidacy ({}): it forgot deliveries up to {}, this " +
                "process delivered up to {}; catching up before it campaigns again", group, selfId, sender,
                Ballots.toString(ballot), st.forgotten(), lastDelivered());
        }
        campaignHoldOffNs = nowNs + 4L * options.failureTimeoutMillis() * NS_PER_MS;
        askForDeliveries(sender);
    }

    private void onCatchUpEntries(final int sender, final ControlMessages.CatchUpEntries part)
    {
        if (candidacy == null || part.ballot() != candidacy.ballot())
        {
            return; // a late reply: the CATCH_UP_END that follows resynchronises the stream
        }
        candidacy.onEntries(topology.memberIndexOf(sender), part.entries());
    }

    private void onCatchUpEnd(final int sender, final CatchUpEnd end)
    {
        final int j = topology.memberIndexOf(sender);
        if (topology.groupOf(sender) != group || end.ballot() != ballot)
        {
            return;
        }
        if (mode == Mode.LEADER)
        {
            // a member that promised after the recovery, or reports again after it restarted or its
            // links were cut: its stream region is writable again, from where it stands in this
            // ballot's stream (a prefix of this log), or from the start
            promised[j] = true;
            outbox.handle(sender, Layout.STREAM_REGION).reset();
            // the stored cell may hold what an earlier incarnation of the member stored (a rebuilt
            // member reports less): from now on only what this one stores counts
            stored.setMemory(j * Layout.STORED_CELL_BYTES, Layout.STORED_CELL_BYTES, (byte)0);
            final long resume = end.acceptedBallot() == ballot ? Math.min(end.acceptedSeq(), log.next() - 1) + 1 : 1;
            memberStored[j] = resume - 1;
            sendCursor[j] = resume;
            streamRejoins++;
            final boolean wasLost = lost[j];
            final boolean gap = resume == 1 && end.delivered().isBelow(forgotten);
            lost[j] = resume < log.base() || gap;
            if (gap)
            {
                // reading this ballot's stream from its start, it would deliver the re-issues without
                // what it missed before them: it catches up from deliveries first
                LOG.info("group {} at process {}: member {} delivered up to {}, this leader forgot up to {}: not " +
                    "streamed until it has caught up from deliveries", group, selfId, sender, end.delivered(), forgotten);
            }
            else if (lost[j] && nowNs - rejoinBallotNs > 10L * options.failureTimeoutMillis() * NS_PER_MS &&
                hearsMajority())
            {
                // caught up in deliveries, but the stream records it missed are no longer kept: a new
                // ballot re-issues everything pending in a stream every member reads from its start
                rejoinBallotNs = nowNs;
                stepDown();
                enterBallot(Mode.FOLLOWER, ballot, "to start a new ballot for member " + sender);
                becomeCandidate("member " + sender + " caught up to " + end.delivered() + " but is behind the start " +
                    "of the stream this leader keeps (" + log.base() + "): a new ballot lets it read the stream again");
                return;
            }
            else if (lost[j])
            {
                LOG.warn("group {} at process {}: member {} reported {}:{}, behind the start of the stream this leader " +
                    "keeps ({}); it cannot be caught up from the stream", group, selfId, sender,
                    Ballots.toString(end.acceptedBallot()), end.acceptedSeq(), log.base());
            }
            else
            {
                LOG.info("group {} at process {}: member {} {} the stream of {} at record {} ({} behind)", group, selfId,
                    sender, wasLost ? "rejoins" : "joins", Ballots.toString(ballot), resume, log.next() - resume);
            }
            return;
        }
        if (mode != Mode.CANDIDATE)
        {
            return;
        }
        if (end.forgotten().compareTo(lastDelivered()) > 0)
        {
            // it promised through another path (a NACK of a higher ballot) and forgot deliveries this
            // candidate lacks: its promise does not count until this process caught up
            LOG.info("group {} at process {}: the promise of {} does not count: it forgot deliveries up to {}, this " +
                "candidate delivered up to {}; catching up from it", group, selfId, sender, end.forgotten(),
                lastDelivered());
            askForDeliveries(sender);
            return;
        }
        final boolean majority = candidacy.onEnd(j, end);
        promised[j] = true;
        if (majority)
        {
            finishRecovery();
        }
    }

    /**
     * Task 9 (§C.7.2 steps 1–7): with a majority of promises, computes the {@link RecoveryPlan}
     * from them and this process's own state, becomes leader and applies the plan: re-issues and
     * the RECOVERED marker, fresh proposals, proposals to the other groups, the announcement.
     */
    private void finishRecovery()
    {
        final List<EntryInfo> own = snapshot();
        final RecoveryPlan.Promise ownPromise = new RecoveryPlan.Promise(own,
            new CatchUpEnd(ballot, acceptedBallot, acceptedSeq, reissuedUpTo(), clock, own.size(), clientRings.freedUpToAll(),
                lastDelivered(), forgotten));
        final RecoveryPlan plan = RecoveryPlan.from(candidacy.promises(ownPromise), group, ballot);
        final int promiseCount = candidacy.promiseCount();
        final ControlMessages.Mark[] behind = new ControlMessages.Mark[members.length];
        for (int j = 0; j < members.length; j++)
        {
            final CatchUpEnd end = candidacy.end(j);
            if (j != memberIndex && end != null && end.delivered().isBelow(forgotten))
            {
                behind[j] = end.delivered();
            }
        }
        raiseClock(plan.recoveredClock());
        becomeLeader("promises from " + promiseCount + " members; re-issues " + plan.reissueCount() + " records, " +
            plan.freshCandidates().size() + " fresh proposals");
        for (int j = 0; j < members.length; j++)
        {
            if (behind[j] != null)
            {
                // it would deliver the re-issues without what it missed before them
                lost[j] = true;
                LOG.info("group {} at process {}: member {} promised but delivered only up to {}, this leader forgot up " +
                    "to {}: not streamed until it has caught up from deliveries", group, selfId, members[j], behind[j],
                    forgotten);
            }
        }

        // steps 1 and 3: the re-issues in value order, then the RECOVERED marker, after which own
        // proposals of earlier ballots not re-issued were never decided and stop bounding delivery,
        // here and at every follower that reads it
        for (final RecoveryPlan.StreamRecord r : plan.records())
        {
            if (r.kind() == Layout.KIND_RECOVERED)
            {
                append(Layout.KIND_RECOVERED, group, 0, ballot, r.value(), 0);
                forgetUndecidedProposals();
                continue;
            }
            final RecoveryPlan.RecoveredMessage m = r.message();
            if (held(r.messageId()) == null && m.destinations() != null && m.destinedTo(group) &&
                takenOf(r.messageId(), m.ringSeqIn(group)))
            {
                // delivered here and forgotten (a promise still retains it): re-issued for a member that
                // may not have delivered it yet, but nothing is left to do here
                append(r.kind(), r.proposingGroup(), r.messageId(), r.proposalBallot(), r.value(), m.ringSeqIn(group));
                continue;
            }
            final Entry e = recoveryEntry(m);
            final long ownRingSeq = e.ringSeqByGroup != null ? e.ringSeqByGroup[group] : 0;
            final long seq =
                append(r.kind(), r.proposingGroup(), r.messageId(), r.proposalBallot(), r.value(), ownRingSeq);
            propose(e, r.proposingGroup(), r.proposalBallot(), r.value(), ballot, seq);
        }

        // step 4: fresh timestamps above everything recovered, for every other message held somewhere
        for (final RecoveryPlan.RecoveredMessage m : plan.freshCandidates())
        {
            final Entry e = recoveryEntry(m);
            if (e.state != Entry.State.DONE)
            {
                proposeOwn(e);
            }
        }
        for (final Entry e : entries.values())
        {
            if (e.hasBody() && e.state == Entry.State.MCAST && !proposedInCurrentBallot(e))
            {
                toPropose.addLast(e);
            }
        }
        // every own proposal of this ballot goes to the other destination groups' leaders
        forEachHeld(e ->
        {
            if (proposedInCurrentBallot(e) && e.destinations != null)
            {
                queueProposals(e);
            }
        });

        // step 6: announce
        final byte[] announce = ControlMessages.ballotMessage(ControlMessages.NEW_LEADER, group, ballot);
        for (final int s : topology.servers())
        {
            if (s != selfId)
            {
                control.send(s, announce);
            }
        }
    }

    /**
     * Drops the own-group proposals of earlier ballots that the current leader did not re-issue:
     * they were never decided (a decided one is always re-issued, §C.7.2 step 1), so no process
     * can deliver with them; fresh proposals of this ballot are above every recovered value.
     */
    private void forgetUndecidedProposals()
    {
        journalRecords.forget(ballot);
        forgetProposalsBelow(ballot);
        recoveredBallot = Math.max(recoveredBallot, ballot); // every re-issue of this ballot has been read
    }

    private void forgetProposalsBelow(final long b)
    {
        entries.forEachLong((id, e) ->
        {
            if (e.proposalKnown[group] && e.proposalBallot[group] < b && e.state != Entry.State.ORDERED)
            {
                e.proposalKnown[group] = false;
                e.decided[group] = false;
            }
        });
    }

    /** The entry a recovered record applies to: live, retained after delivery, or created without a body. */
    private Entry recoveryEntry(final RecoveryPlan.RecoveredMessage m)
    {
        final Entry e = heldOrNew(m.messageId());
        if (e.destinations == null && m.destinedTo(group))
        {
            e.destinations = m.destinations();
            e.clientOrdinal = m.clientOrdinal();
            e.ringSeqByGroup = new long[groupCount];
            for (int d = 0; d < m.destinations().length; d++)
            {
                e.ringSeqByGroup[m.destinations()[d]] = m.ringSeqs()[d];
            }
            journalBody(journalRecords, e);
        }
        return e;
    }

    /** @return the entry of a message held live or retained after delivery, or null. */
    private Entry held(final long messageId)
    {
        final Entry e = entries.get(messageId);
        return e != null ? e : retained.get(messageId);
    }

    /** @return the entry of a message held live or retained after delivery, or a new live entry without a body. */
    private Entry heldOrNew(final long messageId)
    {
        Entry e = held(messageId);
        if (e == null)
        {
            e = new Entry(messageId, groupCount);
            entries.put(messageId, e);
        }
        return e;
    }

    /** Another group announced its new leader (§C.7.2 step 6; §F.5 item 26). */
    private void onNewLeader(final ControlMessages.GroupBallot announce)
    {
        final int h = announce.group();
        if (h == group)
        {
            if (announce.ballot() > ballot)
            {
                // missed the CATCH_UP: promise now, the leader resumes the stream
                promise(announce.ballot(), "NEW_LEADER without CATCH_UP");
            }
            return;
        }
        if (announce.ballot() <= knownBallot[h])
        {
            return;
        }
        learnBallot(h, announce.ballot());
        if (mode != Mode.LEADER)
        {
            return;
        }
        queueProposalsTo(h);
    }

    /* ---------------------------------------------------------------- Task 2 (leader proposes) */

    private int proposeQueued()
    {
        int work = 0;
        Entry e;
        while ((e = toPropose.peekFirst()) != null && streamHasRoom())
        {
            toPropose.pollFirst();
            if (e.state != Entry.State.MCAST || proposedInCurrentBallot(e))
            {
                continue;
            }
            work++;
            proposeOwn(e);
            queueProposals(e);
        }
        return work;
    }

    private void proposeOwn(final Entry e)
    {
        proposedCount++;
        raiseClock(clock + 1);
        final long seq = append(Layout.KIND_OWN, group, e.messageId, ballot, clock, e.ringSeqByGroup[group]);
        propose(e, group, ballot, clock, ballot, seq);
    }

    private void queueProposals(final Entry e)
    {
        for (final int h : e.destinations)
        {
            if (h != group)
            {
                queueProposal(e, h);
            }
        }
    }

    /**
     * Queues this group's proposals of the current ballot for every message held with group
     * {@code h} among its destinations, for h's leader (it is new, or it may have lost them).
     */
    private void queueProposalsTo(final int h)
    {
        forEachHeld(e ->
        {
            if (e.destinations != null && proposedInCurrentBallot(e) && Arrays.binarySearch(e.destinations, h) >= 0)
            {
                queueProposal(e, h);
            }
        });
    }

    /** Queues this group's proposal for {@code e} to the leader of {@code h}; sent by {@link #flushProposals()}. */
    private void queueProposal(final Entry e, final int h)
    {
        outgoingProposals[h].addLong(e.messageId);
        outgoingProposals[h].addLong(e.proposalValue[group]);
    }

    private int flushProposals()
    {
        if (mode != Mode.LEADER)
        {
            return 0;
        }
        int work = 0;
        final int max = ControlMessages.maxProposals(options.maxMailboxMessageBytes());
        for (int h = 0; h < groupCount; h++)
        {
            final LongArrayList pending = outgoingProposals[h];
            if (pending.isEmpty())
            {
                continue;
            }
            final long[] values = pending.toLongArray();
            final int count = values.length / 2;
            for (int from = 0; from < count; from += max)
            {
                final int n = Math.min(max, count - from);
                control.send(leaderOf[h], ControlMessages.proposals(group, ballot, values, from, n));
                work++;
            }
            pending.clear();
        }
        return work;
    }

    /**
     * Proposals go on while a quorum (the leader counts) has room for them in its stream ring; the
     * log keeps at most {@code logLimit} records, so a member further behind is given up.
     */
    private boolean streamHasRoom()
    {
        int withRoom = 1;
        for (int j = 0; j < members.length; j++)
        {
            if (j != memberIndex && !lost[j] && log.next() - 1 - memberStored[j] < options.streamRecords())
            {
                withRoom++;
            }
        }
        return withRoom >= quorum;
    }

    /** Writes each follower the stream records it has room for, at its own pace. */
    private int sendStream()
    {
        int work = 0;
        for (int j = 0; j < members.length; j++)
        {
            if (j == memberIndex || lost[j])
            {
                continue;
            }
            final int q = members[j];
            final RemoteRegion handle = outbox.handle(q, Layout.STREAM_REGION);
            if (handle.status() == RemoteRegion.Status.PEER_DOWN)
            {
                lost[j] = true; // crashed (crash-stop): nothing will read its stream any more
                continue;
            }
            if (sendCursor[j] < log.base())
            {
                lost[j] = true;
                LOG.warn("process {}: member {} fell {} stream records behind, beyond what the leader keeps; it is no " +
                    "longer written and cannot be caught up", selfId, q, log.next() - sendCursor[j]);
                continue;
            }
            if (handle.status() == RemoteRegion.Status.FAILED)
            {
                if (!promised[j])
                {
                    continue; // it has not promised this ballot yet (or promised a higher one)
                }
                // it promised, but writes issued before its grant were refused: start again from
                // what it stored
                handle.reset();
                streamResends++;
                sendCursor[j] = memberStored[j] + 1;
                if (handle.status() == RemoteRegion.Status.FAILED)
                {
                    continue;
                }
            }
            int n = 0;
            while (n < STREAM_SEND_BATCH && sendCursor[j] < log.next() &&
                sendCursor[j] - memberStored[j] <= options.streamRecords())
            {
                writeStreamRecord(q, sendCursor[j]);
                sendCursor[j]++;
                n++;
            }
            work += n;
        }
        // the last logLimit records are kept even once every member served stored them: a member
        // that restarts, or whose links heal, within that many records is resumed from the stream
        log.truncateBelow(log.next() - logLimit);
        return work;
    }

    private void writeStreamRecord(final int q, final long seq)
    {
        final int kind = log.kind(seq);
        final int proposingGroup = log.group(seq);
        final long messageId = log.messageId(seq);
        final long proposalBallot = log.proposalBallot(seq);
        final long value = log.value(seq);
        final long ownRingSeq = log.ringSeq(seq);
        streamRecord.wrap(scratch, 0).seq(seq).ballot(ballot).kind(kind).group(proposingGroup).messageId(messageId)
            .proposalBallot(proposalBallot).value(value).ringSeq(ownRingSeq).seal();
        outbox.write(q, Layout.STREAM_REGION, Layout.streamOffset(seq, options), scratch, Layout.STREAM_RECORD_BYTES);
    }

    /* ---------------------------------------------------------------- Task 3 (follower reads the stream, acks) */

    private int pollStream()
    {
        if (!ringsSettled)
        {
            return 0; // rebuilt from a snapshot: it cannot tell the snapshot's messages from pending ones yet
        }
        int work = 0;
        for (int i = 0; i < options.pollBatch(); i++)
        {
            final long seq = nextStreamReadSeq;
            streamRecord.wrap(stream, Layout.streamOffset(seq, options));
            final long seal = streamRecord.sealVolatile();
            if (streamRecord.seq() != seq)
            {
                break;
            }
            final long recordBallot = streamRecord.ballot();
            final int kind = streamRecord.kind();
            final int proposingGroup = streamRecord.group();
            final long messageId = streamRecord.messageId();
            final long proposalBallot = streamRecord.proposalBallot();
            final long value = streamRecord.value();
            final long ownRingSeq = streamRecord.ringSeq();
            if (seal != StreamRecordFlyweight.sealOf(seq, recordBallot, kind, proposingGroup, messageId, proposalBallot, value, ownRingSeq))
            {
                break; // not yet whole
            }
            if (recordBallot != ballot)
            {
                break; // a record of an earlier ballot: the leader of this one has not written this far yet
            }
            if (kind == Layout.KIND_OWN)
            {
                if (proposingGroup != group || proposalBallot != ballot)
                {
                    throw new IllegalStateException("OWN record " + seq + " names group " + proposingGroup +
                        " in ballot " + Ballots.toString(proposalBallot));
                }
                Entry e = held(messageId);
                if (e == null && ownRingSeq > 0 && takenOf(messageId, ownRingSeq))
                {
                    applied(seq, value); // delivered here long ago and forgotten: nothing left to do
                    work++;
                    continue;
                }
                if (e == null)
                {
                    e = new Entry(messageId, groupCount);
                    entries.put(messageId, e);
                }
                raiseClock(value);
                propose(e, group, ballot, value, ballot, seq);
                if (e.hasBody())
                {
                    acknowledge(e, value);
                }
                // else the body rule (§C.3): the proposal is known (it bounds delivery) but is acknowledged
                // only when the body arrives; reading on keeps a lagging member from waiting on itself
            }
            else if (kind == Layout.KIND_FWD)
            {
                if (proposingGroup < 0 || proposingGroup >= groupCount || proposingGroup == group)
                {
                    throw new IllegalStateException("FWD record " + seq + " names group " + proposingGroup);
                }
                raiseClock(value);
                Entry e = held(messageId);
                if (e == null && ownRingSeq > 0 && takenOf(messageId, ownRingSeq))
                {
                    applied(seq, value);
                    work++;
                    continue; // delivered and forgotten
                }
                if (e == null)
                {
                    e = new Entry(messageId, groupCount);
                    entries.put(messageId, e);
                }
                propose(e, proposingGroup, proposalBallot, value, ballot, seq);
            }
            else if (kind == Layout.KIND_RECOVERED)
            {
                forgetUndecidedProposals();
            }
            else
            {
                throw new IllegalStateException("stream record " + seq + " of unknown kind " + kind);
            }
            applied(seq, value);
            work++;
        }
        return work;
    }

    private boolean takenOf(final long messageId, final long ringSeq)
    {
        final int ci = topology.clientOrdinalOf(MessageIds.sender(messageId));
        return ci >= 0 && clientRings.taken(ci, ringSeq);
    }

    private void applied(final long seq, final long value)
    {
        if (seq == 1)
        {
            followingSinceNs = nowNs; // the leader of this ballot has started writing its stream
        }
        raiseClock(value);
        nextStreamReadSeq = seq + 1;
        accepted(seq, value);
    }

    private void acknowledge(final Entry e, final long value)
    {
        e.ackedBallot = ballot;
        ackCell.wrap(scratch, 0).ballot(ballot).value(value).messageId(e.messageId).seal();
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
            storedCell.wrap(stored, j * Layout.STORED_CELL_BYTES);
            final long seal = storedCell.sealVolatile();
            final long cellBallot = storedCell.ballot();
            final long seq = storedCell.storedSeq();
            if (seal != StoredCellFlyweight.sealOf(cellBallot, seq))
            {
                continue;
            }
            if (cellBallot == ballot && seq > memberStored[j])
            {
                memberStored[j] = seq;
                work++;
            }
            else if (cellBallot > ballot)
            {
                promised[j] = false; // it follows a higher ballot: this process is deposed
            }
        }
        return work;
    }

    /** H1: a FWD record counts once a majority of the group stores it; the leader counts as storing. */
    private boolean committed(final Entry e, final int h)
    {
        if (e.committed[h])
        {
            return true;
        }
        if (e.proposalStreamBallot[h] != ballot || mode == Mode.CANDIDATE)
        {
            return false; // known from an earlier ballot's stream: wait for this ballot's copy
        }
        final long streamSeq = e.proposalStreamSeq[h];
        final int leader = leaderOf[group];
        int count = 1;
        for (int j = 0; j < members.length; j++)
        {
            if (members[j] == leader)
            {
                continue;
            }
            final long storedSeq = j == memberIndex ? nextStreamReadSeq - 1 : memberStored[j];
            if (storedSeq >= streamSeq)
            {
                count++;
            }
        }
        e.committed[h] = count >= quorum;
        return e.committed[h];
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
            if (e.state == Entry.State.MCAST || e.state == Entry.State.NO_BODY && e.proposalKnown[group])
            {
                scan.add(e); // a recovered own proposal blocks delivery even before its body arrives
            }
        }
        for (int i = 0; i < scan.size(); i++)
        {
            final Entry e = scan.get(i);
            if (e.state == Entry.State.MCAST && tryOrder(e))
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
            for (final int h : e.destinations != null ? e.destinations : NO_GROUPS)
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
            if (h != group && !committed(e, h))
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
        raiseClock(finalValue);
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
            ackCell.wrap(acks, Layout.ackOffset(topology, options, e.clientOrdinal, ringSeq, h, j));
            final long seal = ackCell.sealVolatile();
            final long ackBallot = ackCell.ballot();
            final long ackValue = ackCell.value();
            final long ackId = ackCell.messageId();
            if (ackBallot == b && ackValue == v && ackId == e.messageId &&
                seal == AckCellFlyweight.sealOf(ackBallot, ackValue, ackId))
            {
                count++;
            }
        }
        return count;
    }

    /**
     * Task 6: the entry is delivered. The journal records it first; the handler gets it at the end
     * of the duty cycle ({@link #handOver()}), after the journal is forced where that is asked for,
     * so a restarted process never finds its application ahead of its journal.
     */
    private void deliver(final Entry e)
    {
        if (Entry.compare(e.finalValue, e.finalGroup, e.messageId, baseline.value(), baseline.group(),
            baseline.messageId()) <= 0)
        {
            // in the rebuilt store already (uniform prefix order: the group delivered it before the
            // snapshot's mark); re-issued by a recovery because a lagging member still retains it
            e.state = Entry.State.DONE;
            entries.remove(e.messageId);
            clientRings.free(e.clientOrdinal, e.ringSeqByGroup[group]);
            return;
        }
        e.state = Entry.State.DONE;
        entries.remove(e.messageId);
        journalRecords.delivered(e.messageId, e.finalValue, e.finalGroup);
        retained.put(e.messageId, e);
        deliveredCount++;
        lastDeliveryNs = nowNs;
        noteDelivered(e);
        clientRings.free(e.clientOrdinal, e.ringSeqByGroup[group]);
        handoff.add(e);
    }

    /** Hands this cycle's deliveries to the handler, in delivery order, once the journal holds them. */
    private int handOver()
    {
        if (!redeliveries.isEmpty())
        {
            for (final Entry e : redeliveries)
            {
                handler.onRedelivery(new Delivery(e.messageId, e.payload, e.destinations, e.finalValue, e.finalGroup));
            }
            redeliveries = List.of();
        }
        if (handoff.isEmpty())
        {
            return 0;
        }
        journal.sync();
        final java.util.function.LongConsumer ordered = orderingObserver;
        for (int i = 0; i < handoff.size(); i++)
        {
            final Entry e = handoff.get(i);
            handler.onDelivery(new Delivery(e.messageId, e.payload, e.destinations, e.finalValue, e.finalGroup));
            if (e.takenNs != 0)
            {
                ordered.accept(nowNs - e.takenNs);
            }
        }
        final int n = handoff.size();
        handoff.clear();
        trimRetained();
        return n;
    }

    /* ---------------------------------------------------------------- publishing words */

    private int publish()
    {
        int work = 0;
        if (mode == Mode.FOLLOWER)
        {
            final long storedSeq = acceptedBallot == ballot ? nextStreamReadSeq - 1 : 0;
            // after a report to its leader, which clears this member's cell then, it is written
            // again every heartbeat interval for a while, whatever arrives first
            final boolean again = storedSeq > 0 && nowNs < republishStoredUntilNs &&
                nowNs - storedPublishedNs >= options.heartbeatIntervalMillis() * NS_PER_MS;
            if (storedSeq > storedPublished || again)
            {
                storedPublished = storedSeq;
                storedPublishedNs = nowNs;
                storedCell.wrap(scratch, 0).ballot(ballot).storedSeq(storedSeq).seal();
                final int offset = memberIndex * Layout.STORED_CELL_BYTES;
                for (final int q : members)
                {
                    outbox.write(q, Layout.STORED_REGION, offset, scratch, Layout.STORED_CELL_BYTES);
                }
                work++;
            }
        }
        final int[] clients = topology.clients();
        final int flowOffset = topology.serverOrdinalOf(selfId) * Layout.FLOW_CELL_BYTES;
        for (int ci = 0; ci < clients.length; ci++)
        {
            if (clientRings.pollFlowCell(ci, scratch))
            {
                outbox.write(clients[ci], Layout.FLOW_REGION, flowOffset, scratch, Layout.FLOW_CELL_BYTES);
                work++;
            }
        }
        return work;
    }

    /**
     * @return whether no byte of this process's ordering regions was ever written: a process outside
     *         every destination set must stay untouched (genuineness, §A.5). Heartbeats and control
     *         messages between servers are not per-message traffic and are not checked.
     */
    boolean regionsUntouched()
    {
        for (final AtomicBuffer b : new AtomicBuffer[] {rings, acks, stream, stored})
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
        return "server " + selfId + " g" + group + " " + mode.name().toLowerCase() + " ballot=" + Ballots.toString(ballot) +
            " clock=" + clock + " delivered=" + deliveredCount + " leaderships=" + leaderChanges +
            " relayed=" + relayedCount + " pending=" + entries.size() + " ordered=" + ordered.size() +
            " toPropose=" + toPropose.size() + " log=[" + log.base() + "," + log.next() + ")" +
            " streamRead=" + nextStreamReadSeq + (mode == Mode.FOLLOWER ? describeNextStreamSlot() : "") +
            " queuedWrites=" + outbox.queuedWrites() +
            (outbox.queuedWrites() > 0 ? "[" + outbox.describeQueued() + "]" : "") +
            (outbox.droppedPeerDown() + outbox.droppedRejected() > 0 ? " dropped=" + outbox.droppedPeerDown() +
                " to peers down, " + outbox.droppedRejected() + " rejected" : "") + " control=" +
            control.describe() + " firstOrdered=" + (ordered.isEmpty() ? "-" : ordered.first()) + " blocking=" +
            blockingOrUnknown() + (mode == Mode.LEADER ? " streams=" + describeStreams() : "") +
            (catchUpBehind != 0 ? " catchUpBehind=" + (catchUpBehind == UNKNOWN_BEHIND ? "unknown" : catchUpBehind) : "");
    }

    /** @return what the stream slot of the next record to read holds: its sequence number and ballot. */
    private String describeNextStreamSlot()
    {
        final StreamRecordFlyweight slot = new StreamRecordFlyweight();
        slot.wrap(stream, Layout.streamOffset(nextStreamReadSeq, options));
        return "(slot holds " + slot.seq() + "@" + Ballots.toString(slot.ballot()) + ", leader granted " +
            streamRegion.isGranted(leaderOf[group]) + ")";
    }

    /** @return per member: next record to write, records it stored, and whether it promised or is lost. */
    private String describeStreams()
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < members.length; j++)
        {
            if (j != memberIndex)
            {
                sb.append(sb.length() > 1 ? " " : "").append(members[j]).append(":next=").append(sendCursor[j])
                    .append(",stored=").append(memberStored[j]).append(promised[j] ? "" : ",unpromised")
                    .append(lost[j] ? ",lost" : "");
                final RemoteRegion.Status status = outbox.handle(members[j], Layout.STREAM_REGION).status();
                sb.append(status == RemoteRegion.Status.READY ? "" : "," + status.name().toLowerCase());
            }
        }
        return sb.append(']').append(streamResends > 0 ? " resent after refusals " + streamResends : "")
            .append(" rejoins ").append(streamRejoins).append(" writes held back ").append(outbox.heldBack()).toString();
    }

    /** @return every pending entry with its state, body and known proposals (diagnostics; agent thread or a stopped process). */
    String describePending()
    {
        final StringBuilder sb = new StringBuilder();
        entries.forEachLong((id, e) ->
        {
            sb.append(' ').append(e).append(e.hasBody() ? " body" : " no-body");
            for (int h = 0; h < groupCount; h++)
            {
                if (e.proposalKnown[h])
                {
                    sb.append(' ').append(h).append('=').append(e.proposalValue[h]).append('@')
                        .append(Ballots.toString(e.proposalBallot[h]));
                }
            }
            if (e.clientOrdinal >= 0 && e.ringSeqByGroup != null)
            {
                sb.append(" taken=").append(clientRings.taken(e.clientOrdinal, e.ringSeqByGroup[group]))
                    .append(" pos=").append(e.ringSeqByGroup[group]);
            }
            sb.append(';');
        });
        for (int ci = 0; ci < clientRings.clientCount(); ci++)
        {
            final ClientRings.RowState row = clientRings.rowState(ci);
            sb.append(" ring").append(ci).append("[next=").append(row.nextRingSeq()).append(" freed=")
                .append(row.freedUpTo()).append(" takenUpTo=").append(row.takenUpTo()).append(" ahead=")
                .append(Arrays.toString(row.takenAhead())).append(" skipped=").append(Arrays.toString(row.skippedBelow()))
                .append(" freedAhead=").append(Arrays.toString(row.freedAhead())).append(']');
        }
        return sb.toString();
    }

    private String blockingOrUnknown()
    {
        try
        {
            return blocking();
        }
        catch (final RuntimeException ex)
        {
            return "?"; // the agent changed the map under a reader on another thread
        }
    }

    /**
     * @return the unordered entry with the lowest own proposal, the one that holds delivery back.
     *         Called from other threads by {@link #describe()}: racy, but it never touches state the
     *         agent uses.
     */
    private String blocking()
    {
        // forEachLong walks the map's arrays: the map's shared iterator belongs to the agent thread
        final Entry[] lowestHolder = new Entry[1];
        entries.forEachLong((id, e) ->
        {
            final Entry lowest = lowestHolder[0];
            if ((e.state == Entry.State.MCAST || e.state == Entry.State.NO_BODY) && e.proposalKnown[group] &&
                (lowest == null || e.proposalValue[group] < lowest.proposalValue[group]))
            {
                lowestHolder[0] = e;
            }
        });
        final Entry lowest = lowestHolder[0];
        if (lowest == null)
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder(lowest.toString()).append(" proposals:");
        for (int h = 0; h < groupCount; h++)
        {
            if (lowest.proposalKnown[h])
            {
                sb.append(' ').append(h).append('=').append(lowest.proposalValue[h]).append('@')
                    .append(Ballots.toString(lowest.proposalBallot[h])).append(lowest.decided[h] ? "d" : "")
                    .append(lowest.committed[h] ? "c" : "");
            }
        }
        return sb.toString();
    }
}
